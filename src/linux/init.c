/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The container side of create, in order (see sync.h for the messages):
 *   wait for GO -> become root of a new user namespace -> join namespaces
 *   given by path -> cgroup/time namespaces -> hostname -> rootfs and mounts
 *   -> [runtime hooks in the parent] -> createContainer hooks -> pivot_root
 *   -> masked/readonly paths -> rlimits, user, capabilities -> executable
 *   lookup -> READY -> fds made close-on-exec -> block on the exec fifo
 *   until `start` -> startContainer hooks -> no_new_privs -> execve.
 * Every error before READY goes to the parent over the sync socket. */
#include "rustlet/hooks.h"
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/sync.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static __attribute__((noreturn)) void die(struct rl_init_args *a, struct rl_error *e)
{
    if (a->sync_fd >= 0)
        sync_send_error(a->sync_fd, e);
    else
        rl_log(RL_LOG_ERROR, "%s", e ? e->msg : "container init failed");
    _exit(e && e->status > 1 ? e->status : 1);
}

/* After `start` released us: the error goes back through the exec fifo. */
static __attribute__((noreturn)) void die_after_start(int wfd, struct rl_error *e)
{
    const char *msg = e ? e->msg : "container init failed";
    (void)rl_write_all(wfd, msg, strlen(msg));
    rl_log(RL_LOG_ERROR, "%s", msg);
    _exit(e && e->status > 1 ? e->status : 1);
}

#define CHECK(a, expr)            \
    do {                          \
        if ((expr) < 0)           \
            die((a), err);        \
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
        CHECK(a, rl_sys_unshare(CLONE_NEWUSER) < 0 ? rl_error_errno(&err, "unshare(CLONE_NEWUSER)") : 0);
        CHECK(a, sync_send(a->sync_fd, SYNC_USERMAP, getpid()) < 0 ? rl_error_errno(&err, "sync") : 0);
        CHECK(a, sync_expect(a->sync_fd, SYNC_USERMAP_DONE, NULL, &err));
        newflags &= ~CLONE_NEWUSER;
    }
    if (user)
        CHECK(a, become_root_in_userns(&err));
    if (newflags && rl_sys_unshare(newflags) < 0) {
        rl_error_errno(&err, "unshare(%#x)", newflags);
        die(a, err);
    }
    pid_t pid = fork();
    if (pid < 0) {
        rl_error_errno(&err, "fork the container init");
        die(a, err);
    }
    if (pid > 0) {
        /* the parent learns the init's pid, then stage 1 is done */
        sync_send(a->sync_fd, SYNC_PID, pid);
        _exit(0);
    }
}

static char *hook_state(struct rl_init_args *a, pid_t pid, enum rl_status status)
{
    pid_t saved = a->state->pid;
    a->state->pid = pid;
    char *json = rl_state_oci_json(a->state, status, false);
    a->state->pid = saved;
    return json;
}

static void setup(struct rl_init_args *a)
{
    struct rl_error *err = NULL;
    const struct rl_spec *spec = a->spec;
    const struct rl_namespace *user = rl_spec_namespace(spec, RL_NS_USER);
    int newflags = rl_ns_new_flags(spec);

    if (!a->slow_path) {
        if (user)
            CHECK(a, become_root_in_userns(&err));
        CHECK(a, rl_ns_join(spec, CLONE_NEWUSER | CLONE_NEWPID, &err));
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
    }
    if (spec->hostname && rl_sys_sethostname(spec->hostname) < 0) {
        rl_error_errno(&err, "hostname: sethostname \"%s\"", spec->hostname);
        die(a, err);
    }
    if (spec->domainname && rl_sys_setdomainname(spec->domainname) < 0) {
        rl_error_errno(&err, "domainname: setdomainname \"%s\"", spec->domainname);
        die(a, err);
    }
    CHECK(a, rl_rootfs_prepare(spec, a->state->rootfs, a->state->bundle, &err));
    pid_t hostpid = 0;
    if (a->runtime_hooks) {
        CHECK(a, sync_send(a->sync_fd, SYNC_HOOKS, 0) < 0 ? rl_error_errno(&err, "sync") : 0);
        CHECK(a, sync_expect(a->sync_fd, SYNC_HOOKS_DONE, &hostpid, &err));
    }
    if (spec->hooks.n_create_container) {
        _cleanup_free_ char *st = hook_state(a, hostpid, RL_STATUS_CREATING);
        CHECK(a, rl_hooks_run(spec->hooks.create_container, spec->hooks.n_create_container,
                              "createContainer", st, &err));
    }
    CHECK(a, rl_process_setup_pre_pivot(&spec->process, &err));
    /* The runtime's /proc, kept (close-on-exec) to reopen the exec fifo
     * after the pivot whether or not the container mounts a /proc. */
    a->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (a->proc_fd < 0) {
        rl_error_errno(&err, "open /proc");
        die(a, err);
    }
    CHECK(a, rl_rootfs_pivot(a->state->rootfs, a->opts->no_pivot, &err));
    CHECK(a, rl_rootfs_finish(spec, &err));
    if (!a->opts->no_new_keyring) {
        /* a fresh session keyring, so containers do not share the host's;
         * named "_ses.<id>" as runc names it */
        char keyring[1100];
        snprintf(keyring, sizeof(keyring), "_ses.%s", a->state->id);
        if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, keyring) < 0 &&
            errno != ENOSYS)
            rl_debug("join session keyring: %s", strerror(errno));
    }
    CHECK(a, rl_process_setup(&spec->process, &err));
}

void rl_init_main(struct rl_init_args *a)
{
    struct rl_error *err = NULL;
    /* `run` blocks signals to relay them: the container starts clean */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Die with the runtime until READY_ACK (EOF on the socket does the
     * same, this also covers a parent killed while we are in a syscall). */
    if (sync_expect(a->sync_fd, SYNC_GO, NULL, &err) < 0)
        _exit(1);
    if (a->slow_path)
        stage1(a);
    setup(a);
    _cleanup_free_ char *exe = rl_process_lookup(&a->spec->process, &err);
    if (exe == NULL)
        die(a, err);
    CHECK(a, sync_send(a->sync_fd, SYNC_READY, 0) < 0 ? rl_error_errno(&err, "sync") : 0);
    pid_t hostpid = 0;
    CHECK(a, sync_expect(a->sync_fd, SYNC_READY_ACK, &hostpid, &err));
    close(a->sync_fd);
    a->sync_fd = -1;
    rl_process_close_fds(a->opts->preserve_fds, NULL, 0);

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
    close(a->proc_fd);
    if (write(wfd, "0", 1) != 1) {
        rl_error_errno(&err, "write the exec fifo");
        die(a, err);
    }
    if (a->spec->hooks.n_start_container) {
        _cleanup_free_ char *st = hook_state(a, hostpid, RL_STATUS_CREATED);
        if (rl_hooks_run(a->spec->hooks.start_container, a->spec->hooks.n_start_container,
                         "startContainer", st, &err) < 0)
            die_after_start(wfd, err);
    }
    if (a->spec->process.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        rl_error_errno(&err, "process.noNewPrivileges: prctl");
        die_after_start(wfd, err);
    }
    rl_debug("execve(%s)", exe);
    execve(exe, a->spec->process.args, a->spec->process.env ? a->spec->process.env : (char *[]){NULL});
    rl_error_errno(&err, "process.args[0]: exec %s", exe);
    err->status = errno == ENOENT ? 127 : 126;
    die_after_start(wfd, err);
}
