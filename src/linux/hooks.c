/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/hooks.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

/* Child: stdin from the pipe, stdout/stderr inherited, exec the hook. */
static __attribute__((noreturn)) void hook_exec(const struct rl_hook *h, int in_fd)
{
    if (dup2(in_fd, 0) < 0)
        _exit(127);
    char *argv0[] = {h->path, NULL};
    char *const *argv = h->n_args ? h->args : argv0;
    /* no "env" at all: the runtime's own environment, as runc (Go's nil
     * Cmd.Env) and crun give; "env": [] is an empty one */
    execve(h->path, argv, h->env ? h->env : environ);
    rl_log(RL_LOG_ERROR, "exec hook %s: %s", h->path, strerror(errno));
    _exit(127);
}

/* Feed data to the hook's stdin (in_fd, non-blocking, closed here) and wait
 * for it, with an optional timeout in seconds (<= 0: none). The write is
 * part of the poll loop: a hook that never reads a state larger than the
 * pipe buffer must not block us past its timeout. */
static int hook_wait(pid_t pid, int pidfd, int in_fd, const char *data, int64_t timeout,
                     int *status, bool *timed_out)
{
    size_t left = strlen(data);
    *timed_out = false;
    if (pidfd < 0) {
        /* no pidfd (old kernel): blocking write, no timeout */
        fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) & ~O_NONBLOCK);
        (void)rl_write_all(in_fd, data, left);
        close(in_fd);
        in_fd = -1;
    }
    uint64_t deadline = timeout > 0 ? rl_now_ns() + (uint64_t)timeout * 1000000000ull : 0;
    while (pidfd >= 0) {
        struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = in_fd, .events = POLLOUT}};
        int ms = -1;
        if (deadline) {
            uint64_t now = rl_now_ns();
            if (now >= deadline) {
                *timed_out = true;
                kill(pid, SIGKILL);
                break;
            }
            ms = (int)((deadline - now) / 1000000) + 1;
        }
        int r = poll(p, in_fd >= 0 ? 2 : 1, ms);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (p[0].revents)
            break;
        if (in_fd >= 0 && p[1].revents) {
            ssize_t n = write(in_fd, data, left);
            if (n > 0) {
                data += n;
                left -= (size_t)n;
            }
            /* done, or EPIPE: the hook need not read its stdin */
            if (left == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                close(in_fd);
                in_fd = -1;
            }
        }
    }
    if (in_fd >= 0)
        close(in_fd);
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return 0;
}

static int run_one(const struct rl_hook *h, const char *phase, size_t i, const char *state_json,
                   struct rl_error **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return rl_error_errno(err, "hooks.%s[%zu] (%s): pipe", phase, i, h->path);
    rl_debug("running hook %s[%zu]: %s", phase, i, h->path);
    char what[PATH_MAX + 64];
    snprintf(what, sizeof(what), "hook %s[%zu]: %s", phase, i, h->path);
    pid_t pid = rl_sys_fork(what);
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return rl_error_errno(err, "hooks.%s[%zu] (%s): fork", phase, i, h->path);
    }
    if (pid == 0) {
        close(p[1]);
        hook_exec(h, p[0]);
    }
    close(p[0]);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
    /* The hook may not read its stdin: ignore EPIPE. */
    struct sigaction sa = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &sa, &old);
    int status = 0;
    bool timed_out;
    int r = hook_wait(pid, pidfd, p[1], state_json, h->has_timeout ? h->timeout : 0, &status,
                      &timed_out);
    sigaction(SIGPIPE, &old, NULL);
    if (pidfd >= 0)
        close(pidfd);
    if (r < 0)
        return rl_error_errno(err, "hooks.%s[%zu] (%s): wait", phase, i, h->path);
    if (timed_out)
        return rl_error(err, "hooks.%s[%zu] (%s): timed out after %lld s", phase, i, h->path,
                        (long long)h->timeout);
    if (WIFSIGNALED(status))
        return rl_error(err, "hooks.%s[%zu] (%s): killed by signal %d", phase, i, h->path,
                        WTERMSIG(status));
    if (WEXITSTATUS(status) != 0)
        return rl_error(err, "hooks.%s[%zu] (%s): exited with status %d", phase, i, h->path,
                        WEXITSTATUS(status));
    rl_debug("hook %s[%zu] (%s, pid %d): exited with status 0", phase, i, h->path, (int)pid);
    return 0;
}

int rl_hooks_run(const struct rl_hook *hooks, size_t n, const char *phase, const char *state_json,
                 struct rl_error **err)
{
    for (size_t i = 0; i < n; i++)
        if (run_one(&hooks[i], phase, i, state_json, err) < 0)
            return -1;
    return 0;
}

void rl_hooks_run_all(const struct rl_hook *hooks, size_t n, const char *phase,
                      const char *state_json)
{
    for (size_t i = 0; i < n; i++) {
        struct rl_error *e = NULL;
        if (run_one(&hooks[i], phase, i, state_json, &e) < 0)
            rl_log(RL_LOG_WARN, "%s", e->msg);
        rl_error_free(e);
    }
}

bool rl_hooks_error(const struct rl_error *err)
{
    return err && err->msg && strncmp(err->msg, "hooks.", 6) == 0;
}
