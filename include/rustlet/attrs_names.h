/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The pure half of the kernel attributes of the container process
 * (linux.sysctl, linux.personality, process.scheduler, process.ioPriority,
 * process.execCPUAffinity, linux.memoryPolicy): name tables, cpu/node list
 * parsing, sysctl key classification and rl_attrs_validate(), called by
 * rl_spec_validate(). Part of the spec module (src/spec/attrs_names.c): no
 * syscalls, unit-tested. The acting half is rustlet/attrs.h (src/linux). */
#ifndef RUSTLET_ATTRS_NAMES_H
#define RUSTLET_ATTRS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rustlet/error.h"
#include "rustlet/spec.h"

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

#endif
