/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Name tables of the config: namespace types, rlimits, capabilities. */
#include "spec_internal.h"
#include "rustlet/utils.h"

#include <string.h>
#include <sys/resource.h>

static const char *const ns_names[RL_NS_COUNT] = {
    [RL_NS_MOUNT] = "mount",   [RL_NS_PID] = "pid",   [RL_NS_NETWORK] = "network",
    [RL_NS_UTS] = "uts",       [RL_NS_IPC] = "ipc",   [RL_NS_USER] = "user",
    [RL_NS_CGROUP] = "cgroup", [RL_NS_TIME] = "time",
};

const char *rl_ns_type_name(enum rl_ns_type t)
{
    if ((unsigned)t >= RL_NS_COUNT)
        return "unknown";
    return ns_names[t];
}

int rl_ns_type_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < RL_NS_COUNT; i++) {
        if (strcmp(ns_names[i], name) == 0)
            return i;
    }
    return -1;
}

const struct rl_namespace *rl_spec_namespace(const struct rl_spec *spec, enum rl_ns_type t)
{
    if (spec == NULL)
        return NULL;
    for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
        if (spec->linux_.namespaces[i].type == t)
            return &spec->linux_.namespaces[i];
    }
    return NULL;
}

static const struct {
    const char *name;
    int resource;
} rlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

int spec_rlimit_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++) {
        if (strcmp(rlimits[i].name, name) == 0)
            return rlimits[i].resource;
    }
    return -1;
}

/* Index = capability number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE. */
static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

_Static_assert(ARRAY_SIZE(cap_names) == 41, "capabilities 0..40");

int spec_cap_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++) {
        if (strcmp(cap_names[i], name) == 0)
            return (int)i;
    }
    return -1;
}

const char *rl_cap_name(int cap)
{
    return cap >= 0 && (size_t)cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}
