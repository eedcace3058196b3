/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cgroup front end: mode detection, discovery of the mounted hierarchies,
 * cgroupsPath resolution per hierarchy, JSON persistence, and dispatch to
 * the manager of the mode (cgroup_v1.c, cgroup_hybrid.c, cgroup_v2.c). */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define DEFAULT_ROOT   "/sys/fs/cgroup"
#define FAKE_MODE_FILE ".rustlet-fake-mode"

static const char *const mode_names[] = {
    [RL_CGROUP_V1] = "v1",
    [RL_CGROUP_HYBRID] = "hybrid",
    [RL_CGROUP_V2] = "v2",
};

const char *rl_cgroup_mode_name(enum rl_cgroup_mode m)
{
    return (unsigned)m < ARRAY_SIZE(mode_names) ? mode_names[m] : "unknown";
}

int rl_cgroup_mode_from_name(const char *s, enum rl_cgroup_mode *m)
{
    for (size_t i = 0; s != NULL && i < ARRAY_SIZE(mode_names); i++) {
        if (strcmp(s, mode_names[i]) == 0) {
            *m = (enum rl_cgroup_mode)i;
            return 0;
        }
    }
    return -1;
}

static int mode_from_fake_file(const char *root, enum rl_cgroup_mode *mode, bool *found,
                               struct rl_error **err)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", root, FAKE_MODE_FILE);
    *found = false;
    if (access(path, F_OK) < 0)
        return 0;
    _cleanup_free_ char *text = rl_read_file_at(AT_FDCWD, path, 64, NULL, err);
    if (text == NULL)
        return -1;
    text[strcspn(text, " \t\r\n")] = '\0';
    if (rl_cgroup_mode_from_name(text, mode) < 0)
        return rl_error(err, "%s: unknown cgroup mode \"%s\"", path, text);
    *found = true;
    return 0;
}

int rl_cgroup_detect(const char *root, enum rl_cgroup_mode *mode, struct rl_error **err)
{
    if (root == NULL)
        root = DEFAULT_ROOT;
    const char *env = getenv("RUSTLET_CGROUP_MODE");
    if (env != NULL && *env != '\0') {
        if (rl_cgroup_mode_from_name(env, mode) < 0)
            return rl_error(err, "RUSTLET_CGROUP_MODE: unknown cgroup mode \"%s\"", env);
        return 0;
    }
    bool found;
    if (mode_from_fake_file(root, mode, &found, err) < 0)
        return -1;
    if (found)
        return 0;
    struct statfs sfs;
    if (statfs(root, &sfs) < 0)
        return rl_error_errno(err, "statfs %s", root);
    if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
        *mode = RL_CGROUP_V2;
        return 0;
    }
    _cleanup_free_ char *unified = xasprintf("%s/unified", root);
    if (sfs.f_type == TMPFS_MAGIC && statfs(unified, &sfs) == 0 &&
        sfs.f_type == CGROUP2_SUPER_MAGIC)
        *mode = RL_CGROUP_HYBRID;
    else
        *mode = RL_CGROUP_V1;
    return 0;
}

/* ---- paths ---- */

char *cg_clean_abs(const char *path)
{
    size_t len = strlen(path);
    char *out = xmalloc(len + 2);
    size_t o = 0;
    const char *s = path;
    while (*s) {
        while (*s == '/')
            s++;
        size_t n = strcspn(s, "/");
        if (n == 0)
            break;
        if (n == 1 && s[0] == '.') {
            /* skip */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--; /* drop the '/' before the removed component */
        } else {
            out[o++] = '/';
            memcpy(out + o, s, n);
            o += n;
        }
        s += n;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return out;
}

char *cg_join(const char *a, const char *b)
{
    _cleanup_free_ char *ca = cg_clean_abs(a);
    _cleanup_free_ char *cb = cg_clean_abs(b);
    if (strcmp(ca, "/") == 0)
        return steal_pointer(&cb);
    if (strcmp(cb, "/") == 0)
        return steal_pointer(&ca);
    return xasprintf("%s%s", ca, cb);
}

bool cg_list_has(const char *list, const char *item)
{
    size_t len = strlen(item);
    for (const char *s = list; s && *s;) {
        size_t n = strcspn(s, ",");
        if (n == len && strncmp(s, item, n) == 0)
            return true;
        s += n;
        if (*s == ',')
            s++;
    }
    return false;
}

static size_t list_count(const char *list)
{
    size_t n = 0;
    for (const char *s = list; *s;) {
        size_t k = strcspn(s, ",");
        if (k > 0)
            n++;
        s += k;
        if (*s == ',')
            s++;
    }
    return n;
}

/* Same set of comma-separated items (each controller is listed once). */
static bool list_same(const char *a, const char *b)
{
    if (list_count(a) != list_count(b))
        return false;
    for (const char *s = a; *s;) {
        size_t k = strcspn(s, ",");
        _cleanup_free_ char *item = strndup(s, k);
        if (item == NULL)
            xoom();
        if (k > 0 && !cg_list_has(b, item))
            return false;
        s += k;
        if (*s == ',')
            s++;
    }
    return true;
}

/* The caller's own cgroup for hierarchy name (v1) or the unified one, from
 * /proc/self/cgroup text ("N:controllers:/path" lines). "/" if absent. */
static char *own_cgroup(const char *text, const char *name, bool unified)
{
    for (const char *line = text; line && *line;) {
        size_t len = strcspn(line, "\n");
        _cleanup_free_ char *l = strndup(line, len);
        if (l == NULL)
            xoom();
        line += len + (line[len] == '\n');
        char *c1 = strchr(l, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c1 = *c2 = '\0';
        bool match = unified ? strcmp(l, "0") == 0 && c1[1] == '\0'
                             : c1[1] != '\0' && list_same(c1 + 1, name);
        if (match)
            return cg_clean_abs(c2 + 1);
    }
    return xstrdup("/");
}

/* ---- discovery of the hierarchies ---- */

static const char *const known_controllers[] = {
    "cpuset",  "cpu",        "cpuacct",  "blkio",   "io",   "memory", "devices", "freezer",
    "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma",   "misc",    "debug",
};

static bool is_controller(const char *s, size_t n)
{
    for (size_t i = 0; i < ARRAY_SIZE(known_controllers); i++)
        if (strlen(known_controllers[i]) == n && strncmp(known_controllers[i], s, n) == 0)
            return true;
    return false;
}

struct cg_found {
    struct cg_hier *h;
    char **mroot; /* mount root inside the hierarchy, per entry */
    size_t n;
};

static void found_add(struct cg_found *f, const char *name, const char *mount, const char *mroot,
                      bool unified)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->h[i].name, name) == 0)
            return; /* the same hierarchy mounted twice */
    f->h = xrealloc(f->h, (f->n + 1) * sizeof(*f->h));
    f->mroot = xrealloc(f->mroot, (f->n + 1) * sizeof(char *));
    f->h[f->n] =
        (struct cg_hier){.name = xstrdup(name), .mount = xstrdup(mount), .unified = unified};
    f->mroot[f->n] = xstrdup(mroot);
    f->n++;
}

static void found_free(struct cg_found *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->h[i].name);
        free(f->h[i].mount);
        free(f->h[i].dir);
        free(f->h[i].abs);
        free(f->mroot[i]);
    }
    free(f->h);
    free(f->mroot);
}

/* Controllers (and name=) from the super options "rw,cpu,cpuacct". */
static char *name_from_options(const char *opts)
{
    char *out = xzalloc(strlen(opts) + 1);
    for (const char *s = opts; *s;) {
        size_t n = strcspn(s, ",");
        if (is_controller(s, n) || strncmp(s, "name=", 5) == 0) {
            if (*out)
                strcat(out, ",");
            strncat(out, s, n);
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return out;
}

/* One mountinfo line: a cgroup mount directly below root is a v1
 * hierarchy; a cgroup2 one at root/unified the hybrid unified one. */
static void mountinfo_line(char *line, const char *root, enum rl_cgroup_mode mode,
                           struct cg_found *f)
{
    struct rl_mountinfo m;
    if (rl_mountinfo_parse(line, &m) < 0)
        return;
    char *mnt = m.mountpoint;
    size_t rl = strlen(root);
    if (strncmp(mnt, root, rl) != 0 || mnt[rl] != '/' || strchr(mnt + rl + 1, '/'))
        return;
    if (strcmp(m.fstype, "cgroup") == 0 && mode != RL_CGROUP_V2) {
        _cleanup_free_ char *name = name_from_options(m.super);
        if (*name)
            found_add(f, name, mnt, m.root, false);
    } else if (strcmp(m.fstype, "cgroup2") == 0 && mode == RL_CGROUP_HYBRID &&
               strcmp(mnt + rl + 1, "unified") == 0) {
        found_add(f, "unified", mnt, m.root, true);
    }
}

static int discover_mountinfo(const char *root, enum rl_cgroup_mode mode, struct cg_found *f,
                              struct rl_error **err)
{
    FILE *fp = fopen("/proc/self/mountinfo", "re");
    if (fp == NULL)
        return rl_error_errno(err, "open /proc/self/mountinfo");
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, fp) > 0)
        mountinfo_line(line, root, mode, f);
    free(line);
    fclose(fp);
    return 0;
}

/* A fake tree (unit tests): each real subdirectory of root is a v1
 * hierarchy named by its controllers ("cpu,cpuacct"), or "name=<dir>" if it
 * is not a controller list ("systemd"); "unified" is the cgroup2 one. */
static void fake_dir_entry(const char *root, const char *d, enum rl_cgroup_mode mode,
                           struct cg_found *f)
{
    _cleanup_free_ char *mnt = xasprintf("%s/%s", root, d);
    struct stat st;
    if (d[0] == '.' || lstat(mnt, &st) < 0 || !S_ISDIR(st.st_mode))
        return;
    if (strcmp(d, "unified") == 0) {
        if (mode == RL_CGROUP_HYBRID) /* no cgroup2 in v1 mode */
            found_add(f, "unified", mnt, "/", true);
        return;
    }
    _cleanup_free_ char *name = name_from_options(d);
    if (strcmp(name, d) == 0) {
        found_add(f, d, mnt, "/", false);
    } else if (strchr(d, ',') == NULL && strchr(d, '=') == NULL) {
        _cleanup_free_ char *named = xasprintf("name=%s", d);
        found_add(f, named, mnt, "/", false);
    }
}

static int discover_dirs(const char *root, enum rl_cgroup_mode mode, struct cg_found *f,
                         struct rl_error **err)
{
    struct dirent **list = NULL;
    int n = scandir(root, &list, NULL, alphasort);
    if (n < 0)
        return rl_error_errno(err, "scan %s", root);
    for (int i = 0; i < n; i++) {
        fake_dir_entry(root, list[i]->d_name, mode, f);
        free(list[i]);
    }
    free(list);
    return 0;
}

static int discover(const char *root, enum rl_cgroup_mode mode, struct cg_found *f,
                    struct rl_error **err)
{
    if (mode == RL_CGROUP_V2) {
        found_add(f, "unified", root, "/", true);
        return 0;
    }
    if (discover_mountinfo(root, mode, f, err) < 0)
        return -1;
    if (f->n == 0 && discover_dirs(root, mode, f, err) < 0)
        return -1;
    if (f->n == 0)
        return rl_error(err, "no cgroup hierarchies found under %s", root);
    return 0;
}

/* ---- the manager ---- */

static const struct rl_cgroup_ops *ops_for(enum rl_cgroup_mode mode)
{
    switch (mode) {
    case RL_CGROUP_V1:
        return &cg_v1_ops;
    case RL_CGROUP_HYBRID:
        return &cg_hybrid_ops;
    default:
        return &cg_v2_ops;
    }
}

/* The own cgroup as a path inside the mounted hierarchy: a hierarchy
 * mounted from a sub-cgroup (mount root "/docker/x") sees /docker/x as its
 * top, so that prefix is dropped. */
static char *own_in_mount(const char *text, const struct cg_hier *h, const char *mroot)
{
    _cleanup_free_ char *own = own_cgroup(text, h->name, h->unified);
    _cleanup_free_ char *mr = cg_clean_abs(mroot);
    size_t n = strlen(mr);
    if (strcmp(mr, "/") != 0 && strncmp(own, mr, n) == 0 && (own[n] == '/' || own[n] == '\0'))
        return xstrdup(own[n] ? own + n : "/");
    return steal_pointer(&own);
}

/* runc's cgroupfs rules: absolute as is, relative (or the default "<id>")
 * below the caller's own cgroup of that hierarchy; ".." never climbs above
 * the hierarchy root (absolute) or the own cgroup (relative). */
static int resolve(struct cg_found *f, const char *cgpath, const char *id, const char *text,
                   struct rl_error **err)
{
    for (size_t i = 0; i < f->n; i++) {
        struct cg_hier *h = &f->h[i];
        if (cgpath != NULL && cgpath[0] == '/') {
            h->dir = cg_clean_abs(cgpath);
        } else {
            _cleanup_free_ char *own = own_in_mount(text, h, f->mroot[i]);
            h->dir = cg_join(own, cgpath && *cgpath ? cgpath : id);
        }
        if (strcmp(h->dir, "/") == 0)
            return rl_error(err,
                            "linux.cgroupsPath: \"%s\" is the root of the cgroup "
                            "hierarchy %s",
                            cgpath ? cgpath : "", h->mount);
        h->abs = xasprintf("%s%s", h->mount, h->dir);
    }
    return 0;
}

static char *configured_path(const char *cgpath, const char *id)
{
    if (cgpath == NULL || *cgpath == '\0')
        return xstrdup(id);
    _cleanup_free_ char *c = cg_clean_abs(cgpath);
    return cgpath[0] == '/' ? steal_pointer(&c) : xstrdup(c + 1);
}

struct rl_cgroup *cg_alloc(const char *root, enum rl_cgroup_mode mode)
{
    struct rl_cgroup *cg = xzalloc(sizeof(*cg));
    cg->mode = mode;
    cg->ops = ops_for(mode);
    cg->root = cg_clean_abs(root ? root : DEFAULT_ROOT);
    cg->priv = xzalloc(sizeof(struct cg_priv));
    return cg;
}

struct rl_cgroup *rl_cgroup_new(const char *root, const char *cgroups_path, const char *id,
                                const char *self_cgroup_text, struct rl_error **err)
{
    enum rl_cgroup_mode mode;
    if (rl_cgroup_detect(root, &mode, err) < 0)
        return NULL;
    if ((cgroups_path == NULL || *cgroups_path == '\0') && (id == NULL || *id == '\0')) {
        rl_error(err, "cgroup: neither linux.cgroupsPath nor a container id");
        return NULL;
    }
    _cleanup_free_ char *self = NULL;
    if (self_cgroup_text == NULL) {
        self = rl_read_file_at(AT_FDCWD, "/proc/self/cgroup", 0, NULL, err);
        if (self == NULL)
            return NULL;
        self_cgroup_text = self;
    }
    struct rl_cgroup *cg = cg_alloc(root, mode);
    struct cg_found f = {0};
    if (discover(cg->root, mode, &f, err) < 0 ||
        resolve(&f, cgroups_path, id, self_cgroup_text, err) < 0) {
        found_free(&f);
        rl_cgroup_free(cg);
        return NULL;
    }
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; i < f.n; i++)
        free(f.mroot[i]);
    free(f.mroot);
    p->h = steal_pointer(&f.h);
    p->n = f.n;
    cg->path = configured_path(cgroups_path, id);
    if (cg->ops->init && cg->ops->init(cg, err) < 0) {
        rl_cgroup_free(cg);
        return NULL;
    }
    return cg;
}

void rl_cgroup_free(struct rl_cgroup *cg)
{
    if (cg == NULL)
        return;
    if (cg->ops && cg->ops->fini)
        cg->ops->fini(cg);
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; p && i < p->n; i++) {
        free(p->h[i].name);
        free(p->h[i].mount);
        free(p->h[i].dir);
        free(p->h[i].abs);
        free(p->h[i].created);
    }
    if (p)
        free(p->h);
    free(p);
    free(cg->root);
    free(cg->path);
    free(cg);
}

struct cg_hier *cg_find_unified(const struct rl_cgroup *cg)
{
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; i < p->n; i++)
        if (p->h[i].unified)
            return &p->h[i];
    return NULL;
}

struct cg_hier *cg_find_controller(const struct rl_cgroup *cg, const char *controller)
{
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; i < p->n; i++)
        if (!p->h[i].unified && cg_list_has(p->h[i].name, controller))
            return &p->h[i];
    return NULL;
}

/* ---- persistence ---- */

void rl_cgroup_to_json(const struct rl_cgroup *cg, struct rl_jsonw *w)
{
    struct cg_priv *p = cg_priv(cg);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "mode", rl_cgroup_mode_name(cg->mode));
    rl_jsonw_kv_string(w, "root", cg->root);
    rl_jsonw_kv_string(w, "path", cg->path);
    if (p->sd)
        cg_sd_to_json(p->sd, w);
    rl_jsonw_key(w, "dirs");
    rl_jsonw_object_open(w);
    for (size_t i = 0; i < p->n; i++)
        rl_jsonw_kv_string(w, p->h[i].name, p->h[i].dir);
    rl_jsonw_object_close(w);
    rl_jsonw_key(w, "mounts");
    rl_jsonw_object_open(w);
    for (size_t i = 0; i < p->n; i++)
        rl_jsonw_kv_string(w, p->h[i].name, p->h[i].mount);
    rl_jsonw_object_close(w);
    if (rl_cgroup_made_parents(cg)) {
        rl_jsonw_key(w, "created");
        rl_jsonw_object_open(w);
        for (size_t i = 0; i < p->n; i++)
            if (p->h[i].created)
                rl_jsonw_kv_string(w, p->h[i].name, p->h[i].created);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_object_close(w);
}

bool rl_cgroup_made_parents(const struct rl_cgroup *cg)
{
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; i < p->n; i++)
        if (p->h[i].created)
            return true;
    return false;
}

/* Mount point of a hierarchy when the state has no "mounts" entry for it. */
static char *default_mount(const struct rl_cgroup *cg, const char *name)
{
    if (cg->mode == RL_CGROUP_V2)
        return xstrdup(cg->root);
    if (strncmp(name, "name=", 5) == 0)
        name += 5;
    return xasprintf("%s/%s", cg->root, name);
}

static int hier_from_json(struct rl_cgroup *cg, const char *name, const rl_json *dir,
                          const rl_json *mounts, const rl_json *created, struct rl_error **err)
{
    const char *d = rl_json_string(dir);
    if (d == NULL || d[0] != '/')
        return rl_error(err, "cgroup.dirs.%s: expected an absolute path", name);
    const char *m = rl_json_string(rl_json_get(mounts, name));
    struct cg_priv *p = cg_priv(cg);
    p->h = xrealloc(p->h, (p->n + 1) * sizeof(*p->h));
    struct cg_hier *h = &p->h[p->n++];
    *h = (struct cg_hier){.name = xstrdup(name), .dir = cg_clean_abs(d)};
    h->unified = strcmp(name, "unified") == 0;
    h->mount = m ? cg_clean_abs(m) : default_mount(cg, name);
    h->abs = xasprintf("%s%s", h->mount, h->dir);
    const char *c = rl_json_string(rl_json_get(created, name));
    if (c != NULL && c[0] == '/')
        h->created = cg_clean_abs(c);
    return 0;
}

struct rl_cgroup *rl_cgroup_from_json(const rl_json *node, struct rl_error **err)
{
    enum rl_cgroup_mode mode;
    const char *mname = rl_json_string(rl_json_get(node, "mode"));
    const char *root = rl_json_string(rl_json_get(node, "root"));
    const rl_json *dirs = rl_json_get(node, "dirs");
    if (mname == NULL || rl_cgroup_mode_from_name(mname, &mode) < 0) {
        rl_error(err, "cgroup.mode: expected \"v1\", \"hybrid\" or \"v2\"");
        return NULL;
    }
    if (root == NULL || dirs == NULL || rl_json_type(dirs) != RL_JSON_OBJECT) {
        rl_error(err, "cgroup: expected \"root\" and a \"dirs\" object");
        return NULL;
    }
    struct rl_cgroup *cg = cg_alloc(root, mode);
    cg->path = xstrdup(rl_json_string(rl_json_get(node, "path")));
    const rl_json *mounts = rl_json_get(node, "mounts");
    const rl_json *created = rl_json_get(node, "created");
    for (size_t i = 0; i < rl_json_len(dirs); i++) {
        if (hier_from_json(cg, rl_json_object_key(dirs, i), rl_json_object_value(dirs, i), mounts,
                           created, err) < 0) {
            rl_cgroup_free(cg);
            return NULL;
        }
    }
    if (cg_priv(cg)->n == 0) {
        rl_error(err, "cgroup.dirs: no hierarchies");
        rl_cgroup_free(cg);
        return NULL;
    }
    const char *driver = rl_json_string(rl_json_get(node, "driver"));
    if (driver && strcmp(driver, "systemd") == 0 && cg_sd_from_json(cg, node, err) < 0) {
        rl_cgroup_free(cg);
        return NULL;
    }
    return cg;
}

/* ---- dispatch ---- */

bool rl_cgroup_needs_pid(const struct rl_cgroup *cg)
{
    return cg->ops == &cg_systemd_ops;
}

const char *rl_cgroup_unit(const struct rl_cgroup *cg)
{
    return cg_priv(cg)->sd ? cg_priv(cg)->sd->unit : NULL;
}

int rl_cgroup_create(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    return cg->ops->create(cg, res, err);
}

int rl_cgroup_apply(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    if (res == NULL || !res->present)
        return 0;
    return cg->ops->apply(cg, res, err);
}

int rl_cgroup_open_unified(struct rl_cgroup *cg)
{
    return cg->ops->open_unified(cg);
}

const char *rl_cgroup_unified_dir(const struct rl_cgroup *cg, const char **abs)
{
    const struct cg_hier *h = cg_find_unified(cg);
    if (abs)
        *abs = h ? h->abs : NULL;
    return h ? h->dir : NULL;
}

int rl_cgroup_add_pid(struct rl_cgroup *cg, pid_t pid, struct rl_error **err)
{
    return cg->ops->add_pid(cg, pid, err);
}

int rl_cgroup_add_pid_born(struct rl_cgroup *cg, pid_t pid, struct rl_error **err)
{
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; i < p->n; i++) {
        if (!p->h[i].unified && cg_add_pid_hier(&p->h[i], pid, err) < 0)
            return rl_error_wrap(err, "add pid %d to cgroup", (int)pid);
    }
    return 0;
}

int rl_cgroup_pids(struct rl_cgroup *cg, pid_t **pids, size_t *n, struct rl_error **err)
{
    *pids = NULL;
    *n = 0;
    if (cg->ops->pids(cg, pids, n, err) < 0) {
        free(*pids);
        *pids = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

int rl_cgroup_kill_all(struct rl_cgroup *cg, int sig, struct rl_error **err)
{
    return cg->ops->kill_all(cg, sig, err);
}

int rl_cgroup_destroy(struct rl_cgroup *cg, struct rl_error **err)
{
    return cg->ops->destroy(cg, err);
}

int rl_cgroup_freeze(struct rl_cgroup *cg, bool frozen, struct rl_error **err)
{
    return cg->ops->freeze(cg, frozen, err);
}

int rl_cgroup_is_frozen(struct rl_cgroup *cg, bool *frozen, struct rl_error **err)
{
    *frozen = false;
    return cg->ops->is_frozen(cg, frozen, err);
}

/* `exec --cgroup [CONTROLLER:]SUB`: SUB is an existing cgroup below the
 * container's. With a controller, only that hierarchy ("" = the unified
 * one) uses SUB; the others take the container's own cgroup. */
int rl_cgroup_add_pid_sub(struct rl_cgroup *cg, const char *sub, pid_t pid, struct rl_error **err)
{
    _cleanup_free_ char *ctrl = NULL;
    const char *colon = strchr(sub, ':');
    if (colon) {
        ctrl = strndup(sub, (size_t)(colon - sub));
        if (ctrl == NULL)
            xoom();
        sub = colon + 1;
    }
    _cleanup_free_ char *clean = cg_clean_abs(sub);
    if (strcmp(clean, "/") == 0 || strstr(sub, "..") != NULL)
        return rl_error(err, "--cgroup %s: expected a sub-cgroup of the container's", sub);
    struct cg_priv *p = cg_priv(cg);
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", (int)pid);
    for (size_t i = 0; i < p->n; i++) {
        const struct cg_hier *h = &p->h[i];
        bool match = ctrl == NULL || (h->unified ? *ctrl == '\0' || strcmp(ctrl, "unified") == 0
                                                 : cg_list_has(h->name, ctrl));
        _cleanup_free_ char *dir = match ? xasprintf("%s%s", h->abs, clean) : xstrdup(h->abs);
        if (match && access(dir, F_OK) < 0)
            return rl_error_errno(err, "--cgroup %s: %s", sub, dir);
        if (cg_write(dir, "cgroup.procs", buf, err) < 0)
            return rl_error_wrap(err, "add pid %d to cgroup", (int)pid);
    }
    return 0;
}
