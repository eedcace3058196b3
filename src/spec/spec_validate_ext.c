/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Validation (pure, no syscalls) of idmapped mounts (config.md "mounts":
 * uidMappings/gidMappings, options idmap/ridmap) and of linux.netDevices
 * (config-linux.md "Network Devices"). Called from rl_spec_validate(). */
#include "spec_internal.h"
#include "rustlet/mount_opts.h"
#include "rustlet/utils.h"

#include <ctype.h>
#include <net/if.h>
#include <string.h>
#include <sys/mount.h>

static int check_maps(const struct rl_id_mapping *m, size_t n, size_t i, const char *key,
                      struct rl_error **err)
{
    for (size_t k = 0; k < n; k++) {
        if (m[k].size == 0)
            return rl_error(err, "mounts[%zu].%s[%zu].size: must be greater than zero", i, key, k);
        if ((uint64_t)m[k].container_id + m[k].size > UINT32_MAX ||
            (uint64_t)m[k].host_id + m[k].size > UINT32_MAX)
            return rl_error(err, "mounts[%zu].%s[%zu]: the range goes past id 4294967294", i, key,
                            k);
    }
    return 0;
}

static int option_index(const struct rl_mount *m, const char *name)
{
    for (size_t j = 0; j < m->n_options; j++)
        if (strcmp(m->options[j], name) == 0)
            return (int)j;
    return -1;
}

static int validate_idmap_mount(const struct rl_spec *s, size_t i, struct rl_error **err)
{
    const struct rl_mount *m = &s->mounts[i];
    if ((m->n_uid_mappings > 0) != (m->n_gid_mappings > 0))
        return rl_error(err,
                        "mounts[%zu]: %s given without %s (config.md: they MUST be given "
                        "together)",
                        i, m->n_uid_mappings ? "uidMappings" : "gidMappings",
                        m->n_uid_mappings ? "gidMappings" : "uidMappings");
    if (check_maps(m->uid_mappings, m->n_uid_mappings, i, "uidMappings", err) < 0 ||
        check_maps(m->gid_mappings, m->n_gid_mappings, i, "gidMappings", err) < 0)
        return -1;
    struct rl_mount_opts o;
    rl_mount_opts_parse(m->options, m->n_options, &o, NULL);
    bool bind = (o.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
    rl_mount_opts_free(&o);
    if (!bind)
        return rl_error(err,
                        "mounts[%zu] (%s on %s): idmapped mounts are supported on bind "
                        "mounts only (add the option \"bind\" or \"rbind\")",
                        i, m->type ? m->type : "none", m->destination);
    if (m->source == NULL || m->source[0] == '\0')
        return rl_error(err, "mounts[%zu].source: an idmapped bind mount needs a source", i);
    if (m->n_uid_mappings == 0 && rl_spec_namespace(s, RL_NS_USER) == NULL) {
        int j = option_index(m, "idmap");
        if (j < 0)
            j = option_index(m, "ridmap");
        return rl_error(err,
                        "mounts[%zu].options[%d]: \"%s\" without uidMappings and "
                        "gidMappings takes the container's user namespace mappings, but "
                        "the container has no user namespace",
                        i, j, m->options[j]);
    }
    return 0;
}

int sp_validate_idmap_mounts(const struct rl_spec *s, struct rl_error **err)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (rl_mount_is_idmapped(&s->mounts[i]) && validate_idmap_mount(s, i, err) < 0)
            return -1;
    return 0;
}

/* The kernel's dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':'
 * or white space. A new name may be a template with one "%d". */
static const char *bad_ifname(const char *n, bool template_ok)
{
    if (n[0] == '\0')
        return "empty";
    if (strlen(n) >= IFNAMSIZ)
        return "longer than 15 bytes";
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
        return "\".\" and \"..\" are not interface names";
    for (const char *p = n; *p; p++) {
        if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
            return "contains '/', ':' or white space";
    }
    const char *pct = strchr(n, '%');
    if (pct && (!template_ok || pct[1] != 'd' || strchr(pct + 1, '%')))
        return template_ok ? "a template may hold one \"%d\" and no other '%'" : "contains '%'";
    return NULL;
}

int sp_validate_net_devices(const struct rl_spec *s, struct rl_error **err)
{
    const struct rl_linux *lx = &s->linux_;
    if (lx->n_net_devices == 0)
        return 0;
    if (rl_spec_namespace(s, RL_NS_NETWORK) == NULL)
        return rl_error(err, "linux.netDevices: moving network devices needs a \"network\" "
                             "namespace in linux.namespaces (the container would share the "
                             "runtime's)");
    for (size_t i = 0; i < lx->n_net_devices; i++) {
        const struct rl_net_device *d = &lx->net_devices[i];
        const char *why = bad_ifname(d->host, false);
        if (why)
            return rl_error(err, "linux.netDevices[\"%s\"]: not an interface name (%s)", d->host,
                            why);
        if (d->name && (why = bad_ifname(d->name, true)) != NULL)
            return rl_error(err,
                            "linux.netDevices[\"%s\"].name \"%s\": not an interface name "
                            "(%s)",
                            d->host, d->name, why);
        const char *ni = d->name ? d->name : d->host;
        for (size_t j = 0; j < i && !strchr(ni, '%'); j++) {
            const struct rl_net_device *e = &lx->net_devices[j];
            if (strcmp(e->name ? e->name : e->host, ni) == 0)
                return rl_error(err,
                                "linux.netDevices[\"%s\"]: \"%s\" is also the name of "
                                "linux.netDevices[\"%s\"] in the container",
                                d->host, ni, e->host);
        }
    }
    return 0;
}
