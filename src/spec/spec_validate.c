/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rl_spec_validate(): a pure function (no syscalls) that refuses a config the
 * runtime cannot honour, with a message naming the config path and what is
 * wrong with it. */
#include "spec_internal.h"
#include "rustlet/attrs_names.h"
#include "rustlet/seccomp_names.h"
#include "rustlet/utils.h"

#include <stdio.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool is_abs(const char *p)
{
    return p != NULL && p[0] == '/';
}
/* A path with a ".." component ("..", "a/..", "../b", "a/../b"). */
static bool has_dotdot(const char *p)
{
    for (const char *c = p; c != NULL && (c = strstr(c, "..")) != NULL; c += 2)
        if ((c == p || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
            return true;
    return false;
}

static bool non_empty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* ---- version, root, process --------------------------------------------- */

/* Digits at *p -> value; false if none. */
static bool take_number(const char **p, unsigned long *v)
{
    if (!isdigit((unsigned char)**p))
        return false;
    *v = 0;
    while (isdigit((unsigned char)**p)) {
        if (*v < 100000000UL)
            *v = *v * 10 + (unsigned long)(**p - '0');
        (*p)++;
    }
    return true;
}

/* MAJOR[.MINOR[.PATCH]][-pre][+build]; only major 1 is supported. */
static int validate_version(const char *v, struct rl_error **err)
{
    const char *p = v;
    unsigned long major, minor, patch;
    bool ok = take_number(&p, &major);
    if (ok && *p == '.') {
        p++;
        ok = take_number(&p, &minor);
        if (ok && *p == '.') {
            p++;
            ok = take_number(&p, &patch);
        }
    }
    if (!ok || (*p != '\0' && *p != '-' && *p != '+') || ((*p == '-' || *p == '+') && !p[1]))
        return rl_error(err, "ociVersion \"%s\": not a version (expected 1.x.y)", v);
    if (major != 1)
        return rl_error(err, "ociVersion \"%s\": unsupported major version (rustlet supports 1.x)",
                        v);
    return 0;
}

static int validate_capset(char *const *caps, size_t n, const char *set, struct rl_error **err)
{
    for (size_t i = 0; i < n; i++) {
        if (spec_cap_from_name(caps[i]) < 0)
            return rl_error(err, "process.capabilities.%s[%zu]: unknown capability \"%s\"", set, i,
                            caps[i]);
    }
    return 0;
}

static int validate_rlimits(const struct rl_process *p, struct rl_error **err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct rl_rlimit *r = &p->rlimits[i];
        if (r->resource < 0)
            return rl_error(err, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i, r->type);
        if (r->soft > r->hard)
            return rl_error(err,
                            "process.rlimits[%zu]: soft limit %llu of %s is greater than its "
                            "hard limit %llu",
                            i, (unsigned long long)r->soft, r->type, (unsigned long long)r->hard);
        for (size_t j = 0; j < i; j++) {
            if (p->rlimits[j].resource == r->resource)
                return rl_error(err,
                                "process.rlimits[%zu].type: duplicate rlimit \"%s\" (also in "
                                "process.rlimits[%zu])",
                                i, r->type, j);
        }
    }
    return 0;
}

static int validate_process(const struct rl_process *p, struct rl_error **err)
{
    if (!p->present)
        return rl_error(err, "process: missing (rustlet needs a process to run)");
    if (p->n_args == 0 || !non_empty(p->args[0]))
        return rl_error(err, "process.args: must name the program to run (empty)");
    if (!is_abs(p->cwd))
        return rl_error(err, "process.cwd \"%s\": must be an absolute path", p->cwd);
    if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
        return rl_error(err, "process.oomScoreAdj: %d is out of range (-1000..1000)",
                        p->oom_score_adj);
    for (size_t i = 0; i < p->n_env; i++)
        if (p->env[i] == NULL || p->env[i][0] == '=' || strchr(p->env[i], '=') == NULL)
            return rl_error(err, "process.env[%zu] \"%s\": not NAME=VALUE (%s)", i,
                            p->env[i] ? p->env[i] : "",
                            p->env[i] && p->env[i][0] == '=' ? "empty name" : "no '='");
    if (!p->user.present)
        return rl_error(err, "process.user: missing (REQUIRED on Linux: uid and gid)");
    if (p->user.has_umask && p->user.umask > 0777)
        return rl_error(err, "process.user.umask: %u is not a umask (at most 0777 = 511)",
                        p->user.umask);
    const struct rl_capabilities *c = &p->capabilities;
    if (validate_capset(c->bounding, c->n_bounding, "bounding", err) < 0 ||
        validate_capset(c->effective, c->n_effective, "effective", err) < 0 ||
        validate_capset(c->inheritable, c->n_inheritable, "inheritable", err) < 0 ||
        validate_capset(c->permitted, c->n_permitted, "permitted", err) < 0 ||
        validate_capset(c->ambient, c->n_ambient, "ambient", err) < 0)
        return -1;
    return validate_rlimits(p, err);
}

/* ---- namespaces ---------------------------------------------------------- */

static int validate_ns_entries(const struct rl_linux *lx, struct rl_error **err)
{
    for (size_t i = 0; i < lx->n_namespaces; i++) {
        const struct rl_namespace *ns = &lx->namespaces[i];
        if ((unsigned)ns->type >= RL_NS_COUNT)
            return rl_error(err, "linux.namespaces[%zu].type: unknown namespace type", i);
        if (non_empty(ns->path) && !is_abs(ns->path))
            return rl_error(err, "linux.namespaces[%zu].path \"%s\": must be an absolute path", i,
                            ns->path);
        for (size_t j = 0; j < i; j++) {
            if (lx->namespaces[j].type == ns->type)
                return rl_error(err,
                                "linux.namespaces[%zu]: duplicate namespace type \"%s\" (also "
                                "in linux.namespaces[%zu])",
                                i, rl_ns_type_name(ns->type), j);
        }
    }
    return 0;
}

/* Without a mount namespace the container inherits the runtime's (the
 * spec's rule for an unlisted type): the init only chroots into root.path,
 * as runc does. What would mount something - and so change the runtime's
 * own mount table, where runc leaves those mounts behind - is refused,
 * each part by name. */
static int validate_no_mount_ns(const struct rl_spec *s, struct rl_error **err)
{
    const struct rl_linux *lx = &s->linux_;
    const struct {
        bool set;
        const char *name;
    } parts[] = {
        {s->n_mounts > 0, "mounts"},
        {s->root.readonly, "root.readonly"},
        {lx->n_masked_paths > 0, "linux.maskedPaths"},
        {lx->n_readonly_paths > 0, "linux.readonlyPaths"},
        {non_empty(lx->rootfs_propagation), "linux.rootfsPropagation"},
        {lx->n_devices > 0, "linux.devices"},
        {s->process.terminal, "process.terminal (/dev/console)"},
    };
    char list[512] = "";
    for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
        if (parts[i].set)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? ", " : "",
                     parts[i].name);
    if (list[0] == '\0')
        return 0;
    return rl_error(
        err,
        "linux.namespaces: without a \"mount\" namespace the container shares the "
        "runtime's mounts, and these need a private one (add {\"type\": \"mount\"}): %s",
        list);
}

static int validate_namespaces(const struct rl_spec *s, struct rl_error **err)
{
    const struct rl_linux *lx = &s->linux_;
    if (validate_ns_entries(lx, err) < 0)
        return -1;
    if (rl_spec_namespace(s, RL_NS_MOUNT) == NULL && validate_no_mount_ns(s, err) < 0)
        return -1;
    const struct rl_namespace *user = rl_spec_namespace(s, RL_NS_USER);
    if (user == NULL && lx->n_uid_mappings > 0)
        return rl_error(err, "linux.uidMappings: mappings need a \"user\" namespace in "
                             "linux.namespaces");
    if (user == NULL && lx->n_gid_mappings > 0)
        return rl_error(err, "linux.gidMappings: mappings need a \"user\" namespace in "
                             "linux.namespaces");
    if (user != NULL && !non_empty(user->path) &&
        (lx->n_uid_mappings == 0 || lx->n_gid_mappings == 0))
        return rl_error(err, "linux.namespaces: a new user namespace needs linux.uidMappings "
                             "and linux.gidMappings");
    if (lx->time_offsets.present && rl_spec_namespace(s, RL_NS_TIME) == NULL)
        return rl_error(err, "linux.timeOffsets: time offsets need a \"time\" namespace in "
                             "linux.namespaces");
    const struct rl_namespace *uts = rl_spec_namespace(s, RL_NS_UTS);
    const char *which = non_empty(s->hostname)     ? "hostname"
                        : non_empty(s->domainname) ? "domainname"
                                                   : NULL;
    /* runc and crun refuse a sysctl that would set the name a second way */
    for (size_t i = 0; i < s->linux_.n_sysctl; i++) {
        const char *k = s->linux_.sysctl[i].key;
        const char *field =
            k && (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel/hostname") == 0)
                ? "hostname"
            : k && (strcmp(k, "kernel.domainname") == 0 || strcmp(k, "kernel/domainname") == 0)
                ? "domainname"
                : NULL;
        const char *v = field == NULL ? NULL : field[0] == 'h' ? s->hostname : s->domainname;
        /* runc refuses any kernel.hostname next to hostname; a domainname
         * given twice with one value is no conflict */
        const char *sv = s->linux_.sysctl[i].value;
        if (non_empty(v) && (field[0] == 'h' || sv == NULL || strcmp(sv, v) != 0))
            return rl_error(err, "linux.sysctl[\"%s\"]: conflicts with %s \"%s\" (set one of them)",
                            k, field, v);
    }
    /* a uts namespace joined by path gets the name too, as runc and crun
     * do (create refuses the runtime's own: rl_uts_check_joined) */
    if (which != NULL && uts == NULL)
        return rl_error(err,
                        "%s: unable to set %s without a private UTS namespace (add a \"uts\" "
                        "namespace to linux.namespaces)",
                        which, which);
    return 0;
}

/* ---- linux: devices, cgroups, propagation -------------------------------- */

/* ---- linux.resources: what can be checked without the kernel ---------- */

#define R "linux.resources."

/* blkio weights are 10..1000 (0 = not set); the kernel refuses others. */
static int check_weight(bool has, uint16_t w, const char *path, struct rl_error **err)
{
    if (has && w != 0 && (w < 10 || w > 1000))
        return rl_error(err, "%s: %u is out of range (10..1000)", path, (unsigned)w);
    return 0;
}

static int validate_block_io(const struct rl_resources *r, struct rl_error **err)
{
    const __typeof__(r->block_io) *io = &r->block_io;
    if (check_weight(io->has_weight, io->weight, R "blockIO.weight", err) < 0 ||
        check_weight(io->has_leaf_weight, io->leaf_weight, R "blockIO.leafWeight", err) < 0)
        return -1;
    for (size_t i = 0; i < io->n_weight_device; i++) {
        const struct rl_block_io_device *d = &io->weight_device[i];
        char path[96];
        snprintf(path, sizeof(path), R "blockIO.weightDevice[%zu].weight", i);
        if (check_weight(d->has_weight, d->weight, path, err) < 0)
            return -1;
        snprintf(path, sizeof(path), R "blockIO.weightDevice[%zu].leafWeight", i);
        if (check_weight(d->has_leaf_weight, d->leaf_weight, path, err) < 0)
            return -1;
    }
    return 0;
}

static int validate_resources(const struct rl_resources *r, struct rl_error **err)
{
    if (r->memory.has_swappiness && r->memory.swappiness > 100)
        return rl_error(err, R "memory.swappiness: %llu is out of range (0..100)",
                        (unsigned long long)r->memory.swappiness);
    if (r->cpu.has_idle && r->cpu.idle != 0 && r->cpu.idle != 1)
        return rl_error(err, R "cpu.idle: %lld is not 0 or 1", (long long)r->cpu.idle);
    if (validate_block_io(r, err) < 0)
        return -1;
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        uint64_t sz;
        if (rl_cgroup_hugepage_size(r->hugepage_limits[i].page_size, &sz) < 0)
            return rl_error(err,
                            R "hugepageLimits[%zu].pageSize: \"%s\" is not a page size "
                              "like \"2MB\" or \"1GB\"",
                            i,
                            r->hugepage_limits[i].page_size ? r->hugepage_limits[i].page_size : "");
    }
    for (size_t i = 0; i < r->n_rdma; i++)
        if (!non_empty(r->rdma[i].device))
            return rl_error(err, R "rdma: empty device name");
    for (size_t i = 0; i < r->network.n_priorities; i++) {
        const char *n = r->network.priorities[i].name;
        if (!non_empty(n) || strpbrk(n, " \t\n/") != NULL)
            return rl_error(err,
                            R "network.priorities[%zu].name: \"%s\" is not an interface "
                              "name",
                            i, n ? n : "");
    }
    for (size_t i = 0; i < r->n_unified; i++)
        if (rl_cgroup_unified_key_check(r->unified[i].key, err) < 0)
            return -1;
    return 0;
}

#undef R

static int validate_device_cgroup(const struct rl_resources *r, struct rl_error **err)
{
    for (size_t i = 0; i < r->n_devices; i++) {
        const struct rl_device_cgroup *d = &r->devices[i];
        if (d->type != NULL && strcmp(d->type, "a") != 0 && strcmp(d->type, "b") != 0 &&
            strcmp(d->type, "c") != 0)
            return rl_error(err,
                            "linux.resources.devices[%zu].type: unknown device type \"%s\" "
                            "(expected a, b or c)",
                            i, d->type);
        if (d->access != NULL && d->access[strspn(d->access, "rwm")] != '\0')
            return rl_error(err,
                            "linux.resources.devices[%zu].access: \"%s\" is not a subset of "
                            "\"rwm\"",
                            i, d->access);
    }
    return 0;
}

static int validate_devices(const struct rl_linux *lx, struct rl_error **err)
{
    for (size_t i = 0; i < lx->n_devices; i++) {
        const struct rl_device *d = &lx->devices[i];
        if (d->type == NULL || strlen(d->type) != 1 || strchr("cbup", d->type[0]) == NULL)
            return rl_error(err,
                            "linux.devices[%zu].type: unknown device type \"%s\" (expected c, "
                            "b, u or p)",
                            i, d->type ? d->type : "");
        if (!is_abs(d->path))
            return rl_error(err, "linux.devices[%zu].path \"%s\": must be an absolute path", i,
                            d->path ? d->path : "");
        /* the node is made inside the container's /dev; a path elsewhere
         * (or climbing out of it) would write into the rootfs itself */
        if (strncmp(d->path, "/dev/", 5) != 0 || d->path[5] == '\0' || has_dotdot(d->path))
            return rl_error(err, "linux.devices[%zu].path \"%s\": must be below /dev", i, d->path);
        if (d->type[0] != 'p' && (!d->has_major || !d->has_minor))
            return rl_error(err,
                            "linux.devices[%zu]: major and minor are required for type "
                            "\"%s\"",
                            i, d->type);
    }
    return 0;
}

static int validate_paths(char *const *v, size_t n, const char *field, struct rl_error **err)
{
    for (size_t i = 0; i < n; i++)
        if (!is_abs(v[i]))
            return rl_error(err, "%s[%zu] \"%s\": must be an absolute path", field, i, v[i]);
    return 0;
}

static int validate_linux(const struct rl_linux *lx, struct rl_error **err)
{
    if (validate_paths(lx->masked_paths, lx->n_masked_paths, "linux.maskedPaths", err) < 0 ||
        validate_paths(lx->readonly_paths, lx->n_readonly_paths, "linux.readonlyPaths", err) < 0)
        return -1;
    static const char *const propagations[] = {"shared",  "slave",  "private",  "unbindable",
                                               "rshared", "rslave", "rprivate", "runbindable"};
    if (lx->cgroups_path != NULL && has_dotdot(lx->cgroups_path))
        return rl_error(err,
                        "linux.cgroupsPath \"%s\": \"..\" components are not allowed (the "
                        "cgroup must stay below the cgroup root)",
                        lx->cgroups_path);
    if (non_empty(lx->rootfs_propagation)) {
        bool known = false;
        for (size_t i = 0; i < ARRAY_SIZE(propagations); i++)
            known = known || strcmp(lx->rootfs_propagation, propagations[i]) == 0;
        if (!known)
            return rl_error(err, "linux.rootfsPropagation: unknown propagation \"%s\"",
                            lx->rootfs_propagation);
    }
    if (validate_device_cgroup(&lx->resources, err) < 0 || validate_devices(lx, err) < 0 ||
        validate_resources(&lx->resources, err) < 0)
        return -1;
    return 0;
}

/* ---- linux.seccomp --------------------------------------------------------- */

#define SC "linux.seccomp"

static int validate_seccomp_action(const char *action, bool has_errno, const char *path,
                                   struct rl_error **err)
{
    if (!rl_seccomp_action_known(action))
        return rl_error(err, "%s: unknown action \"%s\"", path, action ? action : "");
    if (has_errno && !rl_seccomp_action_takes_errno(action))
        return rl_error(err,
                        "%s: %s does not take an errno (errnoRet is only for SCMP_ACT_ERRNO "
                        "and SCMP_ACT_TRACE)",
                        path, action);
    return 0;
}

static int validate_seccomp_syscall(const struct rl_seccomp_syscall *s, size_t i,
                                    struct rl_error **err)
{
    char path[64];
    snprintf(path, sizeof(path), SC ".syscalls[%zu].action", i);
    if (s->n_names == 0)
        return rl_error(err, SC ".syscalls[%zu].names: must name at least one syscall", i);
    if (validate_seccomp_action(s->action, s->has_errno_ret, path, err) < 0)
        return -1;
    bool notify = strcmp(s->action, "SCMP_ACT_NOTIFY") == 0;
    for (size_t j = 0; j < s->n_names; j++) {
        if (!non_empty(s->names[j]))
            return rl_error(err, SC ".syscalls[%zu].names[%zu]: must not be empty", i, j);
        /* the runtime itself writes (exec fifo, sync socket) after loading */
        if (notify && strcmp(s->names[j], "write") == 0)
            return rl_error(err,
                            SC ".syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used for the "
                               "write syscall",
                            i);
    }
    if (s->n_args > 6)
        return rl_error(err, SC ".syscalls[%zu].args: at most 6 conditions, got %zu", i, s->n_args);
    for (size_t k = 0; k < s->n_args; k++) {
        const struct rl_seccomp_arg *a = &s->args[k];
        if (a->index >= 6)
            return rl_error(err,
                            SC ".syscalls[%zu].args[%zu].index: %u is not an argument "
                               "index (0-5)",
                            i, k, a->index);
        if (!rl_seccomp_op_known(a->op))
            return rl_error(err, SC ".syscalls[%zu].args[%zu].op: unknown operator \"%s\"", i, k,
                            a->op ? a->op : "");
    }
    return 0;
}

static int validate_seccomp(const struct rl_seccomp *sc, struct rl_error **err)
{
    if (!sc->present)
        return 0;
    if (validate_seccomp_action(sc->default_action, sc->has_default_errno_ret, SC ".defaultAction",
                                err) < 0)
        return -1;
    if (strcmp(sc->default_action, "SCMP_ACT_NOTIFY") == 0)
        return rl_error(err,
                        SC ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action "
                           "(the runtime's own syscalls after loading would wait for the agent)");
    for (size_t i = 0; i < sc->n_architectures; i++)
        if (!rl_seccomp_arch_known(sc->architectures[i]))
            return rl_error(err, SC ".architectures[%zu]: unknown architecture \"%s\"", i,
                            sc->architectures[i]);
    for (size_t i = 0; i < sc->n_flags; i++)
        if (!rl_seccomp_flag_known(sc->flags[i]))
            return rl_error(err, SC ".flags[%zu]: unknown flag \"%s\"", i, sc->flags[i]);
    if (non_empty(sc->listener_metadata) && !non_empty(sc->listener_path))
        return rl_error(err, SC ".listenerMetadata: must not be set without listenerPath");
    if (non_empty(sc->listener_path) && !is_abs(sc->listener_path))
        return rl_error(err, SC ".listenerPath \"%s\": must be an absolute path",
                        sc->listener_path);
    for (size_t i = 0; i < sc->n_syscalls; i++)
        if (validate_seccomp_syscall(&sc->syscalls[i], i, err) < 0)
            return -1;
    if (rl_seccomp_uses_notify(sc) && !non_empty(sc->listener_path))
        return rl_error(err, SC ".listenerPath: required when a rule uses SCMP_ACT_NOTIFY (the "
                                "agent receives the notification fd there)");
    return 0;
}

#undef SC

/* ---- mounts, hooks -------------------------------------------------------- */

/* Mount destinations may be relative (old configs; taken as relative to "/",
 * as runc does). Options: names in the mount-option table of config.md are
 * flags, anything else (mode=755, size=65536k, newinstance, ...) is passed
 * to the filesystem as data, so no option is an error here. */
static int validate_mounts(const struct rl_spec *s, struct rl_error **err)
{
    for (size_t i = 0; i < s->n_mounts; i++) {
        if (!non_empty(s->mounts[i].destination))
            return rl_error(err, "mounts[%zu].destination: must not be empty", i);
    }
    return 0;
}

static int validate_hook_list(const struct rl_hook *h, size_t n, const char *name,
                              struct rl_error **err)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_abs(h[i].path))
            return rl_error(err, "hooks.%s[%zu].path \"%s\": must be an absolute path", name, i,
                            h[i].path ? h[i].path : "");
        if (h[i].has_timeout && h[i].timeout <= 0)
            return rl_error(err, "hooks.%s[%zu].timeout: must be greater than zero, got %lld", name,
                            i, (long long)h[i].timeout);
    }
    return 0;
}

static int validate_hooks(const struct rl_hooks *h, struct rl_error **err)
{
    if (validate_hook_list(h->prestart, h->n_prestart, "prestart", err) < 0 ||
        validate_hook_list(h->create_runtime, h->n_create_runtime, "createRuntime", err) < 0 ||
        validate_hook_list(h->create_container, h->n_create_container, "createContainer", err) <
            0 ||
        validate_hook_list(h->start_container, h->n_start_container, "startContainer", err) < 0 ||
        validate_hook_list(h->poststart, h->n_poststart, "poststart", err) < 0 ||
        validate_hook_list(h->poststop, h->n_poststop, "poststop", err) < 0)
        return -1;
    return 0;
}

int rl_spec_validate(const struct rl_spec *s, struct rl_error **err)
{
    if (s == NULL)
        return rl_error(err, "config: no config");
    if (s->oci_version == NULL)
        return rl_error(err, "ociVersion: missing");
    if (validate_version(s->oci_version, err) < 0)
        return -1;
    if (!s->root.present)
        return rl_error(err, "root: missing (the container needs a root filesystem)");
    if (!non_empty(s->root.path))
        return rl_error(err, "root.path: must not be empty");
    for (size_t i = 0; i < s->n_annotations; i++)
        if (!non_empty(s->annotations[i].key))
            return rl_error(err, "annotations: keys must not be empty");
    if (validate_process(&s->process, err) < 0 || validate_namespaces(s, err) < 0 ||
        validate_mounts(s, err) < 0 || validate_linux(&s->linux_, err) < 0 ||
        validate_seccomp(&s->linux_.seccomp, err) < 0 || validate_hooks(&s->hooks, err) < 0 ||
        rl_attrs_validate(s, err) < 0 || sp_validate_idmap_mounts(s, err) < 0 ||
        sp_validate_net_devices(s, err) < 0)
        return -1;
    return 0;
}
