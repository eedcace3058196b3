/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Helpers shared by the v1 and v2 resource code: numbers, hugepage sizes,
 * the blkio -> io weight conversion and linux.resources.unified. */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool cg_file_exists(const char *dir, const char *file)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
    return access(p, F_OK) == 0;
}

int cg_write_num(const char *dir, const char *file, int64_t v, bool max, const char *cfg,
                 struct rl_error **err)
{
    char buf[32];
    if (max && v == -1)
        snprintf(buf, sizeof(buf), "max");
    else
        snprintf(buf, sizeof(buf), "%" PRId64, v);
    if (cg_write(dir, file, buf, err) < 0)
        return rl_error_wrap(err, "%s", cfg);
    return 0;
}

/* runc's conversion of the v1 blkio weight [10, 1000] onto io.weight
 * [1, 10000]: 1 + (w - 10) * 9999 / 990 (10 -> 1, 500 -> 4950,
 * 1000 -> 10000). Out-of-range input is clamped; 0 (unset) stays 0. */
uint64_t cg_blkio_weight_to_io(uint64_t w)
{
    if (w == 0)
        return 0;
    if (w < 10)
        w = 10;
    if (w > 1000)
        w = 1000;
    return 1 + (w - 10) * 9999 / 990;
}

static bool word_in_text(const char *text, const char *word, size_t len)
{
    for (const char *s = text; s && *s;) {
        s += strspn(s, " \t\n");
        size_t n = strcspn(s, " \t\n");
        if (n == len && strncmp(s, word, n) == 0)
            return true;
        s += n;
    }
    return false;
}

/* The controller of a key is what precedes the first '.'; "cgroup.*" files
 * exist in every cgroup. */
int cg_unified_check(const char *dir, const char *key, struct rl_error **err)
{
    if (rl_cgroup_unified_key_check(key, err) < 0)
        return -1;
    size_t clen = strcspn(key, ".");
    if (clen == 6 && strncmp(key, "cgroup", 6) == 0)
        return 0;
    _cleanup_free_ char *avail = cg_read(dir, "cgroup.controllers", NULL);
    if (avail == NULL || !word_in_text(avail, key, clen)) {
        avail = avail ? avail : xstrdup("");
        avail[strcspn(avail, "\n")] = '\0';
        return rl_error(err,
                        "linux.resources.unified[\"%s\"]: the %.*s controller is not "
                        "available in %s (it has: %s)",
                        key, (int)clen, key, dir, *avail ? avail : "no controllers");
    }
    return 0;
}

int cg_unified_write(const char *dir, const struct rl_kv *kv, size_t n, struct rl_error **err)
{
    for (size_t i = 0; i < n; i++) {
        if (cg_unified_check(dir, kv[i].key, err) < 0)
            return -1;
        if (cg_write(dir, kv[i].key, kv[i].value ? kv[i].value : "", err) < 0)
            return rl_error_wrap(err, "linux.resources.unified[\"%s\"]", kv[i].key);
    }
    return 0;
}
