/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* pause ID / resume ID */
#include "cli.h"

int cmd_pause(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    int i = 1;
    if (cli_parse(argc, argv, &i, NULL, 0, err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "pause", err);
    return id ? rl_pause(ctx, id, err) : -1;
}

int cmd_resume(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    int i = 1;
    if (cli_parse(argc, argv, &i, NULL, 0, err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "resume", err);
    return id ? rl_resume(ctx, id, err) : -1;
}
