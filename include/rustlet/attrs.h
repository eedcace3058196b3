/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Kernel attributes of the container process: linux.sysctl,
 * linux.personality, process.scheduler, process.ioPriority,
 * process.execCPUAffinity and linux.memoryPolicy.
 *
 * This is the acting half (attrs.c): the syscalls, called from the init at
 * the points listed in init.c (and the parent's checks of joined
 * namespaces). The pure half (names, lists, validation) is in the spec
 * module: rustlet/attrs_names.h, src/spec/attrs_names.c. */
#ifndef RUSTLET_ATTRS_H
#define RUSTLET_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rustlet/attrs_names.h"
#include "rustlet/error.h"
#include "rustlet/spec.h"

/* ---- acting (container side) --------------------------------------------- */

/* Parent side, before the clone: a sysctl whose namespace is joined by
 * path must not be the runtime's own (the host's) namespace. */
int rl_sysctl_check_joined(const struct rl_spec *spec, struct rl_error **err);
/* hostname/domainname with a uts namespace joined by path: refused when
 * that namespace is the runtime's own (the host's name would change). */
int rl_uts_check_joined(const struct rl_spec *spec, struct rl_error **err);
/* After the namespaces exist: write linux.sysctl through a private procfs
 * that the container cannot reach or redirect. */
int rl_sysctl_apply(const struct rl_spec *spec, struct rl_error **err);
/* process.execCPUAffinity.initial: first thing in the init. */
int rl_attrs_affinity_initial(const struct rl_spec *spec, struct rl_error **err);
/* process.execCPUAffinity.final: right before execve. */
int rl_attrs_affinity_final(const struct rl_spec *spec, struct rl_error **err);
/* scheduler, ioPriority, memoryPolicy, personality: while the init still
 * has all its capabilities (before the user switch). */
int rl_attrs_apply(const struct rl_spec *spec, struct rl_error **err);

#endif
