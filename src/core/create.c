/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* `create`, the runtime's side (the container's side is linux/init.c; the
 * messages between them are in sync.h). The state directory is made first
 * and state.json written with the cgroup before it exists, init.json (the
 * record) with the pid before the init may go on, and state.json once more
 * at the end, so that after a kill -9 of this process at any point
 * `delete --force` finds everything (three writes, none fsynced). On any error here the
 * partial container is torn down before returning. */
#include "rustlet/attrs.h"
#include "rustlet/cgroup.h"
#include "rustlet/container.h"
#include "rustlet/hooks.h"
#include "rustlet/json.h"
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/seccomp.h"
#include "rustlet/sync.h"
#include "rustlet/sys.h"
#include "rustlet/terminal.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct create_ctx {
    const struct rl_context *ctx;
    const struct rl_create_opts *opts;
    struct rl_spec *spec;
    struct rl_state *st;
    char *dir; /* ROOT/<id> */
    int lock_fd;
    int sync_fd; /* parent end */
    int pidfd;
    bool mount_sources;  /* we open the bind sources for the init (mount_src.c) */
    int console_fd;      /* connected console socket (process.terminal) */
    pid_t child;         /* the process we cloned (stage 1 or init) */
    bool born_in_cgroup; /* clone3(CLONE_INTO_CGROUP) put it in the cgroup2 dir */
    pid_t init;
    char *seccomp_step; /* shared with the init (RL_SECCOMP_STEP_MAX) */
};

static char *abs_path(const char *base, const char *p)
{
    if (p[0] == '/')
        return xstrdup(p);
    return xasprintf("%s/%s", base, p);
}

/* Namespaces that the first clone cannot create itself: joining a user or
 * pid namespace (or any namespace together with a new user namespace) must
 * happen before the namespaces are created, so a stage 1 does it. */
static bool needs_slow_path(const struct rl_spec *spec)
{
    bool joined = false, new_user = false;
    for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
        const struct rl_namespace *ns = &spec->linux_.namespaces[i];
        bool has_path = ns->path && ns->path[0];
        if (has_path && (ns->type == RL_NS_USER || ns->type == RL_NS_PID))
            return true;
        joined |= has_path;
        new_user |= !has_path && ns->type == RL_NS_USER;
    }
    return joined && new_user;
}

/* rl_init_args.hook_state: the state the init's hooks read. */
static char *init_hook_state(const void *arg, pid_t pid)
{
    struct rl_state st = *(const struct rl_state *)arg;
    st.pid = pid;
    return rl_state_oci_json(&st, RL_STATUS_CREATED, false);
}

static pid_t do_clone(struct create_ctx *c, int flags, int cgfd)
{
    struct clone_args args = {
        .flags = (uint64_t)flags | CLONE_PIDFD,
        .pidfd = (uint64_t)(uintptr_t)&c->pidfd,
        .exit_signal = SIGCHLD,
    };
    if (cgfd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgfd;
    }
    pid_t pid = rl_sys_clone3(&args, sizeof(args), "create: the container's init");
    if (pid < 0 && cgfd >= 0 &&
        (errno == EINVAL || errno == EBUSY || errno == EOPNOTSUPP || errno == EACCES ||
         errno == ENOSYS)) {
        /* no CLONE_INTO_CGROUP here: join the cgroup after the clone */
        args.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
        args.cgroup = 0;
        pid = rl_sys_clone3(&args, sizeof(args),
                            "create: the container's init, without CLONE_INTO_CGROUP");
    }
    c->born_in_cgroup = pid > 0 && (args.flags & CLONE_INTO_CGROUP);
    return pid;
}

static int spawn(struct create_ctx *c, struct rl_error **err)
{
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return rl_error_errno(err, "socketpair");
    _cleanup_free_ char *fifo = xasprintf("%s/exec.fifo", c->dir);
    /* 0622 whatever the umask: the init opens it for writing after it
     * has switched to the container's user */
    if (mkfifo(fifo, 0622) < 0 || chmod(fifo, 0622) < 0) {
        close(sp[0]);
        close(sp[1]);
        return rl_error_errno(err, "mkfifo %s", fifo);
    }
    int fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
    if (fifo_fd < 0) {
        close(sp[0]);
        close(sp[1]);
        return rl_error_errno(err, "open %s", fifo);
    }
    c->mount_sources = rl_mount_sources_wanted(c->spec);
    /* idmapped mounts are made here, in the runtime's user namespace */
    int *idmap_fds = NULL;
    if (rl_idmap_prepare(c->spec, c->st->bundle, &idmap_fds, err) < 0) {
        close(sp[0]);
        close(sp[1]);
        close(fifo_fd);
        return -1;
    }
    bool slow = needs_slow_path(c->spec);
    int flags = slow ? 0 : rl_ns_new_flags(c->spec) & ~(CLONE_NEWCGROUP | CLONE_NEWTIME);
    _cleanup_close_ int cgfd = c->st->cgroup ? rl_cgroup_open_unified(c->st->cgroup) : -1;
    struct rl_init_args a = {
        .spec = c->spec,
        .id = c->st->id,
        .bundle = c->st->bundle,
        .rootfs = c->st->rootfs,
        .no_pivot = c->opts->no_pivot,
        .no_new_keyring = c->opts->no_new_keyring,
        .preserve_fds = c->opts->preserve_fds,
        .hook_state = init_hook_state,
        .hook_state_arg = c->st,
        .sync_fd = sp[1],
        .fifo_fd = fifo_fd,
        .proc_fd = -1,
        .console_fd = c->console_fd,
        .slow_path = slow,
        .runtime_hooks = c->spec->hooks.n_prestart + c->spec->hooks.n_create_runtime +
                             c->spec->hooks.n_create_container >
                         0,
        .clone_flags = flags,
        .seccomp_listener = -1,
        .idmap_fds = idmap_fds,
        .mount_sources = c->mount_sources,
        .seccomp_step = c->seccomp_step,
    };
    c->pidfd = -1;
    pid_t pid = do_clone(c, flags, cgfd);
    if (pid == 0) {
        /* our copy of the lock fd would keep the container locked until exec */
        close(c->lock_fd);
        close(sp[0]);
        /* a host cgroup directory: as the process's cwd (/proc/self/fd/N,
         * CVE-2024-21626) or through /proc/1/fd it leads out of the root */
        if (cgfd >= 0)
            close(cgfd);
        rl_init_main(&a);
    }
    int saved = errno;
    rl_idmap_free(idmap_fds, c->spec->n_mounts); /* the init has its copies */
    close(sp[1]);
    close(fifo_fd);
    if (c->console_fd >= 0 && c->console_fd != c->opts->console_fd)
        close(c->console_fd);
    c->console_fd = -1;
    c->sync_fd = sp[0];
    if (pid < 0) {
        errno = saved;
        return rl_error_errno(err, "clone3 (namespaces %#x)", flags);
    }
    c->child = pid;
    c->init = slow ? 0 : pid;
    return 0;
}

static int record_pid(struct create_ctx *c, pid_t pid, struct rl_error **err)
{
    c->st->pid = pid;
    c->st->start_time = rl_proc_start_time(pid);
    /* only the record: state.json gets the pid with the final write after
     * READY. Every other command takes the container's lock, which we hold
     * until then, so none can see state.json without the pid; after a
     * kill -9 of create, state.json (no pid) and init.json disagree, the
     * container is damaged and delete --force trusts the record. */
    return rl_state_write_record(c->ctx, c->st, err);
}

static int apply_resources(struct create_ctx *c, bool create, bool apply, struct rl_error **err);
/* Fault injection for tests/integration/kill_steps.bats (builds configured
 * with -DRUSTLET_TEST_HOOKS=ON only): RUSTLET_TEST_KILL_AT=N makes create
 * SIGKILL itself at its N-th step, by step rather than by time, so that
 * `delete --force` can be checked after a crash at every point. */
#ifdef RUSTLET_TEST_HOOKS
static void test_step(const char *name)
{
    static int n;
    const char *at = getenv("RUSTLET_TEST_KILL_AT");
    n++;
    if (at != NULL && atoi(at) == n) {
        rl_debug("RUSTLET_TEST_KILL_AT=%d: killed at \"%s\"", n, name);
        raise(SIGKILL);
    }
}
#else
#define test_step(name) ((void)0)
#endif

/* The init's uid/gid maps: as root, written as they are; rootless and not
 * root, the way the kernel allows an unprivileged user (usermap.c). */
static int write_id_maps(struct create_ctx *c, struct rl_error **err)
{
    if (c->ctx->rootless && geteuid() != 0)
        return rl_ns_write_id_maps_rootless(c->child, c->spec, err);
    return rl_ns_write_id_maps(c->child, c->spec, err);
}

/* Parent steps between the clone and GO: cgroup, id maps, state. */
static int after_clone(struct create_ctx *c, struct rl_error **err)
{
    /* born in its cgroup2 directory: no cgroup.procs write there (v2), only
     * the v1 hierarchies of a hybrid host are left */
    if (c->st->cgroup && (c->born_in_cgroup ? rl_cgroup_add_pid_born(c->st->cgroup, c->child, err)
                                            : rl_cgroup_add_pid(c->st->cgroup, c->child, err)) < 0)
        return -1;
    if (c->st->cgroup && rl_cgroup_needs_pid(c->st->cgroup) &&
        apply_resources(c, false, true, err) < 0)
        return -1;
    const struct rl_namespace *user = rl_spec_namespace(c->spec, RL_NS_USER);
    bool new_user = user && (user->path == NULL || !*user->path);
    if (c->init && new_user && write_id_maps(c, err) < 0)
        return -1;
    if (record_pid(c, c->child, err) < 0)
        return -1;
    test_step("child in its cgroup, pid recorded, before go");
    if (sync_send(c->sync_fd, SYNC_GO, 0) < 0)
        return rl_error_errno(err, "sync: send go");
    test_step("go sent");
    if (c->init)
        return 0;
    /* slow path: stage 1 may ask for id maps, then reports the init */
    if (new_user) {
        if (sync_expect(c->sync_fd, SYNC_USERMAP, NULL, err) < 0)
            return -1;
        if (write_id_maps(c, err) < 0)
            return -1;
        if (sync_send(c->sync_fd, SYNC_USERMAP_DONE, 0) < 0)
            return rl_error_errno(err, "sync: send usermap-done");
    }
    pid_t init = 0;
    if (sync_expect(c->sync_fd, SYNC_PID, &init, err) < 0)
        return -1;
    c->init = init;
    waitpid(c->child, NULL, 0); /* stage 1 exits right after */
    if (c->pidfd >= 0)
        close(c->pidfd);
    c->pidfd = (int)syscall(SYS_pidfd_open, init, 0);
    return record_pid(c, init, err);
}

/* sync.h step 1b: the init's namespaces exist; move linux.netDevices in. */
static int move_net_devices(struct create_ctx *c, struct rl_error **err)
{
    if (c->spec->linux_.n_net_devices == 0)
        return 0;
    if (sync_expect(c->sync_fd, SYNC_NETDEV, NULL, err) < 0)
        return -1;
    if (rl_netdev_move(c->spec, c->init, err) < 0)
        return -1;
    if (sync_send(c->sync_fd, SYNC_NETDEV_DONE, 0) < 0)
        return rl_error_errno(err, "sync: send netdev-done");
    return 0;
}

static int run_runtime_hooks(struct create_ctx *c, struct rl_error **err)
{
    const struct rl_hooks *h = &c->spec->hooks;
    if (h->n_prestart + h->n_create_runtime + h->n_create_container == 0)
        return 0;
    if (sync_expect(c->sync_fd, SYNC_HOOKS, NULL, err) < 0)
        return -1;
    /* runtime.md's lifecycle: these hooks are steps 3-5, after the
     * environment was created (step 2), so the state they get is
     * "created" (as crun gives; runc says "creating") */
    _cleanup_free_ char *st = rl_state_oci_json(c->st, RL_STATUS_CREATED, false);
    if (rl_hooks_run(h->prestart, h->n_prestart, "prestart", st, err) < 0 ||
        rl_hooks_run(h->create_runtime, h->n_create_runtime, "createRuntime", st, err) < 0)
        return -1;
    if (sync_send(c->sync_fd, SYNC_HOOKS_DONE, c->init) < 0)
        return rl_error_errno(err, "sync: send hooks-done");
    return 0;
}

/* process.terminal needs somewhere to send the pty master: the caller's
 * --console-socket, or `run`'s own socket in the foreground. */
static int open_console(struct create_ctx *c, struct rl_error **err)
{
    bool terminal = c->spec->process.terminal;
    if (!terminal) {
        if (c->opts->console_socket)
            return rl_error(err, "--console-socket given but process.terminal is false");
        return 0;
    }
    if (c->opts->console_fd >= 0) {
        c->console_fd = c->opts->console_fd;
        return 0;
    }
    if (c->opts->console_socket == NULL)
        return rl_error(err, "process.terminal: a terminal needs --console-socket");
    c->console_fd = rl_console_connect(c->opts->console_socket, err);
    return c->console_fd < 0 ? -1 : 0;
}

/* Step 3b of sync.h: the init loaded a filter with SCMP_ACT_NOTIFY before
 * dropping capabilities (no noNewPrivileges) and passes us the listener fd;
 * the agent at listenerPath gets it with the container process state. With
 * noNewPrivileges the init loads right before execve, long after we exit,
 * and sends it itself (init.c). */
static int pass_seccomp_listener(struct create_ctx *c, struct rl_error **err)
{
    const struct rl_seccomp *sc = &c->spec->linux_.seccomp;
    if (!rl_seccomp_uses_notify(sc) || c->spec->process.no_new_privileges)
        return 0;
    _cleanup_close_ int nfd = -1;
    if (sync_expect_fd(c->sync_fd, SYNC_SECCOMP, &nfd, err) < 0)
        return -1;
    _cleanup_close_ int sock = rl_seccomp_listener_connect(sc->listener_path, err);
    if (sock < 0)
        return -1;
    _cleanup_free_ char *st = rl_state_oci_json(c->st, RL_STATUS_CREATING, false);
    _cleanup_free_ char *msg = rl_seccomp_process_state(c->init, sc->listener_metadata, st);
    if (msg == NULL)
        return rl_error(err,
                        "linux.seccomp.listenerPath: cannot build the container process state");
    if (rl_seccomp_listener_send(sock, nfd, msg, err) < 0)
        return -1;
    if (sync_send(c->sync_fd, SYNC_SECCOMP_DONE, c->init) < 0)
        return rl_error_errno(err, "sync: send seccomp-done");
    return 0;
}

int rl_write_pid_file(const char *path, pid_t pid, struct rl_error **err)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
    return rl_write_file_atomic(path, buf, (size_t)n, 0644, err);
}

/* The device cgroup rules: the config's, then (as runc and crun do) the
 * default devices every container gets plus mknod of anything. Devices in
 * linux.devices get no rule of their own: the config's rules decide, in
 * their order (config-linux.md "Allowed Device list"). */
static struct rl_device_cgroup *device_rules(const struct rl_spec *spec, size_t *n)
{
    static const struct {
        char type;
        int64_t major, minor;
        const char *access;
    } defaults[] = {
        {'c', -1, -1, "m"}, {'b', -1, -1, "m"},    {'c', 1, 3, "rwm"}, {'c', 1, 8, "rwm"},
        {'c', 1, 7, "rwm"}, {'c', 5, 0, "rwm"},    {'c', 1, 5, "rwm"}, {'c', 1, 9, "rwm"},
        {'c', 5, 1, "rwm"}, {'c', 136, -1, "rwm"}, {'c', 5, 2, "rwm"}, {'c', 10, 200, "rwm"},
    };
    const struct rl_linux *l = &spec->linux_;
    size_t total = l->resources.n_devices + ARRAY_SIZE(defaults), k = 0;
    struct rl_device_cgroup *r = xzalloc(total * sizeof(*r));
    for (size_t i = 0; i < l->resources.n_devices; i++)
        r[k++] = l->resources.devices[i]; /* shallow: strings stay the spec's */
    for (size_t i = 0; i < ARRAY_SIZE(defaults); i++, k++) {
        static char types[ARRAY_SIZE(defaults)][2];
        types[i][0] = defaults[i].type;
        r[k].allow = true;
        r[k].type = types[i];
        r[k].has_major = defaults[i].major >= 0;
        r[k].major = defaults[i].major;
        r[k].has_minor = defaults[i].minor >= 0;
        r[k].minor = defaults[i].minor;
        r[k].access = (char *)defaults[i].access;
    }
    *n = k;
    return r;
}

/* create (before the clone): make the cgroup; apply: write the limits.
 * A manager that needs the init's pid (systemd) gets create before the
 * clone and apply after it joined (after_clone); the others both before,
 * so that clone3 puts the init straight into a limited cgroup. */
static int apply_resources(struct create_ctx *c, bool create, bool apply, struct rl_error **err)
{
    struct rl_resources res = c->spec->linux_.resources;
    _cleanup_free_ struct rl_device_cgroup *rules = device_rules(c->spec, &res.n_devices);
    res.devices = rules;
    if (create && rl_cgroup_create(c->st->cgroup, &res, err) < 0)
        return -1;
    /* so that delete --force after a killed create removes them too */
    if (create && rl_cgroup_made_parents(c->st->cgroup) && rl_state_write(c->ctx, c->st, err) < 0)
        return -1;
    if (apply && rl_cgroup_apply(c->st->cgroup, &res, err) < 0)
        return -1;
    return 0;
}

/* Rootless (runc's rule for cgroup v1, and v2 without a delegated
 * subtree): a cgroup the user may not make is no error unless the config
 * asks for limits; the container then stays in the caller's cgroups, as
 * with --cgroup-manager disabled. */
static int rootless_without_cgroup(struct create_ctx *c, struct rl_error **err)
{
    int e = err && *err ? (*err)->errnum : 0;
    if (!c->ctx->rootless || geteuid() == 0 || (e != EACCES && e != EPERM && e != EROFS))
        return -1;
    const char *field = rl_spec_resources_first_limit(&c->spec->linux_.resources);
    if (field)
        return rl_error_wrap(err,
                             "%s: rootless mode (uid %u) cannot make the container's cgroup "
                             "to apply this limit; remove %s from config.json, run as root, "
                             "or use a cgroup v2 subtree delegated to you",
                             field, (unsigned)geteuid(), field);
    rl_debug("rootless: no cgroup for the container (%s)", (*err)->msg);
    rl_error_free(*err);
    *err = NULL;
    rl_cgroup_destroy(c->st->cgroup, NULL); /* what it made before the refusal */
    rl_cgroup_free(c->st->cgroup);
    c->st->cgroup = NULL;
    return rl_state_write(c->ctx, c->st, err);
}

/* The container's cgroup and its resources; none at all with
 * --cgroup-manager disabled (the container stays in our cgroups and
 * linux.resources are not applied, as crun does). */
static int setup_cgroup(struct create_ctx *c, struct rl_error **err)
{
    const struct rl_linux *l = &c->spec->linux_;
    if (c->ctx->no_cgroups) {
        rl_debug("--cgroup-manager disabled: no cgroup for the container");
        return rl_state_write(c->ctx, c->st, err);
    }
    if (!c->ctx->systemd_cgroup && l->cgroups_path && strchr(l->cgroups_path, ':'))
        return rl_error(err,
                        "linux.cgroupsPath \"%s\": the form slice:prefix:name needs the "
                        "systemd cgroup driver (--systemd-cgroup)",
                        l->cgroups_path);
    _cleanup_free_ char *self_cg = rl_read_file_at(AT_FDCWD, "/proc/self/cgroup", 0, NULL, err);
    if (self_cg == NULL)
        return -1;
    struct rl_cgroup *cg = c->ctx->systemd_cgroup
                               ? rl_cgroup_new_systemd(NULL, l->cgroups_path, c->st->id, err)
                               : rl_cgroup_new(NULL, l->cgroups_path, c->st->id, self_cg, err);
    if (cg == NULL)
        return rl_error_wrap(err, "linux.cgroupsPath");
    c->st->cgroup = cg;
    /* the state (with the unit name for systemd) before any directory
     * exists or systemd hears of it, so that delete --force after a kill -9
     * from here on finds and stops everything. No record yet: until there
     * is a pid (record_pid) state.json alone says it all, and without
     * init.json delete --force goes by state.json. */
    if (rl_state_write(c->ctx, c->st, err) < 0)
        return -1;
    test_step("state with the cgroup written, cgroup not made");
    if (apply_resources(c, true, !rl_cgroup_needs_pid(cg), err) < 0)
        return rootless_without_cgroup(c, err);
    return 0;
}

/* The init died without a word (sync EOF) after loading linux.seccomp
 * early: the step it was at (from the shared page) and, when it is our
 * child, the signal that killed it. */
static void explain_seccomp_death(struct create_ctx *c, struct rl_error **err)
{
    if (c->seccomp_step == NULL || !c->seccomp_step[0] || err == NULL || *err == NULL ||
        (*err)->errnum != 0)
        return;
    char how[96] = "";
    siginfo_t si = {0};
    if (c->child == c->init && c->pidfd >= 0 &&
        waitid((idtype_t)3 /* P_PIDFD */, (id_t)c->pidfd, &si, WEXITED | WNOWAIT) == 0 &&
        (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED))
        snprintf(how, sizeof(how), ", killed by %s%s", sigabbrev_np(si.si_status) ? "SIG" : "",
                 sigabbrev_np(si.si_status) ? sigabbrev_np(si.si_status) : "a signal");
    char step[RL_SECCOMP_STEP_MAX];
    snprintf(step, sizeof(step), "%s", c->seccomp_step);
    if (how[0] && si.si_status != SIGSYS) {
        /* killed by something else than a seccomp KILL action */
        rl_error_wrap(err, "the container init died at step \"%s\"%s", step, how);
        return;
    }
    rl_error_wrap(err,
                  "linux.seccomp: the container init died at step \"%s\"%s: the filter, loaded "
                  "before that step because process.noNewPrivileges is false, refuses a syscall "
                  "made there (defaultAction %s)",
                  step, how, c->spec->linux_.seccomp.default_action);
}

static int create_steps(struct create_ctx *c, struct rl_error **err)
{
    test_step("state dir made and locked");
    if (setup_cgroup(c, err) < 0)
        return -1;
    test_step("cgroup made, resources applied");
    _cleanup_free_ char *rdt_root = NULL;
    if (rl_rdt_prepare(c->spec, &rdt_root, err) < 0)
        return -1;
    if (open_console(c, err) < 0 || spawn(c, err) < 0)
        return -1;
    test_step("child cloned");
    if (after_clone(c, err) < 0)
        return -1;
    test_step("init pid recorded");
    /* step 1d: with a user namespace the init cannot open every bind
     * source itself (mount_src.c) */
    if (move_net_devices(c, err) < 0 ||
        (c->mount_sources &&
         rl_mount_sources_send(c->spec, c->st->bundle, c->pidfd, c->sync_fd, err) < 0) ||
        rl_rdt_join(c->ctx, c->st->id, c->spec, rdt_root, c->init, err) < 0 ||
        run_runtime_hooks(c, err) < 0)
        return -1;
    test_step("before ready");
    if (pass_seccomp_listener(c, err) < 0 || sync_expect(c->sync_fd, SYNC_READY, NULL, err) < 0) {
        explain_seccomp_death(c, err);
        return -1;
    }
    test_step("ready received");
    c->st->created = rl_now_rfc3339();
    if (rl_state_write(c->ctx, c->st, err) < 0)
        return -1;
    test_step("state created written");
    if (c->opts->pid_file && rl_write_pid_file(c->opts->pid_file, c->init, err) < 0)
        return rl_error_wrap(err, "--pid-file");
    test_step("pid file written, before ready-ack");
    if (sync_send(c->sync_fd, SYNC_READY_ACK, c->init) < 0)
        return rl_error_errno(err, "sync: send ready-ack");
    test_step("ready-ack sent");
    return 0;
}

/* The init died before 'ready' and the cgroup counted an OOM kill: the
 * memory limit is below what the runtime's own steps in the container
 * need (an empty cgroup takes any limit, so the write itself succeeded).
 * Say so, naming the field, instead of the sync error. */
static void explain_oom(struct create_ctx *c, struct rl_error **err)
{
    const struct rl_resources *r = &c->spec->linux_.resources;
    uint64_t kills = 0;
    if (err == NULL || *err == NULL || c->st->cgroup == NULL ||
        strstr((*err)->msg, "sync: ") == NULL ||
        rl_cgroup_oom_kill_count(c->st->cgroup, &kills, NULL) < 0 || kills == 0)
        return;
    struct rl_error *e = NULL;
    if (r->memory.has_limit)
        rl_error(&e,
                 "linux.resources.memory.limit (%" PRId64 " bytes): the kernel's OOM killer "
                 "killed the container's process before it was ready (oom_kill %" PRIu64
                 " in the memory cgroup): the limit is too low",
                 r->memory.limit, kills);
    else
        rl_error(&e,
                 "linux.resources.memory: the kernel's OOM killer killed the container's "
                 "process before it was ready (oom_kill %" PRIu64 " in the memory cgroup)",
                 kills);
    rl_error_move(err, &e);
}

/* Undo a failed create: the process, the cgroup, the state directory; after
 * a failed prestart/createRuntime/createContainer hook the lifecycle goes on
 * at step 12 (runtime.md): destroy, then the poststop hooks. */
static void teardown(struct create_ctx *c, const struct rl_error *why)
{
    bool hook_failed = rl_hooks_error(why);
    if (c->sync_fd >= 0) {
        close(c->sync_fd);
        c->sync_fd = -1;
    }
    if (c->init > 0)
        kill(c->init, SIGKILL);
    if (c->child > 0) {
        kill(c->child, SIGKILL);
        waitpid(c->child, NULL, 0);
    }
    if (c->st->cgroup) {
        rl_cgroup_kill_all(c->st->cgroup, SIGKILL, NULL);
        rl_cgroup_destroy(c->st->cgroup, NULL);
    }
    rl_rdt_remove(c->ctx, c->st->id, NULL);
    if (hook_failed && c->spec->hooks.n_poststop) {
        _cleanup_free_ char *js = rl_state_oci_json(c->st, RL_STATUS_STOPPED, false);
        rl_hooks_run_all(c->spec->hooks.poststop, c->spec->hooks.n_poststop, "poststop", js);
    }
    rl_rm_rf(c->dir, NULL);
}

static int load_spec(struct create_ctx *c, const char *bundle, struct rl_error **err)
{
    c->spec = c->opts->config ? rl_spec_load_file(c->opts->config, err) : rl_spec_load(bundle, err);
    if (c->spec == NULL)
        return -1;
    if (rl_spec_validate(c->spec, err) < 0)
        return -1;
    /* the rootfs must be there before anything is made, and the error names
     * the field (runc: "invalid rootfs"), not the first mount that fails */
    _cleanup_free_ char *rootfs = abs_path(bundle, c->spec->root.path);
    struct stat rs;
    if (stat(rootfs, &rs) < 0)
        return rl_error_errno(err, "root.path: stat %s", rootfs);
    if (!S_ISDIR(rs.st_mode))
        return rl_error(err, "root.path: %s is not a directory", rootfs);
    /* needs the runtime's own namespaces, so here rather than in the init */
    if (rl_sysctl_check_joined(c->spec, err) < 0 || rl_uts_check_joined(c->spec, err) < 0)
        return -1;
    /* socket activation meant for us (LISTEN_PID is our pid): the fds go on
     * to the container (rl_process_close_fds keeps them), and so must the
     * variables, rewritten for the container's process, as runc does */
    const char *fds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");
    if (fds && *fds && lpid && atol(lpid) == (long)getpid()) {
        _cleanup_free_ char *kv = xasprintf("LISTEN_FDS=%s", fds);
        rl_process_env_set(&c->spec->process, kv);
        rl_process_env_set(&c->spec->process, "LISTEN_PID=1");
    }
    return 0;
}

/* An unprivileged runtime can make namespaces only inside a user namespace
 * of its own (or one it joins): say so before the clone fails with EPERM,
 * as runc does. */
static int check_rootless(struct create_ctx *c, struct rl_error **err)
{
    if (!c->ctx->rootless || geteuid() == 0 || rl_spec_namespace(c->spec, RL_NS_USER))
        return 0;
    return rl_error(err,
                    "linux.namespaces: rootless mode (uid %u) needs a user namespace: add "
                    "{\"type\": \"user\"} with linux.uidMappings and linux.gidMappings "
                    "(`rustlet spec --rootless` writes them), or run as root",
                    (unsigned)geteuid());
}

/* Make ROOT/<id> exclusively: EEXIST means the id is taken. */
static int make_state_dir(struct create_ctx *c, const char *id, struct rl_error **err)
{
    if (rl_mkdir_p(c->ctx->root, 0700, err) < 0)
        return -1;
    c->dir = rl_state_dir(c->ctx, id);
    if (mkdir(c->dir, 0700) < 0) {
        if (errno == EEXIST)
            return rl_error(err, "container with id \"%s\" already exists", id);
        return rl_error_errno(err, "mkdir %s", c->dir);
    }
    c->lock_fd = rl_state_lock(c->ctx, id, err);
    if (c->lock_fd < 0) {
        rmdir(c->dir);
        return -1;
    }
    return 0;
}

/* The opening create and restore share: the id, the bundle and its spec
 * (validated), the rootless check, ROOT/<id> made and locked, the first
 * state. On failure c holds what must be freed (spec), nothing is made. */
static int begin(struct create_ctx *c, const char *id, struct rl_error **err)
{
    if (rl_validate_id(id, err) < 0)
        return -1;
    const char *b = c->opts->bundle ? c->opts->bundle : ".";
    char bundle[PATH_MAX];
    if (realpath(b, bundle) == NULL)
        return rl_error_errno(err, "bundle %s", b);
    if (load_spec(c, bundle, err) < 0 || check_rootless(c, err) < 0 ||
        make_state_dir(c, id, err) < 0)
        return -1;
    c->st = rl_state_from_spec(id, bundle, c->spec);
    c->st->config = xstrdup(c->opts->config);
    return 0;
}

/* Shared by create and run. On success the init is blocked on the exec
 * fifo; *pidfd (if asked) is a pidfd for it. */
int rl_create_internal(const struct rl_context *ctx, const char *id,
                       const struct rl_create_opts *opts, int *pidfd, pid_t *pid,
                       struct rl_error **err)
{
    struct create_ctx c = {
        .ctx = ctx, .opts = opts, .lock_fd = -1, .sync_fd = -1, .pidfd = -1, .console_fd = -1};
    int ret = begin(&c, id, err);
    if (ret == 0) {
        /* only needed when the filter is loaded before the end of set-up */
        if (c.spec->linux_.seccomp.present && !c.spec->process.no_new_privileges)
            c.seccomp_step = mmap(NULL, RL_SECCOMP_STEP_MAX, PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (c.seccomp_step == MAP_FAILED)
            c.seccomp_step = NULL;
        ret = rl_notify_prepare(ctx, id, c.spec, err);
        if (ret == 0)
            ret = create_steps(&c, err);
        if (ret < 0) {
            explain_oom(&c, err);
            teardown(&c, err ? *err : NULL);
        }
    }
    if (c.sync_fd >= 0)
        close(c.sync_fd);
    if (ret == 0 && pidfd) {
        *pidfd = c.pidfd;
        c.pidfd = -1;
    }
    if (ret == 0 && pid)
        *pid = c.init;
    if (c.pidfd >= 0)
        close(c.pidfd);
    if (c.console_fd >= 0 && c.console_fd != opts->console_fd)
        close(c.console_fd);
    if (c.lock_fd >= 0)
        close(c.lock_fd);
    if (c.seccomp_step)
        munmap(c.seccomp_step, RL_SECCOMP_STEP_MAX);
    rl_state_free(c.st);
    rl_spec_free(c.spec);
    free(c.dir);
    return ret;
}

int rl_create_prepare(const struct rl_context *ctx, const char *id,
                      const struct rl_create_opts *opts, struct rl_prepared *p,
                      struct rl_error **err)
{
    struct create_ctx c = {
        .ctx = ctx, .opts = opts, .lock_fd = -1, .sync_fd = -1, .pidfd = -1, .console_fd = -1};
    int ret = begin(&c, id, err);
    if (ret == 0 && (ret = setup_cgroup(&c, err)) < 0)
        teardown(&c, NULL);
    *p = (struct rl_prepared){.spec = c.spec, .st = c.st, .lock_fd = c.lock_fd, .dir = c.dir};
    if (ret < 0)
        rl_prepared_free(p);
    return ret;
}

int rl_prepared_apply(struct rl_prepared *p, struct rl_error **err)
{
    if (p->st->cgroup == NULL || !rl_cgroup_needs_pid(p->st->cgroup))
        return 0;
    struct rl_resources res = p->spec->linux_.resources;
    _cleanup_free_ struct rl_device_cgroup *rules = device_rules(p->spec, &res.n_devices);
    res.devices = rules;
    return rl_cgroup_apply(p->st->cgroup, &res, err);
}

void rl_prepared_free(struct rl_prepared *p)
{
    if (p->lock_fd >= 0)
        close(p->lock_fd);
    rl_state_free(p->st);
    rl_spec_free(p->spec);
    free(p->dir);
    *p = (struct rl_prepared){.lock_fd = -1};
}

int rl_create(const struct rl_context *ctx, const char *id, const struct rl_create_opts *opts,
              struct rl_error **err)
{
    return rl_create_internal(ctx, id, opts, NULL, NULL, err);
}
