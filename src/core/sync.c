/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/sync.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

const char *sync_type_name(enum sync_type t)
{
    switch (t) {
    case SYNC_GO: return "go";
    case SYNC_HOOKS: return "hooks";
    case SYNC_HOOKS_DONE: return "hooks-done";
    case SYNC_READY: return "ready";
    case SYNC_READY_ACK: return "ready-ack";
    case SYNC_ERROR: return "error";
    case SYNC_PID: return "pid";
    case SYNC_USERMAP: return "usermap";
    case SYNC_USERMAP_DONE: return "usermap-done";
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

int sync_expect(int fd, enum sync_type type, pid_t *pid, struct rl_error **err)
{
    struct sync_msg m;
    ssize_t n;
    do {
        memset(&m, 0, sizeof(m));
        n = recv(fd, &m, sizeof(m), 0);
    } while (n < 0 && errno == EINTR);
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
