/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* `run`: create + start, then in the foreground relay signals to the
 * container's init, wait for it and report its status the way a shell does
 * (128+signal when killed); delete afterwards unless --keep. */
#include "rustlet/container.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>


/* Relay every catchable signal to the init until it exits. */
int rl_wait_foreground(pid_t pid, int pidfd, int *status, struct rl_error **err)
{
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGCHLD);
    int sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0)
        return rl_error_errno(err, "signalfd");
    struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    for (;;) {
        int r = poll(p, 2, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            close(sfd);
            return rl_error_errno(err, "poll");
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) == sizeof(si))
                syscall(SYS_pidfd_send_signal, pidfd, (int)si.ssi_signo, NULL, 0);
        }
        if (p[0].revents)
            break;
    }
    close(sfd);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR)
            return rl_error_errno(err, "wait for the container process");
    }
    *status = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
    return 0;
}

int rl_run(const struct rl_context *ctx, const char *id, const struct rl_create_opts *opts,
           bool detach, bool keep, int *status, struct rl_error **err)
{
    *status = 0;
    sigset_t all, old;
    if (!detach) {
        /* a stage 1 (joined pid/user namespace) leaves the init to us */
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        /* block signals now so none is lost between start and the relay */
        sigfillset(&all);
        sigdelset(&all, SIGCHLD);
        sigprocmask(SIG_BLOCK, &all, &old);
    }
    int pidfd = -1;
    pid_t pid = 0;
    if (rl_create_internal(ctx, id, opts, &pidfd, &pid, err) < 0)
        return -1;
    if (rl_start(ctx, id, err) < 0) {
        struct rl_error *e2 = NULL;
        rl_delete(ctx, id, true, &e2);
        rl_error_free(e2);
        if (pidfd >= 0)
            close(pidfd);
        return -1;
    }
    if (detach) {
        if (pidfd >= 0)
            close(pidfd);
        return 0;
    }
    int ret = rl_wait_foreground(pid, pidfd, status, err);
    close(pidfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (!keep) {
        struct rl_error *e2 = NULL;
        if (rl_delete(ctx, id, true, &e2) < 0 && ret == 0) {
            rl_error_move(err, &e2);
            ret = -1;
        }
        rl_error_free(e2);
    }
    return ret;
}
