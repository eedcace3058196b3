/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* `run`: create + start, then in the foreground relay signals to the
 * container's init, wait for it and report its status the way a shell does
 * (128+signal when killed); delete afterwards unless --keep. */
#include "rustlet/container.h"
#include "rustlet/log.h"
#include "rustlet/terminal.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
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

int rl_finish_foreground(const struct rl_context *ctx, const char *id, pid_t pid, int pidfd,
                         bool keep, int *status, struct rl_error **err)
{
    int ret = rl_wait_foreground(pid, pidfd, status, err);
    close(pidfd);
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

int rl_run(const struct rl_context *ctx, const char *id, const struct rl_create_opts *opts,
           bool detach, bool keep, int *status, struct rl_error **err)
{
    *status = 0;
    sigset_t all, old;
    if (!detach) {
        /* a stage 1 (joined pid/user namespace) leaves the init to us, and
         * what the container orphans (no pid namespace) comes to us too;
         * with --no-subreaper we stop being the subreaper once the init is
         * ours (below), so orphans go to the caller's reaper, as runc's */
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        /* block signals now so none is lost between start and the relay */
        sigfillset(&all);
        sigdelset(&all, SIGCHLD);
        sigprocmask(SIG_BLOCK, &all, &old);
    }
    /* In the foreground without --console-socket, a process.terminal's pty
     * master comes to us and we relay it, like runc run -t. */
    struct rl_create_opts o = *opts;
    int console[2] = {-1, -1};
    if (!detach && opts->console_socket == NULL &&
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) == 0)
        o.console_fd = console[1];
    int pidfd = -1;
    pid_t pid = 0;
    int r = rl_create_internal(ctx, id, &o, &pidfd, &pid, err);
    if (!detach && opts->no_subreaper)
        prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    if (console[1] >= 0)
        close(console[1]);
    int master = -1;
    if (r == 0 && console[0] >= 0) {
        /* the init sent the master before READY, if it has a terminal */
        int fl = fcntl(console[0], F_GETFL);
        fcntl(console[0], F_SETFL, fl | O_NONBLOCK);
        master = rl_recv_fd(console[0]);
    }
    if (console[0] >= 0)
        close(console[0]);
    if (r < 0)
        return -1;
    /* in the foreground rustlet stays the parent: it is the MAINPID the
     * host watches, and the relay must not wait for READY */
    int started = detach ? rl_start(ctx, id, err) : rl_start_notify(ctx, id, getpid(), true, err);
    if (started < 0) {
        if (master >= 0)
            close(master);
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
    if (master >= 0) {
        rl_terminal_relay(master, pidfd);
        close(master);
    }
    int ret = rl_finish_foreground(ctx, id, pid, pidfd, keep, status, err);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return ret;
}
