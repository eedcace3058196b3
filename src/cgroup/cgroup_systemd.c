/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The systemd cgroup driver (--systemd-cgroup, --cgroup-manager systemd), as
 * runc's: on a cgroup v2 host the container's cgroup is a transient scope
 * unit "<prefix>-<name>.scope" in the slice of a cgroupsPath
 * "slice:prefix:name", started over D-Bus (cgroup_sdbus.c) with
 * Delegate=yes and the init's pid, so systemd knows the cgroup and keeps
 * its hands off the inside. Resources systemd can express go in as unit
 * properties (systemd rewrites the files from them on daemon-reload); then
 * every resource is written to the cgroup files as the cgroupfs v2 manager
 * does (what systemd cannot express, and the exact values where systemd
 * rounds). Everything after the start (pids, kill, freeze, stats) is the
 * v2 manager's; delete stops the unit.
 *
 * The scope needs a pid, so this manager cannot give clone3 a cgroup to be
 * born in: create() only computes the properties, add_pid() starts the
 * unit, and create.c applies the resources after that
 * (rl_cgroup_needs_pid). */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_SLICE  "system.slice"
#define DEFAULT_PREFIX "rustlet"
#define MAX_CPUS       8192

/* ---- names ---- */

char *cg_sd_expand_slice(const char *slice)
{
    size_t len = slice ? strlen(slice) : 0;
    if (len < 7 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
        return NULL;
    if (strcmp(slice, "-.slice") == 0)
        return xstrdup("");
    size_t base = len - 6;
    if (slice[0] == '-' || slice[base - 1] == '-' || strstr(slice, "--"))
        return NULL;
    char *out = xmalloc(2 * (len + 8) * (base + 1));
    size_t o = 0;
    for (size_t i = 0; i <= base; i++) {
        if (i == base || slice[i] == '-') {
            o += (size_t)sprintf(out + o, "/%.*s.slice", (int)i, slice);
        }
    }
    out[o] = '\0';
    return out;
}

/* Characters systemd allows in a unit name (besides the escapes). */
static bool unit_chars_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-_.\\@", *s)))
            return false;
    return true;
}

int cg_sd_parse_path(const char *cgpath, const char *id, char **slice, char **unit, char **name,
                     struct rl_error **err)
{
    if (cgpath == NULL || *cgpath == '\0') {
        *slice = xstrdup(DEFAULT_SLICE);
        *unit = xasprintf(DEFAULT_PREFIX "-%s.scope", id);
        *name = xstrdup(id);
        return 0;
    }
    const char *c1 = strchr(cgpath, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c1 == NULL || c2 == NULL || strchr(c2 + 1, ':'))
        return rl_error(err,
                        "linux.cgroupsPath \"%s\": expected \"slice:prefix:name\" for the "
                        "systemd cgroup driver",
                        cgpath);
    _cleanup_free_ char *s = strndup(cgpath, (size_t)(c1 - cgpath));
    _cleanup_free_ char *prefix = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
    const char *n = c2 + 1;
    if (s == NULL || prefix == NULL)
        xoom();
    if (*s == '\0') {
        free(s);
        s = xstrdup(DEFAULT_SLICE);
    }
    _cleanup_free_ char *exp = cg_sd_expand_slice(s);
    if (exp == NULL)
        return rl_error(err,
                        "linux.cgroupsPath \"%s\": \"%s\" is not a slice name "
                        "(NAME.slice, dashes only between words)",
                        cgpath, s);
    if (*n == '\0')
        return rl_error(err, "linux.cgroupsPath \"%s\": no unit name after the prefix", cgpath);
    size_t nl = strlen(n);
    if (nl > 6 && strcmp(n + nl - 6, ".slice") == 0)
        return rl_error(err,
                        "linux.cgroupsPath \"%s\": a slice unit as the container's "
                        "cgroup is not supported (give a scope name)",
                        cgpath);
    if (!unit_chars_ok(n) || !unit_chars_ok(prefix))
        return rl_error(err,
                        "linux.cgroupsPath \"%s\": a unit name may only have letters, "
                        "digits and \"-_.\\@\"",
                        cgpath);
    *unit = *prefix ? xasprintf("%s-%s.scope", prefix, n) : xasprintf("%s.scope", n);
    if (strlen(*unit) > 255) {
        free(*unit);
        *unit = NULL;
        return rl_error(err, "linux.cgroupsPath \"%s\": the unit name is longer than 255", cgpath);
    }
    *slice = steal_pointer(&s);
    *name = xstrdup(n);
    return 0;
}

int cg_sd_cpu_mask(const char *list, uint8_t **bytes, size_t *n)
{
    uint8_t *b = xzalloc(MAX_CPUS / 8);
    size_t top = 0;
    const char *s = list;
    while (*s) {
        char *end;
        errno = 0;
        unsigned long a = strtoul(s, &end, 10), z = a;
        if (end == s || errno)
            goto bad;
        s = end;
        if (*s == '-') {
            const char *t = s + 1;
            z = strtoul(t, &end, 10);
            if (end == t || errno)
                goto bad;
            s = end;
        }
        if (z < a || z >= MAX_CPUS)
            goto bad;
        for (unsigned long i = a; i <= z; i++)
            b[i / 8] |= (uint8_t)(1u << (i % 8));
        if (z / 8 + 1 > top)
            top = z / 8 + 1;
        if (*s == ',')
            s++;
        else if (*s != '\0' && *s != '\n')
            goto bad;
        if (*s == '\n')
            break;
    }
    if (top == 0)
        goto bad;
    *bytes = b;
    *n = top;
    return 0;
bad:
    free(b);
    return -1;
}

/* ---- properties ---- */

struct prop_list {
    struct cg_sd_prop *p;
    size_t n;
};

static void add_u64(struct prop_list *l, const char *name, uint64_t v)
{
    l->p = xrealloc(l->p, (l->n + 1) * sizeof(*l->p));
    l->p[l->n++] = (struct cg_sd_prop){.name = name, .type = 't', .u = v};
}

static int add_mask(struct prop_list *l, const char *name, const char *list, const char *cfg,
                    struct rl_error **err)
{
    uint8_t *b;
    size_t n;
    if (cg_sd_cpu_mask(list, &b, &n) < 0)
        return rl_error(err, "%s \"%s\": not a list like 0-3,6", cfg, list);
    l->p = xrealloc(l->p, (l->n + 1) * sizeof(*l->p));
    l->p[l->n++] = (struct cg_sd_prop){.name = name, .type = 'y', .bytes = b, .n = n};
    return 0;
}

/* -1 (the spec's unlimited) and "max" are systemd's infinity. */
#define INF UINT64_MAX

static uint64_t lim(int64_t v)
{
    return v < 0 ? INF : (uint64_t)v;
}

/* cpu.max as systemd has it: quota per second, rounded up to whole
 * percents (10 ms) as runc does, and the period. */
static void add_cpu_quota(struct prop_list *l, int64_t quota, uint64_t period)
{
    if (period == 0)
        period = 100000;
    if (quota > 0) {
        uint64_t per_sec = (uint64_t)quota * 1000000 / period;
        if (per_sec % 10000)
            per_sec = (per_sec / 10000 + 1) * 10000;
        add_u64(l, "CPUQuotaPerSecUSec", per_sec);
    } else if (quota < 0) {
        add_u64(l, "CPUQuotaPerSecUSec", INF);
    }
    add_u64(l, "CPUQuotaPeriodUSec", period);
}

/* linux.resources.unified keys systemd has a property for (runc's list). */
static int add_unified(struct prop_list *l, const struct rl_kv *kv, struct rl_error **err)
{
    static const struct {
        const char *key, *prop;
    } map[] = {
        {"memory.high", "MemoryHigh"},        {"memory.low", "MemoryLow"},
        {"memory.min", "MemoryMin"},          {"memory.max", "MemoryMax"},
        {"memory.swap.max", "MemorySwapMax"}, {"pids.max", "TasksMax"},
        {"cpu.weight", "CPUWeight"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (strcmp(kv->key, map[i].key) != 0)
            continue;
        const char *v = kv->value ? kv->value : "";
        uint64_t u;
        if (strcmp(v, "max") == 0)
            u = INF;
        else if (rl_parse_u64(v, &u) < 0)
            return rl_error(err, "linux.resources.unified.%s \"%s\": not a number or \"max\"",
                            kv->key, v);
        add_u64(l, map[i].prop, u);
        return 0;
    }
    if (strcmp(kv->key, "cpuset.cpus") == 0)
        return add_mask(l, "AllowedCPUs", kv->value ? kv->value : "",
                        "linux.resources.unified.cpuset.cpus", err);
    if (strcmp(kv->key, "cpuset.mems") == 0)
        return add_mask(l, "AllowedMemoryNodes", kv->value ? kv->value : "",
                        "linux.resources.unified.cpuset.mems", err);
    return 0;
}

int cg_sd_props(const struct rl_resources *r, struct cg_sd_prop **props, size_t *n,
                struct rl_error **err)
{
    struct prop_list l = {0};
    *props = NULL;
    *n = 0;
    if (r == NULL || !r->present)
        return 0;
    int64_t limit = r->memory.has_limit ? r->memory.limit : 0;
    if (r->memory.present) {
        if (limit != 0)
            add_u64(&l, "MemoryMax", lim(limit));
        if (r->memory.has_reservation && r->memory.reservation != 0)
            add_u64(&l, "MemoryLow", lim(r->memory.reservation));
        int64_t swap = r->memory.has_swap ? r->memory.swap : 0, swap2;
        if (rl_cgroup_swap_to_v2(swap, limit, &swap2, err) < 0)
            goto fail;
        if (swap2 != 0 || swap > 0)
            add_u64(&l, "MemorySwapMax", lim(swap2));
    }
    if (r->cpu.present) {
        if (r->cpu.has_shares && r->cpu.shares != 0)
            add_u64(&l, "CPUWeight", rl_cgroup_shares_to_weight(r->cpu.shares));
        int64_t quota = r->cpu.has_quota ? r->cpu.quota : 0;
        uint64_t period = r->cpu.has_period ? r->cpu.period : 0;
        if (quota != 0 || period != 0)
            add_cpu_quota(&l, quota, period);
        if (r->cpu.cpus && *r->cpu.cpus &&
            add_mask(&l, "AllowedCPUs", r->cpu.cpus, "linux.resources.cpu.cpus", err) < 0)
            goto fail;
        if (r->cpu.mems && *r->cpu.mems &&
            add_mask(&l, "AllowedMemoryNodes", r->cpu.mems, "linux.resources.cpu.mems", err) < 0)
            goto fail;
    }
    /* runc: a positive limit, or -1 for none; 0 is left to the file */
    if (r->pids.present && r->pids.limit != 0)
        add_u64(&l, "TasksMax", lim(r->pids.limit));
    if (r->block_io.has_weight && r->block_io.weight != 0)
        add_u64(&l, "IOWeight", cg_blkio_weight_to_io(r->block_io.weight));
    for (size_t i = 0; i < r->n_unified; i++)
        if (add_unified(&l, &r->unified[i], err) < 0)
            goto fail;
    *props = l.p;
    *n = l.n;
    return 0;
fail:
    cg_sd_props_free(l.p, l.n);
    return -1;
}

void cg_sd_props_free(struct cg_sd_prop *props, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(props[i].bytes);
    free(props);
}

void cg_sd_free(struct cg_sd *sd)
{
    if (sd == NULL)
        return;
    cg_sd_disconnect(sd);
    cg_sd_props_free(sd->props, sd->n_props);
    free(sd->slice);
    free(sd->unit);
    free(sd->name);
    free(sd);
}

/* ---- the manager ---- */

static struct cg_sd *sd_of(struct rl_cgroup *cg)
{
    return cg_priv(cg)->sd;
}

static void sd_fini(struct rl_cgroup *cg)
{
    cg_sd_free(sd_of(cg));
    cg_priv(cg)->sd = NULL;
}

static int sd_create(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    struct cg_sd *sd = sd_of(cg);
    cg_sd_props_free(sd->props, sd->n_props);
    sd->props = NULL;
    sd->n_props = 0;
    if (cg_sd_props(res, &sd->props, &sd->n_props, err) < 0 || cg_sd_connect(sd, err) < 0)
        return rl_error_wrap(err, "create cgroup (systemd unit %s)", sd->unit);
    sd->pending = true;
    return 0;
}

/* The scope's cgroup as the kernel shows it for pid ("0::/system.slice/x.scope"). */
static int sd_take_dir(struct rl_cgroup *cg, pid_t pid, struct rl_error **err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    _cleanup_free_ char *text = rl_read_file_at(AT_FDCWD, path, 0, NULL, err);
    if (text == NULL)
        return -1;
    const char *line = strstr(text, "0::");
    if (line == NULL || (line != text && line[-1] != '\n'))
        return rl_error(err, "%s: no cgroup v2 line", path);
    _cleanup_free_ char *dir = strndup(line + 3, strcspn(line + 3, "\n"));
    struct cg_hier *h = cg_find_unified(cg);
    if (dir == NULL)
        xoom();
    if (strcmp(dir, h->dir) != 0) {
        rl_debug("systemd: unit %s is at %s (expected %s)", sd_of(cg)->unit, dir, h->dir);
        free(h->dir);
        free(h->abs);
        h->dir = cg_clean_abs(dir);
        h->abs = xasprintf("%s%s", h->mount, h->dir);
    }
    return 0;
}

static int sd_add_pid(struct rl_cgroup *cg, pid_t pid, struct rl_error **err)
{
    struct cg_sd *sd = sd_of(cg);
    if (!sd->pending)
        return cg_v2_ops.add_pid(cg, pid, err);
    if (cg_sd_start(sd, pid, err) < 0)
        return -1;
    sd->pending = false;
    sd->owned = true;
    return sd_take_dir(cg, pid, err);
}

static int sd_apply(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    struct cg_sd *sd = sd_of(cg);
    if (sd->pending)
        return rl_error(err, "systemd unit %s: resources before the unit was started", sd->unit);
    /* systemd enables what its properties need; the rest (hugetlb, rdma,
     * misc) is enabled here, as runc does */
    if (cgv2_enable(cg, res, err) < 0)
        return rl_error_wrap(err, "systemd unit %s", sd->unit);
    return cg_v2_ops.apply(cg, res, err);
}

static int sd_open_unified(struct rl_cgroup *cg)
{
    if (sd_of(cg)->pending) {
        errno = ENOENT; /* the scope does not exist before its pid does */
        return -1;
    }
    return cg_v2_ops.open_unified(cg);
}

/* A unit that is not ours (StartTransientUnit failed, e.g. UnitExists: the
 * scope of another container with the same name) is never read, signalled
 * or removed: its directory is someone else's. */
static int sd_pids(struct rl_cgroup *cg, pid_t **pids, size_t *n, struct rl_error **err)
{
    if (!sd_of(cg)->owned)
        return 0;
    return cg_v2_ops.pids(cg, pids, n, err);
}

static int sd_kill_all(struct rl_cgroup *cg, int sig, struct rl_error **err)
{
    if (!sd_of(cg)->owned)
        return 0;
    return cg_v2_ops.kill_all(cg, sig, err);
}

static int sd_destroy(struct rl_cgroup *cg, struct rl_error **err)
{
    struct cg_sd *sd = sd_of(cg);
    int r = 0;
    if (!sd->owned)
        return 0;
    if (cg_sd_stop(sd, err) < 0)
        r = -1;
    /* systemd removes the scope's directory; what is left (a sub-cgroup
     * made inside the delegated scope) goes here */
    if (cg_v2_ops.destroy(cg, r < 0 ? NULL : err) < 0)
        r = -1;
    return r;
}

static int sd_freeze(struct rl_cgroup *cg, bool frozen, struct rl_error **err)
{
    return cg_v2_ops.freeze(cg, frozen, err);
}

static int sd_is_frozen(struct rl_cgroup *cg, bool *frozen, struct rl_error **err)
{
    return cg_v2_ops.is_frozen(cg, frozen, err);
}

const struct rl_cgroup_ops cg_systemd_ops = {
    .name = "systemd",
    .fini = sd_fini,
    .create = sd_create,
    .apply = sd_apply,
    .open_unified = sd_open_unified,
    .add_pid = sd_add_pid,
    .pids = sd_pids,
    .kill_all = sd_kill_all,
    .destroy = sd_destroy,
    .freeze = sd_freeze,
    .is_frozen = sd_is_frozen,
};

/* update: the unit's properties first (else systemd would put the old
 * values back on its next reload), then the files. */
int cg_sd_update(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    struct cg_sd_prop *p;
    size_t n;
    if (cg_sd_props(res, &p, &n, err) < 0)
        return -1;
    int r = cg_sd_set_props(sd_of(cg), p, n, err);
    cg_sd_props_free(p, n);
    return r;
}

bool rl_cgroup_systemd_running(void)
{
    struct stat st;
    return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

struct rl_cgroup *rl_cgroup_new_systemd(const char *root, const char *cgroups_path, const char *id,
                                        struct rl_error **err)
{
    enum rl_cgroup_mode mode;
    if (rl_cgroup_detect(root, &mode, err) < 0)
        return NULL;
    if (mode != RL_CGROUP_V2) {
        rl_error(err,
                 "the systemd cgroup driver needs a cgroup v2 (unified) host; this one is "
                 "cgroup %s",
                 rl_cgroup_mode_name(mode));
        return NULL;
    }
    struct cg_sd *sd = xzalloc(sizeof(*sd));
    if (cg_sd_parse_path(cgroups_path, id, &sd->slice, &sd->unit, &sd->name, err) < 0) {
        cg_sd_free(sd);
        return NULL;
    }
    _cleanup_free_ char *exp = cg_sd_expand_slice(sd->slice);
    struct rl_cgroup *cg = cg_alloc(root, mode);
    cg->ops = &cg_systemd_ops;
    cg->path = cgroups_path && *cgroups_path
                   ? xstrdup(cgroups_path)
                   : xasprintf("%s:%s:%s", DEFAULT_SLICE, DEFAULT_PREFIX, id);
    struct cg_priv *p = cg_priv(cg);
    p->sd = sd;
    p->h = xzalloc(sizeof(*p->h));
    p->n = 1;
    p->h[0].name = xstrdup("unified");
    p->h[0].unified = true;
    p->h[0].mount = xstrdup(cg->root);
    p->h[0].dir = xasprintf("%s/%s", exp, sd->unit);
    p->h[0].abs = xasprintf("%s%s", cg->root, p->h[0].dir);
    return cg;
}

void cg_sd_to_json(const struct cg_sd *sd, struct rl_jsonw *w)
{
    rl_jsonw_kv_string(w, "driver", "systemd");
    rl_jsonw_kv_string(w, "slice", sd->slice);
    rl_jsonw_kv_string(w, "unit", sd->unit);
    rl_jsonw_kv_string(w, "name", sd->name);
}

int cg_sd_from_json(struct rl_cgroup *cg, const rl_json *node, struct rl_error **err)
{
    const char *slice = rl_json_string(rl_json_get(node, "slice"));
    const char *unit = rl_json_string(rl_json_get(node, "unit"));
    const char *name = rl_json_string(rl_json_get(node, "name"));
    if (slice == NULL || unit == NULL || cg->mode != RL_CGROUP_V2)
        return rl_error(err, "cgroup: a systemd driver record needs \"slice\", \"unit\" and "
                             "mode v2");
    struct cg_sd *sd = xzalloc(sizeof(*sd));
    sd->slice = xstrdup(slice);
    sd->unit = xstrdup(unit);
    sd->name = xstrdup(name ? name : unit);
    sd->owned = true;
    cg->ops = &cg_systemd_ops;
    cg_priv(cg)->sd = sd;
    return 0;
}
