/* process.c - checks of the process object: args, cwd, env, user, umask,
 * capabilities, rlimits, noNewPrivileges, oomScoreAdj, scheduler, ioPriority,
 * execCPUAffinity. */
#define _GNU_SOURCE
#include "checker.h"
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *capnames[] = {
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

static const struct {
    const char *name;
    int res;
} rlims[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

static unsigned long long capmask(struct jval *list)
{
    unsigned long long m = 0;
    for (size_t i = 0; list && list->t == J_ARR && i < list->len; i++)
        for (size_t c = 0; c < sizeof capnames / sizeof *capnames; c++)
            if (list->v[i]->t == J_STR && !strcmp(list->v[i]->s, capnames[c]))
                m |= 1ULL << c;
    return m;
}

void check_process(int argc, char **argv)
{
    struct jval *args = jget(cfg, "process.args"), *env = jget(cfg, "process.env"), *v;
    const char *cwd = jstr(cfg, "process.cwd");
    char buf[4096];
    long long n;

    if (args && args->t == J_ARR) {
        int same = (size_t)argc == args->len;
        for (size_t i = 0; same && i < args->len; i++)
            same = args->v[i]->t == J_STR && !strcmp(args->v[i]->s, argv[i]);
        check(same, "runtime.md#42", "process.args passed as argv (%zu expected, %d got)",
              args->len, argc);
    }
    if (cwd) {
        char *got = getcwd(buf, sizeof buf);
        check(got && !strcmp(got, cwd), "config.md#102", "cwd is process.cwd %s (got %s)", cwd,
              got ? got : strerror(errno));
    }
    for (size_t i = 0; env && env->t == J_ARR && i < env->len; i++) {
        char *kv = env->v[i]->s, *eq = strchr(kv, '='), key[256];
        const char *got;
        if (!eq || (size_t)(eq - kv) >= sizeof key)
            continue;
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
        got = getenv(key);
        check(got && !strcmp(got, eq + 1), "runtime.md#42", "env %s", kv);
    }
    if (jnum(cfg, "process.user.uid", &n)) {
        uid_t r, e, s;
        getresuid(&r, &e, &s);
        check(r == n && e == n && s == n, "config.md#122", "uid is %lld (real %u eff %u saved %u)",
              n, r, e, s);
    }
    if (jnum(cfg, "process.user.gid", &n)) {
        gid_t r, e, s;
        getresgid(&r, &e, &s);
        check(r == n && e == n && s == n, "config.md#123", "gid is %lld (real %u eff %u saved %u)",
              n, r, e, s);
    }
    if ((v = jget(cfg, "process.user.additionalGids")) && v->t == J_ARR) {
        gid_t g[256];
        int ng = getgroups(256, g), all = 1;
        for (size_t i = 0; i < v->len; i++) {
            int found = 0;
            for (int j = 0; j < ng; j++)
                found |= (long long)g[j] == (long long)v->v[i]->n;
            all &= found;
        }
        check(all && ng == (int)v->len, "runtime.md#42",
              "supplementary groups are additionalGids (%zu expected, %d got)", v->len, ng);
    }
    if (jnum(cfg, "process.user.umask", &n)) {
        long long got = -1;
        if (status_field("Umask", buf, sizeof buf))
            got = strtoll(buf, NULL, 8);
        check(got == n, "runtime.md#42", "umask is %04llo (got %04llo)", n, got);
    }
    if (status_field("NoNewPrivs", buf, sizeof buf)) {
        int want = jbool(cfg, "process.noNewPrivileges");
        if (want)
            check(atoi(buf) == 1, "runtime.md#42", "noNewPrivileges true: NoNewPrivs is set");
    }
    if (!jbool(cfg, "process.terminal"))
        check(!isatty(1), "config.md#99",
              "terminal false (consoleSize %s): stdout is not a terminal",
              jget(cfg, "process.consoleSize") ? "given, ignored" : "unset");
    if (jnum(cfg, "process.oomScoreAdj", &n)) {
        char *s = read_text("/proc/self/oom_score_adj");
        check(s && atoll(s) == n, "config.md#116", "oom_score_adj is %lld (got %s)", n,
              s ? s : "?");
        free(s);
    } else if (jnum(host, "oomScoreAdj", &n)) {
        char *s = read_text("/proc/self/oom_score_adj");
        check(s && atoll(s) == n, "config.md#117",
              "oomScoreAdj unset: oom_score_adj unchanged (%lld, got %s)", n, s ? s : "?");
        free(s);
    }
    if ((v = jget(cfg, "process.scheduler"))) {
        const char *pol = jstr(v, "policy");
        static const char *pols[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                     "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};
        int got = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
        check(pol && got >= 0 && got < 7 && !strcmp(pols[got], pol), "config.md#118",
              "scheduler policy %s (got %d)", pol ? pol : "?", got);
        if (jnum(v, "nice", &n)) {
            errno = 0;
            int p = getpriority(PRIO_PROCESS, 0);
            check(errno == 0 && p == n, "config.md#118", "scheduler nice %lld (got %d)", n, p);
        }
        if (jnum(v, "priority", &n)) {
            struct sched_param sp;
            check(sched_getparam(0, &sp) == 0 && sp.sched_priority == n, "config.md#118",
                  "scheduler priority %lld (got %d)", n, sp.sched_priority);
        }
    }
    if ((v = jget(cfg, "process.ioPriority"))) {
        const char *cls = jstr(v, "class");
        static const char *classes[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                        "IOPRIO_CLASS_IDLE"};
        long r = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
        int c = r >= 0 ? (int)(r >> 13) : -1, d = r >= 0 ? (int)(r & 0x1fff) : -1;
        check(cls && c >= 0 && c < 4 && !strcmp(classes[c], cls), "config.md#119",
              "ioPriority class %s (got %d)", cls ? cls : "?", c);
        if (jnum(v, "priority", &n))
            check(d == n, "config.md#120", "ioPriority priority %lld (got %d)", n, d);
    }
    if ((v = jget(cfg, "process.execCPUAffinity")) && jstr(v, "final")) {
        cpu_set_t set;
        char want[256], got[256] = "";
        snprintf(want, sizeof want, "%s", jstr(v, "final"));
        if (sched_getaffinity(0, sizeof set, &set) == 0) {
            int first = -1;
            for (int c = 0; c <= CPU_SETSIZE; c++) {
                int in = c < CPU_SETSIZE && CPU_ISSET(c, &set);
                if (in && first < 0)
                    first = c;
                if (!in && first >= 0) {
                    size_t l = strlen(got);
                    if (first == c - 1)
                        snprintf(got + l, sizeof got - l, "%s%d", l ? "," : "", first);
                    else
                        snprintf(got + l, sizeof got - l, "%s%d-%d", l ? "," : "", first, c - 1);
                    first = -1;
                }
            }
        }
        check(!strcmp(want, got), "runtime.md#42", "execCPUAffinity.final %s (got %s)", want, got);
    }
}

void check_caps(void)
{
    static const char *sets[][2] = {{"bounding", "CapBnd"},
                                    {"effective", "CapEff"},
                                    {"permitted", "CapPrm"},
                                    {"inheritable", "CapInh"},
                                    {"ambient", "CapAmb"}};
    struct jval *caps = jget(cfg, "process.capabilities");
    unsigned long long hostbnd = ~0ULL, known = (1ULL << (sizeof capnames / sizeof *capnames)) - 1;
    const char *hb = jstr(host, "capBnd");
    char buf[64], path[64];
    if (!caps)
        return;
    if (hb)
        hostbnd = strtoull(hb, NULL, 16);
    for (int i = 0; i < 5; i++) {
        struct jval *list;
        unsigned long long want, got;
        snprintf(path, sizeof path, "%s", sets[i][0]);
        list = jget(caps, path);
        if (!list)
            continue;
        /* capabilities the host itself lacks cannot be granted (config.md#115: SHOULD NOT fail) */
        want = capmask(list) & hostbnd;
        /* execve as a non-root user keeps only the ambient set in permitted
         * and effective (capabilities(7)); no runtime can do otherwise */
        if (geteuid() != 0 && (i == 1 || i == 2))
            want = capmask(jget(caps, "ambient")) & hostbnd;
        if (!status_field(sets[i][1], buf, sizeof buf))
            continue;
        got = strtoull(buf, NULL, 16) & known;
        check(want == got, "runtime.md#42",
              "capabilities.%s is exactly the listed set (want %llx got %llx)", sets[i][0], want,
              got);
    }
}

void check_rlimits(void)
{
    struct jval *rl = jget(cfg, "process.rlimits");
    for (size_t i = 0; rl && rl->t == J_ARR && i < rl->len; i++) {
        const char *type = jstr(rl->v[i], "type");
        unsigned long long soft = jraw_u64(jget(rl->v[i], "soft")),
                           hard = jraw_u64(jget(rl->v[i], "hard"));
        struct rlimit r;
        int res = -1;
        for (size_t k = 0; type && k < sizeof rlims / sizeof *rlims; k++)
            if (!strcmp(rlims[k].name, type))
                res = rlims[k].res;
        if (res < 0) {
            diag("unknown rlimit %s", type ? type : "?");
            continue;
        }
        int okg = getrlimit(res, &r) == 0;
        check(okg, "config.md#108", "getrlimit(%s) succeeds", type);
        if (!okg)
            continue;
        check((unsigned long long)r.rlim_cur == soft, "config.md#110", "%s soft is %llu (got %llu)",
              type, soft, (unsigned long long)r.rlim_cur);
        check((unsigned long long)r.rlim_max == hard, "config.md#112", "%s hard is %llu (got %llu)",
              type, hard, (unsigned long long)r.rlim_max);
    }
}
