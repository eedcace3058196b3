/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* linux.intelRdt on the resctrl filesystem (see resctrl.h). */
#include "rustlet/resctrl.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define RDT "linux.intelRdt"

static int resctrl_line(const struct rl_mountinfo *m, void *arg)
{
    if (strcmp(m->fstype, "resctrl") != 0)
        return 0;
    *(char **)arg = xstrdup(m->mountpoint);
    return 1;
}

char *rl_resctrl_root(const char *mountinfo)
{
    if (mountinfo == NULL)
        return NULL;
    _cleanup_free_ char *copy = xstrdup(mountinfo);
    char *root = NULL;
    rl_mountinfo_each(copy, resctrl_line, &root);
    return root;
}

char *rl_resctrl_find(struct rl_error **err)
{
    _cleanup_free_ char *mi = rl_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 0, NULL, err);
    if (mi == NULL)
        return NULL;
    char *root = rl_resctrl_root(mi);
    if (root == NULL)
        rl_error_code(err, ENODEV, RDT ": resctrl filesystem is not mounted");
    return root;
}

static int write_line(const char *dir, const char *field, const char *line, struct rl_error **err)
{
    _cleanup_free_ char *p = xasprintf("%s/schemata", dir);
    _cleanup_free_ char *v = xasprintf("%s\n", line);
    if (rl_write_file_at(AT_FDCWD, p, v, strlen(v), 0644, err) < 0)
        return rl_error_wrap(err, "%s \"%s\"", field, line);
    rl_debug("write(%s, \"%s\") = 0", p, line);
    return 0;
}

static int add_task(const char *dir, pid_t pid, struct rl_error **err)
{
    _cleanup_free_ char *p = xasprintf("%s/tasks", dir);
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
    if (rl_write_file_at(AT_FDCWD, p, buf, (size_t)n, 0644, err) < 0)
        return rl_error_wrap(err, RDT ": add pid %d", (int)pid);
    return 0;
}

static bool non_empty(const char *s)
{
    return s && *s;
}

int rl_resctrl_apply(const char *root, const char *id, const struct rl_intel_rdt *rdt, pid_t pid,
                     struct rl_resctrl_group *g, struct rl_error **err)
{
    memset(g, 0, sizeof(*g));
    bool named = non_empty(rdt->clos_id);
    const char *name = named ? rdt->clos_id : id;
    if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return rl_error(err, RDT ".closID: \"%s\" is not a directory name", name);
    g->path = xasprintf("%s/%s", root, name);
    if (mkdir(g->path, 0755) == 0)
        g->remove = !named;
    else if (errno != EEXIST)
        return rl_error_errno(err, RDT "%s: mkdir %s", named ? ".closID" : "", g->path);
    if ((non_empty(rdt->l3_cache_schema) &&
         write_line(g->path, RDT ".l3CacheSchema", rdt->l3_cache_schema, err) < 0) ||
        (non_empty(rdt->mem_bw_schema) &&
         write_line(g->path, RDT ".memBwSchema", rdt->mem_bw_schema, err) < 0))
        return -1;
    for (size_t i = 0; i < rdt->n_schemata; i++) {
        char field[64];
        snprintf(field, sizeof(field), RDT ".schemata[%zu]", i);
        if (non_empty(rdt->schemata[i]) && write_line(g->path, field, rdt->schemata[i], err) < 0)
            return -1;
    }
    if (add_task(g->path, pid, err) < 0)
        return -1;
    if (rdt->enable_monitoring) {
        _cleanup_free_ char *mg = xasprintf("%s/mon_groups", g->path);
        (void)mkdir(mg, 0755); /* resctrl makes it with the group */
        g->mon = xasprintf("%s/mon_groups/%s", g->path, id);
        if (mkdir(g->mon, 0755) < 0 && errno != EEXIST)
            return rl_error_errno(err, RDT ".enableMonitoring: mkdir %s", g->mon);
        if (add_task(g->mon, pid, err) < 0)
            return -1;
    }
    return 0;
}

int rl_resctrl_update(const char *group, const char *l3, const char *mb, struct rl_error **err)
{
    if (l3 && write_line(group, "--l3-cache-schema", l3, err) < 0)
        return -1;
    if (mb && write_line(group, "--mem-bw-schema", mb, err) < 0)
        return -1;
    return 0;
}

int rl_resctrl_remove(const struct rl_resctrl_group *g, struct rl_error **err)
{
    /* resctrl groups are removed with rmdir, whatever files they list */
    if (g->mon && rmdir(g->mon) < 0 && errno != ENOENT)
        return rl_error_errno(err, RDT ": rmdir %s", g->mon);
    if (g->remove && g->path && rmdir(g->path) < 0 && errno != ENOENT)
        return rl_error_errno(err, RDT ": rmdir %s", g->path);
    return 0;
}

void rl_resctrl_group_free(struct rl_resctrl_group *g)
{
    free(g->path);
    free(g->mon);
    memset(g, 0, sizeof(*g));
}

char *rl_resctrl_group_format(const struct rl_resctrl_group *g)
{
    return xasprintf("%s\n%s\n%d\n", g->path, g->mon ? g->mon : "", g->remove ? 1 : 0);
}

int rl_resctrl_group_parse(const char *text, struct rl_resctrl_group *g)
{
    memset(g, 0, sizeof(*g));
    const char *nl1 = strchr(text, '\n');
    const char *nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
    if (nl1 == NULL || nl2 == NULL || nl1 == text)
        return -1;
    g->path = strndup(text, (size_t)(nl1 - text));
    g->mon = nl2 > nl1 + 1 ? strndup(nl1 + 1, (size_t)(nl2 - nl1 - 1)) : NULL;
    if (g->path == NULL || (nl2 > nl1 + 1 && g->mon == NULL))
        xoom();
    g->remove = nl2[1] == '1';
    return 0;
}
