/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* start, state, kill, delete: one flag set and one call each. */
#include "cli.h"
#include "rustlet/utils.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

int cmd_start(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    int i = 1;
    if (cli_parse(argc, argv, &i, NULL, 0, err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "start", err);
    return id ? rl_start(ctx, id, err) : -1;
}

int cmd_state(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    int i = 1;
    if (cli_parse(argc, argv, &i, NULL, 0, err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "state", err);
    char *json = NULL;
    if (id == NULL || rl_state_json(ctx, id, &json, err) < 0)
        return -1;
    printf("%s\n", json);
    free(json);
    return 0;
}

/* "9", "KILL", "SIGKILL" (any case) -> number */
static int parse_signal(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && *end == '\0')
        return n > 0 && n < _NSIG ? (int)n : -1;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (int sig = 1; sig < NSIG; sig++) {
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev && strcasecmp(abbrev, s) == 0)
            return sig;
    }
    if (strncasecmp(s, "RTMIN+", 6) == 0)
        return SIGRTMIN + atoi(s + 6);
    return -1;
}

int cmd_kill(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    bool all = false;
    const struct cli_opt opts[] = {{"all", 'a', CLI_BOOL, &all}};
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    if (i >= argc)
        return cli_usage_error(err, "kill", "requires 1 or 2 arguments (<container-id> [signal])");
    if (argc - i > 2)
        return cli_usage_error(err, "kill", "requires at most 2 arguments, got %d", argc - i);
    const char *id = argv[i];
    cli_container_id = id;
    int sig = SIGTERM;
    if (i + 1 < argc && (sig = parse_signal(argv[i + 1])) < 0)
        return rl_error(err, "unknown signal \"%s\"", argv[i + 1]);
    return rl_kill(ctx, id, sig, all, err);
}

int cmd_delete(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    bool force = false;
    const struct cli_opt opts[] = {{"force", 'f', CLI_BOOL, &force}};
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "delete", err);
    return id ? rl_delete(ctx, id, force, err) : -1;
}
