/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The device cgroup on cgroup v2: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE, hand-assembled here (no libbpf), loaded with
 * bpf(BPF_PROG_LOAD) and attached to the container's cgroup2 directory with
 * BPF_PROG_ATTACH (BPF_F_ALLOW_MULTI).
 *
 * Semantics: exactly those of the v1 devices controller (which is what
 * runc's "emulator" reproduces before it generates its program), so that a
 * rule list means the same on v1, hybrid and v2:
 *   - The state is a default action (allow or deny) plus a list of
 *     exceptions, each "type major:minor access" (major/minor may be the
 *     wildcard). It starts as "deny everything, no exceptions".
 *   - The rules are applied in order. A rule of type "a" (or no type)
 *     resets the state: the default becomes the rule's action and the
 *     exceptions are dropped (the kernel ignores major/minor/access of an
 *     "a" rule, and so do we).
 *   - A rule whose action differs from the default adds an exception; an
 *     exception with the same type/major/minor (wildcards equal only to
 *     wildcards) gets the access bits added instead.
 *   - A rule whose action equals the default removes its access bits from
 *     the exception with the same type/major/minor (and drops it when no
 *     bits are left). It does not punch holes in a wider exception: after
 *     "allow c *:* rwm", "deny c 1:3 rwm" changes nothing, as in v1.
 *   - Check of an access (type, major, minor, requested bits):
 *       default deny:  allowed iff an exception matches type/major/minor
 *                      and holds every requested bit;
 *       default allow: denied iff an exception matches type/major/minor
 *                      and holds any of the requested bits.
 *     Since all exceptions carry the same action, their order does not
 *     matter; in terms of the original list this is "the last rule that
 *     matches the device decides", with v1's merging of access bits.
 * An empty exception list with default allow needs no program at all.
 * Lifetime: the program stays attached after create exits and is freed by
 * the kernel when the cgroup is removed (delete's rmdir); nothing else is
 * needed, and detaching from a cgroup that still has processes would only
 * lift the filter early.
 *
 * The program (ctx is struct bpf_cgroup_dev_ctx {u32 access_type; u32 major;
 * u32 minor;}, access_type = type | access << 16):
 *     r2 = *(u32 *)(r1 + 0); r2 &= 0xffff      type (1 block, 2 char)
 *     r3 = *(u32 *)(r1 + 0); r3 >>= 16         access (1 mknod, 2 read, 4 write)
 *     r4 = *(u32 *)(r1 + 4)                    major
 *     r5 = *(u32 *)(r1 + 8)                    minor
 *   per exception, jumping to the next block on a mismatch:
 *     if r2 != TYPE goto next
 *     r1 = r3; r1 &= ACC; if r1 != r3 goto next   (default deny: all bits,
 *                                                  left out when ACC = rwm)
 *     r1 = r3; r1 &= ACC; if r1 == 0 goto next    (default allow: any bit)
 *     if r4 != MAJOR goto next                    (left out for a wildcard)
 *     if r5 != MINOR goto next                    (left out for a wildcard)
 *     r0 = ACTION; exit
 *   and at the end: r0 = DEFAULT; exit */
#include "cgroup_internal.h"

#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ACC_M   1u /* BPF_DEVCG_ACC_MKNOD */
#define ACC_R   2u /* BPF_DEVCG_ACC_READ */
#define ACC_W   4u /* BPF_DEVCG_ACC_WRITE */
#define ACC_ALL (ACC_M | ACC_R | ACC_W)

unsigned cg_dev_access_bits(const char *access)
{
    if (access == NULL || *access == '\0')
        return ACC_ALL;
    unsigned bits = 0;
    for (const char *s = access; *s; s++)
        bits |= *s == 'r' ? ACC_R : *s == 'w' ? ACC_W : *s == 'm' ? ACC_M : 0;
    return bits;
}

static struct cg_dev_exc *exc_find(struct cg_dev_exc *l, size_t n, const struct cg_dev_exc *k)
{
    for (size_t i = 0; i < n; i++)
        if (l[i].type == k->type && l[i].major == k->major && l[i].minor == k->minor)
            return &l[i];
    return NULL;
}

int cg_dev_emulate(const struct rl_device_cgroup *d, size_t n, bool *default_allow,
                   struct cg_dev_exc **out, size_t *nout, struct rl_error **err)
{
    struct cg_dev_exc *l = NULL;
    size_t k = 0;
    bool dflt = false;
    for (size_t i = 0; i < n; i++) {
        const char *t = d[i].type && *d[i].type ? d[i].type : "a";
        if (strcmp(t, "a") == 0) {
            dflt = d[i].allow;
            k = 0;
            continue;
        }
        if (strcmp(t, "b") != 0 && strcmp(t, "c") != 0) {
            free(l);
            return rl_error(err, "linux.resources.devices[%zu].type: unknown type \"%s\"", i, t);
        }
        if ((d[i].has_major && (d[i].major < 0 || d[i].major > INT32_MAX)) ||
            (d[i].has_minor && (d[i].minor < 0 || d[i].minor > INT32_MAX))) {
            free(l);
            return rl_error(err, "linux.resources.devices[%zu]: major/minor out of range", i);
        }
        struct cg_dev_exc key = {
            .type = t[0],
            .major = d[i].has_major ? d[i].major : -1,
            .minor = d[i].has_minor ? d[i].minor : -1,
            .access = cg_dev_access_bits(d[i].access),
        };
        struct cg_dev_exc *e = exc_find(l, k, &key);
        if (d[i].allow != dflt) {
            if (e != NULL) {
                e->access |= key.access;
            } else {
                l = xrealloc(l, (k + 1) * sizeof(*l));
                l[k++] = key;
            }
        } else if (e != NULL) {
            e->access &= ~key.access;
            if (e->access == 0) {
                size_t idx = (size_t)(e - l);
                memmove(&l[idx], &l[idx + 1], (k - idx - 1) * sizeof(*l));
                k--;
            }
        }
    }
    *default_allow = dflt;
    *out = l;
    *nout = k;
    return 0;
}

/* ---- instruction encoding ---- */

struct prog {
    struct bpf_insn *insn;
    size_t n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    p->insn = xrealloc(p->insn, (p->n + 1) * sizeof(*p->insn));
    p->insn[p->n++] = (struct bpf_insn){
        .code = code, .dst_reg = dst & 0xf, .src_reg = src & 0xf, .off = off, .imm = imm};
}

#define LDX_W(p, dst, src, off) emit(p, BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define AND32_K(p, dst, imm)    emit(p, BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH32_K(p, dst, imm)    emit(p, BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define MOV32_X(p, dst, src)    emit(p, BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_K(p, dst, imm)    emit(p, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_K(p, dst, imm, off) emit(p, BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_K(p, dst, imm, off) emit(p, BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define JNE_X(p, dst, src, off) emit(p, BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0)
#define EXIT(p)                 emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Length of an exception's block, to compute the jumps to the next one. */
static int16_t block_len(const struct cg_dev_exc *e, bool dflt)
{
    int16_t n = 1 + 2; /* type check; r0 = x; exit */
    if (dflt || e->access != ACC_ALL)
        n += 3;
    n += e->major >= 0;
    n += e->minor >= 0;
    return n;
}

static void emit_block(struct prog *p, const struct cg_dev_exc *e, bool dflt)
{
    int16_t len = block_len(e, dflt), at = 0;
    /* offset from instruction `at` (0-based in the block) to the block end */
#define NEXT() ((int16_t)(len - at - 1))
    JNE_K(p, BPF_REG_2, e->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, NEXT());
    at++;
    if (!dflt && e->access != ACC_ALL) {
        MOV32_X(p, BPF_REG_1, BPF_REG_3);
        AND32_K(p, BPF_REG_1, (int32_t)e->access);
        at += 2;
        JNE_X(p, BPF_REG_1, BPF_REG_3, NEXT());
        at++;
    } else if (dflt) {
        MOV32_X(p, BPF_REG_1, BPF_REG_3);
        AND32_K(p, BPF_REG_1, (int32_t)e->access);
        at += 2;
        JEQ_K(p, BPF_REG_1, 0, NEXT());
        at++;
    }
    if (e->major >= 0) {
        JNE_K(p, BPF_REG_4, (int32_t)e->major, NEXT());
        at++;
    }
    if (e->minor >= 0) {
        JNE_K(p, BPF_REG_5, (int32_t)e->minor, NEXT());
        at++;
    }
#undef NEXT
    MOV64_K(p, BPF_REG_0, dflt ? 0 : 1);
    EXIT(p);
}

int cg_dev_program(const struct rl_device_cgroup *d, size_t n, struct bpf_insn **insns,
                   size_t *ninsns, struct rl_error **err)
{
    bool dflt;
    _cleanup_free_ struct cg_dev_exc *exc = NULL;
    size_t nexc;
    *insns = NULL;
    *ninsns = 0;
    if (cg_dev_emulate(d, n, &dflt, &exc, &nexc, err) < 0)
        return -1;
    if (dflt && nexc == 0)
        return 0; /* allow everything: no program */
    struct prog p = {0};
    LDX_W(&p, BPF_REG_2, BPF_REG_1, 0);
    AND32_K(&p, BPF_REG_2, 0xffff);
    LDX_W(&p, BPF_REG_3, BPF_REG_1, 0);
    RSH32_K(&p, BPF_REG_3, 16);
    LDX_W(&p, BPF_REG_4, BPF_REG_1, 4);
    LDX_W(&p, BPF_REG_5, BPF_REG_1, 8);
    for (size_t i = 0; i < nexc; i++)
        emit_block(&p, &exc[i], dflt);
    MOV64_K(&p, BPF_REG_0, dflt ? 1 : 0);
    EXIT(&p);
    *insns = p.insn;
    *ninsns = p.n;
    return 0;
}

/* ---- load, attach, replace ---- */

/* through the syscall table: --debug shows each command, what it is for,
 * its result and time */
static long sys_bpf(int cmd, union bpf_attr *attr, const char *what)
{
    return rl_sys_bpf(cmd, attr, sizeof(*attr), what);
}

static int prog_load(const struct bpf_insn *insns, size_t n, struct rl_error **err)
{
    static char log[16384];
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = (uint32_t)n;
    a.license = (uint64_t)(uintptr_t) "MIT";
    char what[96];
    snprintf(what, sizeof(what), "BPF_PROG_TYPE_CGROUP_DEVICE, %zu insns", n);
    int fd = (int)sys_bpf(BPF_PROG_LOAD, &a, what);
    if (fd >= 0)
        return fd;
    int saved = errno;
    /* Again with the verifier's log, for the error message. */
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    log[0] = '\0';
    snprintf(what, sizeof(what), "BPF_PROG_TYPE_CGROUP_DEVICE, %zu insns, verifier log", n);
    fd = (int)sys_bpf(BPF_PROG_LOAD, &a, what);
    if (fd >= 0)
        return fd;
    errno = saved;
    log[sizeof(log) - 1] = '\0';
    return rl_error_errno(err, "bpf(BPF_PROG_LOAD) of the device program (%zu insns)%s%s", n,
                          log[0] ? ": verifier: " : "", log);
}

/* ids of the device programs attached to the cgroup now. */
static int prog_query(int cgfd, const char *dir, uint32_t *ids, uint32_t *cnt)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.query.target_fd = (uint32_t)cgfd;
    a.query.attach_type = BPF_CGROUP_DEVICE;
    a.query.prog_ids = (uint64_t)(uintptr_t)ids;
    a.query.prog_cnt = *cnt;
    if (sys_bpf(BPF_PROG_QUERY, &a, dir) < 0)
        return -1;
    *cnt = a.query.prog_cnt;
    return 0;
}

static int prog_detach_id(int cgfd, const char *dir, uint32_t id)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_id = id;
    char what[PATH_MAX + 64];
    snprintf(what, sizeof(what), "prog id %u", id);
    _cleanup_close_ int pfd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &a, what);
    if (pfd < 0)
        return errno == ENOENT ? 0 : -1;
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t)cgfd;
    a.attach_bpf_fd = (uint32_t)pfd;
    a.attach_type = BPF_CGROUP_DEVICE;
    snprintf(what, sizeof(what), "prog id %u from %s", id, dir);
    if (sys_bpf(BPF_PROG_DETACH, &a, what) < 0 && errno != ENOENT)
        return -1;
    return 0;
}

/* The program stays attached to the cgroup after the fd is closed (until
 * it is detached or the cgroup is removed), so create can exit. A program
 * attached before (create's earlier apply, or `update`) is detached only
 * after the new one is in place: with BPF_F_ALLOW_MULTI every attached
 * program must allow an access, so there is no moment without a filter. */
int cgv2_devices_apply(const char *dir, const struct rl_device_cgroup *d, size_t n,
                       struct rl_error **err)
{
    _cleanup_free_ struct bpf_insn *insns = NULL;
    size_t ninsns;
    if (cg_dev_program(d, n, &insns, &ninsns, err) < 0)
        return rl_error_wrap(err, "linux.resources.devices");
    _cleanup_close_ int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgfd < 0)
        return rl_error_errno(err, "linux.resources.devices: open %s", dir);
    uint32_t old[64], nold = ARRAY_SIZE(old);
    if (prog_query(cgfd, dir, old, &nold) < 0)
        nold = 0; /* nothing attached, or no BPF_PROG_QUERY: nothing to replace */
    if (insns != NULL) {
        _cleanup_close_ int pfd = prog_load(insns, ninsns, err);
        if (pfd < 0)
            return rl_error_wrap(err, "linux.resources.devices");
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t)cgfd;
        a.attach_bpf_fd = (uint32_t)pfd;
        a.attach_type = BPF_CGROUP_DEVICE;
        a.attach_flags = BPF_F_ALLOW_MULTI;
        char what[PATH_MAX + 64];
        snprintf(what, sizeof(what), "prog fd %d to %s, BPF_F_ALLOW_MULTI", pfd, dir);
        if (sys_bpf(BPF_PROG_ATTACH, &a, what) < 0)
            return rl_error_errno(err, "linux.resources.devices: bpf(BPF_PROG_ATTACH) to %s", dir);
        rl_debug("cgroup: device program of %zu instructions attached to %s", ninsns, dir);
    }
    for (uint32_t i = 0; i < nold; i++)
        if (prog_detach_id(cgfd, dir, old[i]) < 0)
            return rl_error_errno(err,
                                  "linux.resources.devices: detach old device program "
                                  "%u from %s",
                                  old[i], dir);
    return 0;
}
