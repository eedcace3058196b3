/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* linux.intelRdt for create, delete and update (the resctrl work is in
 * src/linux/resctrl.c). The group create made is kept in ROOT/<id>/intel_rdt
 * so delete and update find it without the config. */
#include "rustlet/resctrl.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <fcntl.h>
#include <string.h>

static char *group_file(const struct rl_context *ctx, const char *id)
{
    return xasprintf("%s/%s/intel_rdt", ctx->root, id);
}

int rl_rdt_prepare(const struct rl_spec *spec, char **root, struct rl_error **err)
{
    *root = NULL;
    if (!spec->linux_.has_intel_rdt)
        return 0;
    *root = rl_resctrl_find(err);
    return *root ? 0 : -1;
}

int rl_rdt_join(const struct rl_context *ctx, const char *id, const struct rl_spec *spec,
                const char *root, pid_t pid, struct rl_error **err)
{
    if (root == NULL)
        return 0;
    struct rl_resctrl_group g;
    int r = rl_resctrl_apply(root, id, &spec->linux_.intel_rdt, pid, &g, err);
    if (g.path) {
        /* recorded even after a failure, so the teardown removes it */
        _cleanup_free_ char *f = group_file(ctx, id);
        _cleanup_free_ char *text = rl_resctrl_group_format(&g);
        if (rl_write_file_atomic(f, text, strlen(text), 0600, r < 0 ? NULL : err) < 0 && r == 0)
            r = -1;
    }
    rl_resctrl_group_free(&g);
    return r;
}

static int read_group(const struct rl_context *ctx, const char *id, struct rl_resctrl_group *g)
{
    _cleanup_free_ char *f = group_file(ctx, id);
    _cleanup_free_ char *text = rl_read_file_at(AT_FDCWD, f, 4096, NULL, NULL);
    return text ? rl_resctrl_group_parse(text, g) : -1;
}

int rl_rdt_remove(const struct rl_context *ctx, const char *id, struct rl_error **err)
{
    struct rl_resctrl_group g;
    if (read_group(ctx, id, &g) < 0)
        return 0;
    int r = rl_resctrl_remove(&g, err);
    rl_resctrl_group_free(&g);
    return r;
}

int rl_update_intel_rdt(const struct rl_context *ctx, const char *id, const char *l3,
                        const char *mb, struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    int r = -1;
    struct rl_resctrl_group g = {0};
    if (l.status == RL_STATUS_STOPPED || l.status == RL_STATUS_CREATING) {
        rl_error(err, "container not running");
    } else if (read_group(ctx, id, &g) == 0) {
        r = rl_resctrl_update(g.path, l3, mb, err);
    } else {
        /* runc's order: is there resctrl at all, then is the container in it */
        _cleanup_free_ char *root = rl_resctrl_find(err);
        if (root != NULL)
            rl_error(err, "linux.intelRdt: the container was created without it (no resctrl "
                          "group to update)");
    }
    rl_resctrl_group_free(&g);
    rl_unlock(&l);
    return r;
}
