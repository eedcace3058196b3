/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* `rustlet features`: the runtime-spec Features structure (features.md,
 * features-linux.md). Every list comes from the table the runtime itself
 * uses (mount options, namespaces, capabilities, seccomp names), so the
 * document cannot claim more than rustlet does; what is refused by
 * rl_spec_validate() is reported as not enabled. */
#include "rustlet/container.h"
#include "rustlet/json.h"
#include "rustlet/linux.h"
#include "rustlet/mount_opts.h"
#include "rustlet/seccomp.h"
#include "rustlet/spec.h"
#include "rustlet/utils.h"
#include "rustlet/version.h"

#include <seccomp.h>
#include <stdio.h>
#include <sys/capability.h>

static void strv(struct rl_jsonw *w, const char *key, const char *const *names)
{
    rl_jsonw_key(w, key);
    rl_jsonw_array_open(w);
    for (; *names; names++)
        rl_jsonw_string(w, *names);
    rl_jsonw_array_close(w);
}

static void enabled(struct rl_jsonw *w, const char *key, bool on)
{
    rl_jsonw_key(w, key);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_bool(w, "enabled", on);
    rl_jsonw_object_close(w);
}

static void seccomp(struct rl_jsonw *w)
{
    rl_jsonw_key(w, "seccomp");
    rl_jsonw_object_open(w);
    rl_jsonw_kv_bool(w, "enabled", true);
    strv(w, "actions", rl_seccomp_action_names());
    strv(w, "operators", rl_seccomp_op_names());
    strv(w, "archs", rl_seccomp_arch_names());
    const char *const *flags = rl_seccomp_flag_names();
    strv(w, "knownFlags", flags);
    rl_jsonw_key(w, "supportedFlags");
    rl_jsonw_array_open(w);
    for (; *flags; flags++)
        if (rl_seccomp_flag_supported(*flags))
            rl_jsonw_string(w, *flags);
    rl_jsonw_array_close(w);
    rl_jsonw_object_close(w);
}

static void linux_features(struct rl_jsonw *w)
{
    rl_jsonw_key(w, "linux");
    rl_jsonw_object_open(w);
    rl_jsonw_key(w, "namespaces");
    rl_jsonw_array_open(w);
    for (int t = 0; t < RL_NS_COUNT; t++)
        rl_jsonw_string(w, rl_ns_type_name((enum rl_ns_type)t));
    rl_jsonw_array_close(w);
    /* the ones both rustlet and this kernel know */
    rl_jsonw_key(w, "capabilities");
    rl_jsonw_array_open(w);
    for (int c = 0; c < (int)cap_max_bits() && rl_cap_name(c); c++)
        rl_jsonw_string(w, rl_cap_name(c));
    rl_jsonw_array_close(w);
    rl_jsonw_key(w, "cgroup");
    rl_jsonw_object_open(w);
    rl_jsonw_kv_bool(w, "v1", true);
    rl_jsonw_kv_bool(w, "v2", true);
    rl_jsonw_kv_bool(w, "systemd", true);      /* cgroup_systemd.c (cgroup v2 hosts) */
    rl_jsonw_kv_bool(w, "systemdUser", false); /* rootless --systemd-cgroup is refused */
    rl_jsonw_kv_bool(w, "rdma", true);         /* rdma.max on v1 and v2 (cgroup_res_v1.c) */
    rl_jsonw_object_close(w);
    seccomp(w);
    /* features-linux.md: "whether ... support is compiled in" - both are
     * (src/linux/lsm.c); whether the host has the LSM is checked at create */
    enabled(w, "apparmor", true);
    enabled(w, "selinux", true);
    /* Intel RDT: what rustlet implements (src/linux/resctrl.c: closID,
     * l3CacheSchema, memBwSchema, schemata, enableMonitoring), "irrelevant
     * to the availability of Intel RDT on the host" (features-linux.md);
     * create says when this host has no resctrl */
    rl_jsonw_key(w, "intelRdt");
    rl_jsonw_object_open(w);
    rl_jsonw_kv_bool(w, "enabled", true);
    rl_jsonw_kv_bool(w, "schemata", true);
    rl_jsonw_kv_bool(w, "monitoring", true);
    rl_jsonw_object_close(w);
    rl_jsonw_key(w, "mountExtensions");
    rl_jsonw_object_open(w);
    /* idmapped bind mounts, when this kernel has MOUNT_ATTR_IDMAP (5.12) */
    enabled(w, "idmap", rl_idmap_supported());
    rl_jsonw_object_close(w);
    enabled(w, "netDevices", true);
    rl_jsonw_object_close(w);
}

char *rl_features_json(struct rl_error **err)
{
    static const char *const hooks[] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
        NULL};
    struct rl_jsonw *w = rl_jsonw_new(true);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "ociVersionMin", "1.0.0");
    rl_jsonw_kv_string(w, "ociVersionMax", RUSTLET_SPEC_VERSION);
    strv(w, "hooks", hooks);
    strv(w, "mountOptions", rl_mount_option_names());
    linux_features(w);
    rl_jsonw_key(w, "annotations");
    rl_jsonw_object_open(w);
    const struct scmp_version *v = seccomp_version();
    char buf[64];
    snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
    rl_jsonw_kv_string(w, "io.github.seccomp.libseccomp.version", buf);
    /* runc's org.opencontainers.runc.checkpoint.enabled: checkpoint and
     * restore are there (criu itself is found when they run) */
    rl_jsonw_kv_string(w, "rustlet.checkpoint.enabled", "true");
    rl_jsonw_kv_string(w, "rustlet.commit", RUSTLET_COMMIT);
    rl_jsonw_kv_string(w, "rustlet.version", RUSTLET_VERSION);
    rl_jsonw_object_close(w);
    rl_jsonw_object_close(w);
    return rl_jsonw_finish(w, NULL, err);
}
