/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* `exec`: a new process inside a container's namespaces and cgroup.
 *
 *   rustlet (P, host)                     child (G)
 *   lock, check status, build process,
 *   pidfd of the init, unlock
 *   PR_SET_DUMPABLE 0 (G inherits it)
 *   setns(pidfd, CLONE_NEWPID): only P's
 *   children enter the pid namespace
 *   clone3 ------------------------------> (in the container's pid ns)
 *   cgroup.procs (every hierarchy)        wait for GO
 *   GO ---------------------------------> setns(pidfd, other namespaces):
 *                                         user first (the kernel orders them)
 *                                         rlimits, user, caps, cwd, umask,
 *                                         fds close-on-exec, PATH lookup,
 *                                         no_new_privs, execve
 *   EOF on the socket = execve done   <-- or SYNC_ERROR with the cause
 *   pid file (with or without -d); -d:
 *   return, else relay signals and
 *   return the exit status
 *
 * G is non-dumpable until execve, so nothing in the container can open its
 * /proc/<pid>/exe or its fds, and that exe is the sealed copy of the binary
 * `exec` re-executed from (src/linux/selfexe.c, CVE-2019-5736); every fd
 * of P is close-on-exec, joining the mount namespace moves G's root and cwd
 * into the container, and a cwd outside it fails (CVE-2024-21626). */
#include "rustlet/cgroup.h"
#include "rustlet/container.h"
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/lsm.h"
#include "rustlet/sync.h"
#include "rustlet/terminal.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"
#include "core_internal.h"
#include "exec_internal.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct exec_ctx {
    const struct rl_exec_opts *o;
    struct rl_process *proc;
    struct rl_cgroup *cgroup; /* the container's (owned by the state) */
    pid_t init;
    int init_pidfd;
    int ns_flags; /* namespaces of the init that are not ours */
    int sync_fd;  /* P's end */
    pid_t child;
    int child_pidfd;
    int console_fd; /* --tty: where G sends the pty master */
    int proc_fd;    /* O_PATH of our /proc: G's LSM exec labels */
    int relay_fd;   /* --tty without --console-socket: our end */
    int root_fd;    /* the init's root when it shares our mount
                       namespace (created without one): G
                       chroots there; else -1 */
};

/* Namespaces of pid that differ from ours: joining one we are already in
 * fails for the user namespace (EINVAL) and is pointless for the rest. */
static int foreign_namespaces(pid_t pid)
{
    static const struct {
        const char *name;
        int flag;
    } ns[] = {
        {"user", CLONE_NEWUSER},     {"mnt", CLONE_NEWNS},    {"pid", CLONE_NEWPID},
        {"net", CLONE_NEWNET},       {"uts", CLONE_NEWUTS},   {"ipc", CLONE_NEWIPC},
        {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
    };
    int flags = 0;
    for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
        char path[64];
        struct stat a, b;
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i].name);
        if (stat(path, &a) < 0)
            continue;
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
        if (stat(path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
            flags |= ns[i].flag;
    }
    return flags;
}

static __attribute__((noreturn)) void child_fail(int fd, struct rl_error *e)
{
    sync_send_error(fd, e);
    _exit(e && e->status > 1 ? e->status : 1);
}

/* G: runs in the container's pid namespace, still in P's other ones. */
static __attribute__((noreturn)) void exec_child(struct exec_ctx *c, int fd)
{
    struct rl_error *err = NULL;
    const struct rl_process *p = c->proc;
    if (sync_expect(fd, SYNC_GO, NULL, &err) < 0)
        _exit(1);
    int join = c->ns_flags & ~CLONE_NEWPID;
    if (join && rl_sys_setns(c->init_pidfd, join, "container init (pidfd)") < 0) {
        rl_error_errno(&err, "setns into the namespaces of the container init (%#x)", join);
        child_fail(fd, err);
    }
    close(c->init_pidfd);
    if (c->root_fd >= 0) {
        /* a container without a mount namespace: setns gave no root */
        if (fchdir(c->root_fd) < 0 || rl_sys_chroot(".") < 0 || chdir("/") < 0) {
            rl_error_errno(&err, "chroot into the container's root");
            child_fail(fd, err);
        }
        close(c->root_fd);
    }
    if (p->terminal) {
        /* the container's own devpts: we are in its mount namespace now */
        if (rl_terminal_setup(p, c->console_fd, false, &err) < 0)
            child_fail(fd, err);
        close(c->console_fd);
    } else if (setsid() < 0) {
        /* its own session, no controlling terminal (as runc) */
        rl_error_errno(&err, "setsid");
        child_fail(fd, err);
    }
    char **envp = rl_process_envp(p);
    if (rl_process_set_rlimits(p, &err) < 0 || rl_process_fix_stdio(p, &err) < 0 ||
        rl_process_setup(p, &err) < 0)
        child_fail(fd, err);
    if (rl_process_close_fds(c->o->preserve_fds, NULL, 0) < 0) {
        rl_error_errno(&err, "mark fds close-on-exec");
        child_fail(fd, err);
    }
    _cleanup_free_ char *exe = rl_process_lookup(p, &err);
    if (exe == NULL)
        child_fail(fd, err);
    /* through our own procfs, never the container's /proc */
    if (rl_lsm_apply_exec_process(p, c->proc_fd, &err) < 0)
        child_fail(fd, err);
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        rl_error_errno(&err, "process.noNewPrivileges: prctl");
        child_fail(fd, err);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    rl_debug("execve(%s)", exe);
    execve(exe, p->args, envp);
    rl_error_errno(&err, "process.args[0]: exec %s", exe);
    err->status = errno == ENOENT ? 127 : 126;
    child_fail(fd, err);
}

static int spawn(struct exec_ctx *c, struct rl_error **err)
{
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return rl_error_errno(err, "socketpair");
    /* before the pid namespace: G is visible in the container from birth */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        close(sp[0]);
        close(sp[1]);
        return rl_error_errno(err, "prctl(PR_SET_DUMPABLE, 0)");
    }
    /* our own pid namespace, to go back to once G exists: any later child
     * of ours (a hook, a sanitizer's tracer) must not be born in the
     * container's pid namespace */
    _cleanup_close_ int own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
    /* rootless: a pid namespace owned by the container's user namespace
     * takes only a process that has joined that user namespace too (no
     * CAP_SYS_ADMIN over it otherwise); we stay there, with no way back
     * to our own pid namespace (we fork nothing else), and G inherits it */
    int pid_join = CLONE_NEWPID;
    if (geteuid() != 0 && (c->ns_flags & CLONE_NEWUSER) && (c->ns_flags & CLONE_NEWPID)) {
        pid_join |= CLONE_NEWUSER;
        c->ns_flags &= ~CLONE_NEWUSER;
        close(own_pidns);
        own_pidns = -1;
#ifdef __SANITIZE_ADDRESS__
        /* LeakSanitizer's check at exit forks a tracer, which would be
         * born in the container's pid namespace, cannot trace us from
         * there and hangs: the ASan build checks for leaks now instead */
        __lsan_do_leak_check();
#endif
    }
    if ((c->ns_flags & CLONE_NEWPID) &&
        rl_sys_setns(c->init_pidfd, pid_join, "container init (pidfd)") < 0) {
        close(sp[0]);
        close(sp[1]);
        return rl_error_errno(err, "setns into the pid namespace of the container init");
    }
    struct clone_args args = {
        .flags = CLONE_PIDFD,
        .pidfd = (uint64_t)(uintptr_t)&c->child_pidfd,
        .exit_signal = SIGCHLD,
    };
    /* through the table: with --debug the parent logs it; the child gets 0
     * before any log line */
    pid_t pid = rl_sys_clone3(&args, sizeof(args), "exec: the new process");
    if (pid == 0) {
        close(sp[0]);
        exec_child(c, sp[1]);
    }
    int saved = errno;
    close(sp[1]);
    c->sync_fd = sp[0];
    if ((c->ns_flags & CLONE_NEWPID) && own_pidns >= 0)
        (void)rl_sys_setns(own_pidns, CLONE_NEWPID, "our own pid namespace");
    if (pid < 0) {
        errno = saved;
        return rl_error_errno(err, "clone3");
    }
    c->child = pid;
    return 0;
}

/* After GO: EOF means G exec'd (the socket is close-on-exec). */
static int wait_exec(struct exec_ctx *c, struct rl_error **err)
{
    struct sync_msg m;
    ssize_t n;
    do {
        memset(&m, 0, sizeof(m));
        n = recv(c->sync_fd, &m, sizeof(m), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return rl_error_errno(err, "sync: wait for the exec");
    /* EOF also when G was killed before execve: then the wait (or the
     * engine's, with --detach) reports the signal like any other death */
    if (n == 0)
        return 0;
    m.text[SYNC_TEXT_MAX - 1] = '\0';
    if (m.type == SYNC_ERROR) {
        /* m.text already ends with the errno text */
        rl_error(err, "%s", m.text);
        if (err && *err)
            (*err)->errnum = m.errnum;
        return -1;
    }
    return rl_error(err, "sync: unexpected '%s'", sync_type_name((enum sync_type)m.type));
}

static int join_cgroup(struct exec_ctx *c, struct rl_error **err)
{
    if (c->cgroup == NULL)
        return 0;
    if (c->o->cgroup && *c->o->cgroup)
        return rl_cgroup_add_pid_sub(c->cgroup, c->o->cgroup, c->child, err);
    return rl_cgroup_add_pid(c->cgroup, c->child, err);
}

/* --tty: the caller's --console-socket, or in the foreground our own
 * socket whose master we relay like `run` does. */
static int open_console(struct exec_ctx *c, struct rl_error **err)
{
    if (!c->proc->terminal)
        return 0;
    if (c->o->console_socket) {
        c->console_fd = rl_console_connect(c->o->console_socket, err);
        return c->console_fd < 0 ? -1 : 0;
    }
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return rl_error_errno(err, "--tty: socketpair");
    c->relay_fd = sp[0];
    c->console_fd = sp[1];
    return 0;
}

static void relay_terminal(struct exec_ctx *c)
{
    if (c->relay_fd < 0)
        return;
    int master = rl_recv_fd(c->relay_fd);
    if (master >= 0) {
        rl_terminal_relay(master, c->child_pidfd);
        close(master);
    }
}

static int run_child(struct exec_ctx *c, int *status, struct rl_error **err)
{
    if (open_console(c, err) < 0 || spawn(c, err) < 0)
        return -1;
    if (c->console_fd >= 0) {
        close(c->console_fd);
        c->console_fd = -1;
    }
    if (join_cgroup(c, err) < 0 || sync_send(c->sync_fd, SYNC_GO, 0) < 0 || wait_exec(c, err) < 0) {
        if (err && *err && (*err)->errnum == 0 && errno == EPIPE)
            rl_error_wrap(err, "sync");
        kill(c->child, SIGKILL);
        int ws = 0;
        waitpid(c->child, &ws, 0);
        return -1;
    }
    /* with or without --detach (as runc): whoever waits on us can find the
     * process while it runs */
    if (c->o->pid_file && rl_write_pid_file(c->o->pid_file, c->child, err) < 0) {
        rl_error_wrap(err, "--pid-file");
        if (!c->o->detach) {
            /* nobody else will reap it */
            kill(c->child, SIGKILL);
            int ws = 0;
            waitpid(c->child, &ws, 0);
        }
        return -1;
    }
    if (c->o->detach)
        return 0;
    relay_terminal(c);
    return rl_wait_foreground(c->child, c->child_pidfd, status, err);
}

/* Under the container's lock: status checks, the process, a pidfd of the
 * init, the cgroup. The lock is dropped before the fork: a process that
 * joins a paused container (--ignore-paused) must not keep `resume` out. */
static int prepare(const struct rl_context *ctx, const char *id, struct exec_ctx *c,
                   struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    int r = -1;
    _cleanup_free_ char *config = NULL;
    if (l.status == RL_STATUS_STOPPED || l.status == RL_STATUS_CREATING)
        rl_error(err, "cannot exec in a %s container",
                 l.status == RL_STATUS_STOPPED ? "stopped" : "not yet created");
    else if (l.status == RL_STATUS_PAUSED && !c->o->ignore_paused)
        rl_error(err, "cannot exec in a paused container (use --ignore-paused to override)");
    else if (exec_build_process(config = rl_state_config_path(l.st), c->o, &c->proc, err) == 0) {
        c->init_pidfd = rl_state_pidfd(l.st);
        if (c->init_pidfd < 0) {
            rl_error(err, "cannot exec in a stopped container");
        } else {
            c->init = l.st->pid;
            c->ns_flags = foreign_namespaces(c->init);
            c->cgroup = steal_pointer(&l.st->cgroup);
            r = 0;
            if (!(c->ns_flags & CLONE_NEWNS)) {
                char root[64];
                snprintf(root, sizeof(root), "%d/root", (int)c->init);
                c->root_fd = openat(c->proc_fd, root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (c->root_fd < 0)
                    r = rl_error_errno(err, "open the root of the container init %d", (int)c->init);
            }
        }
    }
    rl_unlock(&l);
    return r;
}

int rl_exec(const struct rl_context *ctx, const char *id, const struct rl_exec_opts *opts,
            int *status, struct rl_error **err)
{
    struct exec_ctx c = {.o = opts,
                         .init_pidfd = -1,
                         .sync_fd = -1,
                         .child_pidfd = -1,
                         .console_fd = -1,
                         .relay_fd = -1,
                         .proc_fd = -1,
                         .root_fd = -1};
    *status = 0;
    /* the host's procfs, while we are still outside the container */
    c.proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (c.proc_fd < 0)
        return rl_error_errno(err, "open /proc");
    sigset_t all, old;
    /* blocked now so no signal meant for the process is lost before the
     * relay; the child unblocks them just before execve */
    sigfillset(&all);
    sigdelset(&all, SIGCHLD);
    sigprocmask(SIG_BLOCK, &all, &old);
    int ret = prepare(ctx, id, &c, err);
    if (ret == 0)
        ret = run_child(&c, status, err);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (c.sync_fd >= 0)
        close(c.sync_fd);
    if (c.child_pidfd >= 0)
        close(c.child_pidfd);
    if (c.init_pidfd >= 0)
        close(c.init_pidfd);
    if (c.console_fd >= 0)
        close(c.console_fd);
    if (c.relay_fd >= 0)
        close(c.relay_fd);
    if (c.root_fd >= 0)
        close(c.root_fd);
    close(c.proc_fd);
    rl_cgroup_free(c.cgroup);
    rl_spec_process_free(c.proc);
    return ret;
}
