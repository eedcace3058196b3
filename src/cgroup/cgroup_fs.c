/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* File-level helpers shared by the cgroup managers: control file reads and
 * writes with errors that name the file, cgroup.procs walks, rmdir of a
 * cgroup tree, device rule text. */
#include "cgroup_internal.h"

#include "rustlet/log.h"
#include "rustlet/utils.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

void cg_sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int write_flags(const char *dir, const char *file, const char *value, int flags,
                       struct rl_error **err)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
    _cleanup_close_ int fd = open(path, flags | O_WRONLY | O_CLOEXEC);
    if (fd < 0 || rl_write_all(fd, value, strlen(value)) < 0) {
        int saved = errno;
        rl_debug("cgroup write %s \"%s\": %s", path, value, strerror(saved));
        errno = saved;
        return rl_error_errno(err, "write %s", path);
    }
    rl_debug("cgroup write %s \"%s\"", path, value);
    return 0;
}

int cg_write(const char *dir, const char *file, const char *value, struct rl_error **err)
{
    return write_flags(dir, file, value, O_TRUNC, err);
}

int cg_append(const char *dir, const char *file, const char *value, struct rl_error **err)
{
    return write_flags(dir, file, value, O_APPEND, err);
}

char *cg_read(const char *dir, const char *file, struct rl_error **err)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rl_error_errno(err, "read %s", path);
        return NULL;
    }
    size_t cap = 4096, used = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (used == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + used, cap - used);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rl_error_errno(err, "read %s", path);
            int saved = errno;
            free(buf);
            errno = saved;
            return NULL;
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    buf[used] = '\0';
    return buf;
}

char *cg_read_line(const char *dir, const char *file, struct rl_error **err)
{
    char *s = cg_read(dir, file, err);
    if (s != NULL)
        s[strcspn(s, "\n")] = '\0';
    return s;
}

static void pids_push(pid_t **pids, size_t *n, pid_t p)
{
    for (size_t i = 0; i < *n; i++)
        if ((*pids)[i] == p)
            return;
    *pids = xrealloc(*pids, (*n + 1) * sizeof(pid_t));
    (*pids)[(*n)++] = p;
}

static int parse_procs(const char *text, pid_t **pids, size_t *n)
{
    const char *s = text;
    while (*s) {
        size_t len = strcspn(s, "\n");
        if (len > 0) {
            char num[32];
            uint64_t v;
            if (len >= sizeof(num))
                return -1;
            memcpy(num, s, len);
            num[len] = '\0';
            if (rl_parse_u64(num, &v) < 0 || v == 0 || v > INT32_MAX)
                return -1;
            pids_push(pids, n, (pid_t)v);
        }
        s += len;
        if (*s == '\n')
            s++;
    }
    return 0;
}

int cg_read_procs_tree(const char *dir, pid_t **pids, size_t *n, struct rl_error **err)
{
    struct rl_error *e = NULL;
    _cleanup_free_ char *text = cg_read(dir, "cgroup.procs", &e);
    if (text == NULL) {
        if (errno == ENOENT) {
            rl_error_free(e);
            return 0;
        }
        rl_error_move(err, &e);
        return -1;
    }
    if (parse_procs(text, pids, n) < 0)
        return rl_error(err, "read %s/cgroup.procs: unexpected content", dir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? 0 : rl_error_errno(err, "opendir %s", dir);
    struct dirent *de;
    int ret = 0;
    while (ret == 0 && (de = readdir(d)) != NULL) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        _cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
        ret = cg_read_procs_tree(sub, pids, n, err);
    }
    closedir(d);
    return ret;
}

static bool is_cgroupfs(const char *dir)
{
    struct statfs sfs;
    if (statfs(dir, &sfs) < 0)
        return true; /* be conservative: never unlink in real trees */
    return sfs.f_type == CGROUP_SUPER_MAGIC || sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Remove the files of a fake (non-cgroupfs) directory so rmdir can work. */
static void unlink_plain_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_type == DT_REG)
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

static int rmdir_retry(const char *dir, bool fake, struct rl_error **err)
{
    if (fake)
        unlink_plain_files(dir);
    /* A cgroup whose last process is still exiting stays busy for a moment. */
    for (unsigned i = 0;; i++) {
        if (rmdir(dir) == 0) {
            rl_debug("cgroup: rmdir %s%s", dir, i ? " (after EBUSY retries)" : "");
            return 0;
        }
        if (errno == ENOENT)
            return 0;
        if (errno != EBUSY || i >= 100)
            return rl_error_errno(err, "rmdir %s", dir);
        cg_sleep_ms(10);
    }
}

static int rmdir_tree(const char *dir, bool fake, struct rl_error **err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? 0 : rl_error_errno(err, "opendir %s", dir);
    struct dirent *de;
    int ret = 0;
    while (ret == 0 && (de = readdir(d)) != NULL) {
        if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        _cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
        ret = rmdir_tree(sub, fake, err);
    }
    closedir(d);
    if (ret < 0)
        return ret;
    return rmdir_retry(dir, fake, err);
}

int cg_rmdir_tree(const char *dir, struct rl_error **err)
{
    struct stat st;
    if (lstat(dir, &st) < 0)
        return errno == ENOENT ? 0 : rl_error_errno(err, "stat %s", dir);
    return rmdir_tree(dir, !is_cgroupfs(dir), err);
}

int cg_signal_pids(const pid_t *pids, size_t n, int sig, struct rl_error **err)
{
    for (size_t i = 0; i < n; i++) {
        if (kill(pids[i], sig) < 0 && errno != ESRCH)
            return rl_error_errno(err, "kill %d with signal %d", (int)pids[i], sig);
        rl_debug("cgroup: kill(%d, %d)", (int)pids[i], sig);
    }
    return 0;
}

int cg_mkdir(struct cg_hier *h,
             int (*init)(const char *parent, const char *path, struct rl_error **err),
             struct rl_error **err)
{
    _cleanup_free_ char *path = xstrdup(h->mount);
    for (const char *s = h->dir; *s;) {
        while (*s == '/')
            s++;
        size_t n = strcspn(s, "/");
        if (n == 0)
            break;
        _cleanup_free_ char *parent = steal_pointer(&path);
        path = xasprintf("%s/%.*s", parent, (int)n, s);
        s += n;
        if (mkdir(path, 0755) == 0) {
            /* a parent level (not the container's own) we made */
            if (h->created == NULL && s[strspn(s, "/")] != '\0')
                h->created = xasprintf("%.*s", (int)(s - h->dir), h->dir);
        } else if (errno != EEXIST) {
            return rl_error_errno(err, "mkdir %s", path);
        }
        if (init && init(parent, path, err) < 0)
            return -1;
    }
    return 0;
}

void cg_rmdir_created_parents(const struct cg_hier *h)
{
    if (h->created == NULL)
        return;
    size_t top = strlen(h->created);
    /* only ancestors of dir (a state file could say anything) */
    if (top < 2 || strncmp(h->dir, h->created, top) != 0 || h->dir[top] != '/')
        return;
    _cleanup_free_ char *d = xstrdup(h->dir);
    for (;;) {
        char *slash = strrchr(d, '/');
        if (slash == NULL || slash == d)
            return;
        *slash = '\0';
        if (strlen(d) < top)
            return;
        _cleanup_free_ char *abs = xasprintf("%s%s", h->mount, d);
        /* ENOTEMPTY/EBUSY: another container's cgroup lives there */
        if (rmdir(abs) < 0 && errno != ENOENT) {
            rl_debug("cgroup: keep %s: %s", abs, strerror(errno));
            return;
        }
        rl_debug("cgroup: removed the parent %s that create made", abs);
    }
}

int cg_add_pid_hier(const struct cg_hier *h, pid_t pid, struct rl_error **err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", (int)pid);
    return cg_write(h->abs, "cgroup.procs", buf, err);
}

static void device_num(char *buf, size_t len, bool has, int64_t v)
{
    if (!has || v < 0)
        snprintf(buf, len, "*");
    else
        snprintf(buf, len, "%lld", (long long)v);
}

/* v1 rule text "<type> <major>:<minor> <access>": a missing or "a" type is
 * "a", a missing or negative major/minor is the wildcard '*', a missing
 * access is "rwm". The kernel reads "a" as every device whatever follows. */
char *cg_device_rule(const struct rl_device_cgroup *d)
{
    char maj[24], min[24];
    device_num(maj, sizeof(maj), d->has_major, d->major);
    device_num(min, sizeof(min), d->has_minor, d->minor);
    const char *type = d->type && *d->type ? d->type : "a";
    const char *access = d->access && *d->access ? d->access : "rwm";
    return xasprintf("%s %s:%s %s", type, maj, min, access);
}

static bool access_all(const char *a)
{
    return a == NULL || *a == '\0' || (strchr(a, 'r') && strchr(a, 'w') && strchr(a, 'm'));
}

/* The last "allow all" rule overrides everything before it. */
bool cg_devices_allow_all(const struct rl_device_cgroup *d, size_t n)
{
    if (n == 0)
        return true;
    const struct rl_device_cgroup *last = &d[n - 1];
    bool all_types = last->type == NULL || strcmp(last->type, "a") == 0;
    return last->allow && all_types && access_all(last->access);
}
