/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* create and run share their flags. */
#include "cli.h"
#include "rustlet/utils.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct create_flags {
    struct rl_create_opts o;
    bool detach, keep;
};

static int parse(int argc, char **argv, const char *cmd, struct create_flags *f, bool run,
                 const char **id, struct rl_error **err)
{
    const struct cli_opt opts[] = {
        {"bundle", 'b', CLI_STRING, &f->o.bundle},
        {"config", 'f', CLI_STRING, &f->o.config},
        {"pid-file", 0, CLI_STRING, &f->o.pid_file},
        {"console-socket", 0, CLI_STRING, &f->o.console_socket},
        {"no-pivot", 0, CLI_BOOL, &f->o.no_pivot},
        {"no-new-keyring", 0, CLI_BOOL, &f->o.no_new_keyring},
        {"preserve-fds", 0, CLI_INT, &f->o.preserve_fds},
        {"detach", 'd', CLI_BOOL, &f->detach},
        {"keep", 0, CLI_BOOL, &f->keep},
        {"no-subreaper", 0, CLI_BOOL, &f->o.no_subreaper},
    };
    int i = 1;
    /* detach, keep and no-subreaper are run's only */
    if (cli_parse(argc, argv, &i, opts, run ? ARRAY_SIZE(opts) : ARRAY_SIZE(opts) - 3, err) < 0)
        return -1;
    *id = cli_require_id(argc, argv, i, cmd, err);
    if (*id == NULL)
        return -1;
    if (f->o.pid_file && f->o.pid_file[0] != '/') {
        /* relative to the caller's directory, as runc resolves it */
        static char abs[4096];
        char cwd[4000];
        if (getcwd(cwd, sizeof(cwd)) == NULL)
            return rl_error_errno(err, "getcwd");
        snprintf(abs, sizeof(abs), "%s/%s", cwd, f->o.pid_file);
        f->o.pid_file = abs;
    }
    if (f->o.config) {
        /* relative to the caller's directory, as crun resolves it; kept
         * in the state for start's poststart hooks and exec */
        static char cfg[PATH_MAX];
        if (realpath(f->o.config, cfg) == NULL)
            return rl_error_errno(err, "--config %s", f->o.config);
        f->o.config = cfg;
    }
    return 0;
}

int cmd_create(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    struct create_flags f = {.o.console_fd = -1};
    const char *id;
    if (parse(argc, argv, "create", &f, false, &id, err) < 0)
        return -1;
    return rl_create(ctx, id, &f.o, err);
}

int cmd_run(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    struct create_flags f = {.o.console_fd = -1};
    const char *id;
    if (parse(argc, argv, "run", &f, true, &id, err) < 0)
        return -1;
    f.o.foreground = !f.detach;
    int status = 0;
    if (rl_run(ctx, id, &f.o, f.detach, f.keep, &status, err) < 0)
        return -1;
    cli_exit_status = status;
    return 0;
}
