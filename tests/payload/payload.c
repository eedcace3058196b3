/* rl-payload: a tiny static program run as a container's process by the
 * integration tests. It reports what the process sees (ids, caps, mounts,
 * namespaces, rlimits, cgroups...) as simple "key=value" lines so the tests
 * assert facts rather than exit codes.
 *
 * Build: gcc -static -O2 -o rl-payload payload.c
 * Usage: rl-payload SUBCOMMAND [ARGS...]   (rl-payload help lists them)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *errno_name(int e)
{
    switch (e) {
/* clang-format off */
#define E(x) case x: return #x;
      E (EPERM) E (ENOENT) E (ESRCH) E (EINTR) E (EIO) E (ENXIO) E (E2BIG)
      E (ENOEXEC) E (EBADF) E (ECHILD) E (EAGAIN) E (ENOMEM) E (EACCES)
      E (EFAULT) E (EBUSY) E (EEXIST) E (EXDEV) E (ENODEV) E (ENOTDIR)
      E (EISDIR) E (EINVAL) E (ENFILE) E (EMFILE) E (ENOTTY) E (ETXTBSY)
      E (EFBIG) E (ENOSPC) E (ESPIPE) E (EROFS) E (EMLINK) E (EPIPE)
      E (ERANGE) E (ENAMETOOLONG) E (ENOSYS) E (ENOTEMPTY) E (ELOOP)
      E (EOPNOTSUPP) E (EDQUOT)
#undef E
            /* clang-format on */
            default : return "EUNKNOWN";
    }
}

static int fail(const char *what, const char *path)
{
    int e = errno;
    printf("error=%s\n", errno_name(e));
    fprintf(stderr, "rl-payload: %s %s: %s\n", what, path ? path : "", strerror(e));
    return 1;
}

/* Print a whole file to stdout. */
static int cat_file(const char *path)
{
    char buf[8192];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail("open", path);
    fflush(stdout);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(STDOUT_FILENO, buf, n) != n)
            break;
    if (n < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return fail("read", path);
    }
    close(fd);
    return 0;
}

static int cmd_ids(void)
{
    gid_t groups[256];
    int n = getgroups(256, groups);
    mode_t um = umask(0);
    umask(um);
    printf("uid=%u\ngid=%u\neuid=%u\negid=%u\ngroups=", getuid(), getgid(), geteuid(), getegid());
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", groups[i]);
    printf("\numask=%04o\n", um);
    return 0;
}

/* Print lines of /proc/self/status whose key is in KEYS, as key=value. */
static int status_keys(const char *const *keys, const char *const *names)
{
    char line[512];
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return fail("open", "/proc/self/status");
    while (fgets(line, sizeof line, f)) {
        for (int i = 0; keys[i]; i++) {
            size_t l = strlen(keys[i]);
            if (strncmp(line, keys[i], l) == 0 && line[l] == ':') {
                char *v = line + l + 1;
                v += strspn(v, " \t");
                v[strcspn(v, "\n")] = 0;
                printf("%s=%s\n", names[i], v);
            }
        }
    }
    fclose(f);
    return 0;
}

static int cmd_caps(void)
{
    static const char *const k[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL};
    static const char *const n[] = {"inh", "prm", "eff", "bnd", "amb", NULL};
    return status_keys(k, n);
}

static int cmd_nnp(void)
{
    printf("nnp=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    return 0;
}

static int cmd_pid(void)
{
    printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
    return 0;
}

static int cmd_uts(int domain)
{
    struct utsname u;
    if (uname(&u) < 0)
        return fail("uname", NULL);
    if (domain)
        printf("domainname=%s\n", u.domainname);
    else
        printf("hostname=%s\n", u.nodename);
    return 0;
}

static int cmd_ns(void)
{
    static const char *const ns[] = {
        "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children",
        "user",   "uts", NULL};
    for (int i = 0; ns[i]; i++) {
        char p[64], t[128];
        ssize_t n;
        snprintf(p, sizeof p, "/proc/self/ns/%s", ns[i]);
        n = readlink(p, t, sizeof t - 1);
        if (n < 0)
            continue;
        t[n] = 0;
        printf("%s=%s\n", ns[i], t);
    }
    return 0;
}

static int cmd_cwd(void)
{
    char b[PATH_MAX];
    if (!getcwd(b, sizeof b))
        return fail("getcwd", NULL);
    printf("cwd=%s\n", b);
    return 0;
}

static int cmd_env(void)
{
    for (char **e = environ; *e; e++)
        printf("%s\n", *e);
    return 0;
}

static int cmd_args(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
}

static void print_rlim(rlim_t v)
{
    if (v == RLIM_INFINITY)
        printf("unlimited");
    else
        printf("%llu", (unsigned long long)v);
}

static int cmd_rlimits(void)
{
    static const struct {
        const char *name;
        int res;
    } r[] = {{"RLIMIT_AS", RLIMIT_AS},
             {"RLIMIT_CORE", RLIMIT_CORE},
             {"RLIMIT_CPU", RLIMIT_CPU},
             {"RLIMIT_DATA", RLIMIT_DATA},
             {"RLIMIT_FSIZE", RLIMIT_FSIZE},
             {"RLIMIT_LOCKS", RLIMIT_LOCKS},
             {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
             {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
             {"RLIMIT_NICE", RLIMIT_NICE},
             {"RLIMIT_NOFILE", RLIMIT_NOFILE},
             {"RLIMIT_NPROC", RLIMIT_NPROC},
             {"RLIMIT_RSS", RLIMIT_RSS},
             {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
             {"RLIMIT_RTTIME", RLIMIT_RTTIME},
             {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
             {"RLIMIT_STACK", RLIMIT_STACK}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        struct rlimit l;
        if (getrlimit(r[i].res, &l) < 0)
            return fail("getrlimit", r[i].name);
        printf("%s=", r[i].name);
        print_rlim(l.rlim_cur);
        putchar(':');
        print_rlim(l.rlim_max);
        putchar('\n');
    }
    return 0;
}

static int cmd_oom(void)
{
    char b[32] = "";
    int fd = open("/proc/self/oom_score_adj", O_RDONLY);
    ssize_t n;
    if (fd < 0)
        return fail("open", "/proc/self/oom_score_adj");
    n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n < 0)
        return fail("read", "/proc/self/oom_score_adj");
    b[n] = 0;
    b[strcspn(b, "\n")] = 0;
    printf("oom_score_adj=%s\n", b);
    return 0;
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE
 * SOURCE SUPEROPTS". Prints "MOUNTPOINT FSTYPE OPTS,SUPEROPTS PROPAGATION". */
static int cmd_mounts(void)
{
    char line[4096];
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return fail("open", "/proc/self/mountinfo");
    while (fgets(line, sizeof line, f)) {
        char *tok[64];
        int n = 0, dash = -1;
        char prop[256] = "";
        line[strcspn(line, "\n")] = 0;
        for (char *s = strtok(line, " "); s && n < 64; s = strtok(NULL, " "))
            tok[n++] = s;
        for (int i = 6; i < n; i++)
            if (strcmp(tok[i], "-") == 0) {
                dash = i;
                break;
            }
        if (dash < 0 || dash + 3 >= n + 1)
            continue;
        for (int i = 6; i < dash; i++) {
            const char *p = tok[i];
            const char *name = strncmp(p, "shared:", 7) == 0   ? "shared"
                               : strncmp(p, "master:", 7) == 0 ? "slave"
                               : strcmp(p, "unbindable") == 0  ? "unbindable"
                                                               : p;
            if (prop[0])
                strncat(prop, ",", sizeof prop - strlen(prop) - 1);
            strncat(prop, name, sizeof prop - strlen(prop) - 1);
        }
        printf("%s %s %s,%s %s\n", tok[4], tok[dash + 1], tok[5], dash + 3 < n ? tok[dash + 3] : "",
               prop[0] ? prop : "private");
    }
    fclose(f);
    return 0;
}

static int cmd_stat(const char *path)
{
    struct stat st;
    const char *type;
    if (lstat(path, &st) < 0)
        return fail("lstat", path);
    switch (st.st_mode & S_IFMT) {
    case S_IFREG:
        type = "file";
        break;
    case S_IFDIR:
        type = "dir";
        break;
    case S_IFLNK:
        type = "symlink";
        break;
    case S_IFCHR:
        type = "char";
        break;
    case S_IFBLK:
        type = "block";
        break;
    case S_IFIFO:
        type = "fifo";
        break;
    case S_IFSOCK:
        type = "socket";
        break;
    default:
        type = "unknown";
    }
    printf("type=%s\nmode=%04o\nuid=%u\ngid=%u\n", type, (unsigned)(st.st_mode & 07777), st.st_uid,
           st.st_gid);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        printf("rdev=%u:%u\n", major(st.st_rdev), minor(st.st_rdev));
    if (S_ISLNK(st.st_mode)) {
        char t[PATH_MAX];
        ssize_t n = readlink(path, t, sizeof t - 1);
        if (n >= 0) {
            t[n] = 0;
            printf("target=%s\n", t);
        }
    }
    return 0;
}

static int cmd_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t l = strlen(text);
    if (fd < 0)
        return fail("open", path);
    if (write(fd, text, l) != (ssize_t)l) {
        int e = errno;
        close(fd);
        errno = e;
        return fail("write", path);
    }
    if (close(fd) < 0)
        return fail("close", path);
    printf("ok\n");
    return 0;
}

static int cmd_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int self;
    if (!d)
        return fail("opendir", "/proc/self/fd");
    self = dirfd(d);
    while ((e = readdir(d))) {
        char p[300], t[PATH_MAX];
        ssize_t n;
        if (e->d_name[0] == '.' || atoi(e->d_name) == self)
            continue;
        snprintf(p, sizeof p, "/proc/self/fd/%s", e->d_name);
        n = readlink(p, t, sizeof t - 1);
        t[n < 0 ? 0 : n] = 0;
        printf("%s=%s\n", e->d_name, t);
    }
    closedir(d);
    return 0;
}

/* For every line "ID:CONTROLLERS:PATH" of /proc/self/cgroup, read FILE in
 * /sys/fs/cgroup/<hier>/PATH (v1) or /sys/fs/cgroup[/unified]/PATH (v2).
 * Prints "CONTROLLERS=CONTENT" (first line of the file). */
static int cmd_cat_cgroup(const char *file)
{
    char line[1024];
    int found = 0;
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (!f)
        return fail("open", "/proc/self/cgroup");
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ':'), *c2, *ctrl, *path;
        char dirs[6][PATH_MAX];
        int nd = 0;
        if (!c1 || !(c2 = strchr(c1 + 1, ':')))
            continue;
        *c2 = 0;
        ctrl = c1 + 1;
        path = c2 + 1;
        path[strcspn(path, "\n")] = 0;
        if (strcmp(path, "/") == 0)
            path = "";
        if (*ctrl == 0) {
            snprintf(dirs[nd++], PATH_MAX, "/sys/fs/cgroup/unified%s", path);
            snprintf(dirs[nd++], PATH_MAX, "/sys/fs/cgroup%s", path);
            if (*path) {
                snprintf(dirs[nd++], PATH_MAX, "/sys/fs/cgroup/unified");
                snprintf(dirs[nd++], PATH_MAX, "/sys/fs/cgroup");
            }
            ctrl = "unified";
        } else {
            const char *name = strncmp(ctrl, "name=", 5) == 0 ? ctrl + 5 : ctrl;
            snprintf(dirs[nd++], PATH_MAX, "/sys/fs/cgroup/%s%s", name, path);
            /* Without a cgroup namespace the runtime bind-mounts the
               container's own cgroup at the hierarchy's mount point. */
            if (*path)
                snprintf(dirs[nd++], PATH_MAX, "/sys/fs/cgroup/%s", name);
            /* "cpu,cpuacct" may be mounted under either name. */
            if (strchr(ctrl, ',')) {
                char first[64];
                snprintf(first, sizeof first, "%.*s", (int)strcspn(ctrl, ","), ctrl);
                snprintf(dirs[nd++], PATH_MAX, "/sys/fs/cgroup/%s%s", first, path);
            }
        }
        for (int i = 0; i < nd; i++) {
            char p[5 * PATH_MAX], v[4096];
            FILE *g;
            snprintf(p, sizeof p, "%s/%s", dirs[i], file);
            g = fopen(p, "re");
            if (!g)
                continue;
            if (!fgets(v, sizeof v, g))
                v[0] = 0;
            fclose(g);
            v[strcspn(v, "\n")] = 0;
            printf("%s=%s\n", ctrl, v);
            found++;
            break;
        }
    }
    fclose(f);
    if (!found) {
        errno = ENOENT;
        return fail("cat-cgroup", file);
    }
    return 0;
}

static volatile sig_atomic_t got_sig;

static void on_sig(int s)
{
    got_sig = s;
}

static int cmd_wait_signal(void)
{
    sigset_t all;
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
            sigaction(s, &sa, NULL);
    sigemptyset(&all);
    /* Tell the test we are ready, then wait. */
    printf("ready\n");
    fflush(stdout);
    while (!got_sig)
        sigsuspend(&all);
    printf("signal=%d\nsigname=SIG%s\n", (int)got_sig,
           sigabbrev_np(got_sig) ? sigabbrev_np(got_sig) : "?");
    return 0;
}

static double clock_secs(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_time(void)
{
    printf("monotonic=%.0f\nboottime=%.0f\n", clock_secs(CLOCK_MONOTONIC),
           clock_secs(CLOCK_BOOTTIME));
    return 0;
}

static int cmd_sleep(const char *arg)
{
    struct timespec ts;
    double s = atof(arg);
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    return 0;
}

/* ---- kernel attributes: scheduler, ioprio, affinity, personality,
 * mempolicy, sysctl, LSM attrs ---- */

struct sched_attr_ {
    unsigned int size, policy;
    unsigned long long flags;
    int nice;
    unsigned int priority;
    unsigned long long runtime, deadline, period;
    unsigned int util_min, util_max;
};

static const char *sched_name(unsigned p)
{
    static const char *const n[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};
    return p < 7 ? n[p] : "?";
}

static int cmd_sched(void)
{
    struct sched_attr_ a;
    memset(&a, 0, sizeof a);
    if (syscall(SYS_sched_getattr, 0, &a, sizeof a, 0) < 0)
        return fail("sched_getattr", NULL);
    printf("policy=%s\nnice=%d\npriority=%u\nflags=%#llx\nruntime=%llu\n"
           "deadline=%llu\nperiod=%llu\n",
           sched_name(a.policy), a.nice, a.priority, a.flags, a.runtime, a.deadline, a.period);
    return 0;
}

static int cmd_ioprio(void)
{
    static const char *const c[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                    "IOPRIO_CLASS_IDLE"};
    long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    if (v < 0)
        return fail("ioprio_get", NULL);
    printf("class=%s\npriority=%ld\n", (v >> 13) < 4 ? c[v >> 13] : "?", v & 0xff);
    return 0;
}

/* Print a bitmap of n bits as "0-3,5". */
static void print_list(const unsigned long *w, unsigned n)
{
    int first = 1;
    for (unsigned i = 0; i < n; i++) {
        if (!((w[i / (8 * sizeof(long))] >> (i % (8 * sizeof(long)))) & 1))
            continue;
        unsigned j = i;
        while (j + 1 < n &&
               ((w[(j + 1) / (8 * sizeof(long))] >> ((j + 1) % (8 * sizeof(long)))) & 1))
            j++;
        printf(first ? "" : ",");
        first = 0;
        if (j > i)
            printf("%u-%u", i, j);
        else
            printf("%u", i);
        i = j;
    }
}

static int cmd_affinity(void)
{
    unsigned long w[128];
    memset(w, 0, sizeof w);
    long n = syscall(SYS_sched_getaffinity, 0, sizeof w, w);
    if (n < 0)
        return fail("sched_getaffinity", NULL);
    printf("affinity=");
    print_list(w, (unsigned)n * 8);
    printf("\n");
    return 0;
}

static int cmd_personality(void)
{
    struct utsname u;
    int p = personality(0xffffffff);
    if (p < 0)
        return fail("personality", NULL);
    uname(&u);
    printf("personality=%#x\ndomain=%s\nmachine=%s\n", p,
           (p & 0xff) == 0x0008 ? "LINUX32"
           : (p & 0xff) == 0    ? "LINUX"
                                : "?",
           u.machine);
    return 0;
}

static int cmd_mempolicy(void)
{
    static const char *const m[] = {"MPOL_DEFAULT",
                                    "MPOL_PREFERRED",
                                    "MPOL_BIND",
                                    "MPOL_INTERLEAVE",
                                    "MPOL_LOCAL",
                                    "MPOL_PREFERRED_MANY",
                                    "MPOL_WEIGHTED_INTERLEAVE"};
    int mode = 0;
    unsigned long w[16];
    memset(w, 0, sizeof w);
    if (syscall(SYS_get_mempolicy, &mode, w, 16 * 8 * sizeof(long), NULL, 0) < 0)
        return fail("get_mempolicy", NULL);
    int base = mode & 0xff;
    printf("mode=%s\nflags=", base < 7 ? m[base] : "?");
    printf("%s%s%s", (mode & (1 << 15)) ? "MPOL_F_STATIC_NODES " : "",
           (mode & (1 << 14)) ? "MPOL_F_RELATIVE_NODES " : "",
           (mode & (1 << 13)) ? "MPOL_F_NUMA_BALANCING " : "");
    printf("\nnodes=");
    print_list(w, 16 * 8 * sizeof(long));
    printf("\n");
    return 0;
}

/* sysctl KEY: "key=value" read from /proc/sys. */
static int cmd_sysctl(const char *key)
{
    char p[PATH_MAX], v[4096];
    int fd;
    ssize_t n;
    snprintf(p, sizeof p, "/proc/sys/%s", key);
    if (!strchr(key, '/'))
        for (char *c = p + 10; *c; c++)
            if (*c == '.')
                *c = '/';
    fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail("open", p);
    n = read(fd, v, sizeof v - 1);
    close(fd);
    if (n < 0)
        return fail("read", p);
    v[n] = 0;
    v[strcspn(v, "\n")] = 0;
    for (char *c = v; *c; c++)
        if (*c == '\t')
            *c = ' ';
    printf("%s=%s\n", key, v);
    return 0;
}

/* lsm: the LSM attributes of the process (current and exec labels). */
static int cmd_lsm(void)
{
    static const char *const f[] = {"current", "exec", "apparmor/current", NULL};
    for (int i = 0; f[i]; i++) {
        char p[64], v[512];
        ssize_t n;
        int fd;
        snprintf(p, sizeof p, "/proc/self/attr/%s", f[i]);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            printf("%s=<%s>\n", f[i], errno_name(errno));
            continue;
        }
        n = read(fd, v, sizeof v - 1);
        if (n < 0) {
            printf("%s=<%s>\n", f[i], errno_name(errno));
            n = 0;
            close(fd);
            continue;
        }
        close(fd);
        v[n] = 0;
        v[strcspn(v, "\n")] = 0;
        printf("%s=%s\n", f[i], v);
    }
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: rl-payload CMD [ARGS]\n"
          "  ids caps nnp pid hostname domainname ns cwd env args rlimits oom\n"
          "  mounts fds cgroup time all\n"
          "  sched ioprio affinity personality mempolicy lsm | sysctl KEY\n"
          "  stat PATH | read PATH | write PATH TEXT | ls DIR\n"
          "  cat-cgroup FILE | exit N | kill-self SIG | sleep SECS | wait-signal\n"
          "  mkdir PATH [MODE] | chmod PATH MODE   (raw syscalls, for seccomp)\n"
          "  notify MSG [SECS]   (MSG to $NOTIFY_SOCKET as sd_notify does, then sleep)\n",
          f);
}

static int cmd_ls(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d)
        return fail("opendir", path);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            printf("%s\n", e->d_name);
    closedir(d);
    return 0;
}

/* sd_notify(3): one datagram to the AF_UNIX path in $NOTIFY_SOCKET ("\\n"
 * in MSG becomes a newline), then stay alive SECS so the runtime sees the
 * message while the process still runs. */
static int cmd_notify(const char *text, const char *secs)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char msg[1024];
    size_t n = 0;
    if (!path || !*path || strlen(path) >= sizeof(addr.sun_path)) {
        printf("notify=no NOTIFY_SOCKET\n");
        return 1;
    }
    for (; *text && n < sizeof(msg) - 1; text++)
        if (text[0] == '\\' && text[1] == 'n')
            msg[n++] = '\n', text++;
        else
            msg[n++] = *text;
    strcpy(addr.sun_path, path);
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0 || sendto(s, msg, n, 0, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return fail("notify", path);
    close(s);
    printf("notify=sent\nnotify_socket=%s\n", path);
    return secs ? cmd_sleep(secs) : 0;
}

/* The raw system calls (not the libc wrappers, which may pick another
 * syscall), so seccomp rules on "mkdir"/"chmod" and their arguments apply. */
static int cmd_mkdir(const char *path, const char *mode)
{
    long m = mode ? strtol(mode, NULL, 8) : 0755;
    if (syscall(SYS_mkdir, path, m) < 0)
        return fail("mkdir", path);
    printf("mkdir=ok\n");
    return 0;
}

static int cmd_chmod(const char *path, const char *mode)
{
    if (syscall(SYS_chmod, path, strtol(mode, NULL, 8)) < 0)
        return fail("chmod", path);
    printf("chmod=ok\n");
    return 0;
}

/* tty: is stdin a terminal, its name, its window size, and whether it is
   our controlling terminal (our session's). */
static int cmd_tty(void)
{
    struct winsize ws = {0};
    char *name = ttyname(0);
    printf("isatty=%d\n", isatty(0));
    printf("ttyname=%s\n", name ? name : "");
    if (ioctl(0, TIOCGWINSZ, &ws) == 0)
        printf("rows=%u\ncols=%u\n", ws.ws_row, ws.ws_col);
    else
        printf("winsize=%s\n", strerror(errno));
    printf("ctty=%d\n", tcgetsid(0) == getsid(0));
    return 0;
}

int main(int argc, char **argv)
{
    const char *c = argc > 1 ? argv[1] : "all";
    const char *a1 = argc > 2 ? argv[2] : NULL;
    int r;

    setvbuf(stdout, NULL, _IOLBF, 0);
#define NEED1                                                                                      \
    if (!a1) {                                                                                     \
        usage(stderr);                                                                             \
        return 2;                                                                                  \
    }
    if (!strcmp(c, "ids"))
        return cmd_ids();
    if (!strcmp(c, "tty"))
        return cmd_tty();
    if (!strcmp(c, "mkdir")) {
        NEED1;
        return cmd_mkdir(a1, argc > 3 ? argv[3] : NULL);
    }
    if (!strcmp(c, "chmod")) {
        if (argc < 4) {
            usage(stderr);
            return 2;
        }
        return cmd_chmod(a1, argv[3]);
    }
    if (!strcmp(c, "notify")) {
        NEED1;
        return cmd_notify(a1, argc > 3 ? argv[3] : NULL);
    }
    if (!strcmp(c, "caps"))
        return cmd_caps();
    if (!strcmp(c, "nnp"))
        return cmd_nnp();
    if (!strcmp(c, "pid"))
        return cmd_pid();
    if (!strcmp(c, "hostname"))
        return cmd_uts(0);
    if (!strcmp(c, "domainname"))
        return cmd_uts(1);
    if (!strcmp(c, "ns"))
        return cmd_ns();
    if (!strcmp(c, "cwd"))
        return cmd_cwd();
    if (!strcmp(c, "env"))
        return cmd_env();
    if (!strcmp(c, "args"))
        return cmd_args(argc, argv);
    if (!strcmp(c, "rlimits"))
        return cmd_rlimits();
    if (!strcmp(c, "oom"))
        return cmd_oom();
    if (!strcmp(c, "mounts"))
        return cmd_mounts();
    if (!strcmp(c, "fds"))
        return cmd_fds();
    if (!strcmp(c, "cgroup"))
        return cat_file("/proc/self/cgroup");
    if (!strcmp(c, "time"))
        return cmd_time();
    if (!strcmp(c, "sched"))
        return cmd_sched();
    if (!strcmp(c, "ioprio"))
        return cmd_ioprio();
    if (!strcmp(c, "affinity"))
        return cmd_affinity();
    if (!strcmp(c, "personality"))
        return cmd_personality();
    if (!strcmp(c, "mempolicy"))
        return cmd_mempolicy();
    if (!strcmp(c, "lsm"))
        return cmd_lsm();
    if (!strcmp(c, "sysctl")) {
        NEED1;
        return cmd_sysctl(a1);
    }
    if (!strcmp(c, "wait-signal"))
        return cmd_wait_signal();
    if (!strcmp(c, "stat")) {
        NEED1;
        return cmd_stat(a1);
    }
    if (!strcmp(c, "read")) {
        NEED1;
        return cat_file(a1);
    }
    if (!strcmp(c, "ls")) {
        NEED1;
        return cmd_ls(a1);
    }
    if (!strcmp(c, "write")) {
        if (argc < 4) {
            usage(stderr);
            return 2;
        }
        return cmd_write(a1, argv[3]);
    }
    if (!strcmp(c, "cat-cgroup")) {
        NEED1;
        return cmd_cat_cgroup(a1);
    }
    if (!strcmp(c, "exit")) {
        NEED1;
        return atoi(a1);
    }
    if (!strcmp(c, "kill-self")) {
        NEED1;
        int s = atoi(a1);
        fflush(stdout);
        signal(s, SIG_DFL);
        kill(getpid(), s);
        /* pid 1 of a pid namespace ignores its own default-action signals. */
        sleep(2);
        fprintf(stderr, "rl-payload: still alive after signal %d\n", s);
        return 1;
    }
    if (!strcmp(c, "sleep")) {
        NEED1;
        return cmd_sleep(a1);
    }
    if (!strcmp(c, "all")) {
        r = cmd_ids() | cmd_caps() | cmd_nnp() | cmd_pid() | cmd_uts(0) | cmd_uts(1) | cmd_cwd() |
            cmd_rlimits() | cmd_oom() | cmd_time();
        return r;
    }
    if (!strcmp(c, "help") || !strcmp(c, "--help")) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
