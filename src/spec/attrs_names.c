/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The pure half of attrs (see attrs_names.h): names of kernel constants, cpu and
 * node lists, sysctl keys, and the validation of the fields. No syscalls:
 * rl_spec_validate() calls rl_attrs_validate() before anything happens. */
#include "rustlet/attrs_names.h"
#include "rustlet/utils.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- lists "0-3,7" -------------------------------------------------------- */

static bool take_uint(const char **p, unsigned long *v)
{
    if (!isdigit((unsigned char)**p))
        return false;
    *v = 0;
    while (isdigit((unsigned char)**p)) {
        if (*v < RL_BITMAP_BITS * 10UL)
            *v = *v * 10 + (unsigned long)(**p - '0');
        (*p)++;
    }
    return true;
}

static void skip_spaces(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

int rl_bitmap_parse(const char *list, struct rl_bitmap *out, struct rl_error **err)
{
    memset(out, 0, sizeof(*out));
    const char *p = list;
    skip_spaces(&p);
    if (*p == '\0')
        return 0;
    for (;;) {
        unsigned long lo, hi;
        skip_spaces(&p);
        if (!take_uint(&p, &lo))
            return rl_error(err, "\"%s\": expected a number at \"%s\" (format: \"0-3,7\")", list,
                            p);
        hi = lo;
        if (*p == '-') {
            p++;
            if (!take_uint(&p, &hi))
                return rl_error(err, "\"%s\": expected a number after '-' (format: \"0-3,7\")",
                                list);
        }
        if (hi < lo)
            return rl_error(err, "\"%s\": range %lu-%lu is backwards", list, lo, hi);
        if (hi >= RL_BITMAP_BITS)
            return rl_error(err, "\"%s\": %lu is too large (at most %d)", list, hi,
                            RL_BITMAP_BITS - 1);
        for (unsigned long b = lo; b <= hi; b++)
            out->w[b / 64] |= 1ull << (b % 64);
        if (hi + 1 > out->top)
            out->top = (unsigned)hi + 1;
        skip_spaces(&p);
        if (*p == '\0')
            return 0;
        if (*p != ',')
            return rl_error(err, "\"%s\": unexpected '%c' (format: \"0-3,7\")", list, *p);
        p++;
    }
}

bool rl_bitmap_test(const struct rl_bitmap *b, unsigned bit)
{
    return bit < RL_BITMAP_BITS && (b->w[bit / 64] >> (bit % 64)) & 1;
}

/* ---- names ------------------------------------------------------------------ */

struct name_value {
    const char *name;
    int64_t value;
};

static int64_t lookup(const struct name_value *t, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return t[i].value;
    return -1;
}

/* Values from include/uapi/linux/sched.h; SCHED_ISO (4) is reserved there and
 * not implemented by mainline kernels (they answer EINVAL). */
static const struct name_value sched_policies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

static const struct name_value sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

static const struct name_value ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};

/* PER_LINUX and PER_LINUX32 of <sys/personality.h> */
static const struct name_value personalities[] = {{"LINUX", 0x0000}, {"LINUX32", 0x0008}};

/* include/uapi/linux/mempolicy.h */
static const struct name_value mpol_modes[] = {
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
};
#define MPOL_F_STATIC_NODES_   (1 << 15)
#define MPOL_F_RELATIVE_NODES_ (1 << 14)
#define MPOL_F_NUMA_BALANCING_ (1 << 13)
static const struct name_value mpol_flags[] = {
    {"MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES_},
    {"MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES_},
    {"MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING_},
};

int rl_sched_policy_from_name(const char *n)
{
    return (int)lookup(sched_policies, ARRAY_SIZE(sched_policies), n);
}
int64_t rl_sched_flag_from_name(const char *n)
{
    return lookup(sched_flags, ARRAY_SIZE(sched_flags), n);
}
int rl_ioprio_class_from_name(const char *n)
{
    return (int)lookup(ioprio_classes, ARRAY_SIZE(ioprio_classes), n);
}
long rl_personality_from_name(const char *n)
{
    return (long)lookup(personalities, ARRAY_SIZE(personalities), n);
}
int rl_mempolicy_mode_from_name(const char *n)
{
    return (int)lookup(mpol_modes, ARRAY_SIZE(mpol_modes), n);
}
int rl_mempolicy_flag_from_name(const char *n)
{
    return (int)lookup(mpol_flags, ARRAY_SIZE(mpol_flags), n);
}
const char *rl_sched_policy_name(int policy)
{
    for (size_t i = 0; i < ARRAY_SIZE(sched_policies); i++)
        if (sched_policies[i].value == policy)
            return sched_policies[i].name;
    return "?";
}

/* ---- sysctl keys ------------------------------------------------------------ */

/* The IPC namespace's sysctls (ipc/ipc_sysctl.c); fs.mqueue.* are its too. */
static const char *const ipc_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

/* Keys may use '/' as the separator (then '.' is part of a name, as in
 * net/ipv4/conf/eth0.100/forwarding); compare in the dotted form. */
static char *dotted(const char *key)
{
    char *d = xstrdup(key);
    if (strchr(d, '/'))
        for (char *c = d; *c; c++)
            *c = *c == '/' ? '.' : *c;
    return d;
}

int rl_sysctl_namespace(const char *key)
{
    _cleanup_free_ char *k = dotted(key);
    for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
        if (strcmp(k, ipc_sysctls[i]) == 0)
            return RL_NS_IPC;
    if (strncmp(k, "fs.mqueue.", 10) == 0)
        return RL_NS_IPC;
    if (strncmp(k, "net.", 4) == 0)
        return RL_NS_NETWORK;
    if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0)
        return RL_NS_UTS;
    return -1;
}

char *rl_sysctl_path(const char *key)
{
    if (key == NULL || *key == '\0' || *key == '/' || *key == '.')
        return NULL;
    char sep = strchr(key, '/') ? '/' : '.';
    char *p = xstrdup(key);
    /* every component non-empty and not "." or ".." */
    const char *c = key;
    for (;;) {
        size_t n = strcspn(c, sep == '/' ? "/" : ".");
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.') ||
            memchr(c, '\n', n)) {
            free(p);
            return NULL;
        }
        if (c[n] == '\0')
            break;
        c += n + 1;
    }
    if (sep == '.')
        for (char *q = p; *q; q++)
            *q = *q == '.' ? '/' : *q;
    return p;
}

/* ---- validation -------------------------------------------------------------- */

static bool non_empty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static const char *ns_name(int t)
{
    return t == RL_NS_IPC ? "ipc" : t == RL_NS_NETWORK ? "network" : "uts";
}

static int validate_sysctl(const struct rl_spec *s, struct rl_error **err)
{
    const struct rl_linux *lx = &s->linux_;
    for (size_t i = 0; i < lx->n_sysctl; i++) {
        const char *key = lx->sysctl[i].key;
        _cleanup_free_ char *path = rl_sysctl_path(key);
        if (path == NULL)
            return rl_error(err, "linux.sysctl[\"%s\"]: not a sysctl name", key);
        int t = rl_sysctl_namespace(key);
        if (t < 0)
            return rl_error(err,
                            "linux.sysctl[\"%s\"]: not namespaced: it would change the host, not "
                            "the container (allowed: net.* with a network namespace, "
                            "kernel.msg*/sem/shm* and fs.mqueue.* with an ipc namespace, "
                            "kernel.hostname/domainname with a uts namespace)",
                            key);
        if (rl_spec_namespace(s, (enum rl_ns_type)t) == NULL)
            return rl_error(err,
                            "linux.sysctl[\"%s\"]: needs a private %s namespace (add a new "
                            "\"%s\" namespace to linux.namespaces), or it would change the "
                            "host's",
                            key, ns_name(t), ns_name(t));
        const char *nl = strchr(lx->sysctl[i].value, '\n');
        if (nl != NULL && nl[1] != '\0')
            return rl_error(err, "linux.sysctl[\"%s\"]: value must be one line", key);
    }
    return 0;
}

static int validate_scheduler(const struct rl_scheduler *sc, struct rl_error **err)
{
#define S "process.scheduler"
    if (!sc->present)
        return 0;
    if (!non_empty(sc->policy))
        return rl_error(err, S ".policy: missing");
    int pol = rl_sched_policy_from_name(sc->policy);
    if (pol < 0)
        return rl_error(err,
                        S ".policy: unknown policy \"%s\" (expected SCHED_OTHER, SCHED_FIFO, "
                          "SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE)",
                        sc->policy);
    for (size_t i = 0; i < sc->n_flags; i++)
        if (rl_sched_flag_from_name(sc->flags[i]) < 0)
            return rl_error(err, S ".flags[%zu]: unknown flag \"%s\"", i, sc->flags[i]);
    if (sc->has_nice && (sc->nice < -20 || sc->nice > 19))
        return rl_error(err, S ".nice: %d is out of range (-20..19)", sc->nice);
    bool rt = pol == 1 || pol == 2;
    if (rt && (!sc->has_priority || sc->priority < 1 || sc->priority > 99))
        return rl_error(err, S ".priority: %s needs a priority in 1..99, got %d", sc->policy,
                        sc->has_priority ? sc->priority : 0);
    if (!rt && sc->has_priority && sc->priority != 0)
        return rl_error(err,
                        S ".priority: only SCHED_FIFO and SCHED_RR take a priority (policy is "
                          "%s, priority %d)",
                        sc->policy, sc->priority);
    bool dl = pol == 6;
    if (!dl && ((sc->has_runtime && sc->runtime) || (sc->has_deadline && sc->deadline) ||
                (sc->has_period && sc->period)))
        return rl_error(err,
                        S ": runtime, deadline and period are for SCHED_DEADLINE only (policy is "
                          "%s)",
                        sc->policy);
    if (dl) {
        uint64_t r = sc->runtime, d = sc->deadline, p = sc->period;
        if (d == 0)
            return rl_error(err, S ".deadline: SCHED_DEADLINE needs a deadline > 0");
        if (r < 1024)
            return rl_error(err,
                            S ".runtime: SCHED_DEADLINE needs a runtime of at least 1024 ns, "
                              "got %llu",
                            (unsigned long long)r);
        if (r > d)
            return rl_error(err, S ": SCHED_DEADLINE needs runtime <= deadline (%llu > %llu)",
                            (unsigned long long)r, (unsigned long long)d);
        if (p != 0 && d > p)
            return rl_error(err, S ": SCHED_DEADLINE needs deadline <= period (%llu > %llu)",
                            (unsigned long long)d, (unsigned long long)p);
        if ((d | p) >> 63)
            return rl_error(err, S ": deadline and period must be below 2^63 ns");
    }
#undef S
    return 0;
}

static int validate_io_priority(const struct rl_io_priority *io, struct rl_error **err)
{
    if (!io->present)
        return 0;
    if (rl_ioprio_class_from_name(io->class_name) < 0)
        return rl_error(err,
                        "process.ioPriority.class: unknown class \"%s\" (expected "
                        "IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)",
                        io->class_name ? io->class_name : "");
    if (io->priority < 0 || io->priority > 7)
        return rl_error(err, "process.ioPriority.priority: %d is out of range (0..7)",
                        io->priority);
    return 0;
}

static int validate_affinity(const struct rl_exec_cpu_affinity *a, struct rl_error **err)
{
    struct rl_bitmap b;
    if (a->initial && rl_bitmap_parse(a->initial, &b, err) < 0)
        return rl_error_wrap(err, "process.execCPUAffinity.initial");
    if (a->final && rl_bitmap_parse(a->final, &b, err) < 0)
        return rl_error_wrap(err, "process.execCPUAffinity.final");
    return 0;
}

static int validate_personality(const struct rl_linux *lx, struct rl_error **err)
{
    if (!lx->personality.present)
        return 0;
    if (!non_empty(lx->personality.domain))
        return rl_error(err, "linux.personality.domain: missing (LINUX or LINUX32)");
    if (rl_personality_from_name(lx->personality.domain) < 0)
        return rl_error(err,
                        "linux.personality.domain: unknown domain \"%s\" (expected LINUX or "
                        "LINUX32)",
                        lx->personality.domain);
    if (lx->personality.n_flags > 0)
        return rl_error(err,
                        "linux.personality.flags[0]: \"%s\": no personality flags are supported "
                        "(the runtime spec defines none)",
                        lx->personality.flags[0]);
    return 0;
}

static int validate_mempolicy(const struct rl_linux *lx, struct rl_error **err)
{
#define M "linux.memoryPolicy"
    if (!lx->memory_policy.present)
        return 0;
    const char *mode = lx->memory_policy.mode;
    if (!non_empty(mode))
        return rl_error(err, M ".mode: missing");
    int m = rl_mempolicy_mode_from_name(mode);
    if (m < 0)
        return rl_error(err, M ".mode: unknown mode \"%s\"", mode);
    struct rl_bitmap nodes;
    if (rl_bitmap_parse(lx->memory_policy.nodes ? lx->memory_policy.nodes : "", &nodes, err) < 0)
        return rl_error_wrap(err, M ".nodes");
    int flags = 0;
    for (size_t i = 0; i < lx->memory_policy.n_flags; i++) {
        int f = rl_mempolicy_flag_from_name(lx->memory_policy.flags[i]);
        if (f < 0)
            return rl_error(err, M ".flags[%zu]: unknown flag \"%s\"", i,
                            lx->memory_policy.flags[i]);
        flags |= f;
    }
    bool empty = nodes.top == 0;
    if ((m == 0 || m == 4) && !empty)
        return rl_error(err, M ".nodes: %s takes no nodes, got \"%s\"", mode,
                        lx->memory_policy.nodes);
    if ((m == 2 || m == 3 || m == 5 || m == 6) && empty)
        return rl_error(err, M ".nodes: %s needs at least one node", mode);
    if ((flags & MPOL_F_STATIC_NODES_) && (flags & MPOL_F_RELATIVE_NODES_))
        return rl_error(err, M ".flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude "
                               "each other");
    if ((flags & MPOL_F_NUMA_BALANCING_) && m != 2 && m != 5)
        return rl_error(err,
                        M ".flags: MPOL_F_NUMA_BALANCING needs MPOL_BIND or "
                          "MPOL_PREFERRED_MANY (mode is %s)",
                        mode);
    if (m == 0 && flags)
        return rl_error(err, M ".flags: MPOL_DEFAULT takes no flags");
#undef M
    return 0;
}

int rl_attrs_validate(const struct rl_spec *s, struct rl_error **err)
{
    const struct rl_process *p = &s->process;
    if (validate_sysctl(s, err) < 0 || validate_scheduler(&p->scheduler, err) < 0 ||
        validate_io_priority(&p->io_priority, err) < 0 ||
        validate_affinity(&p->exec_cpu_affinity, err) < 0 ||
        validate_personality(&s->linux_, err) < 0 || validate_mempolicy(&s->linux_, err) < 0)
        return -1;
    return 0;
}
