/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* NOTIFY_SOCKET: the sd_notify proxy, as runc does it.
 *
 * create/run, with NOTIFY_SOCKET in rustlet's environment: make
 * ROOT/<id>/notify, bind-mount it read-only (nosuid, noexec, nodev) on
 * /run/notify in the container and set NOTIFY_SOCKET=/run/notify/notify.sock
 * in the process's environment.
 *
 * start (and run, which starts), with NOTIFY_SOCKET set: connect to the
 * host's socket and bind ROOT/<id>/notify/notify.sock (mode 0777) before
 * releasing the init, so no message is lost; then, with the container's
 * lock dropped, wait until a datagram carries a "READY=" line or the init
 * exits. On READY: send that line, then "MAINPID=<pid>" (the init's host
 * pid; rustlet's own pid for `run` in the foreground, which stays the
 * parent), then "BARRIER=1" with the write end of a pipe, and wait (at most
 * 30 s) for the host to close it, so the host has processed MAINPID before
 * the sender exits (sd_notify_barrier(3)). Other datagrams (STATUS=...) are
 * dropped, as runc does. An init that exits before READY ends the wait
 * quietly. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define NOTIFY_DIR_IN_CONTAINER "/run/notify"
#define NOTIFY_SOCK_NAME        "notify.sock"
#define NOTIFY_BARRIER_MS       30000

static char *notify_dir(const struct rl_context *ctx, const char *id)
{
    return xasprintf("%s/%s/notify", ctx->root, id);
}

static bool notify_enabled(const struct rl_context *ctx)
{
    return ctx->notify_socket && ctx->notify_socket[0];
}

int rl_notify_prepare(const struct rl_context *ctx, const char *id, struct rl_spec *spec,
                      struct rl_error **err)
{
    if (!notify_enabled(ctx))
        return 0;
    if (rl_spec_namespace(spec, RL_NS_MOUNT) == NULL)
        return rl_error(err,
                        "NOTIFY_SOCKET: the socket's bind mount on %s needs a \"mount\" "
                        "namespace in linux.namespaces",
                        NOTIFY_DIR_IN_CONTAINER);
    _cleanup_free_ char *dir = notify_dir(ctx, id);
    if (mkdir(dir, 0755) < 0 || chmod(dir, 0755) < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: mkdir %s", dir);
    /* a container root in a user namespace must be able to reach the bind
     * source: ROOT/<id> searchable (not readable) by others, as runc's
     * 0711; state.json stays 0600 */
    _cleanup_free_ char *sdir = rl_state_dir(ctx, id);
    if (chmod(sdir, 0711) < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: chmod %s", sdir);
    char abs[PATH_MAX];
    if (realpath(dir, abs) == NULL)
        return rl_error_errno(err, "NOTIFY_SOCKET: realpath %s", dir);
    static const char *const opts[] = {"bind", "nosuid", "noexec", "nodev", "ro"};
    spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
    struct rl_mount *m = &spec->mounts[spec->n_mounts++];
    memset(m, 0, sizeof(*m));
    m->destination = xstrdup(NOTIFY_DIR_IN_CONTAINER);
    m->source = xstrdup(abs);
    m->options = xzalloc((ARRAY_SIZE(opts) + 1) * sizeof(char *));
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
        m->options[i] = xstrdup(opts[i]);
    m->n_options = ARRAY_SIZE(opts);
    rl_process_env_set(&spec->process,
                       "NOTIFY_SOCKET=" NOTIFY_DIR_IN_CONTAINER "/" NOTIFY_SOCK_NAME);
    rl_debug("NOTIFY_SOCKET=%s: %s on %s in the container", ctx->notify_socket, abs,
             NOTIFY_DIR_IN_CONTAINER);
    return 0;
}

static int host_connect(const char *path, struct rl_error **err)
{
    int s = rl_unix_connect(path, SOCK_DGRAM);
    if (s < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: connect %s", path);
    return s;
}

static int container_bind(const char *dir, struct rl_error **err)
{
    _cleanup_close_ int dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: open %s", dir);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/" NOTIFY_SOCK_NAME, dirfd);
    _cleanup_close_ int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: socket");
    (void)unlinkat(dirfd, NOTIFY_SOCK_NAME, 0);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: bind %s/" NOTIFY_SOCK_NAME, dir);
    /* any user of the container may notify, whatever the umask */
    if (fchmodat(dirfd, NOTIFY_SOCK_NAME, 0777, 0) < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: chmod %s/" NOTIFY_SOCK_NAME, dir);
    return steal_fd(&s);
}

int rl_notify_open(const struct rl_context *ctx, const char *id, struct rl_notify *n,
                   struct rl_error **err)
{
    n->sock = n->host = -1;
    if (!notify_enabled(ctx))
        return 0;
    _cleanup_free_ char *dir = notify_dir(ctx, id);
    struct stat sb;
    if (stat(dir, &sb) < 0) {
        /* runc fails here; the container's /run/notify simply was never
         * made, so there is nothing to proxy */
        rl_debug("NOTIFY_SOCKET set, but container %s was created without it: not proxied", id);
        return 0;
    }
    n->host = host_connect(ctx->notify_socket, err);
    if (n->host < 0)
        return -1;
    n->sock = container_bind(dir, err);
    if (n->sock < 0) {
        rl_notify_close(n);
        return -1;
    }
    return 0;
}

void rl_notify_close(struct rl_notify *n)
{
    if (n->sock >= 0)
        close(n->sock);
    if (n->host >= 0)
        close(n->host);
    n->sock = n->host = -1;
}

/* The "READY=..." line of a datagram, NUL-terminated in place, or NULL. */
static char *ready_line(char *msg)
{
    for (char *line = msg; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (strncmp(line, "READY=", 6) == 0)
            return line;
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static int send_text(int fd, const char *text, struct rl_error **err)
{
    if (send(fd, text, strlen(text), MSG_NOSIGNAL) < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: send \"%.*s\"", (int)strcspn(text, "\n"), text);
    return 0;
}

/* sd_notify_barrier(3): BARRIER=1 with a pipe's write end; the host closes
 * it once it has processed everything before. */
static int barrier(int host, struct rl_error **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: pipe");
    char cbuf[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec iov = {.iov_base = "BARRIER=1", .iov_len = 9};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &p[1], sizeof(int));
    ssize_t r = sendmsg(host, &msg, MSG_NOSIGNAL);
    int saved = errno;
    close(p[1]);
    _cleanup_close_ int rd = p[0];
    if (r < 0) {
        errno = saved;
        return rl_error_errno(err, "NOTIFY_SOCKET: send BARRIER=1");
    }
    struct pollfd pf = {.fd = rd, .events = POLLIN};
    uint64_t end = rl_now_ns() + (uint64_t)NOTIFY_BARRIER_MS * 1000000;
    for (;;) {
        uint64_t now = rl_now_ns();
        int left = now >= end ? 0 : (int)((end - now) / 1000000);
        int k = poll(&pf, 1, left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return rl_error_errno(err, "NOTIFY_SOCKET: poll the barrier pipe");
        if (k == 0) {
            rl_log(RL_LOG_WARN, "NOTIFY_SOCKET: no answer to BARRIER=1 within %d s, ignored",
                   NOTIFY_BARRIER_MS / 1000);
            return 0;
        }
        char b;
        ssize_t n = read(rd, &b, 1);
        if (n == 0)
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rl_error_errno(err, "NOTIFY_SOCKET: read the barrier pipe");
        return rl_error(err, "NOTIFY_SOCKET: unexpected data on the barrier pipe");
    }
}

static int forward_ready(int host, const char *ready, pid_t mainpid, struct rl_error **err)
{
    _cleanup_free_ char *r = xasprintf("%s\n", ready);
    _cleanup_free_ char *m = xasprintf("MAINPID=%d\n", (int)mainpid);
    rl_debug("NOTIFY_SOCKET: forwarding %s and MAINPID=%d", ready, (int)mainpid);
    if (send_text(host, r, err) < 0 || send_text(host, m, err) < 0)
        return -1;
    return barrier(host, err);
}

int rl_notify_forward(struct rl_notify *n, int pidfd, pid_t mainpid, struct rl_error **err)
{
    if (n->sock < 0 || pidfd < 0)
        return 0;
    struct pollfd p[2] = {{.fd = n->sock, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    for (;;) {
        int r = poll(p, 2, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return rl_error_errno(err, "NOTIFY_SOCKET: poll");
        /* messages first: a READY sent just before exiting still counts */
        char buf[4097];
        ssize_t k;
        while ((k = recv(n->sock, buf, sizeof(buf) - 1, MSG_DONTWAIT)) >= 0) {
            buf[k] = '\0';
            char *ready = ready_line(buf);
            if (ready)
                return forward_ready(n->host, ready, mainpid, err);
        }
        if (errno != EAGAIN && errno != EINTR)
            return rl_error_errno(err, "NOTIFY_SOCKET: recv");
        if (p[1].revents) {
            rl_debug("NOTIFY_SOCKET: the container's init exited before READY");
            return 0;
        }
    }
}

int rl_notify_forward_async(struct rl_notify *n, int pidfd, pid_t mainpid, struct rl_error **err)
{
    if (n->sock < 0)
        return 0;
    pid_t parent = getpid();
    pid_t pid = rl_sys_fork("NOTIFY_SOCKET forwarder");
    if (pid < 0)
        return rl_error_errno(err, "NOTIFY_SOCKET: fork");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != parent)
            _exit(0);
        struct rl_error *e = NULL;
        int r = rl_notify_forward(n, pidfd, mainpid, &e);
        if (r < 0)
            rl_log(RL_LOG_WARN, "%s", e->msg);
        rl_error_free(e);
        _exit(r < 0 ? 1 : 0);
    }
    rl_notify_close(n);
    return 0;
}
