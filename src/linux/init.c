/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The container side of create, in order (see sync.h for the messages):
 *   wait for GO -> execCPUAffinity.initial -> become root of a new user
 *   namespace -> [pid 1: terminating signals end the init] -> join
 *   namespaces given by path -> LSM check -> cgroup/time namespaces ->
 *   hostname -> sysctl -> rootfs and mounts -> [runtime hooks in the
 *   parent] -> createContainer hooks -> pivot_root -> masked/readonly
 *   paths -> scheduler, ioPriority, memoryPolicy, personality (all caps
 *   still held) -> [seccomp without noNewPrivileges] -> rlimits, user,
 *   capabilities -> non-dumpable -> executable lookup -> READY -> fds made
 *   close-on-exec ->
 *   block on the exec fifo until `start` -> startContainer hooks ->
 *   execCPUAffinity.final -> LSM exec labels -> no_new_privs -> [seccomp
 *   with noNewPrivileges] -> execve.
 * Every error before READY goes to the parent over the sync socket. */
#include "rustlet/attrs.h"
#include "rustlet/hooks.h"
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/lsm.h"
#include "rustlet/seccomp.h"
#include "rustlet/sync.h"
#include "rustlet/sys.h"
#include "rustlet/terminal.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <sys/wait.h>

#ifndef PROC_ROOT_INO
#define PROC_ROOT_INO 1
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Once the filter is loaded early: name the step for `create`, in memory
 * shared with it (no syscall: the profile may refuse any). */
static void seccomp_step(struct rl_init_args *a, const char *step)
{
    if (a->seccomp_step != NULL)
        snprintf(a->seccomp_step, RL_SECCOMP_STEP_MAX, "%s", step);
}

/* An error under the container's filter loaded early: say so, the profile
 * may be why. (Loaded late, with noNewPrivileges, only execve follows, and
 * its error names the profile itself.) */
static void seccomp_hint(struct rl_init_args *a, struct rl_error *e)
{
    int def = rl_seccomp_default_errno(a->seccomp);
    if (e == NULL || !a->seccomp_loaded || a->spec->process.no_new_privileges ||
        !(e->errnum == EPERM || e->errnum == EACCES || e->errnum == ENOSYS ||
          (def > 0 && e->errnum == def)))
        return;
    rl_error_wrap(&e, "under linux.seccomp (loaded before this step because "
                      "process.noNewPrivileges is false), whose profile may refuse the syscall");
}

static __attribute__((noreturn)) void die(struct rl_init_args *a, struct rl_error *e)
{
    seccomp_hint(a, e);
    if (a->sync_fd >= 0)
        sync_send_error(a->sync_fd, e);
    else
        rl_log(RL_LOG_ERROR, "%s", e ? e->msg : "container init failed");
    _exit(e && e->status > 1 ? e->status : 1);
}

/* After `start` released us: the error goes back through the exec fifo. */
static __attribute__((noreturn)) void die_after_start(struct rl_init_args *a, int wfd,
                                                      struct rl_error *e)
{
    seccomp_hint(a, e);
    const char *msg = e ? e->msg : "container init failed";
    (void)rl_write_all(wfd, msg, strlen(msg));
    rl_log(RL_LOG_ERROR, "%s", msg);
    _exit(e && e->status > 1 ? e->status : 1);
}

#define CHECK(a, expr)                                                                             \
    do {                                                                                           \
        if ((expr) < 0)                                                                            \
            die((a), err);                                                                         \
    } while (0)

static int become_root_in_userns(struct rl_error **err)
{
    if (setresgid(0, 0, 0) < 0)
        return rl_error_errno(err, "setresgid(0) in the user namespace");
    if (setresuid(0, 0, 0) < 0)
        return rl_error_errno(err, "setresuid(0) in the user namespace");
    return 0;
}

/* Slow path: stage 1 enters the namespaces, then forks the init so that a
 * joined (or new) pid namespace applies to it. Returns in the init. */
static void stage1(struct rl_init_args *a)
{
    struct rl_error *err = NULL;
    const struct rl_spec *spec = a->spec;
    const struct rl_namespace *user = rl_spec_namespace(spec, RL_NS_USER);
    CHECK(a, rl_ns_join(spec, 0, &err));
    int newflags = rl_ns_new_flags(spec) & ~(CLONE_NEWCGROUP | CLONE_NEWTIME);
    if (user && (user->path == NULL || !*user->path)) {
        CHECK(a, rl_sys_unshare(CLONE_NEWUSER) < 0 ? rl_error_errno(&err, "unshare(CLONE_NEWUSER)")
                                                   : 0);
        CHECK(a,
              sync_send(a->sync_fd, SYNC_USERMAP, getpid()) < 0 ? rl_error_errno(&err, "sync") : 0);
        CHECK(a, sync_expect(a->sync_fd, SYNC_USERMAP_DONE, NULL, &err));
        newflags &= ~CLONE_NEWUSER;
    }
    if (user)
        CHECK(a, become_root_in_userns(&err));
    if (newflags && rl_sys_unshare(newflags) < 0) {
        rl_error_errno(&err, "unshare(%#x)", newflags);
        die(a, err);
    }
    /* the init waits for stage 1's exit (EOF on gate) before it speaks on
     * the socket, so that the parent reads SYNC_PID first */
    int gate[2];
    if (pipe2(gate, O_CLOEXEC) < 0) {
        rl_error_errno(&err, "pipe");
        die(a, err);
    }
    pid_t pid = rl_sys_fork("the container init, from stage 1");
    if (pid < 0) {
        rl_error_errno(&err, "fork the container init");
        die(a, err);
    }
    if (pid > 0) {
        /* the parent learns the init's pid, then stage 1 is done */
        sync_send(a->sync_fd, SYNC_PID, pid);
        _exit(0);
    }
    close(gate[1]);
    char c;
    while (read(gate[0], &c, 1) < 0 && errno == EINTR)
        ;
    close(gate[0]);
}

/* A signal ends the init as its default action would end the program. */
static void end_by_signal(int sig)
{
    _exit(128 + sig);
}

/* As pid 1 of a new pid namespace, the init is spared every signal it has
 * no handler for (SIGKILL and SIGSTOP aside), the host's too: `kill ID TERM`
 * of a created container would be lost, and runtime.md's kill operates on
 * created containers. Until execve resets them, the signals whose default
 * action ends a process end the init instead, with status 128+N as a shell
 * reports a death by signal N; the ones ignored by default stay ignored.
 * Not SIGPIPE (a write to a gone runtime fails with EPIPE, as before), nor
 * the fault signals and SIGSYS (a seccomp trap must still kill). Installed
 * before the seccomp filter may be loaded; the handler makes one syscall,
 * exit_group. */
static void catch_terminating_signals(void)
{
    if (getpid() != 1)
        return;
    static const int sigs[] = {SIGHUP,    SIGINT,  SIGQUIT, SIGUSR1,   SIGUSR2, SIGALRM, SIGTERM,
                               SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,   SIGPWR};
    struct sigaction sa = {.sa_handler = end_by_signal};
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
        sigaction(s, &sa, NULL);
}

static char *hook_state(struct rl_init_args *a, pid_t pid)
{
    return a->hook_state(a->hook_state_arg, pid);
}

/* Where linux.seccomp is loaded. The filter applies to every syscall the
 * runtime makes after loading, so it goes in as late as possible:
 *  - with process.noNewPrivileges, right before execve (after the
 *    startContainer hooks and PR_SET_NO_NEW_PRIVS): an unprivileged process
 *    may load a filter once no_new_privs is set. Only the listener hand-over
 *    (sendmsg, close) and execve itself run under the filter.
 *  - without it, loading needs CAP_SYS_ADMIN, so (as runc does) the filter
 *    goes in before rl_process_setup() switches the user and drops the
 *    capabilities. Limitation: everything after that point runs filtered -
 *    setgroups/setresuid/capset/prctl, chdir, the executable lookup, the
 *    sync socket, opening and writing the exec fifo, the startContainer
 *    hooks (fork/execve/wait) and execve. A profile that denies those
 *    syscalls fails the container; with noNewPrivileges it would not.
 * The filter is built at the start of setup() so that a config libseccomp
 * or the kernel cannot honour fails `create` with the reason. */
static int load_seccomp_early(struct rl_init_args *a, struct rl_error **err)
{
    int nfd = -1;
    rl_debug("seccomp: load the filter (before dropping capabilities)");
    if (rl_seccomp_load(a->seccomp, &nfd, err) < 0)
        return -1;
    a->seccomp_loaded = true;
    if (nfd < 0)
        return 0;
    seccomp_step(a, "sync: hand the SCMP_ACT_NOTIFY listener fd over (sendmsg, recvmsg)");
    /* sync.h step 3b: the parent hands the fd to the agent */
    int r = sync_send_fd(a->sync_fd, SYNC_SECCOMP, nfd);
    close(nfd);
    if (r < 0)
        return rl_error_errno(err, "sync: send the seccomp listener fd");
    return sync_expect(a->sync_fd, SYNC_SECCOMP_DONE, NULL, err);
}

/* noNewPrivileges: load, then hand the listener fd (if any) to the agent
 * over the socket connected before the pivot. msg was built before loading
 * so that only sendmsg and close run under the filter. */
static int load_seccomp_late(struct rl_init_args *a, const char *msg, struct rl_error **err)
{
    int nfd = -1;
    if (rl_seccomp_load(a->seccomp, &nfd, err) < 0)
        return -1;
    a->seccomp_loaded = true;
    if (nfd < 0)
        return 0;
    int r = a->seccomp_listener >= 0 && msg != NULL
                ? rl_seccomp_listener_send(a->seccomp_listener, nfd, msg, err)
                : rl_error(err, "linux.seccomp.listenerPath: no connection to the agent");
    close(nfd);
    close(a->seccomp_listener);
    a->seccomp_listener = -1;
    return r;
}

/* A procfs kept (close-on-exec) to reopen the exec fifo and write the LSM
 * exec labels after the pivot, whether or not the container mounts a /proc.
 * oomScoreAdj is written through it too. A fresh instance of the
 * container's pid namespace, attached nowhere: the
 * host's /proc would be a way out for anything that gets hold of this fd
 * (/proc/1/fd/N/1/root, or cwd /proc/self/fd/N: CVE-2024-21626), and none
 * of the container's mounts can be in the way of this one (CVE-2025-52881).
 * Where procfs cannot be mounted (a user namespace that does not own the pid
 * namespace) the runtime's /proc it is, checked to be a procfs root. */
static int open_proc(void)
{
    int fd = rl_sys_fsmount("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    if (fd >= 0)
        return fd;
    fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct statfs sf;
    struct stat st;
    if (fd >= 0 && (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC || fstat(fd, &st) < 0 ||
                    st.st_ino != PROC_ROOT_INO)) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

static void setup(struct rl_init_args *a, struct rl_error *seccomp_err)
{
    struct rl_error *err = NULL;
    const struct rl_spec *spec = a->spec;
    const struct rl_namespace *user = rl_spec_namespace(spec, RL_NS_USER);
    int newflags = rl_ns_new_flags(spec);
    bool nnp = spec->process.no_new_privileges;

    if (spec->linux_.seccomp.present && a->seccomp == NULL)
        die(a, seccomp_err);
    if (!a->slow_path) {
        if (user)
            CHECK(a, become_root_in_userns(&err));
        CHECK(a, rl_ns_join(spec, CLONE_NEWUSER | CLONE_NEWPID, &err));
    }
    CHECK(a, rl_lsm_check(spec, &err));
    /* a session of its own, as runc gives every container: no controlling
     * terminal inherited from the shell that ran create, so it does not
     * stop or die when that shell takes its terminal back (with
     * process.terminal, rl_terminal_setup makes the session and its pty
     * the controlling terminal) */
    if (!spec->process.terminal && setsid() < 0) {
        rl_error_errno(&err, "setsid");
        die(a, err);
    }
    if ((newflags & CLONE_NEWCGROUP) && rl_sys_unshare(CLONE_NEWCGROUP) < 0) {
        rl_error_errno(&err, "linux.namespaces (cgroup): unshare(CLONE_NEWCGROUP)");
        die(a, err);
    }
    if (newflags & CLONE_NEWTIME) {
        if (rl_sys_unshare(CLONE_NEWTIME) < 0) {
            rl_error_errno(&err, "linux.namespaces (time): unshare(CLONE_NEWTIME)");
            die(a, err);
        }
        CHECK(a, rl_ns_set_time_offsets(spec, &err));
        CHECK(a, rl_ns_enter_time_for_children(&err));
    }
    if (spec->hostname && rl_sys_sethostname(spec->hostname) < 0) {
        rl_error_errno(&err, "hostname: sethostname \"%s\"", spec->hostname);
        die(a, err);
    }
    if (spec->domainname && rl_sys_setdomainname(spec->domainname) < 0) {
        rl_error_errno(&err, "domainname: setdomainname \"%s\"", spec->domainname);
        die(a, err);
    }
    if (newflags & CLONE_NEWNET)
        CHECK(a, rl_netdev_loopback_up(&err));
    /* every namespace exists now (the mount namespace too: the private
     * procfs of the sysctl writes lives in it, attached nowhere) */
    if (spec->linux_.n_net_devices) {
        /* before the sysctls, which may name the devices */
        CHECK(a, sync_send(a->sync_fd, SYNC_NETDEV, 0) < 0 ? rl_error_errno(&err, "sync") : 0);
        CHECK(a, sync_expect(a->sync_fd, SYNC_NETDEV_DONE, NULL, &err));
    }
    CHECK(a, rl_sysctl_apply(spec, &err));
    /* without a mount namespace nothing is mounted (validation refused what
     * would be): the runtime's mount table stays as it is */
    bool mntns = rl_spec_namespace(spec, RL_NS_MOUNT) != NULL;
    if (mntns) {
        /* with a user namespace, the runtime opens the bind sources: we
         * may not reach them (mount_src.c) */
        int *src_fds = NULL;
        if (a->mount_sources)
            CHECK(a, rl_mount_sources_receive(spec, a->sync_fd, &src_fds, &err));
        int r = rl_rootfs_prepare(spec, a->rootfs, a->bundle, a->idmap_fds, src_fds, &err);
        rl_mount_sources_free(src_fds, spec->n_mounts);
        CHECK(a, r);
    }
    pid_t hostpid = 0;
    if (a->runtime_hooks) {
        CHECK(a, sync_send(a->sync_fd, SYNC_HOOKS, 0) < 0 ? rl_error_errno(&err, "sync") : 0);
        CHECK(a, sync_expect(a->sync_fd, SYNC_HOOKS_DONE, &hostpid, &err));
    }
    if (spec->hooks.n_create_container) {
        /* lifecycle step 5, after step 2: "created" (see create.c) */
        _cleanup_free_ char *st = hook_state(a, hostpid);
        CHECK(a, rl_hooks_run(spec->hooks.create_container, spec->hooks.n_create_container,
                              "createContainer", st, &err));
    }
    a->proc_fd = open_proc();
    if (a->proc_fd < 0) {
        rl_error_errno(&err, "open /proc");
        die(a, err);
    }
    CHECK(a, rl_process_setup_pre_pivot(&spec->process, a->proc_fd, &err));
    if (nnp && rl_seccomp_uses_notify(&spec->linux_.seccomp)) {
        /* listenerPath is a host path: connect while the host's root is ours */
        a->seccomp_listener = rl_seccomp_listener_connect(spec->linux_.seccomp.listener_path, &err);
        CHECK(a, a->seccomp_listener);
    }
    if (mntns) {
        CHECK(a, rl_rootfs_pivot(a->rootfs, a->no_pivot, &err));
        CHECK(a, rl_rootfs_finish(spec, &err));
    } else {
        /* pivot_root would move the runtime's own root: chroot, as runc */
        CHECK(a, rl_rootfs_chroot(a->rootfs, &err));
    }
    if (spec->process.terminal) {
        CHECK(a, rl_terminal_setup(&spec->process, a->console_fd, true, &err));
        close(a->console_fd);
        a->console_fd = -1;
    }
    /* after the pty is fds 0-2, before any seccomp filter */
    CHECK(a, rl_process_fix_stdio(&spec->process, &err));
    CHECK(a, rl_rootfs_propagate(spec, &err));
    if (!a->no_new_keyring) {
        /* a fresh session keyring, so containers do not share the host's;
         * named "_ses.<id>" as runc names it */
        char keyring[1100];
        snprintf(keyring, sizeof(keyring), "_ses.%s", a->id);
        if (rl_sys_join_session_keyring(keyring) < 0 && errno != ENOSYS)
            rl_debug("join session keyring: %s", strerror(errno));
    }
    /* while the init still holds every capability (CAP_SYS_NICE for
     * real-time policies, CAP_SYS_ADMIN for IOPRIO_CLASS_RT) */
    CHECK(a, rl_attrs_apply(spec, &err));
    a->envp = rl_process_envp(&spec->process);
    if (a->seccomp && !nnp) {
        /* Nothing the runtime can do before may run under the container's
         * filter: the executable lookup (as the process's identity, without
         * faccessat2) and the fd sweep (close_range) come first. */
        a->exe = rl_process_lookup_as(&spec->process, true, &err);
        if (a->exe == NULL)
            die(a, err);
        rl_process_close_fds(a->preserve_fds, NULL, 0);
        a->fds_swept = true;
        CHECK(a, load_seccomp_early(a, &err));
        seccomp_step(a, "process.user and process.capabilities (setgroups, setresgid, "
                        "setresuid, capset, prctl), process.cwd (chdir, getcwd)");
    }
    CHECK(a, rl_process_setup(&spec->process, &err));
    /* CVE-2019-5736 / CVE-2016-9962: from READY until execve, `exec` may run
     * the container's processes next to this one. Non-dumpable, its
     * /proc/1/exe, /proc/1/fd and /proc/1/mem are refused to them. (Not
     * earlier with a user namespace: the /proc/self files of a non-dumpable
     * process belong to the host's root, which the namespace cannot write.) */
    seccomp_step(a, "prctl(PR_SET_DUMPABLE)");
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        rl_error_errno(&err, "prctl(PR_SET_DUMPABLE, 0)");
        die(a, err);
    }
}

void rl_init_main(struct rl_init_args *a)
{
    struct rl_error *err = NULL;
    /* `run` blocks signals to relay them: the container starts clean */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* linux.seccomp is compiled (libseccomp, milliseconds for Docker's
     * profile) while the runtime puts us into the cgroup v1 hierarchies and
     * writes the record, not after; only memory of our own changes, and an
     * error is reported once the runtime listens (setup). */
    struct rl_error *seccomp_err = NULL;
    if (a->spec->linux_.seccomp.present)
        a->seccomp = rl_seccomp_build(&a->spec->linux_.seccomp, &seccomp_err);
    /* Die with the runtime until READY_ACK (EOF on the socket does the
     * same, this also covers a parent killed while we are in a syscall). */
    if (sync_expect(a->sync_fd, SYNC_GO, NULL, &err) < 0)
        _exit(1);
    /* see the end of setup(): without a user namespace, from the start */
    if (rl_spec_namespace(a->spec, RL_NS_USER) == NULL)
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /* before any setup work, so all of it already runs on those CPUs */
    CHECK(a, rl_attrs_affinity_initial(a->spec, &err));
    if (a->slow_path)
        stage1(a);
    catch_terminating_signals();
    setup(a, seccomp_err);
    const char *exe = a->exe ? a->exe : (a->exe = rl_process_lookup(&a->spec->process, &err));
    if (exe == NULL)
        die(a, err);
    seccomp_step(a, "sync: send 'ready', wait for 'ready-ack' (send, recv)");
    CHECK(a, sync_send(a->sync_fd, SYNC_READY, 0) < 0 ? rl_error_errno(&err, "sync") : 0);
    pid_t hostpid = 0;
    CHECK(a, sync_expect(a->sync_fd, SYNC_READY_ACK, &hostpid, &err));
    close(a->sync_fd);
    a->sync_fd = -1;
    if (!a->fds_swept)
        rl_process_close_fds(a->preserve_fds, NULL, 0);

    /* Block until `start` opens the fifo for reading, then write "0". The
     * fd stays open (close-on-exec) until execve: `start` reads to EOF, so
     * it returns once the process really runs, and anything that fails in
     * between (startContainer hooks, execve) is written after the "0" for
     * `start` to report. */
    char fifo[64];
    snprintf(fifo, sizeof(fifo), "thread-self/fd/%d", a->fifo_fd);
    int wfd = openat(a->proc_fd, fifo, O_WRONLY | O_CLOEXEC);
    if (wfd < 0) {
        rl_error_errno(&err, "open the exec fifo");
        die(a, err);
    }
    close(a->fifo_fd);
    /* a->proc_fd stays open (close-on-exec) for the LSM exec labels */
    if (write(wfd, "0", 1) != 1) {
        rl_error_errno(&err, "write the exec fifo");
        die(a, err);
    }
    if (a->spec->hooks.n_start_container) {
        _cleanup_free_ char *st = hook_state(a, hostpid);
        if (rl_hooks_run(a->spec->hooks.start_container, a->spec->hooks.n_start_container,
                         "startContainer", st, &err) < 0)
            die_after_start(a, wfd, err);
    }
    if (rl_attrs_affinity_final(a->spec, &err) < 0 ||
        rl_lsm_apply_exec(a->spec, a->proc_fd, &err) < 0)
        die_after_start(a, wfd, err);
    if (a->spec->process.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        rl_error_errno(&err, "process.noNewPrivileges: prctl");
        die_after_start(a, wfd, err);
    }
    rl_debug("execve(%s)", exe);
    if (a->seccomp && a->spec->process.no_new_privileges) {
        /* not freed: nothing but sendmsg, close and execve after loading */
        const struct rl_seccomp *sc = &a->spec->linux_.seccomp;
        char *msg = NULL;
        if (a->seccomp_listener >= 0)
            msg = rl_seccomp_process_state(hostpid, sc->listener_metadata, hook_state(a, hostpid));
        rl_debug("seccomp: load the filter (noNewPrivileges: right before execve)");
        if (load_seccomp_late(a, msg, &err) < 0)
            die_after_start(a, wfd, err);
    }
    execve(exe, a->spec->process.args, a->envp);
    int e = errno;
    if (a->seccomp && e == EPERM)
        rl_error_errno(&err,
                       "process.args[0]: exec %s (the linux.seccomp profile may refuse "
                       "execve, or a syscall made before it)",
                       exe);
    else
        rl_error_errno(&err, "process.args[0]: exec %s", exe);
    err->status = e == ENOENT ? 127 : 126;
    die_after_start(a, wfd, err);
}
