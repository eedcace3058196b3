/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* events [--stats] [--interval D] ID: JSON lines as runc prints them. */
#include "cli.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>

/* A Go-style duration: 5s, 100ms, 1m30s, 2h, 500us; a bare number is
 * seconds. Returns milliseconds (at least 1), or -1. */
static long parse_duration_ms(const char *s)
{
    double total = 0;
    char *end;
    if (*s == '\0')
        return -1;
    double plain = strtod(s, &end);
    if (*end == '\0')
        return plain > 0 ? (long)(plain * 1000) : -1;
    while (*s) {
        double v = strtod(s, &end);
        if (end == s)
            return -1;
        s = end;
        double ms;
        if (strncmp(s, "ms", 2) == 0)
            ms = 1, s += 2;
        else if (strncmp(s, "us", 2) == 0 || strncmp(s, "µs", 3) == 0)
            ms = 0.001, s += s[0] == 'u' ? 2 : 3;
        else if (strncmp(s, "ns", 2) == 0)
            ms = 0.000001, s += 2;
        else if (*s == 'h')
            ms = 3600000, s++;
        else if (*s == 'm')
            ms = 60000, s++;
        else if (*s == 's')
            ms = 1000, s++;
        else
            return -1;
        total += v * ms;
    }
    return total >= 1 ? (long)total : (total > 0 ? 1 : -1);
}

static void print_line(void *data, const char *line)
{
    (void)data;
    printf("%s\n", line);
    fflush(stdout);
}

int cmd_events(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    bool stats = false;
    const char *interval = "5s";
    const struct cli_opt opts[] = {
        {"stats", 0, CLI_BOOL, &stats},
        {"interval", 0, CLI_STRING, &interval},
    };
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "events", err);
    if (id == NULL)
        return -1;
    long ms = parse_duration_ms(interval);
    if (ms <= 0)
        return rl_error(err, "invalid value \"%s\" for flag --interval (a duration like 5s)",
                        interval);
    return rl_events(ctx, id, stats, (unsigned)ms, print_line, NULL, err);
}
