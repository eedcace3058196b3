/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Kernel attributes of the container process: linux.sysctl,
 * linux.personality, process.scheduler, process.ioPriority,
 * process.execCPUAffinity and linux.memoryPolicy.
 *
 * Two halves:
 *  - pure (attrs_names.c): name tables, cpu/node list parsing, sysctl key
 *    classification and rl_attrs_validate(), called by rl_spec_validate();
 *    no syscalls, unit-tested;
 *  - acting (attrs.c): the syscalls, called from the init at the points
 *    listed in init.c. */
#ifndef RUSTLET_ATTRS_H
#define RUSTLET_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rustlet/error.h"
#include "rustlet/spec.h"

/* ---- pure ---------------------------------------------------------------- */

/* A set of CPUs or NUMA nodes, "0-3,7". Large enough for any NR_CPUS a
 * distribution kernel builds (8192). */
#define RL_BITMAP_BITS 8192
struct rl_bitmap {
    uint64_t w[RL_BITMAP_BITS / 64];
    unsigned top; /* highest bit set + 1; 0 when empty */
};

/* Parse a list "0-3,7" (spaces around items allowed, empty string = empty
 * set). On error *err says what is wrong with the text (no config path:
 * the caller wraps it). */
int rl_bitmap_parse(const char *list, struct rl_bitmap *out, struct rl_error **err);
bool rl_bitmap_test(const struct rl_bitmap *b, unsigned bit);

/* Name -> kernel value; -1 when unknown. */
int rl_sched_policy_from_name(const char *name);   /* SCHED_* */
int64_t rl_sched_flag_from_name(const char *name); /* SCHED_FLAG_* */
int rl_ioprio_class_from_name(const char *name);   /* IOPRIO_CLASS_* */
long rl_personality_from_name(const char *domain); /* PER_LINUX, PER_LINUX32 */
int rl_mempolicy_mode_from_name(const char *name); /* MPOL_* */
int rl_mempolicy_flag_from_name(const char *name); /* MPOL_F_* */
const char *rl_sched_policy_name(int policy);      /* "SCHED_FIFO" or "?" */

/* The namespace a sysctl key belongs to (RL_NS_IPC, RL_NS_NETWORK,
 * RL_NS_UTS), or -1 when it is not namespaced. */
int rl_sysctl_namespace(const char *key);
/* The path of key below /proc/sys ("net.ipv4.ip_forward" ->
 * "net/ipv4/ip_forward"; a key containing '/' is taken as a path, as
 * sysctl(8) does). NULL when the key is malformed (empty components, "."
 * or "..", leading '/'). Caller frees. */
char *rl_sysctl_path(const char *key);

/* Validation of every field of this module (pure). Messages name the
 * config path, e.g. linux.sysctl["vm.swappiness"]: not namespaced ... */
int rl_attrs_validate(const struct rl_spec *spec, struct rl_error **err);

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
