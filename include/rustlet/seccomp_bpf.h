/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The BPF program rustlet loads for linux.seccomp: libseccomp's program
 * with an "ENOSYS stub" in front, installed with seccomp(2) directly.
 *
 * A profile written before a syscall existed (Docker's 2019 profile knows
 * nothing of faccessat2, clone3, openat2, close_range) would give that
 * syscall its default action, usually EPERM; the C libraries fall back to
 * the older call only on ENOSYS. So, as runc does, every syscall whose
 * number is greater than the largest one the profile names (per
 * architecture; x32 separately from x86_64) returns ENOSYS - when the
 * default action refuses (ERRNO other than ENOSYS, KILL*, TRAP). A syscall
 * the profile names never reaches the stub's ENOSYS: its rule wins. */
#ifndef RUSTLET_SECCOMP_BPF_H
#define RUSTLET_SECCOMP_BPF_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "rustlet/error.h"
#include "rustlet/spec.h"

/* X32 syscalls are x86_64's audit arch with this bit in the number. */
#define RL_SECCOMP_X32_BIT 0x40000000u

struct rl_seccomp_stub_arch {
    uint32_t audit_arch; /* AUDIT_ARCH_*, as seccomp_data.arch */
    int64_t max_nr;      /* largest syscall number named, -1: none */
    int64_t max_x32;     /* AUDIT_ARCH_X86_64 only: largest x32 number, -1: none */
};

/* Write the stub for n architectures into out (room for cap instructions).
 * Its last instruction returns ERRNO(ENOSYS); a syscall it does not refuse
 * falls through to the instruction after it (the filter's first).
 * Returns the number of instructions, 0 when there is nothing to do, or -1
 * when it does not fit in cap or a jump would be too long. Pure. */
int rl_seccomp_enosys_stub(const struct rl_seccomp_stub_arch *archs, size_t n,
                           struct sock_filter *out, size_t cap);

/* The program to load: libseccomp's BPF for ctx (a scmp_filter_ctx),
 * exported without /proc, behind the stub when the default action def (a
 * libseccomp action value) refuses. tokens: the libseccomp arch tokens of
 * linux.seccomp.architectures (the native one is added). prog->filter is
 * malloc'd. */
int rl_seccomp_program(void *ctx, const struct rl_seccomp *sc, const uint32_t *tokens,
                       size_t n_tokens, uint32_t def, struct sock_fprog *prog,
                       struct rl_error **err);

#endif
