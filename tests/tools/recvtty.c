/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* recvtty: the other end of --console-socket for tests.
 *   rl-recvtty SOCKET [INPUT]
 * Listens on the AF_UNIX path SOCKET, accepts one connection, receives the
 * pty master sent with SCM_RIGHTS, writes INPUT (with \n escapes) to it,
 * then copies everything the container prints to stdout until the pty
 * hangs up. Prints "recvtty: got pty NAME" on stderr when the master came. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int recv_fd(int sock, char *name, size_t len)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = name, .iov_len = len - 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    ssize_t n = recvmsg(sock, &msg, 0);
    if (n < 0)
        return -1;
    name[n] = '\0';
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_type != SCM_RIGHTS)
        return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == 'n') {
            *o++ = '\n';
            s++;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SOCKET [INPUT]\n", argv[0]);
        return 2;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    unlink(argv[1]);
    if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(l, 1) < 0) {
        perror("recvtty: listen");
        return 1;
    }
    int c = accept(l, NULL, NULL);
    char name[256];
    int master = c < 0 ? -1 : recv_fd(c, name, sizeof(name));
    if (master < 0) {
        perror("recvtty: receive the pty master");
        return 1;
    }
    fprintf(stderr, "recvtty: got pty %s\n", name);
    close(c);
    close(l);
    unlink(argv[1]);
    if (argc > 2) {
        unescape(argv[2]);
        if (write(master, argv[2], strlen(argv[2])) < 0)
            perror("recvtty: write input");
    }
    char buf[4096];
    for (;;) {
        ssize_t n = read(master, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* EIO once the last slave fd is closed */
        fwrite(buf, 1, (size_t)n, stdout);
        fflush(stdout);
    }
    return 0;
}
