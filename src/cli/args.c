/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "cli.h"
#include "rustlet/utils.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_exit_status = -1;
const char *cli_container_id;

int cli_usage_error(struct rl_error **err, const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* main() puts "CMD: " in front of every error: not here too */
    rl_error(err, "%s (see 'rustlet %s%s--help')", msg, cmd ? cmd : "", cmd ? " " : "");
    return -1;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, size_t n, const char *name,
                                      size_t len)
{
    for (size_t k = 0; k < n; k++) {
        if (len == 1 && opts[k].short_name == name[0])
            return &opts[k];
        if (strlen(opts[k].name) == len && strncmp(opts[k].name, name, len) == 0)
            return &opts[k];
    }
    return NULL;
}

static int parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "t") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "f") == 0)
        *out = false;
    else
        return -1;
    return 0;
}

static int set_value(const struct cli_opt *o, const char *flag, const char *v,
                     struct rl_error **err)
{
    if (o->type == CLI_STRING) {
        *(const char **)o->dest = v;
        return 0;
    }
    if (o->type == CLI_LIST) {
        struct cli_list *l = o->dest;
        l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
        l->v[l->n++] = v;
        return 0;
    }
    if (o->type == CLI_BOOL) {
        if (parse_bool(v, (bool *)o->dest) < 0)
            return rl_error(err, "invalid boolean value \"%s\" for flag %s", v, flag);
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < 0 || x > 1 << 20)
        return rl_error(err, "invalid value \"%s\" for flag %s", v, flag);
    *(int *)o->dest = (int)x;
    return 0;
}

int cli_parse(int argc, char **argv, int *i, const struct cli_opt *opts, size_t n,
              struct rl_error **err)
{
    while (*i < argc) {
        char *a = argv[*i];
        if (strcmp(a, "--") == 0) {
            (*i)++;
            return 0;
        }
        if (a[0] != '-' || a[1] == '\0')
            return 0;
        const char *name = a + (a[1] == '-' ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct cli_opt *o = find_opt(opts, n, name, len);
        if (o == NULL)
            return rl_error(err, "flag provided but not defined: -%.*s", (int)len, name);
        (*i)++;
        if (eq) {
            char flag[128]; /* name the flag without its "=value" */
            snprintf(flag, sizeof(flag), "%.*s", (int)(eq - a), a);
            if (set_value(o, flag, eq + 1, err) < 0)
                return -1;
        } else if (o->type == CLI_BOOL) {
            *(bool *)o->dest = true;
        } else {
            if (*i >= argc)
                return rl_error(err, "flag needs an argument: %s", a);
            if (set_value(o, a, argv[(*i)++], err) < 0)
                return -1;
        }
    }
    return 0;
}

const char *cli_require_id(int argc, char **argv, int i, const char *cmd, struct rl_error **err)
{
    if (i >= argc) {
        cli_usage_error(err, cmd, "requires exactly 1 argument (the container id)");
        return NULL;
    }
    if (argc - i > 1) {
        cli_usage_error(err, cmd, "requires exactly 1 argument, got %d", argc - i);
        return NULL;
    }
    cli_container_id = argv[i];
    return argv[i];
}

const char *cli_abs_path(const char *p)
{
    if (p == NULL || p[0] == '/')
        return p;
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return p;
    /* lives until exit, like argv */
    return xasprintf("%s/%s", cwd, p);
}
