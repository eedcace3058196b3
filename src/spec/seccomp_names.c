/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The names of linux.seccomp, one table each, indexed by the enums of
 * seccomp_names.h. Pure: no libseccomp, no syscalls. */
#include "rustlet/seccomp_names.h"

#include <string.h>

static const char *const actions[RL_SECCOMP_ACT_COUNT + 1] = {
    [RL_SECCOMP_ACT_KILL] = "SCMP_ACT_KILL",
    [RL_SECCOMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
    [RL_SECCOMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
    [RL_SECCOMP_ACT_TRAP] = "SCMP_ACT_TRAP",
    [RL_SECCOMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
    [RL_SECCOMP_ACT_TRACE] = "SCMP_ACT_TRACE",
    [RL_SECCOMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
    [RL_SECCOMP_ACT_LOG] = "SCMP_ACT_LOG",
    [RL_SECCOMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const ops[RL_SECCOMP_CMP_COUNT + 1] = {
    [RL_SECCOMP_CMP_NE] = "SCMP_CMP_NE",
    [RL_SECCOMP_CMP_LT] = "SCMP_CMP_LT",
    [RL_SECCOMP_CMP_LE] = "SCMP_CMP_LE",
    [RL_SECCOMP_CMP_EQ] = "SCMP_CMP_EQ",
    [RL_SECCOMP_CMP_GE] = "SCMP_CMP_GE",
    [RL_SECCOMP_CMP_GT] = "SCMP_CMP_GT",
    [RL_SECCOMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const char *const archs[RL_SECCOMP_ARCH_COUNT + 1] = {
    [RL_SECCOMP_ARCH_X86] = "SCMP_ARCH_X86",
    [RL_SECCOMP_ARCH_X86_64] = "SCMP_ARCH_X86_64",
    [RL_SECCOMP_ARCH_X32] = "SCMP_ARCH_X32",
    [RL_SECCOMP_ARCH_ARM] = "SCMP_ARCH_ARM",
    [RL_SECCOMP_ARCH_AARCH64] = "SCMP_ARCH_AARCH64",
    [RL_SECCOMP_ARCH_MIPS] = "SCMP_ARCH_MIPS",
    [RL_SECCOMP_ARCH_MIPS64] = "SCMP_ARCH_MIPS64",
    [RL_SECCOMP_ARCH_MIPS64N32] = "SCMP_ARCH_MIPS64N32",
    [RL_SECCOMP_ARCH_MIPSEL] = "SCMP_ARCH_MIPSEL",
    [RL_SECCOMP_ARCH_MIPSEL64] = "SCMP_ARCH_MIPSEL64",
    [RL_SECCOMP_ARCH_MIPSEL64N32] = "SCMP_ARCH_MIPSEL64N32",
    [RL_SECCOMP_ARCH_PPC] = "SCMP_ARCH_PPC",
    [RL_SECCOMP_ARCH_PPC64] = "SCMP_ARCH_PPC64",
    [RL_SECCOMP_ARCH_PPC64LE] = "SCMP_ARCH_PPC64LE",
    [RL_SECCOMP_ARCH_S390] = "SCMP_ARCH_S390",
    [RL_SECCOMP_ARCH_S390X] = "SCMP_ARCH_S390X",
    [RL_SECCOMP_ARCH_PARISC] = "SCMP_ARCH_PARISC",
    [RL_SECCOMP_ARCH_PARISC64] = "SCMP_ARCH_PARISC64",
    [RL_SECCOMP_ARCH_RISCV64] = "SCMP_ARCH_RISCV64",
    [RL_SECCOMP_ARCH_LOONGARCH64] = "SCMP_ARCH_LOONGARCH64",
    [RL_SECCOMP_ARCH_M68K] = "SCMP_ARCH_M68K",
    [RL_SECCOMP_ARCH_SH] = "SCMP_ARCH_SH",
    [RL_SECCOMP_ARCH_SHEB] = "SCMP_ARCH_SHEB",
};

static const char *const flags[RL_SECCOMP_FLAG_COUNT + 1] = {
    [RL_SECCOMP_FLAG_TSYNC] = "SECCOMP_FILTER_FLAG_TSYNC",
    [RL_SECCOMP_FLAG_LOG] = "SECCOMP_FILTER_FLAG_LOG",
    [RL_SECCOMP_FLAG_SPEC_ALLOW] = "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    [RL_SECCOMP_FLAG_WAIT_KILLABLE_RECV] = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

static int find(const char *const *t, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(t[i], name) == 0)
            return i;
    return -1;
}

static const char *name_of(const char *const *t, int n, int id)
{
    return id >= 0 && id < n ? t[id] : "?";
}

int rl_seccomp_action_from_name(const char *name)
{
    return find(actions, RL_SECCOMP_ACT_COUNT, name);
}
int rl_seccomp_op_from_name(const char *name)
{
    return find(ops, RL_SECCOMP_CMP_COUNT, name);
}
int rl_seccomp_arch_from_name(const char *name)
{
    return find(archs, RL_SECCOMP_ARCH_COUNT, name);
}
int rl_seccomp_flag_from_name(const char *name)
{
    return find(flags, RL_SECCOMP_FLAG_COUNT, name);
}

const char *rl_seccomp_action_name(int id)
{
    return name_of(actions, RL_SECCOMP_ACT_COUNT, id);
}
const char *rl_seccomp_op_name(int id)
{
    return name_of(ops, RL_SECCOMP_CMP_COUNT, id);
}
const char *rl_seccomp_arch_name(int id)
{
    return name_of(archs, RL_SECCOMP_ARCH_COUNT, id);
}
const char *rl_seccomp_flag_name(int id)
{
    return name_of(flags, RL_SECCOMP_FLAG_COUNT, id);
}

bool rl_seccomp_action_known(const char *name)
{
    return rl_seccomp_action_from_name(name) >= 0;
}
bool rl_seccomp_op_known(const char *name)
{
    return rl_seccomp_op_from_name(name) >= 0;
}
bool rl_seccomp_arch_known(const char *name)
{
    return rl_seccomp_arch_from_name(name) >= 0;
}
bool rl_seccomp_flag_known(const char *name)
{
    return rl_seccomp_flag_from_name(name) >= 0;
}

bool rl_seccomp_action_takes_errno(const char *name)
{
    int a = rl_seccomp_action_from_name(name);
    return a == RL_SECCOMP_ACT_ERRNO || a == RL_SECCOMP_ACT_TRACE;
}

bool rl_seccomp_uses_notify(const struct rl_seccomp *sc)
{
    if (!sc->present)
        return false;
    if (rl_seccomp_action_from_name(sc->default_action) == RL_SECCOMP_ACT_NOTIFY)
        return true;
    for (size_t i = 0; i < sc->n_syscalls; i++)
        if (rl_seccomp_action_from_name(sc->syscalls[i].action) == RL_SECCOMP_ACT_NOTIFY)
            return true;
    return false;
}

const char *const *rl_seccomp_action_names(void)
{
    return actions;
}
const char *const *rl_seccomp_op_names(void)
{
    return ops;
}
const char *const *rl_seccomp_flag_names(void)
{
    return flags;
}
