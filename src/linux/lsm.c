/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* AppArmor profile, SELinux process and mount labels (see lsm.h). */
#include "rustlet/lsm.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <string.h>

static bool non_empty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static bool apparmor_enabled(void)
{
    char buf[8] = "";
    int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    return n > 0 && buf[0] == 'Y';
}

bool rl_lsm_selinux_enabled(void)
{
    return is_selinux_enabled() > 0;
}

static bool selinux_on(void)
{
    return rl_lsm_selinux_enabled();
}

static int check_selinux_label(const char *field, const char *label, struct rl_error **err)
{
    if (!non_empty(label))
        return 0;
    if (!selinux_on()) {
        rl_debug("%s \"%s\": SELinux is disabled on this host, label not applied", field, label);
        return 0;
    }
    if (security_check_context(label) < 0)
        return rl_error_errno(err, "%s \"%s\": not a valid SELinux context on this host", field,
                              label);
    return 0;
}

int rl_lsm_check_process(const struct rl_process *p, const char *apparmor_field,
                         const char *label_field, struct rl_error **err)
{
    if (non_empty(p->apparmor_profile) && !apparmor_enabled())
        return rl_error(err,
                        "%s \"%s\": AppArmor is not enabled on this host "
                        "(/sys/module/apparmor/parameters/enabled is not Y)",
                        apparmor_field, p->apparmor_profile);
    return check_selinux_label(label_field, p->selinux_label, err);
}

int rl_lsm_check(const struct rl_spec *spec, struct rl_error **err)
{
    if (rl_lsm_check_process(&spec->process, "process.apparmorProfile", "process.selinuxLabel",
                             err) < 0 ||
        check_selinux_label("linux.mountLabel", spec->linux_.mount_label, err) < 0)
        return -1;
    return 0;
}

/* Filesystems that refuse a context= option: their files are labelled by
 * the policy (genfscon) or, for mqueue, not at mount time. */
static const char *const no_context_fs[] = {
    "proc", "sysfs",    "cgroup",  "cgroup2",     "mqueue", "securityfs", "debugfs", "tracefs",
    "bpf",  "configfs", "fusectl", "binfmt_misc", "pstore", "efivarfs",   "bind",
};

char *rl_lsm_mount_data(const char *mount_label, const char *type, const char *data)
{
    if (!non_empty(mount_label) || type == NULL || !selinux_on())
        return NULL;
    for (size_t i = 0; i < ARRAY_SIZE(no_context_fs); i++)
        if (strcmp(type, no_context_fs[i]) == 0)
            return NULL;
    /* quoted: MLS ranges contain commas (s0:c1,c2) */
    return non_empty(data) ? xasprintf("%s,context=\"%s\"", data, mount_label)
                           : xasprintf("context=\"%s\"", mount_label);
}

/* Write value into the calling thread's attr file, through proc_fd. */
static int write_attr(int proc_fd, const char *attr, const char *value, size_t len)
{
    char path[128];
    snprintf(path, sizeof(path), "thread-self/attr/%s", attr);
    int fd = openat(proc_fd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    int r = rl_write_all(fd, value, len);
    int saved = errno;
    close(fd);
    errno = saved;
    rl_debug("write(/proc/thread-self/attr/%s, \"%s\") = %d", attr, value, r);
    return r;
}

int rl_lsm_apply_exec(const struct rl_spec *spec, int proc_fd, struct rl_error **err)
{
    return rl_lsm_apply_exec_process(&spec->process, proc_fd, err);
}

int rl_lsm_apply_exec_process(const struct rl_process *p, int proc_fd, struct rl_error **err)
{
    if (non_empty(p->apparmor_profile)) {
        _cleanup_free_ char *v = xasprintf("exec %s", p->apparmor_profile);
        if (write_attr(proc_fd, "apparmor/exec", v, strlen(v)) < 0 &&
            (errno != ENOENT || write_attr(proc_fd, "exec", v, strlen(v)) < 0))
            return rl_error_errno(err, "process.apparmorProfile \"%s\": request the profile",
                                  p->apparmor_profile);
    }
    if (non_empty(p->selinux_label) && selinux_on()) {
        /* what setexeccon() does, but through the runtime's procfs; the
         * kernel takes the context with its terminating NUL */
        if (write_attr(proc_fd, "exec", p->selinux_label, strlen(p->selinux_label) + 1) < 0)
            return rl_error_errno(err, "process.selinuxLabel \"%s\": set the exec label",
                                  p->selinux_label);
    }
    return 0;
}
