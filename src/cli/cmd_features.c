/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "cli.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>

int cmd_features(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    int i = 1;
    if (cli_parse(argc, argv, &i, NULL, 0, err) < 0)
        return -1;
    if (i < argc)
        return cli_usage_error(err, "features", "takes no arguments");
    _cleanup_free_ char *doc = rl_features_json(err);
    if (doc == NULL)
        return -1;
    fputs(doc, stdout);
    size_t n = strlen(doc);
    if (n == 0 || doc[n - 1] != '\n')
        putchar('\n');
    return 0;
}
