/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* exec [flags] ID [COMMAND [ARGS...]] */
#include "cli.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>

int cmd_exec(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    struct rl_exec_opts o = {0};
    struct cli_list env = {0}, gids = {0}, caps = {0};
    const struct cli_opt opts[] = {
        {"process", 'p', CLI_STRING, &o.process_file},
        {"detach", 'd', CLI_BOOL, &o.detach},
        {"pid-file", 0, CLI_STRING, &o.pid_file},
        {"cwd", 0, CLI_STRING, &o.cwd},
        {"env", 'e', CLI_LIST, &env},
        {"user", 'u', CLI_STRING, &o.user},
        {"additional-gids", 'g', CLI_LIST, &gids},
        {"cap", 'c', CLI_LIST, &caps},
        {"no-new-privs", 0, CLI_BOOL, &o.no_new_privs},
        {"process-label", 0, CLI_STRING, &o.process_label},
        {"apparmor", 0, CLI_STRING, &o.apparmor},
        {"preserve-fds", 0, CLI_INT, &o.preserve_fds},
        {"cgroup", 0, CLI_STRING, &o.cgroup},
        {"ignore-paused", 0, CLI_BOOL, &o.ignore_paused},
        {"tty", 't', CLI_BOOL, &o.tty},
        {"console-socket", 0, CLI_STRING, &o.console_socket},
    };
    int i = 1;
    int r = cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err);
    if (r == 0 && i >= argc)
        r = cli_usage_error(err, "exec", "requires at least 1 argument (the container id)");
    if (r == 0 && !o.process_file && argc - i < 2)
        r = cli_usage_error(err, "exec", "needs a command to run (or --process FILE)");
    if (r == 0) {
        cli_container_id = argv[i];
        o.args = argv + i + 1;
        o.n_args = (size_t)(argc - i - 1);
        o.env = env.v;
        o.n_env = env.n;
        o.additional_gids = gids.v;
        o.n_additional_gids = gids.n;
        o.caps = caps.v;
        o.n_caps = caps.n;
        o.pid_file = cli_abs_path(o.pid_file);
        int status = 0;
        r = rl_exec(ctx, argv[i], &o, &status, err);
        if (r == 0)
            cli_exit_status = status;
    }
    free(env.v);
    free(gids.v);
    free(caps.v);
    return r;
}
