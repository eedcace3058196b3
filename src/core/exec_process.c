/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The process `exec` runs: from --process FILE as given, or the config's
 * process with the command line's args and the flags' overrides (runc's
 * rules). Checked here, before anything is forked. */
#include "rustlet/container.h"
#include "rustlet/linux.h"
#include "rustlet/lsm.h"
#include "rustlet/utils.h"
#include "exec_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static int parse_id(const char *s, const char *what, uint32_t *out, struct rl_error **err)
{
    uint64_t v;
    if (rl_parse_u64(s, &v) < 0 || v > UINT32_MAX)
        return rl_error(err, "%s: invalid id \"%s\"", what, s);
    *out = (uint32_t)v;
    return 0;
}

static char **strv_append(char **v, size_t *n, const char *s)
{
    v = xrealloc(v, (*n + 2) * sizeof(char *));
    v[(*n)++] = xstrdup(s);
    v[*n] = NULL;
    return v;
}

static int override_user(struct rl_process *p, const struct rl_exec_opts *o, struct rl_error **err)
{
    if (o->user && *o->user) {
        _cleanup_free_ char *u = xstrdup(o->user);
        char *colon = strchr(u, ':');
        if (colon) {
            *colon = '\0';
            if (parse_id(colon + 1, "--user", &p->user.gid, err) < 0)
                return -1;
        }
        if (parse_id(u, "--user", &p->user.uid, err) < 0)
            return -1;
    }
    if (o->n_additional_gids) {
        size_t n = p->user.n_additional_gids;
        p->user.additional_gids =
            xrealloc(p->user.additional_gids, (n + o->n_additional_gids) * sizeof(uint32_t));
        for (size_t i = 0; i < o->n_additional_gids; i++)
            if (parse_id(o->additional_gids[i], "--additional-gids",
                         &p->user.additional_gids[n + i], err) < 0)
                return -1;
        p->user.n_additional_gids = n + o->n_additional_gids;
    }
    return 0;
}

static void add_caps(struct rl_process *p, const struct rl_exec_opts *o)
{
    struct rl_capabilities *c = &p->capabilities;
    for (size_t i = 0; i < o->n_caps; i++) {
        c->present = true;
        c->bounding = strv_append(c->bounding, &c->n_bounding, o->caps[i]);
        c->effective = strv_append(c->effective, &c->n_effective, o->caps[i]);
        c->permitted = strv_append(c->permitted, &c->n_permitted, o->caps[i]);
        /* ambient needs inheritable; --cap sets none, so only when the
         * config already has inheritable ones (runc does the same) */
        if (c->has_inheritable)
            c->ambient = strv_append(c->ambient, &c->n_ambient, o->caps[i]);
    }
}

static int from_config(const char *config, const struct rl_exec_opts *o, struct rl_process **out,
                       struct rl_error **err)
{
    struct rl_spec *spec = rl_spec_load_file(config, err);
    if (spec == NULL)
        return -1;
    struct rl_process *p = xzalloc(sizeof(*p));
    *p = spec->process; /* steal it, leave the spec an empty process */
    memset(&spec->process, 0, sizeof(spec->process));
    rl_spec_free(spec);
    *out = p;
    rl_strv_free(p->args);
    p->args = NULL;
    p->n_args = 0;
    for (size_t i = 0; i < o->n_args; i++)
        p->args = strv_append(p->args, &p->n_args, o->args[i]);
    if (o->cwd) {
        free(p->cwd);
        p->cwd = xstrdup(o->cwd);
    }
    for (size_t i = 0; i < o->n_env; i++)
        rl_process_env_set(p, o->env[i]);
    if (o->apparmor) {
        free(p->apparmor_profile);
        p->apparmor_profile = xstrdup(o->apparmor);
    }
    if (o->process_label) {
        free(p->selinux_label);
        p->selinux_label = xstrdup(o->process_label);
    }
    p->terminal = o->tty;
    if (o->no_new_privs)
        p->no_new_privileges = true;
    add_caps(p, o);
    return override_user(p, o, err);
}

static int from_file(const char *path, struct rl_process **out, struct rl_error **err)
{
    size_t len;
    _cleanup_free_ char *text = rl_read_file_at(AT_FDCWD, path, 4u << 20, &len, err);
    if (text == NULL)
        return rl_error_wrap(err, "--process");
    *out = rl_spec_parse_process(text, len, err);
    if (*out == NULL)
        return rl_error_wrap(err, "--process %s", path);
    return 0;
}

static int check(const struct rl_process *p, const struct rl_exec_opts *o, struct rl_error **err)
{
    if (o->console_socket && !p->terminal)
        return rl_error(err, "--console-socket given but the process has no terminal (--tty)");
    if (p->terminal && o->detach && o->console_socket == NULL)
        return rl_error(err, "--tty: a detached exec needs --console-socket for its terminal");
    if (p->n_args == 0 || p->args[0] == NULL || p->args[0][0] == '\0')
        return rl_error(err, "process.args: exec needs a command (args must not be empty)");
    if (p->cwd == NULL || p->cwd[0] != '/')
        return rl_error(err, "process.cwd: \"%s\" is not an absolute path", p->cwd ? p->cwd : "");
    /* what create checks for the config's fields, named after where the
     * value came from */
    bool flags = o->process_file == NULL; /* --process ignores the flags */
    if (rl_lsm_check_process(p, flags && o->apparmor ? "--apparmor" : "process.apparmorProfile",
                             flags && o->process_label ? "--process-label" : "process.selinuxLabel",
                             err) < 0)
        return -1;
    for (size_t i = 0; i < p->n_rlimits; i++)
        if (p->rlimits[i].resource < 0)
            return rl_error(err, "process.rlimits[%zu]: unknown type \"%s\"", i,
                            p->rlimits[i].type);
    return 0;
}

int exec_build_process(const char *config, const struct rl_exec_opts *o, struct rl_process **out,
                       struct rl_error **err)
{
    *out = NULL;
    int r =
        o->process_file ? from_file(o->process_file, out, err) : from_config(config, o, out, err);
    if (r == 0)
        r = check(*out, o, err);
    if (r < 0) {
        rl_spec_process_free(*out);
        *out = NULL;
    }
    return r;
}
