/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* linux.seccomp: building a libseccomp filter from struct rl_seccomp,
 * loading it, and handing a SCMP_ACT_NOTIFY listener fd to the agent at
 * linux.seccomp.listenerPath.
 *
 * Building and loading are separate steps: rl_seccomp_build() only makes
 * libseccomp's in-memory filter (unit tests export it as PFC text without
 * loading anything); rl_seccomp_load() installs it in the calling process.
 * The container init builds early (errors still reach `create`) and loads
 * as late as it can (see init.c for where and why).
 *
 * The names (actions, operators, architectures, flags) and the pure checks
 * on them are the spec module's: rustlet/seccomp_names.h. */
#ifndef RUSTLET_SECCOMP_H
#define RUSTLET_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rustlet/error.h"
#include "rustlet/seccomp_names.h"
#include "rustlet/spec.h"

/* ---- what this libseccomp and kernel support ---- */
/* For `features`: a NULL-terminated static list of the architectures (of
 * seccomp_names.h) that the libseccomp rustlet was built with can add to a
 * filter. */
const char *const *rl_seccomp_arch_names(void);
/* Whether a known flag works here: rustlet's libseccomp can set it and the
 * kernel accepts it (probed with seccomp(2), nothing is loaded). */
bool rl_seccomp_flag_supported(const char *name);

/* ---- the filter ---- */
struct rl_seccomp_filter; /* libseccomp context + what load needs to know */

/* Build the filter: default action, architectures (the native one is
 * always included), rules, flags. Syscall names this libseccomp does not
 * know are skipped with a debug line, as runc does. Errors name the config
 * path: "linux.seccomp.syscalls[3].action: unknown action ...". */
struct rl_seccomp_filter *rl_seccomp_build(const struct rl_seccomp *sc, struct rl_error **err);
void rl_seccomp_filter_free(struct rl_seccomp_filter *f);
/* The errno of an SCMP_ACT_ERRNO defaultAction, else -1 (also for NULL). */
int rl_seccomp_default_errno(const struct rl_seccomp_filter *f);
/* The filter as libseccomp's PFC text (malloc'd), or the BPF program that
 * rl_seccomp_load() installs (the ENOSYS stub of seccomp_bpf.h, then
 * libseccomp's program; a malloc'd copy), for tests and --debug. */
char *rl_seccomp_export_pfc(const struct rl_seccomp_filter *f, struct rl_error **err);
void *rl_seccomp_export_bpf(const struct rl_seccomp_filter *f, size_t *len, struct rl_error **err);
/* Install the filter in the calling process with one seccomp(2) call (it
 * applies from the next syscall on), with linux.seccomp.flags and, for
 * SCMP_ACT_NOTIFY, SECCOMP_FILTER_FLAG_NEW_LISTENER: *notify_fd gets the
 * listener fd, else -1. */
int rl_seccomp_load(struct rl_seccomp_filter *f, int *notify_fd, struct rl_error **err);

/* ---- SCMP_ACT_NOTIFY: the container process state for the agent ---- */
/* Connect a SOCK_STREAM AF_UNIX socket to listenerPath. */
int rl_seccomp_listener_connect(const char *path, struct rl_error **err);
/* The "containerProcessState" JSON (ociVersion, fds ["seccompFd"], pid,
 * metadata, state) around an OCI state document. Caller frees. */
char *rl_seccomp_process_state(pid_t pid, const char *metadata, const char *state_json);
/* Send that JSON with notify_fd in SCM_RIGHTS on the connected socket. */
int rl_seccomp_listener_send(int sock, int notify_fd, const char *process_state,
                             struct rl_error **err);

#endif
