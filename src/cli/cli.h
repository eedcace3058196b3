/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The command line: one file per command, each parses its flags, calls one
 * rl_* function and prints. Flags are accepted as --flag value,
 * --flag=value, -flag value (go-runc's single dash) and -f value. */
#ifndef RUSTLET_CLI_H
#define RUSTLET_CLI_H

#include <stdbool.h>

#include "rustlet/container.h"
#include "rustlet/error.h"

enum cli_opt_type { CLI_BOOL, CLI_STRING, CLI_INT, CLI_LIST };

/* CLI_LIST: a flag that may be repeated (exec --env A=1 --env B=2). */
struct cli_list {
    const char **v; /* malloc'd array of argv pointers */
    size_t n;
};

struct cli_opt {
    const char *name; /* long name without dashes */
    char short_name;  /* 0 if none */
    enum cli_opt_type type;
    void *dest; /* bool*, const char**, int*, struct cli_list* */
};

/* Parse flags from argv[*i] on, stopping at the first non-flag or after
 * "--". Unknown flag: error "flag provided but not defined: -x". */
int cli_parse(int argc, char **argv, int *i, const struct cli_opt *opts, size_t n,
              struct rl_error **err);

struct cli_global {
    const char *root;
    const char *log;
    const char *log_format;
    bool debug;
    bool systemd_cgroup;
    const char *cgroup_manager;
    const char *criu;     /* --criu PATH: the criu binary of checkpoint/restore */
    const char *rootless; /* --rootless true|false|auto (runc's), validated */
};

struct cli_cmd {
    const char *name;
    const char *usage; /* after "rustlet NAME " */
    const char *summary;
    int (*fn)(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err);
};

/* Exit status when a command reports its own (run); otherwise 0/1. */
extern int cli_exit_status;
/* The id of the container the command acts on, for error context. */
extern const char *cli_container_id;

int cli_usage_error(struct rl_error **err, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* help.c: the options of a command, one line each (NULL if it has none). */
const char *cli_command_options(const char *cmd);
/* Exactly one ID argument at argv[i]. */
const char *cli_require_id(int argc, char **argv, int i, const char *cmd, struct rl_error **err);

int cmd_spec(const struct rl_context *, int, char **, struct rl_error **);
int cmd_create(const struct rl_context *, int, char **, struct rl_error **);
int cmd_start(const struct rl_context *, int, char **, struct rl_error **);
int cmd_state(const struct rl_context *, int, char **, struct rl_error **);
int cmd_kill(const struct rl_context *, int, char **, struct rl_error **);
int cmd_delete(const struct rl_context *, int, char **, struct rl_error **);
int cmd_run(const struct rl_context *, int, char **, struct rl_error **);
int cmd_list(const struct rl_context *, int, char **, struct rl_error **);
int cmd_features(const struct rl_context *, int, char **, struct rl_error **);
int cmd_exec(const struct rl_context *, int, char **, struct rl_error **);
int cmd_ps(const struct rl_context *, int, char **, struct rl_error **);
int cmd_pause(const struct rl_context *, int, char **, struct rl_error **);
int cmd_resume(const struct rl_context *, int, char **, struct rl_error **);
int cmd_update(const struct rl_context *, int, char **, struct rl_error **);
int cmd_events(const struct rl_context *, int, char **, struct rl_error **);
int cmd_checkpoint(const struct rl_context *, int, char **, struct rl_error **);
int cmd_restore(const struct rl_context *, int, char **, struct rl_error **);
/* Make a relative path absolute against the caller's directory. */
const char *cli_abs_path(const char *p);

#endif
