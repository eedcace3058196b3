/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The one in-memory model of an OCI runtime-spec v1.x config.json.
 *
 * rl_spec_parse() reads the JSON (through the json module, the only user of
 * yajl) straight into these plain structs; rl_spec_validate() checks them in a
 * pure function (no syscalls) before the runtime acts on anything.
 *
 * Conventions:
 * - Every optional scalar has a has_<name> flag; pointers are NULL when absent.
 * - Arrays are (pointer, count) pairs; string lists are NULL-terminated char**
 *   plus a count.
 * - uint64 values round-trip exactly (up to 18446744073709551615).
 * - Each object remembers that it was present (`present`) so validation can
 *   refuse known properties the runtime does not implement yet.
 */
#ifndef RUSTLET_SPEC_H
#define RUSTLET_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rustlet/error.h"

struct rl_kv { /* annotations, sysctl, unified, ... (ordered as in JSON) */
    char *key;
    char *value;
};

struct rl_id_mapping {
    uint32_t container_id;
    uint32_t host_id;
    uint32_t size;
};

struct rl_hook {
    char *path;
    char **args; /* may be NULL */
    size_t n_args;
    char **env; /* may be NULL */
    size_t n_env;
    bool has_timeout;
    int64_t timeout; /* seconds, must be > 0 */
};

struct rl_hooks {
    struct rl_hook *prestart;
    size_t n_prestart;
    struct rl_hook *create_runtime;
    size_t n_create_runtime;
    struct rl_hook *create_container;
    size_t n_create_container;
    struct rl_hook *start_container;
    size_t n_start_container;
    struct rl_hook *poststart;
    size_t n_poststart;
    struct rl_hook *poststop;
    size_t n_poststop;
};

struct rl_mount {
    char *destination; /* required */
    char *type;        /* may be NULL */
    char *source;      /* may be NULL */
    char **options;    /* may be NULL */
    size_t n_options;
    struct rl_id_mapping *uid_mappings;
    size_t n_uid_mappings;
    struct rl_id_mapping *gid_mappings;
    size_t n_gid_mappings;
};

struct rl_rlimit {
    char *type;   /* "RLIMIT_NOFILE" */
    int resource; /* resolved RLIMIT_* number, -1 if unknown */
    uint64_t soft;
    uint64_t hard;
};

struct rl_capabilities {
    bool present;
    char **bounding;
    size_t n_bounding;
    bool has_bounding;
    char **effective;
    size_t n_effective;
    bool has_effective;
    char **inheritable;
    size_t n_inheritable;
    bool has_inheritable;
    char **permitted;
    size_t n_permitted;
    bool has_permitted;
    char **ambient;
    size_t n_ambient;
    bool has_ambient;
};

struct rl_user {
    bool present; /* REQUIRED on Linux */
    uint32_t uid;
    uint32_t gid;
    bool has_umask;
    uint32_t umask;
    uint32_t *additional_gids;
    size_t n_additional_gids;
    char *username; /* Windows only; ignored */
};

struct rl_io_priority {
    bool present;
    char *class_name; /* IOPRIO_CLASS_RT|BE|IDLE */
    int32_t priority;
};

struct rl_scheduler {
    bool present;
    char *policy; /* SCHED_OTHER, ... */
    bool has_nice;
    int32_t nice;
    bool has_priority;
    int32_t priority;
    char **flags;
    size_t n_flags;
    bool has_runtime;
    uint64_t runtime;
    bool has_deadline;
    uint64_t deadline;
    bool has_period;
    uint64_t period;
};

struct rl_exec_cpu_affinity {
    bool present;
    char *initial;
    char *final;
};

struct rl_process {
    bool present;
    bool terminal;
    bool has_console_size;
    uint64_t console_height, console_width;
    char *cwd; /* required when process present */
    char **env;
    size_t n_env;
    char **args;
    size_t n_args;
    char *command_line; /* Windows only */
    struct rl_user user;
    struct rl_capabilities capabilities;
    struct rl_rlimit *rlimits;
    size_t n_rlimits;
    bool no_new_privileges;
    char *apparmor_profile;
    bool has_oom_score_adj;
    int oom_score_adj;
    char *selinux_label;
    struct rl_io_priority io_priority;
    struct rl_scheduler scheduler;
    struct rl_exec_cpu_affinity exec_cpu_affinity;
};

enum rl_ns_type {
    RL_NS_MOUNT,
    RL_NS_PID,
    RL_NS_NETWORK,
    RL_NS_UTS,
    RL_NS_IPC,
    RL_NS_USER,
    RL_NS_CGROUP,
    RL_NS_TIME,
    RL_NS_COUNT
};

struct rl_namespace {
    enum rl_ns_type type;
    char *path; /* NULL: create a new one */
};

struct rl_device { /* linux.devices[] */
    char *path;
    char *type;           /* "c", "b", "u", "p" */
    int64_t major, minor; /* has_* false for "p" */
    bool has_major, has_minor;
    bool has_file_mode;
    uint32_t file_mode;
    bool has_uid;
    uint32_t uid;
    bool has_gid;
    uint32_t gid;
};

struct rl_device_cgroup { /* linux.resources.devices[] */
    bool allow;
    char *type; /* "a", "c", "b" or NULL (= all) */
    bool has_major;
    int64_t major; /* absent = wildcard */
    bool has_minor;
    int64_t minor;
    char *access; /* "rwm" subset or NULL */
};

struct rl_block_io_device { /* weightDevice and throttle* */
    int64_t major, minor;
    bool has_weight;
    uint16_t weight;
    bool has_leaf_weight;
    uint16_t leaf_weight;
    uint64_t rate; /* throttles */
};

struct rl_resources {
    bool present;
    struct rl_device_cgroup *devices;
    size_t n_devices;
    struct {
        bool present;
        bool has_limit;
        int64_t limit;
        bool has_reservation;
        int64_t reservation;
        bool has_swap;
        int64_t swap;
        bool has_kernel;
        int64_t kernel;
        bool has_kernel_tcp;
        int64_t kernel_tcp;
        bool has_swappiness;
        uint64_t swappiness;
        bool has_disable_oom_killer;
        bool disable_oom_killer;
        bool has_use_hierarchy;
        bool use_hierarchy;
        bool has_check_before_update;
        bool check_before_update;
    } memory;
    struct {
        bool present;
        bool has_shares;
        uint64_t shares;
        bool has_quota;
        int64_t quota;
        bool has_burst;
        uint64_t burst;
        bool has_period;
        uint64_t period;
        bool has_realtime_runtime;
        int64_t realtime_runtime;
        bool has_realtime_period;
        uint64_t realtime_period;
        char *cpus;
        char *mems;
        bool has_idle;
        int64_t idle;
    } cpu;
    struct {
        bool present;
        int64_t limit;
    } pids;
    struct {
        bool present;
        bool has_weight;
        uint16_t weight;
        bool has_leaf_weight;
        uint16_t leaf_weight;
        struct rl_block_io_device *weight_device;
        size_t n_weight_device;
        struct rl_block_io_device *throttle_read_bps;
        size_t n_throttle_read_bps;
        struct rl_block_io_device *throttle_write_bps;
        size_t n_throttle_write_bps;
        struct rl_block_io_device *throttle_read_iops;
        size_t n_throttle_read_iops;
        struct rl_block_io_device *throttle_write_iops;
        size_t n_throttle_write_iops;
    } block_io;
    struct rl_hugepage_limit {
        char *page_size;
        uint64_t limit;
    } * hugepage_limits;
    size_t n_hugepage_limits;
    struct {
        bool present;
        bool has_class_id;
        uint32_t class_id;
        struct rl_net_priority {
            char *name;
            uint32_t priority;
        } * priorities;
        size_t n_priorities;
    } network;
    struct rl_rdma {
        char *device;
        bool has_hca_handles;
        uint32_t hca_handles;
        bool has_hca_objects;
        uint32_t hca_objects;
    } * rdma;
    size_t n_rdma;
    struct rl_kv *unified;
    size_t n_unified;
};

struct rl_seccomp_arg {
    uint32_t index;
    uint64_t value;
    bool has_value_two;
    uint64_t value_two;
    char *op; /* SCMP_CMP_* */
};

struct rl_seccomp_syscall {
    char **names;
    size_t n_names;
    char *action; /* SCMP_ACT_* */
    bool has_errno_ret;
    uint32_t errno_ret;
    struct rl_seccomp_arg *args;
    size_t n_args;
};

struct rl_seccomp {
    bool present;
    char *default_action;
    bool has_default_errno_ret;
    uint32_t default_errno_ret;
    char **architectures;
    size_t n_architectures;
    char **flags;
    size_t n_flags;
    char *listener_path;
    char *listener_metadata;
    struct rl_seccomp_syscall *syscalls;
    size_t n_syscalls;
};

struct rl_linux {
    bool present;
    struct rl_namespace *namespaces;
    size_t n_namespaces;
    struct rl_id_mapping *uid_mappings;
    size_t n_uid_mappings;
    struct rl_id_mapping *gid_mappings;
    size_t n_gid_mappings;
    struct {
        bool present;
        bool has_boottime;
        int64_t boottime_secs;
        uint32_t boottime_nanosecs;
        bool has_monotonic;
        int64_t monotonic_secs;
        uint32_t monotonic_nanosecs;
    } time_offsets;
    struct rl_device *devices;
    size_t n_devices;
    char *cgroups_path;
    struct rl_resources resources;
    char *rootfs_propagation; /* shared|slave|private|unbindable|rshared|... */
    struct rl_seccomp seccomp;
    struct rl_kv *sysctl;
    size_t n_sysctl;
    char **masked_paths;
    size_t n_masked_paths;
    bool has_masked_paths;
    char **readonly_paths;
    size_t n_readonly_paths;
    bool has_readonly_paths;
    char *mount_label;
    struct {
        bool present;
        char *domain;
        char **flags;
        size_t n_flags;
    } personality;
    bool has_intel_rdt;
    struct rl_intel_rdt {
        char *clos_id;         /* resctrl group name (default: the container id) */
        char *l3_cache_schema; /* "L3:0=ffff;1=ffff" */
        char *mem_bw_schema;   /* "MB:0=70;1=70" */
        char **schemata;
        size_t n_schemata; /* more schemata lines */
        bool enable_monitoring;
    } intel_rdt;
    bool has_memory_policy;
    struct {
        bool present;
        char *mode;
        char *nodes;
        char **flags;
        size_t n_flags;
    } memory_policy;
    bool has_net_devices;
    /* linux.netDevices: host interface -> name in the container (NULL: same) */
    struct rl_net_device {
        char *host;
        char *name;
    } * net_devices;
    size_t n_net_devices;
};

struct rl_spec {
    char *oci_version;
    struct {
        char *path;
        bool readonly;
        bool present;
    } root;
    char *hostname;
    char *domainname;
    struct rl_mount *mounts;
    size_t n_mounts;
    struct rl_process process;
    struct rl_hooks hooks;
    struct rl_kv *annotations;
    size_t n_annotations;
    struct rl_linux linux_;  /* "linux" is a predefined macro in GNU C */
    bool has_other_platform; /* solaris/windows/vm/zos/freebsd present */
};

/* Parse config.json text (len bytes). Returns NULL with *err naming the JSON
 * path of the offending value, e.g. "linux.resources.memory.limit: expected
 * an integer". */
struct rl_spec *rl_spec_parse(const char *json, size_t len, struct rl_error **err);
/* Read BUNDLE/config.json and parse it. */
struct rl_spec *rl_spec_load(const char *bundle, struct rl_error **err);
/* The same from a file named on its own (`create --config FILE`). */
struct rl_spec *rl_spec_load_file(const char *path, struct rl_error **err);
void rl_spec_free(struct rl_spec *spec);

/* Pure validation: no syscalls. Refuses what the runtime cannot honour yet
 * with a message naming the config path. */
int rl_spec_validate(const struct rl_spec *spec, struct rl_error **err);

/* runc's default config.json (ociVersion 1.3.0) as JSON text; rootless
 * variant when rootless is true. Caller frees. */
char *rl_spec_default_json(bool rootless);

/* `exec --process FILE`: a JSON process object alone. */
struct rl_process *rl_spec_parse_process(const char *json, size_t len, struct rl_error **err);
void rl_spec_process_free(struct rl_process *p);

/* A LinuxResources object alone (`update --resources`, the state file). */
struct rl_json;
struct rl_jsonw;
struct rl_resources *rl_spec_parse_resources(const char *json, size_t len, struct rl_error **err);
struct rl_resources *rl_spec_resources_from_json(const struct rl_json *node, struct rl_error **err);
/* Write the values update manages (memory, cpu, pids, blockIO weights,
 * unified) as one JSON object value. */
void rl_spec_resources_write(const struct rl_resources *r, struct rl_jsonw *w);
/* Values set in src replace dst's. */
void rl_spec_resources_merge(struct rl_resources *dst, const struct rl_resources *src);
void rl_spec_resources_free(struct rl_resources *r);
/* The config path of the first limit r sets ("linux.resources.memory", ...),
 * NULL if none: device rules are not limits (rootless mode goes without
 * them when it cannot make a cgroup, as runc's does). */
const char *rl_spec_resources_first_limit(const struct rl_resources *r);

const char *rl_ns_type_name(enum rl_ns_type t);
/* "CAP_CHOWN" for 0 ... "CAP_CHECKPOINT_RESTORE" for 40; NULL beyond what
 * rustlet knows. */
const char *rl_cap_name(int cap);
int rl_ns_type_from_name(const char *name); /* -1 if unknown */
/* Find a namespace entry of the given type, NULL if absent. */
const struct rl_namespace *rl_spec_namespace(const struct rl_spec *spec, enum rl_ns_type t);

/* Pure checks on spec values (src/spec/spec_checks.c), shared by
 * rl_spec_validate() and the code that applies the values. */
/*
 * hugepage pageSize "<power of two><KB|MB|GB|TB>" ("2MB" -> 2097152; the
 * kernel's "kB" too); -1 if malformed. Whether the kernel has that size is
 * checked when the limit is applied (hugetlb.<size>.* must exist). */
int rl_cgroup_hugepage_size(const char *s, uint64_t *bytes);
/* A linux.resources.unified key: a file name (no '/', not "." or ".."), of
 * the form CONTROLLER.PARAMETER, and not one of the files the runtime
 * manages (cgroup.procs, cgroup.threads, cgroup.kill). */
int rl_cgroup_unified_key_check(const char *key, struct rl_error **err);

/* idmap.c: idmapped bind mounts (mounts[].uidMappings/gidMappings, options
 * idmap/ridmap). The runtime makes them before the clone, in its own user
 * namespace: mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN over the
 * source's superblock, which a container in a user namespace lacks. */
bool rl_mount_is_idmapped(const struct rl_mount *m);

#endif
