/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The default config.json written by `rustlet spec`: the same content and
 * field order as `runc spec` (and `runc spec --rootless`), but declaring the
 * runtime-spec version rustlet implements. */
#include "rustlet/json.h"
#include "rustlet/spec.h"
#include "rustlet/utils.h"

#include <unistd.h>

#define DEFAULT_OCI_VERSION "1.3.0"

static void w_strv(struct rl_jsonw *w, const char *key, const char *const *v, size_t n)
{
    rl_jsonw_key(w, key);
    rl_jsonw_array_open(w);
    for (size_t i = 0; i < n; i++)
        rl_jsonw_string(w, v[i]);
    rl_jsonw_array_close(w);
}

static void w_process(struct rl_jsonw *w)
{
    static const char *const args[] = {"sh"};
    static const char *const env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
    static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    static const char *const cap_sets[] = {"bounding", "effective", "permitted", "ambient"};

    rl_jsonw_key(w, "process");
    rl_jsonw_object_open(w);
    rl_jsonw_kv_bool(w, "terminal", true);
    rl_jsonw_key(w, "user");
    rl_jsonw_object_open(w);
    rl_jsonw_kv_int(w, "uid", 0);
    rl_jsonw_kv_int(w, "gid", 0);
    rl_jsonw_object_close(w);
    w_strv(w, "args", args, ARRAY_SIZE(args));
    w_strv(w, "env", env, ARRAY_SIZE(env));
    rl_jsonw_kv_string(w, "cwd", "/");
    rl_jsonw_key(w, "capabilities");
    rl_jsonw_object_open(w);
    for (size_t i = 0; i < ARRAY_SIZE(cap_sets); i++)
        w_strv(w, cap_sets[i], caps, ARRAY_SIZE(caps));
    rl_jsonw_object_close(w);
    rl_jsonw_key(w, "rlimits");
    rl_jsonw_array_open(w);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "type", "RLIMIT_NOFILE");
    rl_jsonw_kv_int(w, "hard", 1024);
    rl_jsonw_kv_int(w, "soft", 1024);
    rl_jsonw_object_close(w);
    rl_jsonw_array_close(w);
    rl_jsonw_kv_bool(w, "noNewPrivileges", true);
    rl_jsonw_object_close(w);
}

static void w_mount(struct rl_jsonw *w, const char *dest, const char *type, const char *src,
                    const char *const *opts, size_t n_opts)
{
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "destination", dest);
    rl_jsonw_kv_string(w, "type", type);
    rl_jsonw_kv_string(w, "source", src);
    if (n_opts > 0)
        w_strv(w, "options", opts, n_opts);
    rl_jsonw_object_close(w);
}

static void w_mounts(struct rl_jsonw *w, bool rootless)
{
    static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k"};
    /* rootless: no gid=5, the tty group is not mapped */
    static const char *const pts[] = {"nosuid",        "noexec",    "newinstance",
                                      "ptmxmode=0666", "mode=0620", "gid=5"};
    static const char *const shm[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"};
    static const char *const mq[] = {"nosuid", "noexec", "nodev"};
    static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro"};
    static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec", "nodev", "ro"};
    static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro"};

    rl_jsonw_key(w, "mounts");
    rl_jsonw_array_open(w);
    w_mount(w, "/proc", "proc", "proc", NULL, 0);
    w_mount(w, "/dev", "tmpfs", "tmpfs", dev, ARRAY_SIZE(dev));
    w_mount(w, "/dev/pts", "devpts", "devpts", pts, ARRAY_SIZE(pts) - (rootless ? 1 : 0));
    w_mount(w, "/dev/shm", "tmpfs", "shm", shm, ARRAY_SIZE(shm));
    w_mount(w, "/dev/mqueue", "mqueue", "mqueue", mq, ARRAY_SIZE(mq));
    if (rootless)
        w_mount(w, "/sys", "none", "/sys", sys_rootless, ARRAY_SIZE(sys_rootless));
    else
        w_mount(w, "/sys", "sysfs", "sysfs", sys, ARRAY_SIZE(sys));
    w_mount(w, "/sys/fs/cgroup", "cgroup", "cgroup", cg, ARRAY_SIZE(cg));
    rl_jsonw_array_close(w);
}

static void w_id_mapping(struct rl_jsonw *w, const char *key, uint32_t host_id)
{
    rl_jsonw_key(w, key);
    rl_jsonw_array_open(w);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_int(w, "containerID", 0);
    rl_jsonw_kv_int(w, "hostID", host_id);
    rl_jsonw_kv_int(w, "size", 1);
    rl_jsonw_object_close(w);
    rl_jsonw_array_close(w);
}

static void w_linux(struct rl_jsonw *w, bool rootless)
{
    static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount"};
    static const char *const ns_rootless[] = {"pid", "ipc", "uts", "mount", "user"};
    static const char *const masked[] = {
        "/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
        "/sys/firmware",       "/proc/scsi"};
    static const char *const ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                     "/proc/sysrq-trigger"};

    rl_jsonw_key(w, "linux");
    rl_jsonw_object_open(w);
    if (rootless) {
        /* like runc: map root in the container to the user running the command */
        w_id_mapping(w, "uidMappings", (uint32_t)geteuid());
        w_id_mapping(w, "gidMappings", (uint32_t)getegid());
    } else {
        rl_jsonw_key(w, "resources");
        rl_jsonw_object_open(w);
        rl_jsonw_key(w, "devices");
        rl_jsonw_array_open(w);
        rl_jsonw_object_open(w);
        rl_jsonw_kv_bool(w, "allow", false);
        rl_jsonw_kv_string(w, "access", "rwm");
        rl_jsonw_object_close(w);
        rl_jsonw_array_close(w);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_key(w, "namespaces");
    rl_jsonw_array_open(w);
    for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
        rl_jsonw_object_open(w);
        rl_jsonw_kv_string(w, "type", rootless ? ns_rootless[i] : ns[i]);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_array_close(w);
    w_strv(w, "maskedPaths", masked, ARRAY_SIZE(masked));
    w_strv(w, "readonlyPaths", ro, ARRAY_SIZE(ro));
    rl_jsonw_object_close(w);
}

char *rl_spec_default_json(bool rootless)
{
    struct rl_jsonw *w = rl_jsonw_new(true);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "ociVersion", DEFAULT_OCI_VERSION);
    w_process(w);
    rl_jsonw_key(w, "root");
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "path", "rootfs");
    rl_jsonw_kv_bool(w, "readonly", true);
    rl_jsonw_object_close(w);
    rl_jsonw_kv_string(w, "hostname", "rustlet"); /* neutral, runc writes "runc" */
    w_mounts(w, rootless);
    w_linux(w, rootless);
    rl_jsonw_object_close(w);
    /* only fails on a bug in this file (all input is static) */
    return rl_jsonw_finish(w, NULL, NULL);
}
