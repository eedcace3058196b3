/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/sync.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *sync_type_name(enum sync_type t)
{
    switch (t) {
    case SYNC_GO:
        return "go";
    case SYNC_HOOKS:
        return "hooks";
    case SYNC_HOOKS_DONE:
        return "hooks-done";
    case SYNC_READY:
        return "ready";
    case SYNC_READY_ACK:
        return "ready-ack";
    case SYNC_ERROR:
        return "error";
    case SYNC_PID:
        return "pid";
    case SYNC_USERMAP:
        return "usermap";
    case SYNC_USERMAP_DONE:
        return "usermap-done";
    case SYNC_SECCOMP:
        return "seccomp";
    case SYNC_SECCOMP_DONE:
        return "seccomp-done";
    case SYNC_NETDEV:
        return "netdev";
    case SYNC_NETDEV_DONE:
        return "netdev-done";
    case SYNC_MOUNT_SOURCES:
        return "mount-sources";
    case SYNC_MOUNT_SOURCE:
        return "mount-source";
    }
    return "unknown";
}

static int send_msg(int fd, const struct sync_msg *m)
{
    size_t len = offsetof(struct sync_msg, text) + strnlen(m->text, SYNC_TEXT_MAX - 1) + 1;
    for (;;) {
        ssize_t n = send(fd, m, len, MSG_NOSIGNAL);
        if (n >= 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

int sync_send(int fd, enum sync_type type, pid_t pid)
{
    struct sync_msg m = {.type = type, .pid = pid};
    return send_msg(fd, &m);
}

void sync_send_error(int fd, const struct rl_error *e)
{
    struct sync_msg m = {.type = SYNC_ERROR};
    if (e) {
        m.errnum = e->errnum;
        snprintf(m.text, sizeof(m.text), "%s", e->msg);
    } else {
        snprintf(m.text, sizeof(m.text), "unknown error");
    }
    (void)send_msg(fd, &m);
}

int sync_send_fd(int fd, enum sync_type type, int pass_fd)
{
    struct sync_msg m = {.type = type};
    struct iovec iov = {.iov_base = &m, .iov_len = offsetof(struct sync_msg, text) + 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof(u));
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    for (;;) {
        if (sendmsg(fd, &msg, MSG_NOSIGNAL) >= 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* One message; a passed fd lands in *got_fd (closed when not wanted). */
static ssize_t recv_msg(int fd, struct sync_msg *m, int *got_fd)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    ssize_t n;
    do {
        memset(m, 0, sizeof(*m));
        msg.msg_controllen = sizeof(u.buf);
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int passed;
        memcpy(&passed, CMSG_DATA(c), sizeof(int));
        if (got_fd && *got_fd < 0)
            *got_fd = passed;
        else
            close(passed);
    }
    return n;
}

static int expect(int fd, enum sync_type type, pid_t *pid, int *got_fd, struct rl_error **err)
{
    struct sync_msg m;
    ssize_t n = recv_msg(fd, &m, got_fd);
    if (n < 0)
        return rl_error_errno(err, "sync: waiting for '%s'", sync_type_name(type));
    if (n == 0)
        return rl_error(err, "sync: the other side exited before '%s'", sync_type_name(type));
    if ((size_t)n < offsetof(struct sync_msg, text))
        return rl_error(err, "sync: short message (%zd bytes)", n);
    m.text[SYNC_TEXT_MAX - 1] = '\0';
    if (m.type == SYNC_ERROR) {
        rl_error(err, "%s", m.text);
        if (err && *err)
            (*err)->errnum = m.errnum;
        return -1;
    }
    if (m.type != (uint32_t)type)
        return rl_error(err, "sync: expected '%s', got '%s'", sync_type_name(type),
                        sync_type_name((enum sync_type)m.type));
    if (pid)
        *pid = m.pid;
    return 0;
}

int sync_expect(int fd, enum sync_type type, pid_t *pid, struct rl_error **err)
{
    return expect(fd, type, pid, NULL, err);
}

int sync_expect_fd(int fd, enum sync_type type, int *got_fd, struct rl_error **err)
{
    *got_fd = -1;
    if (expect(fd, type, NULL, got_fd, err) < 0) {
        if (*got_fd >= 0)
            close(*got_fd);
        *got_fd = -1;
        return -1;
    }
    if (*got_fd < 0)
        return rl_error(err, "sync: '%s' came without its file descriptor", sync_type_name(type));
    return 0;
}
