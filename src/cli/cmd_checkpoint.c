/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* checkpoint and restore: runc's flags. */
#include "cli.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>

/* runc's flags rustlet has no criu counterpart for (yet) */
struct unsupported {
    bool lazy_pages;
    const char *status_fd, *page_server;
};

static int refuse(const struct unsupported *u, struct rl_error **err)
{
    if (u->lazy_pages)
        return rl_error(err, "--lazy-pages: not supported yet");
    if (u->status_fd)
        return rl_error(err, "--status-fd: not supported yet");
    if (u->page_server)
        return rl_error(err, "--page-server: not supported yet");
    return 0;
}

static void paths(struct rl_criu_opts *c)
{
    /* runc's default: ./checkpoint; the work path defaults to it */
    c->image_path = cli_abs_path(c->image_path ? c->image_path : "checkpoint");
    c->work_path = cli_abs_path(c->work_path);
}

int cmd_checkpoint(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    struct rl_checkpoint_opts o = {0};
    struct unsupported u = {0};
    const struct cli_opt opts[] = {
        {"image-path", 0, CLI_STRING, &o.c.image_path},
        {"work-path", 0, CLI_STRING, &o.c.work_path},
        {"parent-path", 0, CLI_STRING, &o.parent_path},
        {"leave-running", 0, CLI_BOOL, &o.leave_running},
        {"tcp-established", 0, CLI_BOOL, &o.c.tcp_established},
        {"ext-unix-sk", 0, CLI_BOOL, &o.c.ext_unix_sk},
        {"shell-job", 0, CLI_BOOL, &o.c.shell_job},
        {"file-locks", 0, CLI_BOOL, &o.c.file_locks},
        {"pre-dump", 0, CLI_BOOL, &o.pre_dump},
        {"manage-cgroups-mode", 0, CLI_STRING, &o.c.manage_cgroups_mode},
        {"empty-ns", 0, CLI_STRING, &o.c.empty_ns},
        {"auto-dedup", 0, CLI_BOOL, &o.c.auto_dedup},
        {"lazy-pages", 0, CLI_BOOL, &u.lazy_pages},
        {"status-fd", 0, CLI_STRING, &u.status_fd},
        {"page-server", 0, CLI_STRING, &u.page_server},
    };
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "checkpoint", err);
    if (id == NULL || refuse(&u, err) < 0)
        return -1;
    paths(&o.c);
    return rl_checkpoint(ctx, id, &o, err);
}

int cmd_restore(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    struct rl_restore_opts o = {.create.console_fd = -1};
    struct unsupported u = {0};
    const struct cli_opt opts[] = {
        {"image-path", 0, CLI_STRING, &o.c.image_path},
        {"work-path", 0, CLI_STRING, &o.c.work_path},
        {"tcp-established", 0, CLI_BOOL, &o.c.tcp_established},
        {"ext-unix-sk", 0, CLI_BOOL, &o.c.ext_unix_sk},
        {"shell-job", 0, CLI_BOOL, &o.c.shell_job},
        {"file-locks", 0, CLI_BOOL, &o.c.file_locks},
        {"manage-cgroups-mode", 0, CLI_STRING, &o.c.manage_cgroups_mode},
        {"empty-ns", 0, CLI_STRING, &o.c.empty_ns},
        {"auto-dedup", 0, CLI_BOOL, &o.c.auto_dedup},
        {"bundle", 'b', CLI_STRING, &o.create.bundle},
        {"detach", 'd', CLI_BOOL, &o.detach},
        {"pid-file", 0, CLI_STRING, &o.create.pid_file},
        {"console-socket", 0, CLI_STRING, &o.create.console_socket},
        {"no-subreaper", 0, CLI_BOOL, &o.create.no_subreaper},
        {"no-pivot", 0, CLI_BOOL, &o.create.no_pivot},
        {"lsm-profile", 0, CLI_STRING, &o.lsm_profile},
        {"lsm-mount-context", 0, CLI_STRING, &o.lsm_mount_context},
        {"lazy-pages", 0, CLI_BOOL, &u.lazy_pages},
    };
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "restore", err);
    if (id == NULL || refuse(&u, err) < 0)
        return -1;
    if (o.create.no_pivot)
        return rl_error(err, "--no-pivot: not supported by restore (criu makes the container's "
                             "root itself)");
    paths(&o.c);
    o.create.pid_file = cli_abs_path(o.create.pid_file);
    int status = 0;
    if (rl_restore(ctx, id, &o, &status, err) < 0)
        return -1;
    cli_exit_status = o.detach ? 0 : status;
    return 0;
}
