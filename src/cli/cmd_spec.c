/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "cli.h"
#include "rustlet/spec.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int cmd_spec(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    const char *bundle = NULL;
    bool rootless = false;
    const struct cli_opt opts[] = {
        {"bundle", 'b', CLI_STRING, &bundle},
        {"rootless", 0, CLI_BOOL, &rootless},
    };
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    if (i < argc)
        return cli_usage_error(err, "spec", "takes no arguments");
    _cleanup_free_ char *path = xasprintf("%s/config.json", bundle ? bundle : ".");
    if (access(path, F_OK) == 0)
        return rl_error(err, "File %s exists. Remove it first", path);
    _cleanup_free_ char *doc = rl_spec_default_json(rootless);
    size_t len = strlen(doc);
    _cleanup_free_ char *withnl = xasprintf("%s%s", doc, len && doc[len - 1] == '\n' ? "" : "\n");
    return rl_write_file_at(AT_FDCWD, path, withnl, strlen(withnl), 0666, err);
}
