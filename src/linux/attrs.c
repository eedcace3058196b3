/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The acting half of attrs (see attrs.h): sysctl writes, scheduler, I/O
 * priority, memory policy, personality and CPU affinity of the container
 * process. The values were checked by rl_attrs_validate(); what can still
 * fail here is what the kernel refuses, and each message names the config
 * path, the call, the errno and, where the cause is usually the same, a
 * hint. */
#include "rustlet/attrs.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* ---- sysctl --------------------------------------------------------------- */

static const char *ns_file(int t)
{
    return t == RL_NS_IPC ? "ipc" : t == RL_NS_NETWORK ? "net" : "uts";
}

int rl_sysctl_check_joined(const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_linux *lx = &spec->linux_;
    for (size_t i = 0; i < lx->n_sysctl; i++) {
        int t = rl_sysctl_namespace(lx->sysctl[i].key);
        const struct rl_namespace *ns = t < 0 ? NULL : rl_spec_namespace(spec, (enum rl_ns_type)t);
        if (ns == NULL || ns->path == NULL || ns->path[0] == '\0')
            continue;
        char own[64];
        snprintf(own, sizeof(own), "/proc/self/ns/%s", ns_file(t));
        struct stat a, b;
        if (stat(ns->path, &a) < 0)
            return rl_error_errno(err, "linux.sysctl[\"%s\"]: stat the %s namespace %s",
                                  lx->sysctl[i].key, ns_file(t), ns->path);
        if (stat(own, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            return rl_error(err,
                            "linux.sysctl[\"%s\"]: the %s namespace %s is the host's: the sysctl "
                            "would change the host",
                            lx->sysctl[i].key, rl_ns_type_name((enum rl_ns_type)t), ns->path);
    }
    return 0;
}

int rl_uts_check_joined(const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_namespace *ns = rl_spec_namespace(spec, RL_NS_UTS);
    const char *which = spec->hostname && *spec->hostname       ? "hostname"
                        : spec->domainname && *spec->domainname ? "domainname"
                                                                : NULL;
    if (which == NULL || ns == NULL || ns->path == NULL || ns->path[0] == '\0')
        return 0;
    struct stat a, b;
    if (stat(ns->path, &a) < 0)
        return rl_error_errno(err, "%s: stat the uts namespace %s", which, ns->path);
    if (stat("/proc/self/ns/uts", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return rl_error(err,
                        "%s: the uts namespace %s is the host's: setting the %s would change "
                        "the host's",
                        which, ns->path, which);
    return 0;
}

static int openat2_beneath(int dirfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)flags | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    int fd;
    do {
        fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    } while (fd < 0 && errno == EAGAIN);
    return fd;
}

static int write_sysctl(int sysfd, const struct rl_kv *kv, struct rl_error **err)
{
    _cleanup_free_ char *path = rl_sysctl_path(kv->key);
    if (path == NULL)
        return rl_error(err, "linux.sysctl[\"%s\"]: not a sysctl name", kv->key);
    _cleanup_close_ int fd = openat2_beneath(sysfd, path, O_WRONLY | O_NOCTTY);
    if (fd < 0 && errno == ENOENT)
        return rl_error(err, "linux.sysctl[\"%s\"]: no such sysctl (/proc/sys/%s) in this kernel",
                        kv->key, path);
    if (fd < 0)
        return rl_error_errno(err, "linux.sysctl[\"%s\"]: open /proc/sys/%s", kv->key, path);
    _cleanup_free_ char *what = xasprintf("/proc/sys/%s", path);
    if (rl_sys_write_ctl_fd(fd, kv->value, what) < 0)
        return rl_error_errno(err, "linux.sysctl[\"%s\"]: write \"%s\" to /proc/sys/%s", kv->key,
                              kv->value, path);
    return 0;
}

/* The files of /proc/sys/{net,kernel,fs/mqueue} show the namespaces of the
 * process that opens them, so the init writes them itself once its
 * namespaces exist. It does so through a procfs of its own that is mounted
 * nowhere (fsmount without move_mount): neither the rootfs nor the config's
 * mounts can put a symlink or another filesystem in the way, and openat2
 * with RESOLVE_BENEATH|NO_SYMLINKS|NO_MAGICLINKS|NO_XDEV stays inside it. */
int rl_sysctl_apply(const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_linux *lx = &spec->linux_;
    if (lx->n_sysctl == 0)
        return 0;
    _cleanup_close_ int mnt =
        rl_sys_fsmount("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    if (mnt < 0)
        return rl_error_errno(err, "linux.sysctl: mount a private procfs");
    _cleanup_close_ int sysfd = openat2_beneath(mnt, "sys", O_PATH | O_DIRECTORY);
    if (sysfd < 0)
        return rl_error_errno(err, "linux.sysctl: open sys in the private procfs");
    for (size_t i = 0; i < lx->n_sysctl; i++)
        if (write_sysctl(sysfd, &lx->sysctl[i], err) < 0)
            return -1;
    return 0;
}

/* ---- CPU affinity ----------------------------------------------------------- */

static int set_affinity(const char *list, const char *field, struct rl_error **err)
{
    if (list == NULL)
        return 0;
    struct rl_bitmap b;
    if (rl_bitmap_parse(list, &b, err) < 0)
        return rl_error_wrap(err, "%s", field);
    if (b.top == 0) /* empty: leave the affinity to the kernel */
        return 0;
    size_t len = (b.top + 63) / 64 * sizeof(uint64_t);
    if (rl_sys_sched_setaffinity(len, b.w, list) < 0)
        return rl_error_errno(err, "%s (\"%s\"): sched_setaffinity%s", field, list,
                              errno == EINVAL ? " (no CPU of the list is online and allowed by "
                                                "the cpuset cgroup)"
                                              : "");
    return 0;
}

int rl_attrs_affinity_initial(const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_exec_cpu_affinity *a = &spec->process.exec_cpu_affinity;
    return a->present ? set_affinity(a->initial, "process.execCPUAffinity.initial", err) : 0;
}

int rl_attrs_affinity_final(const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_exec_cpu_affinity *a = &spec->process.exec_cpu_affinity;
    return a->present ? set_affinity(a->final, "process.execCPUAffinity.final", err) : 0;
}

/* ---- scheduler ---------------------------------------------------------------- */

static const char *sched_hint(int policy, int e)
{
    if (e == EPERM && (policy == 1 || policy == 2))
        return " (real-time policies need CAP_SYS_NICE and, on kernels with "
               "CONFIG_RT_GROUP_SCHED, a cpu cgroup with cpu.rt_runtime_us > 0)";
    if (e == EPERM && policy == 6)
        return " (SCHED_DEADLINE needs CAP_SYS_NICE and a CPU affinity that covers the whole "
               "root domain; with CONFIG_RT_GROUP_SCHED the cpu cgroup must be the root)";
    if (e == EBUSY && policy == 6)
        return " (deadline admission control refused the bandwidth runtime/period)";
    if (e == EINVAL && policy == 4)
        return " (SCHED_ISO is not implemented by this kernel)";
    if (e == EOPNOTSUPP)
        return " (a SCHED_FLAG_UTIL_CLAMP_* flag needs a kernel with CONFIG_UCLAMP_TASK)";
    return "";
}

static int set_scheduler(const struct rl_scheduler *sc, struct rl_error **err)
{
    if (!sc->present)
        return 0;
    struct rl_sys_sched_attr a = {.size = sizeof(a)};
    a.sched_policy = (uint32_t)rl_sched_policy_from_name(sc->policy);
    for (size_t i = 0; i < sc->n_flags; i++)
        a.sched_flags |= (uint64_t)rl_sched_flag_from_name(sc->flags[i]);
    a.sched_nice = sc->has_nice ? sc->nice : 0;
    a.sched_priority = sc->has_priority ? (uint32_t)sc->priority : 0;
    a.sched_runtime = sc->runtime;
    a.sched_deadline = sc->deadline;
    a.sched_period = sc->period;
    a.sched_util_min = 0;
    a.sched_util_max = 1024; /* SCHED_CAPACITY_SCALE: no clamping unless asked */
    if (rl_sys_sched_setattr(&a, sc->policy) < 0) {
        int e = errno;
        return rl_error_errno(err, "process.scheduler (%s): sched_setattr%s", sc->policy,
                              sched_hint((int)a.sched_policy, e));
    }
    return 0;
}

/* ---- I/O priority ------------------------------------------------------------- */

#define RL_IOPRIO_WHO_PROCESS 1
#define RL_IOPRIO_CLASS_SHIFT 13

static int set_io_priority(const struct rl_io_priority *io, struct rl_error **err)
{
    if (!io->present)
        return 0;
    int cls = rl_ioprio_class_from_name(io->class_name);
    int v = (cls << RL_IOPRIO_CLASS_SHIFT) | io->priority;
    char what[64];
    snprintf(what, sizeof(what), "%s %d", io->class_name, io->priority);
    if (rl_sys_ioprio_set(RL_IOPRIO_WHO_PROCESS, 0, v, what) < 0)
        return rl_error_errno(
            err, "process.ioPriority (%s %d): ioprio_set%s", io->class_name, io->priority,
            errno == EPERM && cls == 1 ? " (IOPRIO_CLASS_RT needs CAP_SYS_ADMIN or CAP_SYS_NICE)"
                                       : "");
    return 0;
}

/* ---- memory policy -------------------------------------------------------------- */

static int set_memory_policy(const struct rl_linux *lx, struct rl_error **err)
{
    if (!lx->memory_policy.present)
        return 0;
    int mode = rl_mempolicy_mode_from_name(lx->memory_policy.mode);
    for (size_t i = 0; i < lx->memory_policy.n_flags; i++)
        mode |= rl_mempolicy_flag_from_name(lx->memory_policy.flags[i]);
    const char *list = lx->memory_policy.nodes ? lx->memory_policy.nodes : "";
    struct rl_bitmap nodes;
    if (rl_bitmap_parse(list, &nodes, err) < 0)
        return rl_error_wrap(err, "linux.memoryPolicy.nodes");
    /* the kernel reads maxnode - 1 bits */
    unsigned long maxnode = nodes.top ? nodes.top + 1 : 0;
    const unsigned long *mask = nodes.top ? (const unsigned long *)nodes.w : NULL;
    if (rl_sys_set_mempolicy(mode, mask, maxnode, list) < 0)
        return rl_error_errno(err, "linux.memoryPolicy (%s, nodes \"%s\"): set_mempolicy%s",
                              lx->memory_policy.mode, list,
                              errno == EINVAL ? " (a node that is not online or not allowed by "
                                                "the cpuset cgroup, or a mode/flag this kernel "
                                                "does not know)"
                                              : "");
    return 0;
}

/* ---- personality ------------------------------------------------------------------ */

static int set_personality(const struct rl_linux *lx, struct rl_error **err)
{
    if (!lx->personality.present)
        return 0;
    long p = rl_personality_from_name(lx->personality.domain);
    if (rl_sys_personality((unsigned long)p, lx->personality.domain) < 0)
        return rl_error_errno(err, "linux.personality (%s): personality", lx->personality.domain);
    return 0;
}

int rl_attrs_apply(const struct rl_spec *spec, struct rl_error **err)
{
    if (set_scheduler(&spec->process.scheduler, err) < 0 ||
        set_io_priority(&spec->process.io_priority, err) < 0 ||
        set_memory_policy(&spec->linux_, err) < 0 || set_personality(&spec->linux_, err) < 0)
        return -1;
    return 0;
}
