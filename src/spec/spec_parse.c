/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* config.json -> struct rl_spec: the top level, process, mounts and hooks.
 * The linux section lives in spec_parse_linux.c. Unknown properties are
 * ignored, as the runtime spec requires; type errors name the JSON path. */
#include "spec_internal.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

/* config.json larger than this is refused rather than read into memory. */
#define SPEC_MAX_SIZE (64u << 20)

/* ---- process ---------------------------------------------------------- */

static int parse_user(const rl_json *proc, struct rl_user *u, struct rl_error **err)
{
    const rl_json *o;
    const char *b = "process.user";
    if (sp_obj(proc, "process", "user", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    u->present = true;
    if (sp_u32(o, b, "uid", false, &u->uid, NULL, err) < 0 ||
        sp_u32(o, b, "gid", false, &u->gid, NULL, err) < 0 ||
        sp_u32(o, b, "umask", false, &u->umask, &u->has_umask, err) < 0 ||
        sp_str(o, b, "username", false, &u->username, err) < 0)
        return -1;
    const rl_json *gids;
    if (sp_arr(o, b, "additionalGids", &gids, err) < 0)
        return -1;
    u->n_additional_gids = rl_json_len(gids);
    u->additional_gids = sp_calloc(u->n_additional_gids, sizeof(uint32_t));
    for (size_t i = 0; i < u->n_additional_gids; i++) {
        const rl_json *e = rl_json_array_at(gids, i);
        uint64_t g;
        if (rl_json_u64(e, &g) < 0 || g > UINT32_MAX) {
            const char *t = rl_json_type(e) == RL_JSON_NUMBER ? rl_json_number_text(e)
                                                              : rl_json_type_name(rl_json_type(e));
            return rl_error(err,
                            "process.user.additionalGids[%zu]: expected unsigned 32-bit "
                            "integer, got %s",
                            i, t);
        }
        u->additional_gids[i] = (uint32_t)g;
    }
    return 0;
}

static int parse_capabilities(const rl_json *proc, struct rl_capabilities *c, struct rl_error **err)
{
    const rl_json *o;
    const char *b = "process.capabilities";
    if (sp_obj(proc, "process", "capabilities", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    c->present = true;
    if (sp_strv(o, b, "bounding", &c->bounding, &c->n_bounding, &c->has_bounding, err) < 0 ||
        sp_strv(o, b, "effective", &c->effective, &c->n_effective, &c->has_effective, err) < 0 ||
        sp_strv(o, b, "inheritable", &c->inheritable, &c->n_inheritable, &c->has_inheritable, err) <
            0 ||
        sp_strv(o, b, "permitted", &c->permitted, &c->n_permitted, &c->has_permitted, err) < 0 ||
        sp_strv(o, b, "ambient", &c->ambient, &c->n_ambient, &c->has_ambient, err) < 0)
        return -1;
    return 0;
}

static int parse_rlimits(const rl_json *proc, struct rl_process *p, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(proc, "process", "rlimits", &arr, err) < 0)
        return -1;
    p->n_rlimits = rl_json_len(arr);
    p->rlimits = sp_calloc(p->n_rlimits, sizeof(*p->rlimits));
    for (size_t i = 0; i < p->n_rlimits; i++) {
        char b[SP_PATH_MAX];
        struct rl_rlimit *r = &p->rlimits[i];
        const rl_json *e = rl_json_array_at(arr, i);
        snprintf(b, sizeof(b), "process.rlimits[%zu]", i);
        r->resource = -1;
        if (sp_expect_obj(e, b, err) < 0 || sp_str(e, b, "type", true, &r->type, err) < 0 ||
            sp_u64(e, b, "soft", true, &r->soft, NULL, err) < 0 ||
            sp_u64(e, b, "hard", true, &r->hard, NULL, err) < 0)
            return -1;
        r->resource = spec_rlimit_from_name(r->type);
    }
    return 0;
}

static int parse_process_extras(const rl_json *proc, struct rl_process *p, struct rl_error **err)
{
    const rl_json *o;
    if (sp_obj(proc, "process", "consoleSize", &o, err) < 0)
        return -1;
    if (o != NULL) {
        p->has_console_size = true;
        if (sp_u64(o, "process.consoleSize", "height", true, &p->console_height, NULL, err) < 0 ||
            sp_u64(o, "process.consoleSize", "width", true, &p->console_width, NULL, err) < 0)
            return -1;
    }
    if (sp_obj(proc, "process", "ioPriority", &o, err) < 0)
        return -1;
    if (o != NULL) {
        p->io_priority.present = true;
        if (sp_str(o, "process.ioPriority", "class", true, &p->io_priority.class_name, err) < 0 ||
            sp_i32(o, "process.ioPriority", "priority", false, &p->io_priority.priority, NULL,
                   err) < 0)
            return -1;
    }
    if (sp_obj(proc, "process", "execCPUAffinity", &o, err) < 0)
        return -1;
    if (o != NULL) {
        struct rl_exec_cpu_affinity *a = &p->exec_cpu_affinity;
        a->present = true;
        if (sp_str(o, "process.execCPUAffinity", "initial", false, &a->initial, err) < 0 ||
            sp_str(o, "process.execCPUAffinity", "final", false, &a->final, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_scheduler(const rl_json *proc, struct rl_scheduler *s, struct rl_error **err)
{
    const rl_json *o;
    const char *b = "process.scheduler";
    if (sp_obj(proc, "process", "scheduler", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    s->present = true;
    if (sp_str(o, b, "policy", true, &s->policy, err) < 0 ||
        sp_i32(o, b, "nice", false, &s->nice, &s->has_nice, err) < 0 ||
        sp_i32(o, b, "priority", false, &s->priority, &s->has_priority, err) < 0 ||
        sp_strv(o, b, "flags", &s->flags, &s->n_flags, NULL, err) < 0 ||
        sp_u64(o, b, "runtime", false, &s->runtime, &s->has_runtime, err) < 0 ||
        sp_u64(o, b, "deadline", false, &s->deadline, &s->has_deadline, err) < 0 ||
        sp_u64(o, b, "period", false, &s->period, &s->has_period, err) < 0)
        return -1;
    return 0;
}

static int parse_process_obj(const rl_json *o, struct rl_process *p, struct rl_error **err)
{
    const char *b = "process";
    p->present = true;
    int32_t oom = 0;
    if (sp_bool(o, b, "terminal", &p->terminal, NULL, err) < 0 ||
        sp_str(o, b, "cwd", true, &p->cwd, err) < 0 ||
        sp_strv(o, b, "env", &p->env, &p->n_env, NULL, err) < 0 ||
        sp_strv(o, b, "args", &p->args, &p->n_args, NULL, err) < 0 ||
        sp_str(o, b, "commandLine", false, &p->command_line, err) < 0 ||
        sp_bool(o, b, "noNewPrivileges", &p->no_new_privileges, NULL, err) < 0 ||
        sp_str(o, b, "apparmorProfile", false, &p->apparmor_profile, err) < 0 ||
        sp_str(o, b, "selinuxLabel", false, &p->selinux_label, err) < 0)
        return -1;
    if (sp_i32(o, b, "oomScoreAdj", false, &oom, &p->has_oom_score_adj, err) < 0)
        return -1;
    p->oom_score_adj = oom;
    if (parse_user(o, &p->user, err) < 0 || parse_capabilities(o, &p->capabilities, err) < 0 ||
        parse_rlimits(o, p, err) < 0 || parse_process_extras(o, p, err) < 0 ||
        parse_scheduler(o, &p->scheduler, err) < 0)
        return -1;
    return 0;
}

static int parse_process(const rl_json *root, struct rl_process *p, struct rl_error **err)
{
    const rl_json *o;
    if (sp_obj(root, "", "process", &o, err) < 0)
        return -1;
    return o ? parse_process_obj(o, p, err) : 0;
}

/* ---- mounts and hooks ------------------------------------------------- */

static int parse_mounts(const rl_json *root, struct rl_spec *s, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(root, "", "mounts", &arr, err) < 0)
        return -1;
    s->n_mounts = rl_json_len(arr);
    s->mounts = sp_calloc(s->n_mounts, sizeof(*s->mounts));
    for (size_t i = 0; i < s->n_mounts; i++) {
        char b[SP_PATH_MAX];
        struct rl_mount *m = &s->mounts[i];
        const rl_json *e = rl_json_array_at(arr, i);
        snprintf(b, sizeof(b), "mounts[%zu]", i);
        if (sp_expect_obj(e, b, err) < 0 ||
            sp_str(e, b, "destination", true, &m->destination, err) < 0 ||
            sp_str(e, b, "type", false, &m->type, err) < 0 ||
            sp_str(e, b, "source", false, &m->source, err) < 0 ||
            sp_strv(e, b, "options", &m->options, &m->n_options, NULL, err) < 0 ||
            sp_id_mappings(e, b, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err) < 0 ||
            sp_id_mappings(e, b, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err) < 0)
            return -1;
        rl_path_clean(m->destination); /* "/test//test", "/a/" (runc cleans too) */
    }
    return 0;
}

static int parse_hook_list(const rl_json *hooks, const char *key, struct rl_hook **out, size_t *n,
                           struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(hooks, "hooks", key, &arr, err) < 0)
        return -1;
    *n = rl_json_len(arr);
    *out = sp_calloc(*n, sizeof(**out));
    for (size_t i = 0; i < *n; i++) {
        char b[SP_PATH_MAX];
        struct rl_hook *h = &(*out)[i];
        const rl_json *e = rl_json_array_at(arr, i);
        snprintf(b, sizeof(b), "hooks.%s[%zu]", key, i);
        if (sp_expect_obj(e, b, err) < 0 || sp_str(e, b, "path", true, &h->path, err) < 0 ||
            sp_strv(e, b, "args", &h->args, &h->n_args, NULL, err) < 0 ||
            sp_strv(e, b, "env", &h->env, &h->n_env, NULL, err) < 0 ||
            sp_i64(e, b, "timeout", false, &h->timeout, &h->has_timeout, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_hooks(const rl_json *root, struct rl_hooks *h, struct rl_error **err)
{
    const rl_json *o;
    if (sp_obj(root, "", "hooks", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    if (parse_hook_list(o, "prestart", &h->prestart, &h->n_prestart, err) < 0 ||
        parse_hook_list(o, "createRuntime", &h->create_runtime, &h->n_create_runtime, err) < 0 ||
        parse_hook_list(o, "createContainer", &h->create_container, &h->n_create_container, err) <
            0 ||
        parse_hook_list(o, "startContainer", &h->start_container, &h->n_start_container, err) < 0 ||
        parse_hook_list(o, "poststart", &h->poststart, &h->n_poststart, err) < 0 ||
        parse_hook_list(o, "poststop", &h->poststop, &h->n_poststop, err) < 0)
        return -1;
    return 0;
}

/* ---- top level -------------------------------------------------------- */

static int parse_root(const rl_json *root, struct rl_spec *s, struct rl_error **err)
{
    static const char *const other_platforms[] = {"solaris", "windows", "vm", "zos", "freebsd"};
    const rl_json *o;
    if (sp_str(root, "", "ociVersion", true, &s->oci_version, err) < 0 ||
        sp_str(root, "", "hostname", false, &s->hostname, err) < 0 ||
        sp_str(root, "", "domainname", false, &s->domainname, err) < 0 ||
        sp_kv(root, "", "annotations", &s->annotations, &s->n_annotations, err) < 0)
        return -1;
    if (sp_obj(root, "", "root", &o, err) < 0)
        return -1;
    if (o != NULL) {
        s->root.present = true;
        if (sp_str(o, "root", "path", true, &s->root.path, err) < 0 ||
            sp_bool(o, "root", "readonly", &s->root.readonly, NULL, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(other_platforms); i++) {
        if (sp_obj(root, "", other_platforms[i], &o, err) < 0)
            return -1;
        if (o != NULL)
            s->has_other_platform = true;
    }
    if (parse_mounts(root, s, err) < 0 || parse_process(root, &s->process, err) < 0 ||
        parse_hooks(root, &s->hooks, err) < 0 || sp_parse_linux(root, &s->linux_, err) < 0)
        return -1;
    return 0;
}

struct rl_spec *rl_spec_parse(const char *json, size_t len, struct rl_error **err)
{
    rl_json *root = rl_json_parse_ignoring(json, len, sp_json_ignored, err);
    if (root == NULL)
        return NULL;
    if (rl_json_type(root) != RL_JSON_OBJECT) {
        rl_error(err, "config: expected a JSON object at the top level, got %s",
                 rl_json_type_name(rl_json_type(root)));
        rl_json_free(root);
        return NULL;
    }
    struct rl_spec *s = xzalloc(sizeof(*s));
    int rc = parse_root(root, s, err);
    rl_json_free(root);
    if (rc < 0) {
        rl_spec_free(s);
        return NULL;
    }
    return s;
}

struct rl_spec *rl_spec_load(const char *bundle, struct rl_error **err)
{
    _cleanup_free_ char *path = xasprintf("%s/config.json", bundle ? bundle : ".");
    return rl_spec_load_file(path, err);
}

struct rl_spec *rl_spec_load_file(const char *path, struct rl_error **err)
{
    size_t len = 0;
    _cleanup_free_ char *text = rl_read_file_at(AT_FDCWD, path, SPEC_MAX_SIZE, &len, err);
    if (text == NULL)
        return NULL;
    struct rl_spec *s = rl_spec_parse(text, len, err);
    if (s == NULL)
        rl_error_wrap(err, "%s", path);
    return s;
}

/* `exec --process FILE`: the file holds just the process object; error
 * paths still read "process.<field>" as in config.json. */
struct rl_process *rl_spec_parse_process(const char *json, size_t len, struct rl_error **err)
{
    rl_json *root = rl_json_parse_ignoring(json, len, sp_json_ignored, err);
    if (root == NULL)
        return NULL;
    struct rl_process *p = xzalloc(sizeof(*p));
    int rc = sp_expect_obj(root, "process", err);
    if (rc == 0)
        rc = parse_process_obj(root, p, err);
    rl_json_free(root);
    if (rc < 0) {
        rl_spec_process_free(p);
        return NULL;
    }
    return p;
}

/* ---- free ------------------------------------------------------------- */

static void free_hooks(struct rl_hook *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(h[i].path);
        rl_strv_free(h[i].args);
        rl_strv_free(h[i].env);
    }
    free(h);
}

static void free_process(struct rl_process *p)
{
    free(p->cwd);
    rl_strv_free(p->env);
    rl_strv_free(p->args);
    free(p->command_line);
    free(p->user.additional_gids);
    free(p->user.username);
    rl_strv_free(p->capabilities.bounding);
    rl_strv_free(p->capabilities.effective);
    rl_strv_free(p->capabilities.inheritable);
    rl_strv_free(p->capabilities.permitted);
    rl_strv_free(p->capabilities.ambient);
    for (size_t i = 0; i < p->n_rlimits; i++)
        free(p->rlimits[i].type);
    free(p->rlimits);
    free(p->apparmor_profile);
    free(p->selinux_label);
    free(p->io_priority.class_name);
    free(p->scheduler.policy);
    rl_strv_free(p->scheduler.flags);
    free(p->exec_cpu_affinity.initial);
    free(p->exec_cpu_affinity.final);
}

void rl_spec_process_free(struct rl_process *p)
{
    if (p == NULL)
        return;
    free_process(p);
    free(p);
}

void rl_spec_free(struct rl_spec *s)
{
    if (s == NULL)
        return;
    free(s->oci_version);
    free(s->root.path);
    free(s->hostname);
    free(s->domainname);
    for (size_t i = 0; i < s->n_mounts; i++) {
        struct rl_mount *m = &s->mounts[i];
        free(m->destination);
        free(m->type);
        free(m->source);
        rl_strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
    }
    free(s->mounts);
    free_process(&s->process);
    free_hooks(s->hooks.prestart, s->hooks.n_prestart);
    free_hooks(s->hooks.create_runtime, s->hooks.n_create_runtime);
    free_hooks(s->hooks.create_container, s->hooks.n_create_container);
    free_hooks(s->hooks.start_container, s->hooks.n_start_container);
    free_hooks(s->hooks.poststart, s->hooks.n_poststart);
    free_hooks(s->hooks.poststop, s->hooks.n_poststop);
    for (size_t i = 0; i < s->n_annotations; i++) {
        free(s->annotations[i].key);
        free(s->annotations[i].value);
    }
    free(s->annotations);
    sp_free_linux(&s->linux_);
    free(s);
}
