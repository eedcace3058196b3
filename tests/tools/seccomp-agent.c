/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rl-seccomp-agent: a tiny seccomp agent for the integration tests of
 * linux.seccomp.listenerPath / SCMP_ACT_NOTIFY.
 *
 *   rl-seccomp-agent SOCKET STATE_FILE ERRNO
 *
 * Listens on the AF_UNIX stream socket SOCKET, accepts one connection,
 * reads the container process state (JSON) and the seccomp listener fd
 * sent with SCM_RIGHTS, writes the JSON to STATE_FILE and prints
 * "fds_received=N". Then it answers every notification: the notified
 * syscall fails with ERRNO (or returns 0 without running when ERRNO is 0),
 * printing "notified=SYSCALL_NR". It exits when the container is gone.
 * Prints "listening" once the socket accepts connections. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
    fprintf(stderr, "rl-seccomp-agent: %s: %s\n", what, strerror(errno));
    return 1;
}

/* Is buf one complete JSON object? (depth of braces outside strings) */
static int complete(const char *buf, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{') {
            depth++;
        } else if (c == '}' && --depth == 0) {
            return 1;
        }
    }
    return 0;
}

/* Read the message: until EOF or a complete JSON object (a runtime may keep
 * the connection open); the first recvmsg carries the fds. */
static char *receive(int conn, int *fds, int *nfds)
{
    size_t cap = 65536, used = 0;
    char *buf = calloc(1, cap + 1);
    union {
        char c[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } u;
    *nfds = 0;
    for (;;) {
        struct iovec iov = {.iov_base = buf + used, .iov_len = cap - used};
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.c, .msg_controllen = sizeof(u.c)};
        ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return NULL;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k && *nfds < 4; i++)
                memcpy(&fds[(*nfds)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used >= cap || complete(buf, used))
            break;
    }
    return buf;
}

static int serve(int nfd, int answer)
{
    for (;;) {
        struct pollfd p = {.fd = nfd, .events = POLLIN};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return die("poll");
        }
        if (p.revents & (POLLHUP | POLLERR))
            return 0; /* every process under the filter is gone */
        struct seccomp_notif req;
        memset(&req, 0, sizeof(req));
        if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
            if (errno == EINTR || errno == ENOENT)
                continue;
            return die("SECCOMP_IOCTL_NOTIF_RECV");
        }
        printf("notified=%d\n", req.data.nr);
        fflush(stdout);
        struct seccomp_notif_resp resp = {.id = req.id, .error = answer ? -answer : 0, .val = 0};
        if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
            return die("SECCOMP_IOCTL_NOTIF_SEND");
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: rl-seccomp-agent SOCKET STATE_FILE ERRNO\n");
        return 2;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "rl-seccomp-agent: socket path too long\n");
        return 2;
    }
    strcpy(sa.sun_path, argv[1]);
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(argv[1]);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0)
        return die("listen");
    printf("listening\n");
    fflush(stdout);
    int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        return die("accept");
    int fds[4], nfds;
    char *json = receive(conn, fds, &nfds);
    if (json == NULL)
        return die("recvmsg");
    close(conn);
    close(ls);
    FILE *f = fopen(argv[2], "w");
    if (f == NULL)
        return die(argv[2]);
    fputs(json, f);
    fclose(f);
    printf("fds_received=%d\n", nfds);
    fflush(stdout);
    if (nfds < 1)
        return 1;
    return serve(fds[0], atoi(argv[3]));
}
