/* mounts.c - checks of root, mounts (type, options, propagation, order),
 * maskedPaths, readonlyPaths, devices, default devices and /dev symlinks. */
#define _GNU_SOURCE
#include "checker.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct mnt {
    int id;
    char root[512], point[512], opts[256], optional[256], fstype[64], superopts[512];
};
static struct mnt *mi;
static int nmi;

static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else
            *o++ = *s;
    }
    *o = 0;
}

static void load_mountinfo(void)
{
    char *text = read_text("/proc/self/mountinfo"), *line, *save = NULL;
    if (!text)
        return;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct mnt m = {0};
        char *sep = strstr(line, " - "), *f[8] = {0}, *s2 = NULL, *tok;
        int i = 0;
        if (!sep)
            continue;
        *sep = 0;
        for (tok = strtok_r(line, " ", &s2); tok && i < 7; tok = strtok_r(NULL, " ", &s2))
            f[i++] = tok;
        if (i < 6)
            continue;
        m.id = atoi(f[0]);
        snprintf(m.root, sizeof m.root, "%s", f[3]);
        snprintf(m.point, sizeof m.point, "%s", f[4]);
        snprintf(m.opts, sizeof m.opts, "%s", f[5]);
        /* optional fields: the rest up to the separator. The first one is
         * f[6]; tok is already the one after it (the loop above stepped on
         * before testing i), so f[6] must not be lost when there are more
         * ("shared:N master:M") */
        if (i == 7 && f[6])
            snprintf(m.optional, sizeof m.optional, "%s", f[6]);
        for (; tok; tok = strtok_r(NULL, " ", &s2)) {
            strncat(m.optional, " ", sizeof m.optional - strlen(m.optional) - 1);
            strncat(m.optional, tok, sizeof m.optional - strlen(m.optional) - 1);
        }
        sscanf(sep + 3, "%63s %*s %511s", m.fstype, m.superopts);
        unescape(m.root);
        unescape(m.point);
        mi = realloc(mi, (nmi + 1) * sizeof *mi);
        mi[nmi++] = m;
    }
    free(text);
}

/* topmost mount at exactly this point, or NULL */
static struct mnt *find_mount(const char *point, int *index)
{
    for (int i = nmi - 1; i >= 0; i--)
        if (!strcmp(mi[i].point, point)) {
            if (index)
                *index = i;
            return &mi[i];
        }
    return NULL;
}

static int has_opt(const char *list, const char *opt)
{
    size_t l = strlen(opt);
    for (const char *p = list; p && *p;) {
        if (!strncmp(p, opt, l) && (p[l] == ',' || p[l] == 0 || p[l] == ':' || p[l] == ' '))
            return 1;
        p = strpbrk(p, ", ");
        if (p)
            p++;
    }
    return 0;
}

/* how each mount option of config.md's table shows up in mountinfo.
 * where: 'm' per-mount flags, 's' superblock flags, 'p' propagation,
 * 'a' not observable in mountinfo: check the mount exists (option accepted) */
static const struct {
    const char *opt, *clause;
    char where;
    const char *tok;
    int present;
    int rec;
} mopts[] = {
    {"async", "config.md#21", 's', "sync", 0, 0},
    {"atime", "config.md#22", 'm', "noatime", 0, 0},
    {"bind", "config.md#23", 'a', NULL, 0, 0},
    {"defaults", "config.md#24", 'a', NULL, 0, 0},
    {"dev", "config.md#25", 'm', "nodev", 0, 0},
    {"diratime", "config.md#26", 'm', "nodiratime", 0, 0},
    {"dirsync", "config.md#27", 's', "dirsync", 1, 0},
    {"exec", "config.md#28", 'm', "noexec", 0, 0},
    {"iversion", "config.md#29", 'a', NULL, 0, 0},
    {"lazytime", "config.md#30", 's', "lazytime", 1, 0},
    {"loud", "config.md#31", 'a', NULL, 0, 0},
    {"noatime", "config.md#32", 'm', "noatime", 1, 0},
    {"nodev", "config.md#33", 'm', "nodev", 1, 0},
    {"nodiratime", "config.md#34", 'm', "nodiratime", 1, 0},
    {"noexec", "config.md#35", 'm', "noexec", 1, 0},
    {"noiversion", "config.md#36", 'a', NULL, 0, 0},
    {"nolazytime", "config.md#37", 's', "lazytime", 0, 0},
    {"norelatime", "config.md#38", 'a', NULL, 0, 0},
    {"nostrictatime", "config.md#39", 'a', NULL, 0, 0},
    {"nosuid", "config.md#40", 'm', "nosuid", 1, 0},
    {"nosymfollow", "config.md#41", 'm', "nosymfollow", 1, 0},
    {"private", "config.md#42", 'p', "private", 1, 0},
    {"ratime", "config.md#43", 'm', "noatime", 0, 1},
    {"rbind", "config.md#44", 'a', NULL, 0, 0},
    {"rdev", "config.md#45", 'm', "nodev", 0, 1},
    {"rdiratime", "config.md#46", 'm', "nodiratime", 0, 1},
    {"relatime", "config.md#47", 'm', "relatime", 1, 0},
    {"remount", "config.md#48", 'a', NULL, 0, 0},
    {"rexec", "config.md#49", 'm', "noexec", 0, 1},
    {"rnoatime", "config.md#50", 'm', "noatime", 1, 1},
    {"rnodiratime", "config.md#51", 'm', "nodiratime", 1, 1},
    {"rnoexec", "config.md#52", 'm', "noexec", 1, 1},
    {"rnorelatime", "config.md#53", 'a', NULL, 0, 1},
    {"rnostrictatime", "config.md#54", 'a', NULL, 0, 1},
    {"rnosuid", "config.md#55", 'm', "nosuid", 1, 1},
    {"rnosymfollow", "config.md#56", 'm', "nosymfollow", 1, 1},
    {"ro", "config.md#57", 'm', "ro", 1, 0},
    {"rprivate", "config.md#58", 'p', "private", 1, 1},
    {"rrelatime", "config.md#59", 'm', "relatime", 1, 1},
    {"rro", "config.md#60", 'm', "ro", 1, 1},
    {"rrw", "config.md#61", 'm', "rw", 1, 1},
    {"rshared", "config.md#62", 'p', "shared", 1, 1},
    {"rslave", "config.md#63", 'p', "slave", 1, 1},
    {"rstrictatime", "config.md#64", 'm', "strictatime", 1, 1},
    {"rsuid", "config.md#65", 'm', "nosuid", 0, 1},
    {"rsymfollow", "config.md#66", 'm', "nosymfollow", 0, 1},
    {"runbindable", "config.md#67", 'p', "unbindable", 1, 1},
    {"rw", "config.md#68", 'm', "rw", 1, 0},
    {"shared", "config.md#69", 'p', "shared", 1, 0},
    {"silent", "config.md#70", 'a', NULL, 0, 0},
    {"slave", "config.md#71", 'p', "slave", 1, 0},
    {"strictatime", "config.md#72", 'm', "strictatime", 1, 0},
    {"suid", "config.md#73", 'm', "nosuid", 0, 0},
    {"symfollow", "config.md#74", 'm', "nosymfollow", 0, 0},
    {"sync", "config.md#75", 's', "sync", 1, 0},
    {"unbindable", "config.md#76", 'p', "unbindable", 1, 0},
    {"idmap", "config.md#77", 'a', NULL, 0, 0},
    {"ridmap", "config.md#83", 'a', NULL, 0, 1},
};

static int opt_holds(const struct mnt *m, int k)
{
    int got;
    switch (mopts[k].where) {
    case 'm':
        if (!strcmp(mopts[k].tok, "strictatime"))
            return !has_opt(m->opts, "noatime") && !has_opt(m->opts, "relatime");
        got = has_opt(m->opts, mopts[k].tok);
        return got == mopts[k].present;
    case 's':
        return has_opt(m->superopts, mopts[k].tok) == mopts[k].present;
    case 'p':
        if (!strcmp(mopts[k].tok, "shared"))
            return strstr(m->optional, "shared:") != NULL;
        /* MS_SLAVE on a mount without peers leaves it private: what is
         * observable in every case is that it is no longer a peer */
        if (!strcmp(mopts[k].tok, "slave"))
            return strstr(m->optional, "shared:") == NULL;
        if (!strcmp(mopts[k].tok, "unbindable"))
            return strstr(m->optional, "unbindable") != NULL;
        return !strstr(m->optional, "shared:") && !strstr(m->optional, "master:");
    }
    return 1;
}

static void norm_dest(const char *d, char *out, size_t len)
{
    /* config.md#14: a relative destination is relative to "/" */
    snprintf(out, len, "%s%s", d[0] == '/' ? "" : "/", d);
    size_t l = strlen(out);
    while (l > 1 && out[l - 1] == '/')
        out[--l] = 0;
}

void check_mounts(void)
{
    struct jval *mounts = jget(cfg, "mounts");
    int order_ok = 1, nested = 0;
    int firstidx[256];
    char dests[256][128];
    load_mountinfo();
    for (size_t i = 0; mounts && mounts->t == J_ARR && i < mounts->len; i++) {
        struct jval *m = mounts->v[i], *opts = jget(m, "options");
        const char *d = jstr(m, "destination"), *type = jstr(m, "type");
        char dest[512];
        int idx = -1, isbind = type && !strcmp(type, "bind");
        struct mnt *e;
        if (i < 256) {
            firstidx[i] = -1;
            dests[i][0] = 0;
        }
        if (!d)
            continue;
        norm_dest(d, dest, sizeof dest);
        e = find_mount(dest, &idx);
        check(e != NULL, d[0] == '/' ? "runtime.md#37" : "config.md#14", "mount %s is mounted%s", d,
              d[0] == '/' ? "" : " (relative to /)");
        if (!e)
            continue;
        /* other entries of the config may be mounted over this one later:
         * order is judged on the first mount at this point */
        for (int j = 0; j < nmi; j++)
            if (!strcmp(mi[j].point, dest)) {
                idx = j;
                break;
            }
        /* listed order is observable where destinations nest: the later
         * (inner) mount must have been made after the outer one */
        if (i < 256) {
            snprintf(dests[i], sizeof dests[i], "%s", dest);
            firstidx[i] = idx;
            for (size_t j = 0; j < i; j++) {
                size_t l = strlen(dests[j]);
                if (firstidx[j] >= 0 && !strncmp(dest, dests[j], l) && (dest[l] == '/' || l == 1)) {
                    nested++;
                    if (idx < firstidx[j])
                        order_ok = 0;
                }
            }
        }
        for (size_t o = 0; opts && o < opts->len; o++)
            if (opts->v[o]->t == J_STR &&
                (!strcmp(opts->v[o]->s, "bind") || !strcmp(opts->v[o]->s, "rbind")))
                isbind = 1;
        struct mnt *targets[64];
        int nt = 0;
        targets[nt++] = e;
        if (type && !isbind) {
            int tok = !strcmp(e->fstype, type);
            /* cgroup v1: a tmpfs holding one cgroup mount per hierarchy is the usual shape */
            if (!tok && !strcmp(type, "cgroup")) {
                char prefix[520];
                snprintf(prefix, sizeof prefix, "%s/", dest);
                tok = !strcmp(e->fstype, "cgroup2");
                for (int j = 0; j < nmi; j++)
                    if (!strncmp(mi[j].point, prefix, strlen(prefix)) &&
                        !strcmp(mi[j].fstype, "cgroup")) {
                        /* the options apply to the cgroup hierarchies themselves */
                        if (!tok)
                            nt = 0;
                        tok = 1;
                        if (nt < 64)
                            targets[nt++] = &mi[j];
                    }
            }
            check(tok, "runtime.md#37", "mount %s has type %s (got %s)", dest, type, e->fstype);
        }
        if (isbind)
            check(strcmp(e->root, "/") != 0 ||
                      strcmp(jstr(m, "source") ? jstr(m, "source") : "", "/") == 0,
                  "config.md#23", "mount %s is a bind mount (root %s)", dest, e->root);
        for (size_t o = 0; opts && opts->t == J_ARR && o < opts->len; o++) {
            const char *on = opts->v[o]->t == J_STR ? opts->v[o]->s : "";
            /* filesystem-specific options go to mount(2)'s data; the kernel
             * shows mode= and size= of tmpfs and friends in the super options
             * (not gid=: it is printed as seen from the initial user namespace) */
            /* (tmpfs does not print its default mode 1777) */
            if (((!strncmp(on, "mode=", 5) && strcmp(on, "mode=1777") &&
                  strcmp(on, "mode=01777")) ||
                 !strncmp(on, "size=", 5) || !strncmp(on, "ptmxmode=", 9)) &&
                !isbind) {
                char want[64];
                snprintf(want, sizeof want, "%s", on);
                if (!strncmp(on, "size=", 5))
                    want[strcspn(want, "0123456789") +
                         strspn(want + strcspn(want, "0123456789"), "0123456789")] = 0;
                if (!strncmp(on, "mode=", 5) || !strncmp(on, "ptmxmode=", 9)) {
                    /* the kernel prints modes without leading zeros */
                    char *eq = strchr(want, '=') + 1;
                    while (eq[0] == '0' && eq[1])
                        memmove(eq, eq + 1, strlen(eq));
                }
                check(strstr(e->superopts, want) != NULL, "config.md#91",
                      "mount %s: filesystem option %s passed to the filesystem (super %s)", dest,
                      on, e->superopts);
            }
            for (size_t k = 0; k < sizeof mopts / sizeof *mopts; k++) {
                if (strcmp(mopts[k].opt, on))
                    continue;
                /* an option later in the list can undo an earlier one: judge the last of a pair */
                int overridden = 0;
                for (size_t o2 = o + 1; o2 < opts->len; o2++)
                    for (size_t k2 = 0; k2 < sizeof mopts / sizeof *mopts; k2++)
                        if (k2 != k &&
                            !strcmp(mopts[k2].opt, opts->v[o2]->s ? opts->v[o2]->s : "") &&
                            mopts[k2].tok && mopts[k].tok && mopts[k2].where == mopts[k].where &&
                            (!strcmp(mopts[k2].tok, mopts[k].tok) || mopts[k].where == 'p'))
                            overridden = 1;
                if (overridden)
                    break;
                if (mopts[k].where == 'a') {
                    check(1, mopts[k].clause,
                          "mount %s option %s accepted (not observable further)", dest, on);
                    break;
                }
                {
                    struct mnt *bad = NULL;
                    for (int t = 0; t < nt; t++)
                        if (!opt_holds(targets[t], k))
                            bad = targets[t];
                    int good = bad == NULL;
                    if (!bad)
                        bad = targets[0];
                    check(good, mopts[k].clause,
                          "mount %s option %s in effect%s (opts %s super %s prop '%s')", dest, on,
                          nt > 1 || targets[0] != e ? " on its cgroup hierarchies" : "", bad->opts,
                          bad->superopts, bad->optional);
                }
                if (mopts[k].rec) {
                    char prefix[520];
                    int nsub = 0, subok = 1;
                    snprintf(prefix, sizeof prefix, "%s/", dest);
                    for (int j = 0; j < nmi; j++)
                        if (!strncmp(mi[j].point, prefix, strlen(prefix))) {
                            nsub++;
                            subok &= opt_holds(&mi[j], k);
                        }
                    if (nsub)
                        check(subok, mopts[k].clause,
                              "mount %s option %s applied recursively to %d submount(s)", dest, on,
                              nsub);
                }
                break;
            }
        }
    }
    if (nested)
        check(order_ok, "config.md#11",
              "nested mounts were mounted in the listed order (%d nested pairs)", nested);
}

void check_root_and_paths(void)
{
    struct mnt *r = find_mount("/", NULL);
    struct jval *v;
    const char *prop = jstr(cfg, "linux.rootfsPropagation");
    if (jbool(cfg, "root.readonly")) {
        int fd = open("/.ociv-write-test", O_CREAT | O_WRONLY, 0600);
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink("/.ociv-write-test");
        }
        check(r && has_opt(r->opts, "ro"), "config.md#9", "root.readonly: / is mounted ro (%s)",
              r ? r->opts : "no / mount");
        check(fd < 0 && e == EROFS, "config.md#9",
              "root.readonly: creating a file in / fails with EROFS (%s)",
              fd >= 0 ? "succeeded" : strerror(e));
    } else if (jget(cfg, "root")) {
        check(r && has_opt(r->opts, "rw"), "config.md#9",
              "root.readonly false: / is mounted rw (%s)", r ? r->opts : "no / mount");
    }
    if (prop && r) {
        int ok;
        if (strstr(prop, "shared"))
            ok = strstr(r->optional, "shared:") != NULL;
        else if (strstr(prop, "slave"))
            ok = strstr(r->optional, "master:") != NULL && !strstr(r->optional, "shared:");
        else if (strstr(prop, "unbindable"))
            ok = strstr(r->optional, "unbindable") != NULL;
        else
            ok = !strstr(r->optional, "shared:") && !strstr(r->optional, "master:");
        check(ok, "runtime.md#37", "rootfsPropagation %s (got '%s')", prop, r->optional);
    }
    v = jget(cfg, "linux.maskedPaths");
    for (size_t i = 0; v && v->t == J_ARR && i < v->len; i++) {
        const char *p = v->v[i]->s;
        struct stat st;
        if (!p || lstat(p, &st) < 0) {
            diag("maskedPath %s absent: nothing to mask", p ? p : "?");
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(p);
            int n = 0;
            struct dirent *de;
            while (d && (de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                    n++;
            if (d)
                closedir(d);
            check(n == 0, "runtime.md#37", "maskedPath %s (directory) shows no entries (%d)", p, n);
        } else {
            char buf[16];
            int fd = open(p, O_RDONLY | O_NONBLOCK);
            ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
            if (fd >= 0)
                close(fd);
            check(n <= 0, "runtime.md#37", "maskedPath %s cannot be read (read returned %zd)", p,
                  n);
        }
    }
    v = jget(cfg, "linux.readonlyPaths");
    for (size_t i = 0; v && v->t == J_ARR && i < v->len; i++) {
        const char *p = v->v[i]->s;
        struct statvfs sv;
        if (!p || access(p, F_OK) < 0) {
            diag("readonlyPath %s absent", p ? p : "?");
            continue;
        }
        check(statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY), "runtime.md#37",
              "readonlyPath %s is read-only", p);
    }
}

static void check_dev(const char *path, char type, long long maj, long long min, const char *clause)
{
    struct stat st;
    int ok = stat(path, &st) == 0;
    if (ok)
        ok = type == 'b'   ? S_ISBLK(st.st_mode)
             : type == 'p' ? S_ISFIFO(st.st_mode)
                           : S_ISCHR(st.st_mode);
    if (ok && type != 'p')
        ok = (long long)major(st.st_rdev) == maj && (long long)minor(st.st_rdev) == min;
    check(ok, clause, "device %s is %c %lld:%lld", path, type, maj, min);
}

void check_devices(void)
{
    struct jval *devs = jget(cfg, "linux.devices");
    static const struct {
        const char *p;
        int maj, min;
    } defs[] = {
        {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
    };
    static const char *links[][2] = {{"/dev/fd", "/proc/self/fd"},
                                     {"/dev/stdin", "/proc/self/fd/0"},
                                     {"/dev/stdout", "/proc/self/fd/1"},
                                     {"/dev/stderr", "/proc/self/fd/2"}};
    for (size_t i = 0; devs && devs->t == J_ARR && i < devs->len; i++) {
        struct jval *d = devs->v[i];
        const char *path = jstr(d, "path"), *type = jstr(d, "type");
        long long maj = 0, min = 0, mode, id;
        struct stat st;
        if (!path || !type)
            continue;
        jnum(d, "major", &maj);
        jnum(d, "minor", &min);
        check_dev(path, type[0], maj, min, "config-linux.md#14");
        if (stat(path, &st) < 0)
            continue;
        if (jnum(d, "fileMode", &mode))
            check((st.st_mode & 07777) == (mode & 07777), "config-linux.md#14",
                  "device %s mode %04llo (got %04o)", path, mode, st.st_mode & 07777);
        if (jnum(d, "uid", &id))
            check(st.st_uid == id, "config-linux.md#14", "device %s uid %lld (got %u)", path, id,
                  st.st_uid);
        if (jnum(d, "gid", &id))
            check(st.st_gid == id, "config-linux.md#14", "device %s gid %lld (got %u)", path, id,
                  st.st_gid);
    }
    if (!find_mount("/dev", NULL) && access("/dev/null", F_OK) < 0)
        return;
    for (size_t i = 0; i < sizeof defs / sizeof *defs; i++) {
        check_dev(defs[i].p, 'c', defs[i].maj, defs[i].min, "config-linux.md#20");
    }
    {
        int fd = open("/dev/null", O_RDWR);
        check(fd >= 0 && write(fd, "x", 1) == 1, "config-linux.md#20",
              "default device /dev/null is usable (open+write)");
        if (fd >= 0)
            close(fd);
    }
    {
        struct stat st;
        char l[64] = "";
        int ok = lstat("/dev/ptmx", &st) == 0;
        if (ok && S_ISLNK(st.st_mode))
            ok = readlink("/dev/ptmx", l, sizeof l - 1) > 0 && strstr(l, "pts/ptmx");
        else if (ok)
            ok = S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2;
        check(ok, "config-linux.md#20",
              "default device /dev/ptmx (symlink to pts/ptmx or bind of it)");
    }
    if (jbool(cfg, "process.terminal"))
        check(access("/dev/console", F_OK) == 0, "config-linux.md#20",
              "/dev/console exists when terminal is true");
    for (size_t i = 0; i < 4; i++) {
        char l[128] = "";
        ssize_t n = readlink(links[i][0], l, sizeof l - 1);
        if (access(links[i][1], F_OK) < 0 && strcmp(links[i][1], "/proc/self/fd"))
            continue;
        check(n > 0 && !strcmp(l, links[i][1]), "runtime-linux.md#1", "symlink %s -> %s (got %s)",
              links[i][0], links[i][1], n > 0 ? l : strerror(errno));
    }
    /* default filesystems (a SHOULD; checked where the config asks for them) */
    static const char *dfs[][2] = {
        {"/proc", "proc"}, {"/sys", "sysfs"}, {"/dev/pts", "devpts"}, {"/dev/shm", "tmpfs"}};
    for (size_t i = 0; i < 4; i++) {
        struct mnt *m = find_mount(dfs[i][0], NULL);
        if (!jbool(host, "checkDefaultFilesystems"))
            break;
        check(m && (!strcmp(m->fstype, dfs[i][1]) || !strcmp(dfs[i][1], "sysfs")),
              "config-linux.md#1", "%s is a %s", dfs[i][0], dfs[i][1]);
    }
}

/* host.json "expect": [{clause, path, uid, gid, mountpoint, exists}] for
 * facts only the driver knows (rbind submounts, idmapped owners) */
void check_expectations(void)
{
    struct jval *ex = jget(host, "expect");
    for (size_t i = 0; ex && ex->t == J_ARR && i < ex->len; i++) {
        struct jval *e = ex->v[i];
        const char *p = jstr(e, "path"), *cl = jstr(e, "clause");
        struct stat st;
        long long id;
        int ex_ok = p && lstat(p, &st) == 0;
        if (!p || !cl)
            continue;
        if (jget(e, "exists")) {
            check(ex_ok == jbool(e, "exists"), cl, "%s %s", p,
                  jbool(e, "exists") ? "exists" : "does not exist");
            continue;
        }
        if (jget(e, "mountpoint"))
            check((find_mount(p, NULL) != NULL) == jbool(e, "mountpoint"), cl,
                  "%s is %sa mount point", p, jbool(e, "mountpoint") ? "" : "not ");
        if (jnum(e, "uid", &id))
            check(ex_ok && st.st_uid == id, cl, "%s owned by uid %lld (got %d)", p, id,
                  ex_ok ? (int)st.st_uid : -1);
        if (jnum(e, "gid", &id))
            check(ex_ok && st.st_gid == id, cl, "%s owned by gid %lld (got %d)", p, id,
                  ex_ok ? (int)st.st_gid : -1);
        if (jstr(e, "content")) {
            char *c = read_text(p);
            check(c && !strcmp(c, jstr(e, "content")), cl, "%s has the expected content", p);
            free(c);
        }
    }
}
