/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* linux.seccomp through libseccomp: filter construction, loading, and the
 * SCMP_ACT_NOTIFY hand-over to a listener. See seccomp.h. The names are the
 * spec module's (seccomp_names.h); this file only maps them to libseccomp.
 * libseccomp builds the program; rustlet exports it, puts the ENOSYS stub
 * in front (seccomp_bpf.c) and makes the seccomp(2) call itself. */
#include "rustlet/seccomp.h"
#include "rustlet/seccomp_bpf.h"
#include "rustlet/json.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"
#include "rustlet/version.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SC "linux.seccomp"

/* ---- libseccomp's values for the names of seccomp_names.h ------------------ */

/* for ERRNO/TRACE: the action without the errno */
static const uint32_t action_values[RL_SECCOMP_ACT_COUNT] = {
    [RL_SECCOMP_ACT_KILL] = SCMP_ACT_KILL_THREAD,
    [RL_SECCOMP_ACT_KILL_PROCESS] = SCMP_ACT_KILL_PROCESS,
    [RL_SECCOMP_ACT_KILL_THREAD] = SCMP_ACT_KILL_THREAD,
    [RL_SECCOMP_ACT_TRAP] = SCMP_ACT_TRAP,
    [RL_SECCOMP_ACT_ERRNO] = SCMP_ACT_ERRNO(0),
    [RL_SECCOMP_ACT_TRACE] = SCMP_ACT_TRACE(0),
    [RL_SECCOMP_ACT_ALLOW] = SCMP_ACT_ALLOW,
    [RL_SECCOMP_ACT_LOG] = SCMP_ACT_LOG,
    [RL_SECCOMP_ACT_NOTIFY] = SCMP_ACT_NOTIFY,
};

static const enum scmp_compare op_values[RL_SECCOMP_CMP_COUNT] = {
    [RL_SECCOMP_CMP_NE] = SCMP_CMP_NE,
    [RL_SECCOMP_CMP_LT] = SCMP_CMP_LT,
    [RL_SECCOMP_CMP_LE] = SCMP_CMP_LE,
    [RL_SECCOMP_CMP_EQ] = SCMP_CMP_EQ,
    [RL_SECCOMP_CMP_GE] = SCMP_CMP_GE,
    [RL_SECCOMP_CMP_GT] = SCMP_CMP_GT,
    [RL_SECCOMP_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* token 0: the spec names the architecture but the libseccomp rustlet was
 * built with cannot add it to a filter. */
#ifndef SCMP_ARCH_LOONGARCH64
#define SCMP_ARCH_LOONGARCH64 0
#endif
#ifndef SCMP_ARCH_M68K
#define SCMP_ARCH_M68K 0
#endif
#ifndef SCMP_ARCH_SH
#define SCMP_ARCH_SH 0
#endif
#ifndef SCMP_ARCH_SHEB
#define SCMP_ARCH_SHEB 0
#endif

static const uint32_t arch_tokens[RL_SECCOMP_ARCH_COUNT] = {
    [RL_SECCOMP_ARCH_X86] = SCMP_ARCH_X86,
    [RL_SECCOMP_ARCH_X86_64] = SCMP_ARCH_X86_64,
    [RL_SECCOMP_ARCH_X32] = SCMP_ARCH_X32,
    [RL_SECCOMP_ARCH_ARM] = SCMP_ARCH_ARM,
    [RL_SECCOMP_ARCH_AARCH64] = SCMP_ARCH_AARCH64,
    [RL_SECCOMP_ARCH_MIPS] = SCMP_ARCH_MIPS,
    [RL_SECCOMP_ARCH_MIPS64] = SCMP_ARCH_MIPS64,
    [RL_SECCOMP_ARCH_MIPS64N32] = SCMP_ARCH_MIPS64N32,
    [RL_SECCOMP_ARCH_MIPSEL] = SCMP_ARCH_MIPSEL,
    [RL_SECCOMP_ARCH_MIPSEL64] = SCMP_ARCH_MIPSEL64,
    [RL_SECCOMP_ARCH_MIPSEL64N32] = SCMP_ARCH_MIPSEL64N32,
    [RL_SECCOMP_ARCH_PPC] = SCMP_ARCH_PPC,
    [RL_SECCOMP_ARCH_PPC64] = SCMP_ARCH_PPC64,
    [RL_SECCOMP_ARCH_PPC64LE] = SCMP_ARCH_PPC64LE,
    [RL_SECCOMP_ARCH_S390] = SCMP_ARCH_S390,
    [RL_SECCOMP_ARCH_S390X] = SCMP_ARCH_S390X,
    [RL_SECCOMP_ARCH_PARISC] = SCMP_ARCH_PARISC,
    [RL_SECCOMP_ARCH_PARISC64] = SCMP_ARCH_PARISC64,
    [RL_SECCOMP_ARCH_RISCV64] = SCMP_ARCH_RISCV64,
    [RL_SECCOMP_ARCH_LOONGARCH64] = SCMP_ARCH_LOONGARCH64,
    [RL_SECCOMP_ARCH_M68K] = SCMP_ARCH_M68K,
    [RL_SECCOMP_ARCH_SH] = SCMP_ARCH_SH,
    [RL_SECCOMP_ARCH_SHEB] = SCMP_ARCH_SHEB,
};

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifdef SCMP_FLTATR_CTL_WAITKILL
#define ATTR_WAITKILL ((int)SCMP_FLTATR_CTL_WAITKILL)
#else
#define ATTR_WAITKILL (-1) /* libseccomp < 2.6 cannot set it */
#endif

/* Each flag is set through a libseccomp attribute (libseccomp makes the
 * seccomp(2) call); api is the libseccomp API level that supports it. */
static const struct flag {
    unsigned long kflag; /* SECCOMP_FILTER_FLAG_* */
    int attr;            /* enum scmp_filter_attr, -1 if libseccomp lacks it */
    unsigned int api;
} flags[RL_SECCOMP_FLAG_COUNT] = {
    [RL_SECCOMP_FLAG_TSYNC] = {SECCOMP_FILTER_FLAG_TSYNC, SCMP_FLTATR_CTL_TSYNC, 2},
    [RL_SECCOMP_FLAG_LOG] = {SECCOMP_FILTER_FLAG_LOG, SCMP_FLTATR_CTL_LOG, 3},
    [RL_SECCOMP_FLAG_SPEC_ALLOW] = {SECCOMP_FILTER_FLAG_SPEC_ALLOW, SCMP_FLTATR_CTL_SSB, 4},
    [RL_SECCOMP_FLAG_WAIT_KILLABLE_RECV] = {SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, ATTR_WAITKILL,
                                            7},
};

const char *const *rl_seccomp_arch_names(void)
{
    static const char *names[RL_SECCOMP_ARCH_COUNT + 1];
    size_t k = 0;
    for (int i = 0; i < RL_SECCOMP_ARCH_COUNT; i++)
        if (arch_tokens[i] != 0)
            names[k++] = rl_seccomp_arch_name(i);
    names[k] = NULL;
    return names;
}

/* The kernel checks the flags before it reads the filter, so a NULL filter
 * answers EFAULT for a known flag and EINVAL for an unknown one; nothing is
 * ever installed. WAIT_KILLABLE_RECV is only valid with NEW_LISTENER. */
static bool kernel_has_flag(unsigned long kflag)
{
    if (kflag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
        kflag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, kflag, NULL);
    return r < 0 && errno == EFAULT;
}

/* NULL when the flag can be used; otherwise why not. */
static const char *flag_unsupported(const struct flag *f)
{
    if (f->attr < 0)
        return "the libseccomp rustlet was built with cannot set it (needs libseccomp 2.6)";
    if (seccomp_api_get() < f->api)
        return "libseccomp reports that this kernel or library lacks it";
    if (!kernel_has_flag(f->kflag))
        return "the kernel does not support it";
    return NULL;
}

bool rl_seccomp_flag_supported(const char *name)
{
    int f = rl_seccomp_flag_from_name(name);
    return f >= 0 && flag_unsupported(&flags[f]) == NULL;
}

/* ---- building ------------------------------------------------------------- */

struct rl_seccomp_filter {
    scmp_filter_ctx ctx;
    bool notify;
    unsigned long kflags;   /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
    struct sock_fprog prog; /* stub + libseccomp's program: what is loaded */
    int default_errno;      /* SCMP_ACT_ERRNO default: its errno, else 0 */
};

/* name + optional errnoRet -> libseccomp action; path names the field. */
static int resolve_action(const char *name, bool has_errno, uint32_t errno_ret, const char *path,
                          uint32_t *out, struct rl_error **err)
{
    int a = rl_seccomp_action_from_name(name);
    if (a < 0)
        return rl_error(err, "%s: unknown action \"%s\"", path, name ? name : "");
    bool takes_errno = rl_seccomp_action_takes_errno(name);
    if (has_errno && !takes_errno)
        return rl_error(err,
                        "%s: %s does not take an errno (errnoRet is only for "
                        "SCMP_ACT_ERRNO and SCMP_ACT_TRACE)",
                        path, name);
    if (errno_ret > 0xffff)
        return rl_error(err, "%s: errno %u out of range", path, errno_ret);
    uint32_t e = has_errno ? errno_ret : EPERM;
    *out = takes_errno ? (action_values[a] | (e & 0xffffu)) : action_values[a];
    return 0;
}

static int add_archs(struct rl_seccomp_filter *f, const struct rl_seccomp *sc,
                     struct rl_error **err)
{
    for (size_t i = 0; i < sc->n_architectures; i++) {
        int k = rl_seccomp_arch_from_name(sc->architectures[i]);
        if (k < 0)
            return rl_error(err, SC ".architectures[%zu]: unknown architecture \"%s\"", i,
                            sc->architectures[i]);
        if (arch_tokens[k] == 0)
            return rl_error(err,
                            SC ".architectures[%zu]: %s is not supported by libseccomp %d.%d.%d", i,
                            sc->architectures[i], SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
        int r = seccomp_arch_add(f->ctx, arch_tokens[k]);
        if (r == -EDOM)
            return rl_error(err,
                            SC ".architectures[%zu]: %s cannot be combined with the "
                               "native architecture (libseccomp needs the same endianness)",
                            i, sc->architectures[i]);
        if (r < 0 && r != -EEXIST)
            return rl_error_code(err, -r, SC ".architectures[%zu]: add %s", i,
                                 sc->architectures[i]);
    }
    return 0;
}

static int set_flags(struct rl_seccomp_filter *f, const struct rl_seccomp *sc,
                     struct rl_error **err)
{
    for (size_t i = 0; i < sc->n_flags; i++) {
        int id = rl_seccomp_flag_from_name(sc->flags[i]);
        if (id < 0)
            return rl_error(err, SC ".flags[%zu]: unknown flag \"%s\"", i, sc->flags[i]);
        const struct flag *fl = &flags[id];
        const char *why = flag_unsupported(fl);
        if (why != NULL)
            return rl_error(err, SC ".flags[%zu]: %s is not supported: %s", i, sc->flags[i], why);
        int r = seccomp_attr_set(f->ctx, (enum scmp_filter_attr)fl->attr, 1);
        if (r < 0)
            return rl_error_code(err, -r, SC ".flags[%zu]: set %s", i, sc->flags[i]);
        f->kflags |= fl->kflag;
    }
    return 0;
}

/* One syscall name of syscalls[i]. Arguments: all in one rule (AND), unless
 * an argument index repeats; then each condition becomes its own rule (OR),
 * the behaviour runc and Docker's profiles rely on. */
static int add_rule(struct rl_seccomp_filter *f, const struct rl_seccomp_syscall *s, size_t i,
                    size_t j, uint32_t act, struct rl_error **err)
{
    int nr = seccomp_syscall_resolve_name(s->names[j]);
    if (nr == __NR_SCMP_ERROR) {
        rl_debug(SC ".syscalls[%zu].names[%zu]: unknown syscall \"%s\" skipped", i, j, s->names[j]);
        return 0;
    }
    struct scmp_arg_cmp cmp[6];
    unsigned count[6] = {0};
    bool repeated = false;
    for (size_t k = 0; k < s->n_args && k < 6; k++) {
        const struct rl_seccomp_arg *a = &s->args[k];
        int op = rl_seccomp_op_from_name(a->op);
        if (op < 0)
            return rl_error(err, SC ".syscalls[%zu].args[%zu].op: unknown operator \"%s\"", i, k,
                            a->op ? a->op : "");
        if (a->index >= 6)
            return rl_error(err,
                            SC ".syscalls[%zu].args[%zu].index: %u is not an argument "
                               "index (0-5)",
                            i, k, a->index);
        cmp[k] = (struct scmp_arg_cmp){a->index, op_values[op], a->value, a->value_two};
        repeated = repeated || ++count[a->index] > 1;
    }
    if (s->n_args > 6)
        return rl_error(err, SC ".syscalls[%zu].args: at most 6 conditions, got %zu", i, s->n_args);
    int r = 0;
    if (repeated) {
        for (size_t k = 0; k < s->n_args && r == 0; k++)
            r = seccomp_rule_add_array(f->ctx, act, nr, 1, &cmp[k]);
    } else {
        r = seccomp_rule_add_array(f->ctx, act, nr, (unsigned)s->n_args, cmp);
    }
    if (r < 0)
        return rl_error_code(err, -r, SC ".syscalls[%zu]: add rule for %s", i, s->names[j]);
    return 0;
}

static int add_syscalls(struct rl_seccomp_filter *f, const struct rl_seccomp *sc, uint32_t def,
                        struct rl_error **err)
{
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        const struct rl_seccomp_syscall *s = &sc->syscalls[i];
        char path[64];
        snprintf(path, sizeof(path), SC ".syscalls[%zu].action", i);
        uint32_t act;
        if (resolve_action(s->action, s->has_errno_ret, s->errno_ret, path, &act, err) < 0)
            return -1;
        if (s->n_names == 0)
            return rl_error(err, SC ".syscalls[%zu].names: must name at least one syscall", i);
        if (act == def) {
            /* libseccomp refuses a rule that repeats the default action */
            rl_debug(SC ".syscalls[%zu]: same action as defaultAction, skipped", i);
            continue;
        }
        for (size_t j = 0; j < s->n_names; j++)
            if (add_rule(f, s, i, j, act, err) < 0)
                return -1;
    }
    return 0;
}

/* Ask libseccomp (>= 2.5.0) for a binary tree of syscall numbers instead of
 * a linear list: a syscall late in a 300-entry allow list then runs about
 * a dozen comparisons in the kernel instead of hundreds, on every call the
 * container makes.  The filter's answers are the same either way; an older
 * libseccomp (headers or library) keeps the linear layout. */
static void set_optimize(scmp_filter_ctx ctx)
{
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
    int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (r < 0)
        rl_debug(SC ": libseccomp refused the binary-tree layout (%s), keeping the linear one",
                 strerror(-r));
#else
    (void)ctx;
    rl_debug(SC ": libseccomp older than 2.5.0, the filter is a linear list");
#endif
}

struct rl_seccomp_filter *rl_seccomp_build(const struct rl_seccomp *sc, struct rl_error **err)
{
    uint32_t def;
    if (resolve_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret,
                       SC ".defaultAction", &def, err) < 0)
        return NULL;
    struct rl_seccomp_filter *f = xzalloc(sizeof(*f));
    f->notify = rl_seccomp_uses_notify(sc);
    if ((def & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
        f->default_errno = (int)(def & SECCOMP_RET_DATA);
    f->ctx = seccomp_init(def);
    if (f->ctx == NULL) {
        free(f);
        rl_error(err, SC ": seccomp_init failed (libseccomp)");
        return NULL;
    }
    /* process.noNewPrivileges decides about no_new_privs, not libseccomp;
     * and report the kernel's errno when loading fails. */
    int r = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (r == 0)
        (void)seccomp_attr_set(f->ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
    if (r < 0) {
        rl_error_code(err, -r, SC ": clear libseccomp's no_new_privs attribute");
        goto fail;
    }
    set_optimize(f->ctx);
    if (add_archs(f, sc, err) < 0 || set_flags(f, sc, err) < 0 || add_syscalls(f, sc, def, err) < 0)
        goto fail;
    uint32_t tokens[RL_SECCOMP_ARCH_COUNT];
    size_t n_tokens = 0;
    for (size_t i = 0; i < sc->n_architectures && n_tokens < ARRAY_SIZE(tokens); i++)
        tokens[n_tokens++] = arch_tokens[rl_seccomp_arch_from_name(sc->architectures[i])];
    if (rl_seccomp_program(f->ctx, sc, tokens, n_tokens, def, &f->prog, err) < 0)
        goto fail;
    return f;
fail:
    rl_seccomp_filter_free(f);
    return NULL;
}

int rl_seccomp_default_errno(const struct rl_seccomp_filter *f)
{
    return f != NULL && f->default_errno > 0 ? f->default_errno : -1;
}

void rl_seccomp_filter_free(struct rl_seccomp_filter *f)
{
    if (f == NULL)
        return;
    seccomp_release(f->ctx);
    free(f->prog.filter);
    free(f);
}

static void *export_pfc(const struct rl_seccomp_filter *f, struct rl_error **err)
{
    _cleanup_close_ int fd = (int)syscall(SYS_memfd_create, "rustlet-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        rl_error_errno(err, "seccomp: memfd_create");
        return NULL;
    }
    int r = seccomp_export_pfc(f->ctx, fd);
    if (r < 0) {
        rl_error_code(err, -r, "seccomp: export the filter");
        return NULL;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return rl_read_file_at(AT_FDCWD, path, 0, NULL, err);
}

char *rl_seccomp_export_pfc(const struct rl_seccomp_filter *f, struct rl_error **err)
{
    return export_pfc(f, err);
}

void *rl_seccomp_export_bpf(const struct rl_seccomp_filter *f, size_t *len, struct rl_error **err)
{
    (void)err;
    *len = f->prog.len * sizeof(struct sock_filter);
    void *copy = xzalloc(*len);
    memcpy(copy, f->prog.filter, *len);
    return copy;
}

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

/* One seccomp(2) call: from here on the filter applies, so nothing else is
 * done after it (the caller's next call is already filtered). */
int rl_seccomp_load(struct rl_seccomp_filter *f, int *notify_fd, struct rl_error **err)
{
    *notify_fd = -1;
    unsigned long fl = f->kflags;
    if (f->notify)
        fl |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    else
        fl &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; /* only valid with a listener */
    if ((fl & SECCOMP_FILTER_FLAG_TSYNC) && (fl & SECCOMP_FILTER_FLAG_NEW_LISTENER))
        fl |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH; /* else the return value is ambiguous */
    /* the last log line before the filter applies (see tests/sys-exceptions.txt) */
    rl_debug(SC ": load the filter: %u BPF instructions, flags 0x%lx%s", (unsigned)f->prog.len, fl,
             f->notify ? ", with a listener (SCMP_ACT_NOTIFY)" : "");
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, fl, &f->prog);
    if (r < 0)
        return rl_error_errno(err, SC ": load the filter (seccomp(SECCOMP_SET_MODE_FILTER, %#lx))",
                              fl);
    if (f->notify)
        *notify_fd = (int)r;
    else if (r > 0)
        return rl_error(err, SC ": load the filter: thread %ld could not be synchronised", r);
    return 0;
}

/* ---- SCMP_ACT_NOTIFY ------------------------------------------------------ */

int rl_seccomp_listener_connect(const char *path, struct rl_error **err)
{
    int fd = rl_unix_connect(path, SOCK_STREAM);
    if (fd < 0)
        return rl_error_errno(err, SC ".listenerPath: connect %s", path);
    return fd;
}

char *rl_seccomp_process_state(pid_t pid, const char *metadata, const char *state_json)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "ociVersion", RUSTLET_SPEC_VERSION);
    rl_jsonw_key(w, "fds");
    rl_jsonw_array_open(w);
    rl_jsonw_string(w, "seccompFd");
    rl_jsonw_array_close(w);
    rl_jsonw_kv_int(w, "pid", pid);
    if (metadata)
        rl_jsonw_kv_string(w, "metadata", metadata);
    rl_jsonw_object_close(w);
    size_t len = 0;
    _cleanup_free_ char *head = rl_jsonw_finish(w, &len, NULL);
    if (head == NULL || len < 2)
        return NULL;
    /* the state is already a JSON document: splice it in as the last member */
    head[len - 1] = '\0';
    return xasprintf("%s,\"state\":%s}", head, state_json);
}

int rl_seccomp_listener_send(int sock, int notify_fd, const char *process_state,
                             struct rl_error **err)
{
    size_t len = strlen(process_state);
    struct iovec iov = {.iov_base = (void *)process_state, .iov_len = len};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof(u));
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return rl_error_errno(err, SC ".listenerPath: send the container process state");
    /* the fd went with the first part; the rest (if any) follows plainly */
    if ((size_t)n < len && rl_write_all(sock, process_state + n, len - (size_t)n) < 0)
        return rl_error_errno(err, SC ".listenerPath: send the container process state");
    return 0;
}
