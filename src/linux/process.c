/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The container process itself: rlimits, oom_score_adj, user and groups,
 * capabilities (bounding dropped while still root, then setuid with
 * keep-caps, then the permitted/effective/inheritable sets, then ambient),
 * umask, cwd, the fd sweep and the executable lookup. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/close_range.h>

/* Why a privileged write failed with EPERM/EACCES: the capability is
 * missing from the bounding set (as on some CI hosts) or from the
 * effective set. */
static const char *cap_missing_why(int cap)
{
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0)
        return "which is not in this runtime's bounding set";
    return "which this runtime does not have";
}

int rl_process_set_rlimits(const struct rl_process *p, struct rl_error **err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct rl_rlimit *r = &p->rlimits[i];
        struct rlimit lim = {.rlim_cur = r->soft, .rlim_max = r->hard};
        struct rlimit cur = {0, 0};
        (void)getrlimit(r->resource, &cur);
        if (setrlimit(r->resource, &lim) == 0)
            continue;
        int e = errno;
        char hint[256] = "";
        if (e == EPERM && r->hard > cur.rlim_max)
            snprintf(hint, sizeof(hint),
                     " (raising the hard limit above the current %llu needs CAP_SYS_RESOURCE, %s)",
                     (unsigned long long)cur.rlim_max, cap_missing_why(CAP_SYS_RESOURCE));
        else if (e == EPERM && r->resource == RLIMIT_NOFILE)
            snprintf(hint, sizeof(hint), " (RLIMIT_NOFILE cannot exceed fs.nr_open)");
        rl_error(err, "process.rlimits[%zu] (%s soft %llu hard %llu): setrlimit: %s%s", i, r->type,
                 (unsigned long long)r->soft, (unsigned long long)r->hard, strerror(e), hint);
        if (err && *err)
            (*err)->errnum = e;
        return -1;
    }
    return 0;
}

/* Through proc_fd (the init's own procfs, see init.c) when there is one:
 * no mount of the container can be in the way (CVE-2025-52881). */
static int set_oom_score_adj(const struct rl_process *p, int proc_fd, struct rl_error **err)
{
    if (!p->has_oom_score_adj)
        return 0;
    char v[32];
    snprintf(v, sizeof(v), "%d", p->oom_score_adj);
    /* setresuid() in a user namespace left this process non-dumpable, and
     * the /proc/self files of a non-dumpable process belong to the host's
     * root, which the namespace's root may not write: dumpable just for
     * this write (nothing else runs in the container yet) */
    int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (dumpable == 0)
        (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    int r = rl_sys_write_ctl(
        proc_fd >= 0 ? proc_fd : AT_FDCWD,
        proc_fd >= 0 ? "thread-self/oom_score_adj" : "/proc/self/oom_score_adj", v);
    int saved = errno;
    if (dumpable == 0)
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    errno = saved;
    if (r < 0) {
        /* lowering it below the value the runtime started with needs
         * CAP_SYS_RESOURCE (the kernel answers EACCES) */
        int e = errno;
        bool lower = e == EACCES || e == EPERM;
        rl_error(err, "process.oomScoreAdj (%d): write /proc/self/oom_score_adj: %s%s%s%s",
                 p->oom_score_adj, strerror(e),
                 lower ? " (lowering oom_score_adj needs CAP_SYS_RESOURCE, " : "",
                 lower ? cap_missing_why(CAP_SYS_RESOURCE) : "", lower ? ")" : "");
        if (err && *err)
            (*err)->errnum = e;
        return -1;
    }
    return 0;
}

/* Before the pivot, while /proc is still the runtime's: limits that the
 * container may not be allowed to raise later. */
int rl_process_setup_pre_pivot(const struct rl_process *p, int proc_fd, struct rl_error **err)
{
    if (set_oom_score_adj(p, proc_fd, err) < 0)
        return -1;
    return rl_process_set_rlimits(p, err);
}

static int cap_from_names(char *const *names, size_t n, const char *field, uint64_t *mask,
                          struct rl_error **err)
{
    *mask = 0;
    for (size_t i = 0; i < n; i++) {
        cap_value_t c;
        if (cap_from_name(names[i], &c) < 0)
            return rl_error(err, "process.capabilities.%s[%zu]: unknown capability \"%s\"", field,
                            i, names[i]);
        if (c > (cap_value_t)cap_max_bits() - 1 || !CAP_IS_SUPPORTED(c))
            return rl_error(err, "process.capabilities.%s[%zu]: %s is not supported by this kernel",
                            field, i, names[i]);
        *mask |= 1ull << c;
    }
    return 0;
}

struct capsets {
    uint64_t bounding, effective, permitted, inheritable, ambient;
};

static int read_capsets(const struct rl_capabilities *c, struct capsets *s, struct rl_error **err)
{
    if (cap_from_names(c->bounding, c->n_bounding, "bounding", &s->bounding, err) < 0 ||
        cap_from_names(c->effective, c->n_effective, "effective", &s->effective, err) < 0 ||
        cap_from_names(c->permitted, c->n_permitted, "permitted", &s->permitted, err) < 0 ||
        cap_from_names(c->inheritable, c->n_inheritable, "inheritable", &s->inheritable, err) < 0 ||
        cap_from_names(c->ambient, c->n_ambient, "ambient", &s->ambient, err) < 0)
        return -1;
    return 0;
}

static int drop_bounding(uint64_t keep, struct rl_error **err)
{
    int last = (int)cap_max_bits() - 1;
    for (int c = 0; c <= last; c++) {
        if (keep & (1ull << c))
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return rl_error_errno(err, "process.capabilities.bounding: drop %s", cap_to_name(c));
    }
    return 0;
}

static int set_caps(const struct capsets *s, struct rl_error **err)
{
    cap_t caps = cap_init();
    if (caps == NULL)
        return rl_error_errno(err, "cap_init");
    int last = (int)cap_max_bits() - 1;
    for (int c = 0; c <= last; c++) {
        cap_value_t v = c;
        if (s->effective & (1ull << c))
            cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
        if (s->permitted & (1ull << c))
            cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
        if (s->inheritable & (1ull << c))
            cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
    }
    int r = cap_set_proc(caps);
    cap_free(caps);
    if (r < 0)
        return rl_error_errno(err, "process.capabilities: capset");
    for (int c = 0; c <= last; c++) {
        if (!(s->ambient & (1ull << c)))
            continue;
        /* The kernel only allows ambient capabilities that are permitted and
         * inheritable. runc's default config lists ambient ones without
         * inheritable ones and runc then leaves CapAmb empty; do the same
         * (engines rely on it), and say so in the debug log. */
        if (!(s->permitted & s->inheritable & (1ull << c))) {
            rl_debug("process.capabilities.ambient: %s not raised: not in both the permitted "
                     "and the inheritable set",
                     cap_to_name(c));
            continue;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
            return rl_error_errno(err, "process.capabilities.ambient: raise %s", cap_to_name(c));
    }
    return 0;
}

/* The stdio the container was handed (the caller's pipes, a pty, a log
 * file) is the runtime's, mode 0600 for a pipe: reopening /dev/stdout as
 * process.user then fails with EACCES (nginx-style logging to
 * /dev/stdout). As runc does: each of fds 0-2 not already the user's gets
 * the user's uid, its group kept (a pty's "tty" group, a file's own);
 * /dev/null is never touched (it is the host's node); EINVAL (the uid has
 * no mapping) and EPERM (the owner is not mapped into the user namespace)
 * leave the fd as it is. */
int rl_process_fix_stdio(const struct rl_process *p, struct rl_error **err)
{
    uid_t uid = p->user.uid;
    for (int fd = 0; fd <= 2; fd++) {
        struct stat st;
        if (fstat(fd, &st) < 0) {
            if (errno == EBADF)
                continue; /* closed by the caller */
            return rl_error_errno(err, "process.user.uid (%u): fstat stdio fd %d", uid, fd);
        }
        if (st.st_uid == uid || (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))
            continue;
        if (fchown(fd, uid, (gid_t)-1) < 0) {
            if (errno == EINVAL || errno == EPERM) {
                rl_debug("stdio fd %d left to uid %u: fchown: %s", fd, st.st_uid, strerror(errno));
                continue;
            }
            return rl_error_errno(err, "process.user.uid (%u): chown stdio fd %d", uid, fd);
        }
    }
    return 0;
}

static int set_user(const struct rl_user *u, struct rl_error **err)
{
    gid_t groups[u->n_additional_gids + 1];
    for (size_t i = 0; i < u->n_additional_gids; i++)
        groups[i] = u->additional_gids[i];
    /* setgroups is refused in a user namespace with setgroups=deny */
    if (setgroups(u->n_additional_gids, groups) < 0 &&
        !(errno == EPERM && u->n_additional_gids == 0))
        return rl_error_errno(err, "process.user.additionalGids: setgroups");
    if (setresgid(u->gid, u->gid, u->gid) < 0)
        return rl_error_errno(err, "process.user.gid (%u): setresgid", u->gid);
    if (setresuid(u->uid, u->uid, u->uid) < 0)
        return rl_error_errno(err, "process.user.uid (%u): setresuid", u->uid);
    rl_debug("process.user: uid %u, gid %u, %zu additional gids", u->uid, u->gid,
             u->n_additional_gids);
    return 0;
}

/* --debug: each capability set the process gets, by name. */
static void debug_caps(const struct capsets *s)
{
    if (!rl_log_debug_enabled())
        return;
    const struct {
        const char *name;
        uint64_t mask;
    } sets[] = {{"bounding", s->bounding},
                {"effective", s->effective},
                {"permitted", s->permitted},
                {"inheritable", s->inheritable},
                {"ambient", s->ambient}};
    int last = (int)cap_max_bits() - 1;
    for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
        char buf[2048] = "none";
        size_t len = 0;
        for (int c = 0; c <= last && c < 64; c++) {
            if (!(sets[i].mask & (1ull << c)))
                continue;
            char *name = cap_to_name(c);
            int n =
                snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "", name ? name : "?");
            cap_free(name);
            if (n < 0 || (size_t)n >= sizeof(buf) - len)
                break;
            len += (size_t)n;
        }
        rl_debug("process.capabilities.%s: %s", sets[i].name, buf);
    }
}

/* After the pivot: identity and privileges, in the order that keeps the
 * runtime able to finish (bounding while root, caps kept across setuid). */
int rl_process_setup(const struct rl_process *p, struct rl_error **err)
{
    struct capsets s = {0};
    bool caps = p->capabilities.present;
    if (caps && read_capsets(&p->capabilities, &s, err) < 0)
        return -1;
    if (caps)
        debug_caps(&s);
    else
        rl_debug("process.capabilities: not set, the process keeps the runtime's");
    if (caps && drop_bounding(s.bounding, err) < 0)
        return -1;
    /* runc creates a missing cwd (as root, before the user switch) */
    if (p->cwd && access(p->cwd, F_OK) < 0 && errno == ENOENT)
        (void)rl_mkdir_p(p->cwd, 0755, NULL);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return rl_error_errno(err, "prctl(PR_SET_KEEPCAPS)");
    if (set_user(&p->user, err) < 0)
        return -1;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return rl_error_errno(err, "prctl(PR_SET_KEEPCAPS)");
    if (caps && set_caps(&s, err) < 0)
        return -1;
    if (p->cwd && chdir(p->cwd) < 0)
        return rl_error_errno(err, "process.cwd: chdir %s", p->cwd);
    /* CVE-2024-21626: a cwd such as /proc/self/fd/N follows whatever fd N
     * is in this process - one the runtime (or its caller) holds on a host
     * directory puts the process outside its root, where "../" walks the
     * host. The kernel's getcwd says ENOENT for a cwd the root cannot
     * reach. */
    if (p->cwd) {
        char *where = getcwd(NULL, 0);
        if (where == NULL && errno == ENOENT)
            return rl_error(err, "process.cwd: %s is outside the container's root filesystem",
                            p->cwd);
        free(where);
    }
    umask(p->user.has_umask ? (mode_t)p->user.umask : 022);
    return 0;
}

static const char *env_get(const struct rl_process *p, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < p->n_env; i++)
        if (strncmp(p->env[i], name, n) == 0 && p->env[i][n] == '=')
            return p->env[i] + n + 1;
    return NULL;
}

void rl_process_env_set(struct rl_process *p, const char *kv)
{
    size_t klen = strcspn(kv, "=");
    for (size_t i = 0; i < p->n_env; i++) {
        if (strncmp(p->env[i], kv, klen) == 0 && p->env[i][klen] == '=') {
            free(p->env[i]);
            p->env[i] = xstrdup(kv);
            return;
        }
    }
    p->env = xrealloc(p->env, (p->n_env + 2) * sizeof(char *));
    p->env[p->n_env++] = xstrdup(kv);
    p->env[p->n_env] = NULL;
}

/* The home directory of uid in the container's /etc/passwd; "/" if none. */
static char *passwd_home(uint32_t uid)
{
    FILE *f = fopen("/etc/passwd", "re");
    char *line = NULL, *home = NULL;
    size_t cap = 0;
    while (f && home == NULL && getline(&line, &cap, f) > 0) {
        /* name:password:uid:gid:gecos:home:shell */
        char *field[7] = {0};
        size_t n = 0;
        line[strcspn(line, "\n")] = '\0';
        for (char *s = line, *c; n < 7; s = c + 1) {
            field[n++] = s;
            if ((c = strchr(s, ':')) == NULL)
                break;
            *c = '\0';
        }
        char *end = NULL;
        if (n >= 6 && field[2][0] != '\0' && strtoul(field[2], &end, 10) == uid && *end == '\0' &&
            field[5][0] != '\0')
            home = xstrdup(field[5]);
    }
    free(line);
    if (f)
        fclose(f);
    return home ? home : xstrdup("/");
}

char **rl_process_envp(const struct rl_process *p)
{
    if (env_get(p, "HOME") != NULL)
        return p->env;
    char **envp = xzalloc((p->n_env + 2) * sizeof(char *));
    for (size_t i = 0; i < p->n_env; i++)
        envp[i] = p->env[i];
    _cleanup_free_ char *home = passwd_home(p->user.uid);
    envp[p->n_env] = xasprintf("HOME=%s", home);
    return envp;
}

static bool in_groups(const struct rl_user *u, gid_t gid)
{
    if (gid == u->gid)
        return true;
    for (size_t i = 0; i < u->n_additional_gids; i++)
        if (u->additional_gids[i] == gid)
            return true;
    return false;
}

/* Will the process that rl_process_setup() leaves hold CAP_DAC_OVERRIDE? */
static bool has_dac_override(const struct rl_process *p)
{
    if (!p->capabilities.present)
        return p->user.uid == 0; /* setuid away from 0 clears the effective set */
    for (size_t i = 0; i < p->capabilities.n_effective; i++)
        if (strcmp(p->capabilities.effective[i], "CAP_DAC_OVERRIDE") == 0)
            return true;
    return false;
}

/* The kernel's exec permission check for the identity rl_process_setup()
 * will give the process (uid, gid, additionalGids, effective caps), from
 * the inode's mode and the mount's noexec (not ACLs or LSMs): for a lookup
 * made while the init is still root, before a seccomp filter is loaded. */
static bool exec_allowed_as(const struct rl_process *p, const char *path, const struct stat *st)
{
    struct statvfs vfs;
    if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC))
        return false;
    mode_t m = st->st_mode;
    if (!(m & 0111))
        return false;
    if (has_dac_override(p))
        return true;
    if (st->st_uid == p->user.uid)
        return m & S_IXUSR;
    if (in_groups(&p->user, st->st_gid))
        return m & S_IXGRP;
    return m & S_IXOTH;
}

/* as_target: check for the identity the process will have (see above)
 * instead of asking the kernel with the caller's own. errno says why not. */
static bool is_executable(const struct rl_process *p, const char *path, bool as_target)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return false;
    if (!S_ISREG(st.st_mode)) {
        errno = EACCES;
        return false;
    }
    if (!as_target)
        return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0;
    if (exec_allowed_as(p, path, &st))
        return true;
    errno = EACCES;
    return false;
}

/* A relative candidate, seen from process.cwd (the lookup as_target runs
 * before the chdir). */
static char *from_cwd(const struct rl_process *p, char *cand, bool as_target)
{
    if (!as_target || cand[0] == '/' || p->cwd == NULL)
        return cand;
    char *abs = xasprintf("%s/%s", p->cwd, cand);
    free(cand);
    return abs;
}

char *rl_process_lookup_as(const struct rl_process *p, bool as_target, struct rl_error **err)
{
    const char *arg0 = p->args[0];
    if (strchr(arg0, '/')) {
        char *cand = from_cwd(p, xstrdup(arg0), as_target);
        if (!is_executable(p, cand, as_target)) {
            /* Go's wording of the errno ("no such file or directory",
             * "permission denied"): Docker and podman match it, case and
             * all, to exit 127/126 as with runc */
            int e = errno;
            free(cand);
            char why[128];
            snprintf(why, sizeof(why), "%s", strerror(e));
            why[0] = (char)tolower((unsigned char)why[0]);
            rl_error(err, "process.args[0]: exec \"%s\": %s", arg0, why);
            if (*err) {
                (*err)->errnum = e;
                (*err)->status = e == ENOENT ? 127 : 126;
            }
            return NULL;
        }
        return cand;
    }
    const char *path = env_get(p, "PATH");
    if (path == NULL)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    _cleanup_free_ char *copy = xstrdup(path);
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *cand = from_cwd(p, xasprintf("%s/%s", *dir ? dir : ".", arg0), as_target);
        if (is_executable(p, cand, as_target))
            return cand;
        free(cand);
    }
    rl_error(err, "process.args[0]: exec \"%s\": executable file not found in $PATH", arg0);
    if (*err)
        (*err)->status = 127;
    return NULL;
}

char *rl_process_lookup(const struct rl_process *p, struct rl_error **err)
{
    return rl_process_lookup_as(p, false, err);
}

/* Every fd above the preserved ones becomes close-on-exec: the runtime's
 * own fds (sync socket, exec fifo, log) stay usable until execve and none
 * of them - nor anything an engine leaked to us - reaches the container. */
int rl_process_close_fds(int preserve, const int *keep, size_t n_keep)
{
    (void)keep;
    (void)n_keep;
    int listen = 0;
    const char *lf = getenv("LISTEN_FDS");
    if (lf)
        listen = atoi(lf);
    int top = 3 + (preserve > listen ? preserve : listen);
    for (int fd = 3; fd < top; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0)
            (void)fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
    if (syscall(SYS_close_range, (unsigned)top, ~0u, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    /* no CLOSE_RANGE_CLOEXEC (kernel < 5.11) or a seccomp profile that
     * refuses close_range: one fcntl per possible fd */
    struct rlimit nofile = {0, 0};
    int max = getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < (1u << 20)
                  ? (int)nofile.rlim_cur
                  : 1 << 20;
    for (int fd = top; fd < max; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC))
            (void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
    }
    return 0;
}
