/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The ENOSYS stub in front of libseccomp's program. See seccomp_bpf.h.
 *
 * Layout of the stub (k = number of architectures):
 *   0        ld  [4]                      seccomp_data.arch
 *   1..k     jeq ARCH_i -> section i
 *   k+1      ja  -> filter                any other arch: libseccomp decides
 *   sections ld  [0]                      seccomp_data.nr
 *            (x86_64: jset X32_BIT -> x32 check, else -> native check)
 *            jgt MAX -> enosys            native (and/or x32) check
 *            ja  -> filter
 *   last     ret ERRNO(ENOSYS)
 * The filter's own first instruction reloads the arch, so the accumulator
 * it inherits does not matter. */
#include "rustlet/seccomp_bpf.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SC "linux.seccomp"

static bool is_x86_64(uint32_t audit)
{
    return audit == AUDIT_ARCH_X86_64;
}

static size_t section_len(const struct rl_seccomp_stub_arch *a)
{
    /* ld, [jset], [jgt native], [jgt x32], ja */
    return 2 + (is_x86_64(a->audit_arch) ? 1 : 0) + (a->max_nr >= 0) +
           (is_x86_64(a->audit_arch) && a->max_x32 >= 0);
}

static bool usable(const struct rl_seccomp_stub_arch *a)
{
    return a->max_nr >= 0 || (is_x86_64(a->audit_arch) && a->max_x32 >= 0);
}

/* conditional jump from pc to the absolute targets t and f */
static bool jump(struct sock_filter *out, size_t pc, uint16_t code, uint32_t k, size_t t, size_t f)
{
    if (t <= pc || f <= pc || t - pc - 1 > 255 || f - pc - 1 > 255)
        return false;
    out[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | code | BPF_K, k, (uint8_t)(t - pc - 1),
                                           (uint8_t)(f - pc - 1));
    return true;
}

int rl_seccomp_enosys_stub(const struct rl_seccomp_stub_arch *archs, size_t n,
                           struct sock_filter *out, size_t cap)
{
    size_t k = 0, body = 0;
    for (size_t i = 0; i < n; i++)
        if (usable(&archs[i])) {
            k++;
            body += section_len(&archs[i]);
        }
    if (k == 0)
        return 0;
    size_t len = 1 + k + 1 + body + 1;
    if (len > cap || len > 4096)
        return -1;
    size_t enosys = len - 1, filter = len;
    size_t pc = 0, sec = 1 + k + 1;
    out[pc++] =
        (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    for (size_t i = 0; i < n; i++) {
        const struct rl_seccomp_stub_arch *a = &archs[i];
        if (!usable(a))
            continue;
        if (!jump(out, pc, BPF_JEQ, a->audit_arch, sec, pc + 1))
            return -1;
        pc++;
        /* the section of this architecture */
        size_t s = sec, last = sec + section_len(a) - 1; /* last: its ja */
        out[s++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                offsetof(struct seccomp_data, nr));
        bool x86 = is_x86_64(a->audit_arch), has32 = x86 && a->max_x32 >= 0;
        if (x86) {
            size_t native = a->max_nr >= 0 ? s + 1 : last;
            size_t x32 = has32 ? s + 1 + (a->max_nr >= 0) : last;
            if (!jump(out, s, BPF_JSET, RL_SECCOMP_X32_BIT, x32, native))
                return -1;
            s++;
        }
        if (a->max_nr >= 0) {
            if (!jump(out, s, BPF_JGT, (uint32_t)a->max_nr, enosys, last))
                return -1;
            s++;
        }
        if (has32) {
            if (!jump(out, s, BPF_JGT, (uint32_t)a->max_x32, enosys, last))
                return -1;
            s++;
        }
        out[s] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, (uint32_t)(filter - s - 1),
                                              0, 0);
        sec = s + 1;
    }
    out[pc] =
        (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, (uint32_t)(filter - pc - 1), 0, 0);
    out[enosys] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    return (int)len;
}

/* ---- with libseccomp ------------------------------------------------------ */

/* Does the default action refuse (so that new syscalls would be refused)? */
static bool default_refuses(uint32_t def)
{
    switch (def & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ERRNO:
        return (def & SECCOMP_RET_DATA) != ENOSYS;
    case SECCOMP_RET_KILL_PROCESS:
    case SECCOMP_RET_KILL_THREAD:
    case SECCOMP_RET_TRAP:
        return true;
    default: /* ALLOW, LOG, TRACE, USER_NOTIF */
        return false;
    }
}

/* Largest number of any syscall the profile names, for libseccomp's arch
 * token; -1 if none resolves (pseudo-syscalls are negative). */
static int64_t max_named(const struct rl_seccomp *sc, uint32_t token)
{
    int64_t max = -1;
    for (size_t i = 0; i < sc->n_syscalls; i++)
        for (size_t j = 0; j < sc->syscalls[i].n_names; j++) {
            int nr = seccomp_syscall_resolve_name_arch(token, sc->syscalls[i].names[j]);
            if (nr >= 0 && nr > max)
                max = nr;
        }
    return max;
}

/* The filter's architectures (the native one and those listed), merged by
 * audit arch: SCMP_ARCH_X32 is x86_64's with the x32 bit. Returns n. */
static size_t stub_archs(const struct rl_seccomp *sc, const uint32_t *tokens, size_t n_tokens,
                         struct rl_seccomp_stub_arch *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i <= n_tokens; i++) {
        uint32_t token = i == 0 ? seccomp_arch_native() : tokens[i - 1];
        if (token == 0)
            continue;
        bool x32 = token == SCMP_ARCH_X32;
        uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : token;
        size_t k = 0;
        while (k < n && out[k].audit_arch != audit)
            k++;
        if (k == n) {
            if (n == cap)
                continue;
            out[n++] = (struct rl_seccomp_stub_arch){audit, -1, -1};
        }
        int64_t max = max_named(sc, token);
        if (x32)
            out[k].max_x32 = max;
        else
            out[k].max_nr = max;
    }
    return n;
}

static void *export_bpf(scmp_filter_ctx ctx, size_t *len, struct rl_error **err)
{
    _cleanup_close_ int fd = (int)syscall(SYS_memfd_create, "rustlet-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        rl_error_errno(err, "seccomp: memfd_create");
        return NULL;
    }
    int r = seccomp_export_bpf(ctx, fd);
    if (r < 0) {
        rl_error_code(err, -r, "seccomp: export the filter");
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        rl_error_errno(err, "seccomp: read the exported filter");
        return NULL;
    }
    char *buf = xzalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            free(buf);
            rl_error_errno(err, "seccomp: read the exported filter");
            return NULL;
        }
        got += (size_t)k;
    }
    *len = got;
    return buf;
}

int rl_seccomp_program(void *ctx, const struct rl_seccomp *sc, const uint32_t *tokens,
                       size_t n_tokens, uint32_t def, struct sock_fprog *prog,
                       struct rl_error **err)
{
    size_t len = 0;
    _cleanup_free_ struct sock_filter *bpf = export_bpf(ctx, &len, err);
    if (bpf == NULL)
        return -1;
    size_t n_bpf = len / sizeof(struct sock_filter);
    struct rl_seccomp_stub_arch archs[32];
    size_t n_archs =
        default_refuses(def) ? stub_archs(sc, tokens, n_tokens, archs, ARRAY_SIZE(archs)) : 0;
    struct sock_filter stub[512];
    int n_stub = rl_seccomp_enosys_stub(archs, n_archs, stub, ARRAY_SIZE(stub));
    if (n_stub < 0)
        return rl_error(err, SC ": the ENOSYS stub does not fit (%zu architectures)", n_archs);
    if ((size_t)n_stub + n_bpf > BPF_MAXINSNS)
        return rl_error(err, SC ": the filter has %zu instructions, the kernel takes at most %d",
                        (size_t)n_stub + n_bpf, BPF_MAXINSNS);
    struct sock_filter *all = xzalloc(((size_t)n_stub + n_bpf) * sizeof(*all));
    memcpy(all, stub, (size_t)n_stub * sizeof(*all));
    memcpy(all + n_stub, bpf, n_bpf * sizeof(*all));
    for (size_t i = 0; i < n_archs; i++)
        rl_debug(SC ": ENOSYS stub for arch %#x: above syscall %lld (x32: %lld)",
                 archs[i].audit_arch, (long long)archs[i].max_nr, (long long)archs[i].max_x32);
    prog->len = (unsigned short)((size_t)n_stub + n_bpf);
    prog->filter = all;
    return 0;
}
