/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Pure checks on spec values that validation and the code applying the
 * values share (spec.h): they live here so that validation depends on
 * nothing below the spec (docs/architecture.md, "Layers"). */
#include "rustlet/spec.h"
#include "rustlet/utils.h"

#include <string.h>

/* The spec's pageSize is "<number><unit>" with unit KB, MB, GB, TB (the
 * names the hugetlb controller gives its files: hugetlb.2MB.*); the
 * kernel's own spelling "kB" is accepted too. The number must be a power
 * of two. */
int rl_cgroup_hugepage_size(const char *s, uint64_t *bytes)
{
    if (s == NULL)
        return -1;
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 10 || s[0] == '0')
        return -1;
    _cleanup_free_ char *num = strndup(s, n);
    uint64_t v;
    if (num == NULL || rl_parse_u64(num, &v) < 0)
        return -1;
    const char *u = s + n;
    unsigned shift;
    if (strcmp(u, "KB") == 0 || strcmp(u, "kB") == 0)
        shift = 10;
    else if (strcmp(u, "MB") == 0)
        shift = 20;
    else if (strcmp(u, "GB") == 0)
        shift = 30;
    else if (strcmp(u, "TB") == 0)
        shift = 40;
    else
        return -1;
    if ((v & (v - 1)) != 0)
        return -1;
    *bytes = v << shift;
    return 0;
}

/* Keys that would let a config move or kill processes behind the
 * runtime's back. */
static const char *const unified_forbidden[] = {"cgroup.procs", "cgroup.threads", "cgroup.kill"};

int rl_cgroup_unified_key_check(const char *key, struct rl_error **err)
{
    if (key == NULL || *key == '\0' || strchr(key, '/') != NULL || strcmp(key, ".") == 0 ||
        strcmp(key, "..") == 0)
        return rl_error(err,
                        "linux.resources.unified: key \"%s\" must be a file name (no "
                        "'/', not \".\" or \"..\")",
                        key ? key : "");
    const char *dot = strchr(key, '.');
    if (dot == NULL || dot == key || dot[1] == '\0')
        return rl_error(err, "linux.resources.unified: key \"%s\" must be CONTROLLER.PARAMETER",
                        key);
    for (size_t i = 0; i < ARRAY_SIZE(unified_forbidden); i++)
        if (strcmp(key, unified_forbidden[i]) == 0)
            return rl_error(err, "linux.resources.unified: \"%s\" is managed by the runtime", key);
    return 0;
}

bool rl_mount_is_idmapped(const struct rl_mount *m)
{
    if (m->n_uid_mappings > 0 || m->n_gid_mappings > 0)
        return true;
    for (size_t i = 0; i < m->n_options; i++)
        if (strcmp(m->options[i], "idmap") == 0 || strcmp(m->options[i], "ridmap") == 0)
            return true;
    return false;
}
