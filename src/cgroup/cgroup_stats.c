/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The read side for `events` and `update`: statistics in the shape of
 * runc's types.Stats from v1 or v2 files, update of a live cgroup, and the
 * OOM event source. File formats:
 *   flat keyed   "key value\n..."            (cpu.stat, memory.stat,
 *                                             memory.events, cpuacct.stat)
 *   v1 blkio     "MAJ:MIN Op value\n" + "Total N"
 *   v2 io.stat   "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N"
 *   single value "N\n" or "max\n" (read as UINT64_MAX) */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

/* The directory for controller ctl and whether it speaks v2: the unified
 * directory on v2; on v1/hybrid the controller's hierarchy, else (hybrid)
 * the cgroup2 directory if that has the controller's files. NULL if none. */
static const char *stat_dir(struct rl_cgroup *cg, const char *ctl, bool *v2)
{
    struct cg_hier *h;
    *v2 = cg->mode == RL_CGROUP_V2;
    if (*v2)
        return cg_find_unified(cg)->abs;
    if ((h = cg_find_controller(cg, ctl)) != NULL)
        return h->abs;
    if (cg->mode == RL_CGROUP_HYBRID && (h = cg_find_unified(cg)) != NULL) {
        *v2 = true;
        return h->abs;
    }
    return NULL;
}

/* One number; "max" -> UINT64_MAX. Missing or odd files leave *v alone. */
static void read_u64(const char *dir, const char *file, uint64_t *v)
{
    _cleanup_free_ char *s = cg_read_line(dir, file, NULL);
    uint64_t x;
    if (s == NULL)
        return;
    if (strcmp(s, "max") == 0)
        *v = UINT64_MAX;
    else if (rl_parse_u64(s, &x) == 0)
        *v = x;
}

/* The value of key in flat keyed text. */
static bool keyed(const char *text, const char *key, uint64_t *v)
{
    size_t kl = strlen(key);
    for (const char *s = text; s && *s;) {
        size_t n = strcspn(s, "\n");
        if (n > kl && strncmp(s, key, kl) == 0 && s[kl] == ' ') {
            char num[32];
            size_t vl = n - kl - 1;
            if (vl == 0 || vl >= sizeof(num))
                return false;
            memcpy(num, s + kl + 1, vl);
            num[vl] = '\0';
            return rl_parse_u64(num, v) == 0;
        }
        s += n + (s[n] == '\n');
    }
    return false;
}

static void read_keyed(const char *dir, const char *file, const char *key, uint64_t *v)
{
    _cleanup_free_ char *t = cg_read(dir, file, NULL);
    if (t != NULL)
        keyed(t, key, v);
}

/* Space-separated numbers (cpuacct.usage_percpu*). */
static void read_list(const char *dir, const char *file, uint64_t **out, size_t *n)
{
    _cleanup_free_ char *t = cg_read(dir, file, NULL);
    for (char *save = NULL, *tok = t ? strtok_r(t, " \n", &save) : NULL; tok;
         tok = strtok_r(NULL, " \n", &save)) {
        uint64_t v;
        if (rl_parse_u64(tok, &v) < 0)
            continue;
        *out = xrealloc(*out, (*n + 1) * sizeof(**out));
        (*out)[(*n)++] = v;
    }
}

/* ---- cpu ---- */

static void cpu_v1(struct rl_cgroup *cg, struct rl_cgroup_stats *s)
{
    bool v2;
    const char *acct = stat_dir(cg, "cpuacct", &v2);
    if (acct != NULL && !v2) {
        read_u64(acct, "cpuacct.usage", &s->cpu.total);
        read_list(acct, "cpuacct.usage_percpu", &s->cpu.percpu, &s->cpu.n_percpu);
        read_list(acct, "cpuacct.usage_percpu_user", &s->cpu.percpu_user, &s->cpu.n_percpu_user);
        read_list(acct, "cpuacct.usage_percpu_sys", &s->cpu.percpu_system, &s->cpu.n_percpu_system);
        if (cg_file_exists(acct, "cpuacct.usage_user")) {
            read_u64(acct, "cpuacct.usage_user", &s->cpu.user);
            read_u64(acct, "cpuacct.usage_sys", &s->cpu.system);
        } else {
            /* cpuacct.stat is in USER_HZ ticks */
            uint64_t u = 0, sy = 0, hz = (uint64_t)sysconf(_SC_CLK_TCK);
            read_keyed(acct, "cpuacct.stat", "user", &u);
            read_keyed(acct, "cpuacct.stat", "system", &sy);
            if (hz > 0) {
                s->cpu.user = u * (1000000000ULL / hz);
                s->cpu.system = sy * (1000000000ULL / hz);
            }
        }
    }
    const char *cpu = stat_dir(cg, "cpu", &v2);
    if (cpu != NULL && !v2) {
        _cleanup_free_ char *t = cg_read(cpu, "cpu.stat", NULL);
        keyed(t, "nr_periods", &s->cpu.periods);
        keyed(t, "nr_throttled", &s->cpu.throttled_periods);
        keyed(t, "throttled_time", &s->cpu.throttled_time);
    }
}

static void cpu_v2(const char *dir, struct rl_cgroup_stats *s)
{
    _cleanup_free_ char *t = cg_read(dir, "cpu.stat", NULL);
    uint64_t v;
    if (keyed(t, "usage_usec", &v))
        s->cpu.total = v * 1000;
    if (keyed(t, "user_usec", &v))
        s->cpu.user = v * 1000;
    if (keyed(t, "system_usec", &v))
        s->cpu.system = v * 1000;
    keyed(t, "nr_periods", &s->cpu.periods);
    keyed(t, "nr_throttled", &s->cpu.throttled_periods);
    if (keyed(t, "throttled_usec", &v))
        s->cpu.throttled_time = v * 1000;
}

/* ---- memory ---- */

static void raw_stats(const char *dir, const char *file, struct rl_cgroup_stats *s)
{
    _cleanup_free_ char *t = cg_read(dir, file, NULL);
    for (char *save = NULL, *line = t ? strtok_r(t, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        uint64_t v;
        if (sp == NULL || rl_parse_u64(sp + 1, &v) < 0)
            continue;
        *sp = '\0';
        s->memory.raw = xrealloc(s->memory.raw, (s->memory.n_raw + 1) * sizeof(*s->memory.raw));
        s->memory.raw[s->memory.n_raw++] = (struct rl_cgroup_kv_u64){xstrdup(line), v};
    }
}

static uint64_t raw_get(const struct rl_cgroup_stats *s, const char *key)
{
    for (size_t i = 0; i < s->memory.n_raw; i++)
        if (strcmp(s->memory.raw[i].key, key) == 0)
            return s->memory.raw[i].value;
    return 0;
}

static void mem_entry_v1(const char *dir, const char *prefix, struct rl_cgroup_mem_entry *e)
{
    static const char *const suf[] = {"usage_in_bytes", "max_usage_in_bytes", "failcnt",
                                      "limit_in_bytes"};
    uint64_t *dst[] = {&e->usage, &e->max_usage, &e->failcnt, &e->limit};
    for (size_t i = 0; i < ARRAY_SIZE(suf); i++) {
        _cleanup_free_ char *f = xasprintf("%s.%s", prefix, suf[i]);
        read_u64(dir, f, dst[i]);
    }
}

static void memory_v1(const char *dir, struct rl_cgroup_stats *s)
{
    mem_entry_v1(dir, "memory", &s->memory.usage);
    mem_entry_v1(dir, "memory.memsw", &s->memory.swap);
    mem_entry_v1(dir, "memory.kmem", &s->memory.kernel);
    mem_entry_v1(dir, "memory.kmem.tcp", &s->memory.kernel_tcp);
    raw_stats(dir, "memory.stat", s);
    s->memory.cache = raw_get(s, "cache");
    s->memory.rss = raw_get(s, "rss");
    uint64_t h = 0;
    read_u64(dir, "memory.use_hierarchy", &h);
    s->memory.use_hierarchy = h == 1;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void memory_v2(const char *dir, struct rl_cgroup_stats *s)
{
    struct rl_cgroup_mem_entry *u = &s->memory.usage, *sw = &s->memory.swap;
    read_u64(dir, "memory.current", &u->usage);
    read_u64(dir, "memory.peak", &u->max_usage);
    read_u64(dir, "memory.max", &u->limit);
    read_keyed(dir, "memory.events", "max", &u->failcnt);
    uint64_t swc = 0, swm = 0;
    read_u64(dir, "memory.swap.current", &swc);
    read_u64(dir, "memory.swap.max", &swm);
    sw->usage = sat_add(swc, u->usage);
    sw->limit = sat_add(swm, u->limit);
    read_keyed(dir, "memory.swap.events", "max", &sw->failcnt);
    raw_stats(dir, "memory.stat", s);
    s->memory.cache = raw_get(s, "file");
    s->memory.rss = raw_get(s, "anon");
    s->memory.use_hierarchy = true;
}

/* ---- blkio ---- */

static void blk_push(struct rl_cgroup_blkio_entry **l, size_t *n, uint64_t maj, uint64_t min,
                     const char *op, uint64_t v)
{
    *l = xrealloc(*l, (*n + 1) * sizeof(**l));
    (*l)[(*n)++] = (struct rl_cgroup_blkio_entry){maj, min, xstrdup(op), v};
}

/* "MAJ:MIN Op value" lines; the last "Total N" (no device) is skipped. */
static bool blkio_v1_file(const char *dir, const char *file, struct rl_cgroup_blkio_entry **l,
                          size_t *n)
{
    _cleanup_free_ char *t = cg_read(dir, file, NULL);
    size_t before = *n;
    for (char *save = NULL, *line = t ? strtok_r(t, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        unsigned long long maj, min, v;
        char op[16];
        if (sscanf(line, "%llu:%llu %15s %llu", &maj, &min, op, &v) == 4)
            blk_push(l, n, maj, min, op, v);
    }
    return *n > before;
}

static void blkio_v1(const char *dir, struct rl_cgroup_stats *s)
{
    /* CFQ's files (kernels < 5.0) when they have data, else the throttle
     * ones, which count every I/O (as runc) */
    if (!blkio_v1_file(dir, "blkio.io_service_bytes_recursive", &s->blkio.service_bytes,
                       &s->blkio.n_service_bytes))
        blkio_v1_file(dir, "blkio.throttle.io_service_bytes_recursive", &s->blkio.service_bytes,
                      &s->blkio.n_service_bytes);
    if (!blkio_v1_file(dir, "blkio.io_serviced_recursive", &s->blkio.serviced,
                       &s->blkio.n_serviced))
        blkio_v1_file(dir, "blkio.throttle.io_serviced_recursive", &s->blkio.serviced,
                      &s->blkio.n_serviced);
}

static void io_v2(const char *dir, struct rl_cgroup_stats *s)
{
    _cleanup_free_ char *t = cg_read(dir, "io.stat", NULL);
    for (char *save = NULL, *line = t ? strtok_r(t, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        unsigned long long maj, min;
        int off = 0;
        if (sscanf(line, "%llu:%llu%n", &maj, &min, &off) != 2)
            continue;
        char *save2 = NULL;
        for (char *kv = strtok_r(line + off, " ", &save2); kv; kv = strtok_r(NULL, " ", &save2)) {
            char *eq = strchr(kv, '=');
            uint64_t v;
            if (eq == NULL || rl_parse_u64(eq + 1, &v) < 0)
                continue;
            *eq = '\0';
            if (strcmp(kv, "rbytes") == 0)
                blk_push(&s->blkio.service_bytes, &s->blkio.n_service_bytes, maj, min, "Read", v);
            else if (strcmp(kv, "wbytes") == 0)
                blk_push(&s->blkio.service_bytes, &s->blkio.n_service_bytes, maj, min, "Write", v);
            else if (strcmp(kv, "rios") == 0)
                blk_push(&s->blkio.serviced, &s->blkio.n_serviced, maj, min, "Read", v);
            else if (strcmp(kv, "wios") == 0)
                blk_push(&s->blkio.serviced, &s->blkio.n_serviced, maj, min, "Write", v);
        }
    }
}

/* ---- hugetlb: the sizes are the hugetlb.<size>.* files of the dir ---- */

static void hugetlb_stats(const char *dir, bool v2, struct rl_cgroup_stats *s)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, alphasort);
    const char *suffix = v2 ? ".current" : ".usage_in_bytes";
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        size_t len = strlen(name), sl = strlen(suffix);
        if (strncmp(name, "hugetlb.", 8) == 0 && len > 8 + sl &&
            strcmp(name + len - sl, suffix) == 0 && strstr(name, ".rsvd.") == NULL) {
            _cleanup_free_ char *size = strndup(name + 8, len - 8 - sl);
            if (size == NULL)
                xoom();
            s->hugetlb = xrealloc(s->hugetlb, (s->n_hugetlb + 1) * sizeof(*s->hugetlb));
            struct rl_cgroup_hugetlb_entry *e = &s->hugetlb[s->n_hugetlb++];
            *e = (struct rl_cgroup_hugetlb_entry){.page_size = xstrdup(size)};
            _cleanup_free_ char *f1 = xasprintf("hugetlb.%s%s", size, suffix);
            read_u64(dir, f1, &e->usage);
            if (v2) {
                _cleanup_free_ char *ev = xasprintf("hugetlb.%s.events", size);
                read_keyed(dir, ev, "max", &e->failcnt);
            } else {
                _cleanup_free_ char *mx = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
                _cleanup_free_ char *fc = xasprintf("hugetlb.%s.failcnt", size);
                read_u64(dir, mx, &e->max_usage);
                read_u64(dir, fc, &e->failcnt);
            }
        }
        free(list[i]);
    }
    free(list);
}

/* ---- cpuset ---- */

/* A cpu or node list ("0-3,8,10-11") into numbers; junk ends the parse. */
static void read_id_list(const char *dir, const char *file, uint16_t **out, size_t *n)
{
    _cleanup_free_ char *t = cg_read_line(dir, file, NULL);
    for (char *save = NULL, *tok = t ? strtok_r(t, ",", &save) : NULL; tok;
         tok = strtok_r(NULL, ",", &save)) {
        unsigned a, b;
        int k = sscanf(tok, "%u-%u", &a, &b);
        if (k == 1)
            b = a;
        if (k < 1 || b < a || b > UINT16_MAX)
            return;
        for (unsigned i = a; i <= b; i++) {
            *out = xrealloc(*out, (*n + 1) * sizeof(**out));
            (*out)[(*n)++] = (uint16_t)i;
        }
    }
}

static void cpuset_stats(const char *dir, bool v2, struct rl_cgroup_stats *s)
{
    if (v2) {
        read_id_list(dir, "cpuset.cpus.effective", &s->cpuset.cpus, &s->cpuset.n_cpus);
        read_id_list(dir, "cpuset.mems.effective", &s->cpuset.mems, &s->cpuset.n_mems);
        return;
    }
    read_id_list(dir, "cpuset.cpus", &s->cpuset.cpus, &s->cpuset.n_cpus);
    read_id_list(dir, "cpuset.mems", &s->cpuset.mems, &s->cpuset.n_mems);
    static const char *const files[] = {
        "cpuset.cpu_exclusive",   "cpuset.mem_hardwall",       "cpuset.mem_exclusive",
        "cpuset.memory_migrate",  "cpuset.memory_spread_page", "cpuset.memory_spread_slab",
        "cpuset.memory_pressure", "cpuset.sched_load_balance",
    };
    uint64_t *dst[] = {&s->cpuset.cpu_exclusive,      &s->cpuset.mem_hardwall,
                       &s->cpuset.mem_exclusive,      &s->cpuset.memory_migrate,
                       &s->cpuset.memory_spread_page, &s->cpuset.memory_spread_slab,
                       &s->cpuset.memory_pressure,    &s->cpuset.sched_load_balance};
    for (size_t i = 0; i < ARRAY_SIZE(files); i++)
        read_u64(dir, files[i], dst[i]);
    _cleanup_free_ char *lvl = cg_read_line(dir, "cpuset.sched_relax_domain_level", NULL);
    if (lvl != NULL) {
        char *end;
        long long v = strtoll(lvl, &end, 10);
        if (end != lvl && *end == '\0')
            s->cpuset.sched_relax_domain_level = v;
    }
}

int rl_cgroup_stats(struct rl_cgroup *cg, struct rl_cgroup_stats *out, struct rl_error **err)
{
    memset(out, 0, sizeof(*out));
    bool v2;
    const char *dir;
    if (cg->mode == RL_CGROUP_V2) {
        dir = cg_find_unified(cg)->abs;
        if (!cg_file_exists(dir, "cgroup.procs"))
            return rl_error_code(err, ENOENT, "stats: no cgroup %s", dir);
        cpu_v2(dir, out);
    } else {
        cpu_v1(cg, out);
    }
    if ((dir = stat_dir(cg, "memory", &v2)) != NULL)
        v2 ? memory_v2(dir, out) : memory_v1(dir, out);
    if ((dir = stat_dir(cg, "pids", &v2)) != NULL) {
        read_u64(dir, "pids.current", &out->pids.current);
        read_u64(dir, "pids.max", &out->pids.limit);
        if (out->pids.limit == UINT64_MAX)
            out->pids.limit = 0;
    }
    if ((dir = stat_dir(cg, cg->mode == RL_CGROUP_V2 ? "io" : "blkio", &v2)) != NULL)
        v2 ? io_v2(dir, out) : blkio_v1(dir, out);
    if ((dir = stat_dir(cg, "hugetlb", &v2)) != NULL)
        hugetlb_stats(dir, v2, out);
    if ((dir = stat_dir(cg, "cpuset", &v2)) != NULL)
        cpuset_stats(dir, v2, out);
    return 0;
}

void rl_cgroup_stats_free(struct rl_cgroup_stats *s)
{
    if (s == NULL)
        return;
    free(s->cpu.percpu);
    free(s->cpu.percpu_user);
    free(s->cpu.percpu_system);
    for (size_t i = 0; i < s->memory.n_raw; i++)
        free(s->memory.raw[i].key);
    free(s->memory.raw);
    for (size_t i = 0; i < s->blkio.n_service_bytes; i++)
        free(s->blkio.service_bytes[i].op);
    free(s->blkio.service_bytes);
    for (size_t i = 0; i < s->blkio.n_serviced; i++)
        free(s->blkio.serviced[i].op);
    free(s->blkio.serviced);
    for (size_t i = 0; i < s->n_hugetlb; i++)
        free(s->hugetlb[i].page_size);
    free(s->hugetlb);
    free(s->cpuset.cpus);
    free(s->cpuset.mems);
    memset(s, 0, sizeof(*s));
}

/* ---- update ---- */

int rl_cgroup_update(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    if (res == NULL || !res->present)
        return 0;
    struct rl_resources r = *res;
    r.devices = NULL;
    r.n_devices = 0;
    if (cg_priv(cg)->sd && cg_sd_update(cg, &r, err) < 0)
        return rl_error_wrap(err, "update");
    if (cg->mode == RL_CGROUP_V2 && cgv2_enable(cg, &r, err) < 0)
        return rl_error_wrap(err, "update");
    return cg->ops->apply(cg, &r, err);
}

/* ---- OOM ---- */

static const char *oom_dir(struct rl_cgroup *cg, bool *v2, struct rl_error **err)
{
    const char *dir = stat_dir(cg, "memory", v2);
    if (dir == NULL)
        rl_error(err, "oom: no memory cgroup under %s", cg->root);
    return dir;
}

int rl_cgroup_oom_fd(struct rl_cgroup *cg, struct rl_error **err)
{
    bool v2;
    const char *dir = oom_dir(cg, &v2, err);
    if (dir == NULL)
        return -1;
    if (v2) {
        _cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        _cleanup_free_ char *p = xasprintf("%s/memory.events", dir);
        if (fd < 0)
            return rl_error_errno(err, "oom: inotify_init1");
        if (inotify_add_watch(fd, p, IN_MODIFY) < 0)
            return rl_error_errno(err, "oom: inotify_add_watch %s", p);
        return steal_fd(&fd);
    }
    _cleanup_free_ char *p = xasprintf("%s/memory.oom_control", dir);
    _cleanup_close_ int ofd = open(p, O_RDONLY | O_CLOEXEC);
    if (ofd < 0)
        return rl_error_errno(err, "oom: open %s", p);
    _cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC);
    if (efd < 0)
        return rl_error_errno(err, "oom: eventfd");
    char buf[32];
    snprintf(buf, sizeof(buf), "%d %d", efd, ofd);
    if (cg_write(dir, "cgroup.event_control", buf, err) < 0)
        return rl_error_wrap(err, "oom: register eventfd");
    return steal_fd(&efd);
}

int rl_cgroup_oom_kill_count(struct rl_cgroup *cg, uint64_t *count, struct rl_error **err)
{
    bool v2;
    *count = 0;
    const char *dir = oom_dir(cg, &v2, err);
    if (dir == NULL)
        return -1;
    _cleanup_free_ char *t = cg_read(dir, v2 ? "memory.events" : "memory.oom_control", err);
    if (t == NULL)
        return rl_error_wrap(err, "oom");
    keyed(t, "oom_kill", count);
    return 0;
}

/* The OOM event source of `events`: rl_cgroup_oom_fd plus the oom_kill
 * count it needs on v2 (inotify says memory.events changed, not why). No
 * memory controller: fd -1, never readable. */
int rl_cgroup_oom_open(struct rl_cgroup *cg, struct rl_cgroup_oom *o, struct rl_error **err)
{
    memset(o, 0, sizeof(*o));
    o->fd = -1;
    bool v2;
    const char *dir = stat_dir(cg, "memory", &v2);
    if (dir == NULL || !cg_file_exists(dir, v2 ? "memory.events" : "memory.oom_control"))
        return 0;
    o->v2 = v2;
    o->dir = xstrdup(dir);
    if (v2)
        read_keyed(dir, "memory.events", "oom_kill", &o->last);
    o->fd = rl_cgroup_oom_fd(cg, err);
    return o->fd < 0 ? -1 : 0;
}

/* Drain the fd; the number of OOM kills since the last call. */
int rl_cgroup_oom_read(struct rl_cgroup_oom *o)
{
    if (!o->v2) {
        uint64_t n = 0;
        return read(o->fd, &n, sizeof(n)) == sizeof(n) ? (int)n : 0;
    }
    char buf[4096];
    while (read(o->fd, buf, sizeof(buf)) > 0)
        ;
    uint64_t now = o->last;
    read_keyed(o->dir, "memory.events", "oom_kill", &now);
    int n = now > o->last ? (int)(now - o->last) : 0;
    o->last = now;
    return n;
}

void rl_cgroup_oom_close(struct rl_cgroup_oom *o)
{
    if (o->fd >= 0)
        close(o->fd);
    free(o->dir);
    o->fd = -1;
    o->dir = NULL;
}
