/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* notify-listen: the host end of NOTIFY_SOCKET for tests (what systemd
 * would be).
 *   rl-notify-listen SOCKET [TIMEOUT_SECONDS]
 * Binds an AF_UNIX datagram socket at SOCKET, prints "listening" on stderr,
 * then prints every datagram it receives on stdout (one "msg=TEXT" line per
 * datagram, trailing newline removed; "fds=N" when file descriptors came
 * with it). A datagram carrying fds is answered the sd_notify_barrier way:
 * the fds are closed. Exits 0 after a "BARRIER=1" datagram, or one second
 * after a "MAINPID=" datagram when nothing else came (runc 1.1 sends no
 * barrier); 1 on timeout (default 20 s). Removes SOCKET. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 16

static int receive(int sock)
{
    char buf[4097];
    char cbuf[CMSG_SPACE(MAX_FDS * sizeof(int))];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    int nfds = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < k; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            close(fd);
            nfds++;
        }
    }
    printf("msg=%s\n", buf);
    if (nfds)
        printf("fds=%d\n", nfds);
    fflush(stdout);
    if (strcmp(buf, "BARRIER=1") == 0)
        return 1;
    return strncmp(buf, "MAINPID=", 8) == 0 ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: rl-notify-listen SOCKET [TIMEOUT_SECONDS]\n");
        return 2;
    }
    int timeout = argc > 2 ? atoi(argv[2]) : 20;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    const char *name = argv[1];
    char *slash = strrchr(argv[1], '/');
    if (strlen(name) >= sizeof(addr.sun_path) && slash) {
        /* too long for sun_path: bind the base name from its directory */
        *slash = '\0';
        if (chdir(argv[1][0] ? argv[1] : "/") < 0) {
            fprintf(stderr, "notify-listen: chdir %s: %s\n", argv[1], strerror(errno));
            return 2;
        }
        *slash = '/';
        name = slash + 1;
    }
    if (strlen(name) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "notify-listen: socket path too long\n");
        return 2;
    }
    strcpy(addr.sun_path, name);
    int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        fprintf(stderr, "notify-listen: bind %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    fprintf(stderr, "listening\n");
    int ret = 1;
    time_t end = time(NULL) + timeout;
    bool mainpid = false;
    for (;;) {
        time_t left = end - time(NULL);
        if (left <= 0)
            break;
        struct pollfd p = {.fd = sock, .events = POLLIN};
        int r = poll(&p, 1, mainpid ? 1000 : (int)left * 1000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && mainpid) {
            ret = 0;
            break;
        }
        if (r <= 0)
            break;
        r = receive(sock);
        if (r < 0) {
            fprintf(stderr, "notify-listen: recvmsg: %s\n", strerror(errno));
            break;
        }
        if (r == 1) {
            ret = 0;
            break;
        }
        mainpid |= r == 2;
    }
    if (ret)
        fprintf(stderr, "notify-listen: no MAINPID= or BARRIER=1 within %d s\n", timeout);
    unlink(name);
    return ret;
}
