/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The public lifecycle API of the core library: what each CLI command calls.
 * Nothing here prints or exits; errors come back in *err with the container
 * id already in context where it helps. */
#ifndef RUSTLET_CONTAINER_H
#define RUSTLET_CONTAINER_H

#include <stdbool.h>
#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#include "rustlet/cgroup.h"
#include "rustlet/error.h"
#include "rustlet/spec.h"

struct rl_context {
    const char *root;          /* state root, e.g. /run/rustlet */
    const char *notify_socket; /* $NOTIFY_SOCKET: proxy the container's sd_notify
                                  READY to it (create/run/start); NULL: none */
    bool no_cgroups;           /* --cgroup-manager disabled: create makes and joins
                                * no cgroup (podman --cgroups=disabled) */
    bool systemd_cgroup;       /* --systemd-cgroup: the cgroup is a systemd scope */
    const char *criu;          /* --criu: the criu binary (NULL: "criu" on PATH) */
    bool rootless;             /* --rootless (default: euid != 0): cgroups the user
                                  cannot make are skipped, id maps of more than the
                                  user's own id go through newuidmap/newgidmap */
};

struct rl_create_opts {
    const char *bundle; /* default: current directory */
    const char *config; /* --config (crun's): the configuration file;
                           default: <bundle>/config.json */
    const char *pid_file;
    const char *console_socket;
    int console_fd; /* `run -t` in the foreground: our end of an internal
                       console socket (-1: none) */
    bool no_pivot;
    bool no_new_keyring;
    int preserve_fds;
    bool foreground;   /* `run` without -d: the caller stays the parent */
    bool no_subreaper; /* run --no-subreaper (runc's): a foreground run does
                          not become the child subreaper, so processes the
                          container orphans go to the caller's reaper */
};

enum rl_status {
    RL_STATUS_CREATING,
    RL_STATUS_CREATED,
    RL_STATUS_RUNNING,
    RL_STATUS_PAUSED,
    RL_STATUS_STOPPED,
    RL_STATUS_UNKNOWN /* damaged state (runc's word): only delete --force */
};

/* errnum of a "damaged state" error: ROOT/<id>, state.json or init.json is
 * not what the runtime wrote (missing, not a regular file, too large, not
 * JSON, wrong shape, or state.json and init.json disagree on the init). */
#define RL_EDAMAGED EUCLEAN
/* Set *err to the message with errnum RL_EDAMAGED (no errno text added). */
int rl_error_damaged(struct rl_error **err, const char *fmt, ...) RL_PRINTF(2, 3);

/* What state.json keeps about a container. */
struct rl_state {
    char *id;
    pid_t pid;                     /* 0 until the init exists */
    unsigned long long start_time; /* /proc/<pid>/stat field 22, against pid reuse */
    char *bundle;
    char *config; /* create --config FILE (absolute); NULL:
                     <bundle>/config.json */
    char *rootfs;
    char *created; /* RFC3339 */
    char *owner;
    struct rl_kv *annotations;
    size_t n_annotations;
    struct rl_cgroup *cgroup; /* NULL before the cgroup exists */
    struct rl_hook *poststop;
    size_t n_poststop;
    struct rl_resources *resources; /* the cgroup limits in force (create, then
                                       update); NULL if none were set */
    char *damaged;                  /* NULL, or why the state is damaged: then
                                       only id, pid, start_time, bundle, rootfs
                                       and cgroup are set, from init.json or
                                       (cgroup only) found by the id */
};

const char *rl_status_name(enum rl_status s);
/* The configuration file the container was created from (malloc'd). */
char *rl_state_config_path(const struct rl_state *st);

/* runtime.c. Before anything else in the commands that enter a container
 * (create, run, exec): re-execute from a sealed memfd copy of the binary
 * unless already running one (CVE-2019-5736); 0 when already sealed. */
int rl_runtime_seal(char **argv, struct rl_error **err);
/* The global options against the host: --systemd-cgroup needs systemd as
 * the init and root (the user instance is not supported). */
int rl_context_check(const struct rl_context *ctx, struct rl_error **err);

int rl_create(const struct rl_context *ctx, const char *id, const struct rl_create_opts *opts,
              struct rl_error **err);
int rl_start(const struct rl_context *ctx, const char *id, struct rl_error **err);
/* The OCI state JSON (runc's layout), pretty-printed. */
int rl_state_json(const struct rl_context *ctx, const char *id, char **json, struct rl_error **err);
int rl_kill(const struct rl_context *ctx, const char *id, int sig, bool all, struct rl_error **err);
int rl_delete(const struct rl_context *ctx, const char *id, bool force, struct rl_error **err);
/* create + start; in the foreground wait, forward signals and return the
 * exit status (128+signal when killed) in *status, then delete unless keep. */
int rl_run(const struct rl_context *ctx, const char *id, const struct rl_create_opts *opts,
           bool detach, bool keep, int *status, struct rl_error **err);

/* The runtime-spec Features structure (`rustlet features`), pretty JSON. */
char *rl_features_json(struct rl_error **err);
/* `exec`: a new process in a running (or created) container. Without
 * process_file the process is the config's, with args and the flags'
 * overrides (runc's rules: env appended, caps added to bounding/effective/
 * permitted, user "UID[:GID]"). */
struct rl_exec_opts {
    const char *process_file; /* JSON process object (--process) */
    char **args;
    size_t n_args; /* COMMAND ARGS... */
    bool detach;
    const char *pid_file;
    const char *cwd;
    const char **env;
    size_t n_env;
    const char *user;
    const char **additional_gids;
    size_t n_additional_gids;
    const char **caps;
    size_t n_caps;
    bool no_new_privs;
    const char *process_label;
    const char *apparmor;
    int preserve_fds;
    const char *cgroup; /* [CONTROLLER:]SUB-CGROUP */
    bool ignore_paused;
    bool tty;
    const char *console_socket;
};
/* Foreground: *status = the process's exit code (128+signal when killed).
 * Detached: returns once the process exec'd (pid file written). */
int rl_exec(const struct rl_context *ctx, const char *id, const struct rl_exec_opts *opts,
            int *status, struct rl_error **err);

/* Host pids of every process in the container's cgroup. */
int rl_ps(const struct rl_context *ctx, const char *id, pid_t **pids, size_t *n,
          struct rl_error **err);
int rl_pause(const struct rl_context *ctx, const char *id, struct rl_error **err);
int rl_resume(const struct rl_context *ctx, const char *id, struct rl_error **err);
/* Merge res into the limits in force, apply them, keep them in the state. */
int rl_update(const struct rl_context *ctx, const char *id, const struct rl_resources *res,
              struct rl_error **err);
/* `update --l3-cache-schema / --mem-bw-schema` (NULL: unchanged): the
 * schemata of the container's resctrl group. */
int rl_update_intel_rdt(const struct rl_context *ctx, const char *id, const char *l3,
                        const char *mb, struct rl_error **err);
/* `events`: each event as one JSON line (no newline) to emit(). With
 * stats_only one stats event and return; else a stats event every
 * interval_ms and "oom" events as they happen, until the container stops. */
typedef void (*rl_event_fn)(void *data, const char *json_line);
int rl_events(const struct rl_context *ctx, const char *id, bool stats_only, unsigned interval_ms,
              rl_event_fn emit, void *data, struct rl_error **err);

/* `checkpoint` and `restore` (checkpoint.c), through the criu command
 * line: runc's flags. CRIU's own options are the ones of both commands. */
struct rl_criu_opts {
    const char *image_path; /* default: ./checkpoint (absolute here) */
    const char *work_path;  /* logs and work files; default: image_path */
    bool tcp_established, ext_unix_sk, shell_job, file_locks, auto_dedup;
    const char *manage_cgroups_mode; /* soft|full|strict|ignore (NULL: soft) */
    const char *empty_ns;            /* "network": an empty one, not dumped */
};
struct rl_checkpoint_opts {
    struct rl_criu_opts c;
    const char *parent_path; /* a previous pre-dump, relative to image_path */
    bool leave_running, pre_dump;
};
struct rl_restore_opts {
    struct rl_criu_opts c;
    struct rl_create_opts create; /* bundle, pid_file, no_pivot, no_subreaper */
    bool detach;
    const char *lsm_profile, *lsm_mount_context;
};
/* Dump the container's processes to o->c.image_path; unless leave_running
 * or pre_dump, the container is gone afterwards (criu killed it, its
 * cgroup and state are removed), so the same id can be restored. */
int rl_checkpoint(const struct rl_context *ctx, const char *id, const struct rl_checkpoint_opts *o,
                  struct rl_error **err);
/* A new container ID from the bundle whose processes come from the
 * image: running when this returns (detach), else wait, relay signals and
 * return the exit status in *status, then delete, like `run`. */
int rl_restore(const struct rl_context *ctx, const char *id, const struct rl_restore_opts *o,
               int *status, struct rl_error **err);

struct rl_list_entry {
    struct rl_state *state;
    enum rl_status status;
};
int rl_list(const struct rl_context *ctx, struct rl_list_entry **entries, size_t *n,
            struct rl_error **err);
void rl_list_free(struct rl_list_entry *entries, size_t n);

/* --- state module (state.c) --- */
/* Open and lock ROOT/ID (flock, exclusive; ID not followed if a symlink).
 * Fails with ENOENT "container <id> does not exist" when missing or deleted
 * while we waited, RL_EDAMAGED when ROOT/ID is not a directory. */
int rl_state_lock(const struct rl_context *ctx, const char *id, struct rl_error **err);
/* state.json, read from a regular file only (no symlink, FIFO, device or
 * directory, at most 1 MiB, never blocking) with the shape rl_state_write
 * gives it; anything else fails with errnum RL_EDAMAGED and "damaged state:
 * PATH: what is wrong". */
int rl_state_read(const struct rl_context *ctx, const char *id, struct rl_state **st,
                  struct rl_error **err);
int rl_state_write(const struct rl_context *ctx, const struct rl_state *st, struct rl_error **err);
/* init.json, the record: id, pid, startTime, bundle, rootfs, cgroup. create
 * writes it before the clone (the cgroup) and before state.json whenever the
 * pid changes; it is what delete --force trusts when state.json is damaged.
 * read: RL_EDAMAGED on any damage, like rl_state_read. */
int rl_state_write_record(const struct rl_context *ctx, const struct rl_state *st,
                          struct rl_error **err);
int rl_state_read_record(const struct rl_context *ctx, const char *id, struct rl_state **st,
                         struct rl_error **err);
/* Parse a state.json document (what rl_state_read does after reading the
 * file; also the fuzz_state target). *st gets id. */
int rl_state_parse(const char *doc, size_t len, const char *id, struct rl_state **st,
                   struct rl_error **err);
void rl_state_free(struct rl_state *st);
/* Work out the status from the process, the exec fifo and the freezer. */
enum rl_status rl_state_status(const struct rl_context *ctx, const struct rl_state *st);
/* The OCI state document (runc's field order: ociVersion, id, pid, status,
 * bundle, rootfs, created, annotations if any, owner). Used for `state` and
 * for hooks' stdin. pid is reported as 0 once stopped, as runc does.
 * A damaged state (list) gets a last key "damaged" with the reason. */
char *rl_state_oci_json(const struct rl_state *st, enum rl_status status, bool pretty);
char *rl_state_dir(const struct rl_context *ctx, const char *id);
/* Check an id: [A-Za-z0-9_+.-]+, not "." or "..". */
int rl_validate_id(const char *id, struct rl_error **err);
/* Read field 22 of /proc/<pid>/stat; 0 if the process is gone. */
unsigned long long rl_proc_start_time(pid_t pid);
/* A pidfd for the container's init, or -1 (errno ESRCH) when it is gone or
 * its pid was reused. */
int rl_state_pidfd(const struct rl_state *st);

#endif
