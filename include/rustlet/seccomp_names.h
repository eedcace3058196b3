/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The names of linux.seccomp (runtime-spec v1.3.0 config-linux.md,
 * libseccomp 2.6): actions, comparison operators, architectures and filter
 * flags, each table in the order of its enum. Part of the spec module
 * (src/spec/seccomp_names.c): pure, used by rl_spec_validate() and
 * `features`. The filter code (src/linux/seccomp.c, rustlet/seccomp.h)
 * maps each enum value to libseccomp's and keeps no names of its own. */
#ifndef RUSTLET_SECCOMP_NAMES_H
#define RUSTLET_SECCOMP_NAMES_H

#include <stdbool.h>

#include "rustlet/spec.h"

enum rl_seccomp_action_id {
    RL_SECCOMP_ACT_KILL, /* the historical name of KILL_THREAD */
    RL_SECCOMP_ACT_KILL_PROCESS,
    RL_SECCOMP_ACT_KILL_THREAD,
    RL_SECCOMP_ACT_TRAP,
    RL_SECCOMP_ACT_ERRNO,
    RL_SECCOMP_ACT_TRACE,
    RL_SECCOMP_ACT_ALLOW,
    RL_SECCOMP_ACT_LOG,
    RL_SECCOMP_ACT_NOTIFY,
    RL_SECCOMP_ACT_COUNT
};

enum rl_seccomp_op_id {
    RL_SECCOMP_CMP_NE,
    RL_SECCOMP_CMP_LT,
    RL_SECCOMP_CMP_LE,
    RL_SECCOMP_CMP_EQ,
    RL_SECCOMP_CMP_GE,
    RL_SECCOMP_CMP_GT,
    RL_SECCOMP_CMP_MASKED_EQ,
    RL_SECCOMP_CMP_COUNT
};

enum rl_seccomp_arch_id {
    RL_SECCOMP_ARCH_X86,
    RL_SECCOMP_ARCH_X86_64,
    RL_SECCOMP_ARCH_X32,
    RL_SECCOMP_ARCH_ARM,
    RL_SECCOMP_ARCH_AARCH64,
    RL_SECCOMP_ARCH_MIPS,
    RL_SECCOMP_ARCH_MIPS64,
    RL_SECCOMP_ARCH_MIPS64N32,
    RL_SECCOMP_ARCH_MIPSEL,
    RL_SECCOMP_ARCH_MIPSEL64,
    RL_SECCOMP_ARCH_MIPSEL64N32,
    RL_SECCOMP_ARCH_PPC,
    RL_SECCOMP_ARCH_PPC64,
    RL_SECCOMP_ARCH_PPC64LE,
    RL_SECCOMP_ARCH_S390,
    RL_SECCOMP_ARCH_S390X,
    RL_SECCOMP_ARCH_PARISC,
    RL_SECCOMP_ARCH_PARISC64,
    RL_SECCOMP_ARCH_RISCV64,
    RL_SECCOMP_ARCH_LOONGARCH64,
    RL_SECCOMP_ARCH_M68K,
    RL_SECCOMP_ARCH_SH,
    RL_SECCOMP_ARCH_SHEB,
    RL_SECCOMP_ARCH_COUNT
};

enum rl_seccomp_flag_id {
    RL_SECCOMP_FLAG_TSYNC,
    RL_SECCOMP_FLAG_LOG,
    RL_SECCOMP_FLAG_SPEC_ALLOW,
    RL_SECCOMP_FLAG_WAIT_KILLABLE_RECV,
    RL_SECCOMP_FLAG_COUNT
};

/* Name -> enum value, -1 when unknown (also for NULL). */
int rl_seccomp_action_from_name(const char *name);
int rl_seccomp_op_from_name(const char *name);
int rl_seccomp_arch_from_name(const char *name);
int rl_seccomp_flag_from_name(const char *name);
/* Enum value -> name ("?" when out of range). */
const char *rl_seccomp_action_name(int id);
const char *rl_seccomp_op_name(int id);
const char *rl_seccomp_arch_name(int id);
const char *rl_seccomp_flag_name(int id);

bool rl_seccomp_action_known(const char *name);
bool rl_seccomp_op_known(const char *name);
/* Every architecture the spec names, whether or not this libseccomp can add
 * it to a filter (rl_seccomp_arch_names() in seccomp.h lists those). */
bool rl_seccomp_arch_known(const char *name);
bool rl_seccomp_flag_known(const char *name);
/* Does the action take an errno (SCMP_ACT_ERRNO, SCMP_ACT_TRACE)? */
bool rl_seccomp_action_takes_errno(const char *name);
/* Does the config use SCMP_ACT_NOTIFY (so a listener fd will exist)? */
bool rl_seccomp_uses_notify(const struct rl_seccomp *sc);

/* For `features`: the NULL-terminated tables, in enum order. */
const char *const *rl_seccomp_action_names(void);
const char *const *rl_seccomp_op_names(void);
const char *const *rl_seccomp_flag_names(void);

#endif
