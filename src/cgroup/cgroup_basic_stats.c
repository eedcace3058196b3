/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The few figures `events` reports (cpu usage, memory usage/limit, pids),
 * read straight from the control files of whichever hierarchy has the
 * controller (v1 first, then the unified one), and OOM notification (v1:
 * eventfd on memory.oom_control; v2: inotify on memory.events, counting
 * oom_kill). Kept small and in one place: a fuller rl_cgroup_stats can
 * replace rl_cgroup_basic_stats. */
#include "cgroup_internal.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

/* The directory with file in it: the v1 hierarchy of controller, else the
 * unified one. NULL if neither has it. */
static const char *dir_with(struct rl_cgroup *cg, const char *controller, const char *file)
{
    const struct cg_hier *h = cg_find_controller(cg, controller);
    const struct cg_hier *u = cg_find_unified(cg);
    const struct cg_hier *c[] = {h, u};
    for (size_t i = 0; i < 2; i++) {
        if (c[i] == NULL)
            continue;
        _cleanup_free_ char *p = xasprintf("%s/%s", c[i]->abs, file);
        if (access(p, R_OK) == 0)
            return c[i]->abs;
    }
    return NULL;
}

/* One number from a file; "max" reads as UINT64_MAX. */
static bool read_u64(const char *dir, const char *file, uint64_t *out)
{
    _cleanup_free_ char *s = dir ? cg_read_line(dir, file, NULL) : NULL;
    if (s == NULL)
        return false;
    if (strcmp(s, "max") == 0) {
        *out = UINT64_MAX;
        return true;
    }
    return rl_parse_u64(s, out) == 0;
}

/* "key value" lines (cpu.stat, cpuacct.stat, memory.events). */
static bool read_key(const char *dir, const char *file, const char *key, uint64_t *out)
{
    _cleanup_free_ char *s = dir ? cg_read(dir, file, NULL) : NULL;
    size_t klen = strlen(key);
    for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, klen) == 0 && l[klen] == ' ') {
            *out = strtoull(l + klen + 1, NULL, 10);
            return true;
        }
    }
    return false;
}

static void cpu_stats(struct rl_cgroup *cg, struct rl_cgroup_basic_stats *s)
{
    const char *d = dir_with(cg, "cpuacct", "cpuacct.usage");
    if (d) {
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t ticks;
        s->has_cpu = read_u64(d, "cpuacct.usage", &s->cpu_total_ns);
        if (hz > 0 && read_key(d, "cpuacct.stat", "user", &ticks))
            s->cpu_user_ns = ticks * (1000000000ull / (uint64_t)hz);
        if (hz > 0 && read_key(d, "cpuacct.stat", "system", &ticks))
            s->cpu_kernel_ns = ticks * (1000000000ull / (uint64_t)hz);
        return;
    }
    d = dir_with(cg, "cpu", "cpu.stat");
    uint64_t us;
    if (d && read_key(d, "cpu.stat", "usage_usec", &us)) {
        s->has_cpu = true;
        s->cpu_total_ns = us * 1000;
        if (read_key(d, "cpu.stat", "user_usec", &us))
            s->cpu_user_ns = us * 1000;
        if (read_key(d, "cpu.stat", "system_usec", &us))
            s->cpu_kernel_ns = us * 1000;
    }
}

static void memory_stats(struct rl_cgroup *cg, struct rl_cgroup_basic_stats *s)
{
    const char *d = dir_with(cg, "memory", "memory.usage_in_bytes");
    if (d && cg_find_controller(cg, "memory")) {
        s->has_memory = read_u64(d, "memory.usage_in_bytes", &s->mem_usage);
        read_u64(d, "memory.limit_in_bytes", &s->mem_limit);
        read_u64(d, "memory.max_usage_in_bytes", &s->mem_max);
        read_u64(d, "memory.failcnt", &s->mem_failcnt);
        return;
    }
    d = dir_with(cg, "memory", "memory.current");
    if (d) {
        s->has_memory = read_u64(d, "memory.current", &s->mem_usage);
        read_u64(d, "memory.max", &s->mem_limit);
        read_u64(d, "memory.peak", &s->mem_max);
        read_key(d, "memory.events", "max", &s->mem_failcnt);
    }
}

int rl_cgroup_basic_stats(struct rl_cgroup *cg, struct rl_cgroup_basic_stats *s,
                          struct rl_error **err)
{
    memset(s, 0, sizeof(*s));
    cpu_stats(cg, s);
    memory_stats(cg, s);
    const char *d = dir_with(cg, "pids", "pids.current");
    if (d) {
        s->has_pids = read_u64(d, "pids.current", &s->pids_current);
        if (!read_u64(d, "pids.max", &s->pids_limit) || s->pids_limit == UINT64_MAX)
            s->pids_limit = 0; /* runc reports "max" as 0 */
    }
    return 0;
}

/* ---- OOM ---- */

int rl_cgroup_oom_open(struct rl_cgroup *cg, struct rl_cgroup_oom *o, struct rl_error **err)
{
    memset(o, 0, sizeof(*o));
    o->fd = -1;
    const struct cg_hier *h = cg_find_controller(cg, "memory");
    if (h) {
        _cleanup_close_ int ctl = -1;
        _cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        _cleanup_free_ char *p = xasprintf("%s/memory.oom_control", h->abs);
        ctl = open(p, O_RDONLY | O_CLOEXEC);
        if (efd < 0 || ctl < 0)
            return rl_error_errno(err, "oom notification: %s", p);
        char buf[64];
        snprintf(buf, sizeof(buf), "%d %d", efd, ctl);
        if (cg_write(h->abs, "cgroup.event_control", buf, err) < 0)
            return -1;
        o->fd = steal_fd(&efd); /* the kernel holds ctl now; ours can go */
        return 0;
    }
    const char *d = dir_with(cg, "memory", "memory.events");
    if (d == NULL)
        return 0; /* no memory controller: never readable */
    o->v2 = true;
    o->dir = xstrdup(d);
    read_key(d, "memory.events", "oom_kill", &o->last);
    o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    _cleanup_free_ char *p = xasprintf("%s/memory.events", d);
    if (o->fd < 0 || inotify_add_watch(o->fd, p, IN_MODIFY) < 0)
        return rl_error_errno(err, "oom notification: inotify %s", p);
    return 0;
}

int rl_cgroup_oom_read(struct rl_cgroup_oom *o)
{
    char buf[4096];
    if (!o->v2) {
        uint64_t n = 0;
        return read(o->fd, &n, sizeof(n)) == sizeof(n) ? (int)n : 0;
    }
    while (read(o->fd, buf, sizeof(buf)) > 0)
        ;
    uint64_t now = o->last;
    read_key(o->dir, "memory.events", "oom_kill", &now);
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
