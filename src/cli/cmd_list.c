/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "cli.h"
#include "rustlet/json.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>

static int print_json(struct rl_list_entry *e, size_t n, struct rl_error **err)
{
    if (n == 0) {
        printf("null\n"); /* as runc prints an empty list */
        return 0;
    }
    printf("[");
    for (size_t i = 0; i < n; i++) {
        char *doc = rl_state_oci_json(e[i].state, e[i].status, false);
        printf("%s%s", i ? "," : "", doc);
        free(doc);
    }
    printf("]\n");
    return 0;
}

int cmd_list(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    const char *format = "table";
    bool quiet = false;
    const struct cli_opt opts[] = {
        {"format", 'f', CLI_STRING, &format},
        {"quiet", 'q', CLI_BOOL, &quiet},
    };
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    if (i < argc)
        return cli_usage_error(err, "list", "takes no arguments");
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return rl_error(err, "invalid format option \"%s\" (table or json)", format);
    struct rl_list_entry *e;
    size_t n;
    if (rl_list(ctx, &e, &n, err) < 0)
        return -1;
    /* a damaged container is listed (status unknown); why goes to stderr
     * (and into the JSON as "damaged") */
    for (size_t k = 0; k < n; k++)
        if (e[k].state->damaged)
            fprintf(stderr, "rustlet: list: container %s: %s\n", e[k].state->id,
                    e[k].state->damaged);
    if (quiet) {
        for (size_t k = 0; k < n; k++)
            printf("%s\n", e[k].state->id);
    } else if (strcmp(format, "json") == 0) {
        print_json(e, n, err);
    } else {
        printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
               "OWNER");
        for (size_t k = 0; k < n; k++) {
            const struct rl_state *s = e[k].state;
            printf("%-12s %-10d %-10s %-40s %-30s %s\n", s->id,
                   e[k].status == RL_STATUS_STOPPED ? 0 : (int)s->pid, rl_status_name(e[k].status),
                   s->bundle ? s->bundle : "", s->created ? s->created : "",
                   s->owner && *s->owner ? s->owner : "root");
        }
    }
    rl_list_free(e, n);
    return 0;
}
