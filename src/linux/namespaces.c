/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int rl_ns_clone_flag(enum rl_ns_type t)
{
    switch (t) {
    case RL_NS_MOUNT:
        return CLONE_NEWNS;
    case RL_NS_PID:
        return CLONE_NEWPID;
    case RL_NS_NETWORK:
        return CLONE_NEWNET;
    case RL_NS_UTS:
        return CLONE_NEWUTS;
    case RL_NS_IPC:
        return CLONE_NEWIPC;
    case RL_NS_USER:
        return CLONE_NEWUSER;
    case RL_NS_CGROUP:
        return CLONE_NEWCGROUP;
    case RL_NS_TIME:
        return CLONE_NEWTIME;
    default:
        return 0;
    }
}

int rl_ns_new_flags(const struct rl_spec *spec)
{
    int flags = 0;
    for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
        const struct rl_namespace *ns = &spec->linux_.namespaces[i];
        if (ns->path == NULL || ns->path[0] == '\0')
            flags |= rl_ns_clone_flag(ns->type);
    }
    return flags;
}

/* User namespace first: the others must be joined with the credentials of
 * the user namespace that owns them. */
int rl_ns_join(const struct rl_spec *spec, int skip_flags, struct rl_error **err)
{
    static const enum rl_ns_type order[] = {RL_NS_USER, RL_NS_IPC,   RL_NS_UTS,    RL_NS_NETWORK,
                                            RL_NS_PID,  RL_NS_MOUNT, RL_NS_CGROUP, RL_NS_TIME};
    for (size_t o = 0; o < ARRAY_SIZE(order); o++) {
        for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
            const struct rl_namespace *ns = &spec->linux_.namespaces[i];
            if (ns->type != order[o] || ns->path == NULL || ns->path[0] == '\0')
                continue;
            int flag = rl_ns_clone_flag(ns->type);
            if (flag & skip_flags)
                continue;
            int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                return rl_error_errno(err, "linux.namespaces[%zu] (%s): open %s", i,
                                      rl_ns_type_name(ns->type), ns->path);
            int r = rl_sys_setns(fd, flag, ns->path);
            close(fd);
            if (r < 0)
                return rl_error_errno(err, "linux.namespaces[%zu] (%s): setns %s", i,
                                      rl_ns_type_name(ns->type), ns->path);
        }
    }
    return 0;
}

int rl_ns_write_map(pid_t pid, const char *file, const struct rl_id_mapping *m, size_t n,
                    const char *cfg, struct rl_error **err)
{
    char buf[4096];
    size_t o = 0;
    for (size_t i = 0; i < n && o < sizeof(buf) - 40; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%u %u %u\n", m[i].container_id,
                              m[i].host_id, m[i].size);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    if (rl_sys_write_ctl(AT_FDCWD, path, buf) < 0)
        return rl_error_errno(err, "%s: write %s", cfg, path);
    return 0;
}

int rl_ns_write_id_maps(pid_t pid, const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_linux *l = &spec->linux_;
    if (rl_ns_write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, "linux.uidMappings",
                        err) < 0)
        return -1;
    return rl_ns_write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, "linux.gidMappings",
                           err);
}

/* Offsets can only be written before any process has entered the new time
 * namespace: the child unshares it, writes them, and enters it at execve. */
int rl_ns_set_time_offsets(const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_linux *l = &spec->linux_;
    if (!l->time_offsets.present)
        return 0;
    char buf[256];
    size_t o = 0;
    if (l->time_offsets.has_monotonic)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "monotonic %lld %u\n",
                              (long long)l->time_offsets.monotonic_secs,
                              l->time_offsets.monotonic_nanosecs);
    if (l->time_offsets.has_boottime)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "boottime %lld %u\n",
                              (long long)l->time_offsets.boottime_secs,
                              l->time_offsets.boottime_nanosecs);
    if (o == 0)
        return 0;
    /* With a user namespace the init is not dumpable here (its creds moved
     * to the new namespace), so procfs gives the files of /proc/self to the namespace's
     * root (the mapped host id), not to the init's host uid: opening the
     * file for writing fails with EACCES. Dumpable for the one write. */
    int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (dumpable == 0)
        (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    int r = rl_sys_write_ctl(AT_FDCWD, "/proc/self/timens_offsets", buf);
    int saved = errno;
    if (dumpable == 0)
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    errno = saved;
    if (r < 0)
        return rl_error_errno(err, "linux.timeOffsets: write /proc/self/timens_offsets");
    return 0;
}

/* unshare(CLONE_NEWTIME) puts only the children in the new namespace, and
 * only kernels >= 6.4 move the caller there at execve: enter it now
 * (setns of our own time_for_children), so the container's process runs in
 * it on every kernel with time namespaces (5.6+; 6.1 is Debian 12's). */
int rl_ns_enter_time_for_children(struct rl_error **err)
{
    int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rl_error_errno(err, "linux.namespaces (time): open /proc/self/ns/time_for_children");
    int r = rl_sys_setns(fd, CLONE_NEWTIME, "time_for_children");
    int saved = errno;
    close(fd);
    errno = saved;
    if (r < 0)
        return rl_error_errno(err, "linux.namespaces (time): setns(time_for_children)");
    return 0;
}
