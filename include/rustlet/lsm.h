/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Linux security modules: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.
 *
 * - AppArmor: the profile is requested with "exec <profile>" in the
 *   process's attr/apparmor/exec (attr/exec on old kernels) right before
 *   execve; a host without AppArmor is an error naming the field.
 * - SELinux (libselinux decides whether it is enabled): the process label
 *   goes to attr/exec right before execve, the mount label into the data of
 *   every mount that takes a context= option. With SELinux disabled both are
 *   a debug log line and no-op, as with runc.
 * The attr files are reached through the runtime's own procfs (opened before
 * the pivot), never through the container's /proc, which the container
 * could have replaced (the CVE-2019-16884 class). */
#ifndef RUSTLET_LSM_H
#define RUSTLET_LSM_H

#include <stdbool.h>

#include "rustlet/error.h"
#include "rustlet/spec.h"

/* is_selinux_enabled() > 0 */
bool rl_lsm_selinux_enabled(void);
/* In the init, before the pivot: can the host honour the LSM fields? */
int rl_lsm_check(const struct rl_spec *spec, struct rl_error **err);
/* The process's part of rl_lsm_check (exec: a process of its own); the
 * field names go into the messages ("--apparmor" or
 * "process.apparmorProfile"). */
int rl_lsm_check_process(const struct rl_process *p, const char *apparmor_field,
                         const char *label_field, struct rl_error **err);
/* Mount data with linux.mountLabel added as context="..." when SELinux is
 * enabled and the filesystem type takes it; NULL when data stays as it is.
 * Caller frees. */
char *rl_lsm_mount_data(const char *mount_label, const char *type, const char *data);
/* Right before execve: write the exec labels. proc_fd is an O_PATH fd of
 * the runtime's /proc. */
int rl_lsm_apply_exec(const struct rl_spec *spec, int proc_fd, struct rl_error **err);
int rl_lsm_apply_exec_process(const struct rl_process *p, int proc_fd, struct rl_error **err);

#endif
