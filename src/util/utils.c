/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/utils.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

void xoom(void)
{
    static const char msg[] = "rustlet: out of memory\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        xoom();
    return p;
}

void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL)
        xoom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL)
        xoom();
    return p;
}

char *xstrdup(const char *s)
{
    if (s == NULL)
        return NULL;
    char *r = strdup(s);
    if (r == NULL)
        xoom();
    return r;
}

char *xasprintf(const char *fmt, ...)
{
    char *r = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&r, fmt, ap);
    va_end(ap);
    if (n < 0)
        xoom();
    return r;
}

void rl_strv_free(char **v)
{
    if (v == NULL)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

int rl_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t rl_read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

char *rl_read_file_at(int dirfd, const char *path, size_t max, size_t *len, struct rl_error **err)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rl_error_errno(err, "open %s", path);
        return NULL;
    }
    size_t cap = 4096, used = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (used == cap) {
            if (max && cap >= max)
                break;
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rl_error_errno(err, "read %s", path);
            free(buf);
            return NULL;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    if (max && used > max)
        used = max;
    buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
}

int rl_write_file_at(int dirfd, const char *path, const void *buf, size_t len, int mode,
                     struct rl_error **err)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return rl_error_errno(err, "open %s", path);
    if (rl_write_all(fd, buf, len) < 0)
        return rl_error_errno(err, "write %s", path);
    return 0;
}

/* temp file beside path, then rename(2) over it: a reader sees the old or
 * the new content, never a torn file. No fsync: the state files describe
 * processes, cgroups and namespaces that a power loss takes with them, and
 * an empty file after one is damaged state that delete --force removes. */
int rl_write_file_atomic(const char *path, const void *buf, size_t len, int mode,
                         struct rl_error **err)
{
    _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return rl_error_errno(err, "open %s", tmp);
    if (rl_write_all(fd, buf, len) < 0) {
        rl_error_errno(err, "write %s", tmp);
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) < 0) {
        rl_error_errno(err, "rename %s to %s", tmp, path);
        unlink(tmp);
        return -1;
    }
    return 0;
}

void rl_path_clean(char *path)
{
    if (path == NULL || *path == '\0')
        return;
    bool abs = path[0] == '/';
    char *w = path;
    const char *r = path;
    if (abs)
        *w++ = '/';
    while (*r) {
        while (*r == '/')
            r++;
        const char *end = r;
        while (*end && *end != '/')
            end++;
        size_t len = (size_t)(end - r);
        if (len == 0 || (len == 1 && r[0] == '.')) {
            r = end;
            continue;
        }
        if (w > path && w[-1] != '/')
            *w++ = '/';
        memmove(w, r, len);
        w += len;
        r = end;
    }
    if (w == path) /* "." or "./" */
        *w++ = '.';
    *w = '\0';
}

int rl_mkdir_p(const char *path, int mode, struct rl_error **err)
{
    _cleanup_free_ char *p = xstrdup(path);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    /* p + 1 would step past the NUL of "" */
    for (char *s = p + (*p == '/'); *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            return rl_error_errno(err, "mkdir %s", p);
        *s = '/';
    }
    if (mkdir(p, mode) < 0 && errno != EEXIST)
        return rl_error_errno(err, "mkdir %s", p);
    return 0;
}

static int rm_rf_at(int parent, const char *name, dev_t dev, struct rl_error **err)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOTDIR || errno == ELOOP) {
            if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
                return rl_error_errno(err, "unlink %s", name);
            return 0;
        }
        if (errno == ENOENT)
            return 0;
        return rl_error_errno(err, "open %s", name);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return rl_error_errno(err, "stat %s", name);
    }
    if (st.st_dev != dev) {
        close(fd);
        return rl_error_code(err, EBUSY, "remove %s: a mount point", name);
    }
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return rl_error_errno(err, "opendir %s", name);
    }
    struct dirent *de;
    int ret = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
            if (rm_rf_at(dirfd(d), de->d_name, dev, err) < 0)
                ret = -1;
        } else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
            ret = rl_error_errno(err, "unlink %s/%s", name, de->d_name);
        }
    }
    closedir(d);
    if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        ret = rl_error_errno(err, "rmdir %s", name);
    return ret;
}

int rl_rm_rf(const char *path, struct rl_error **err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : rl_error_errno(err, "stat %s", path);
    return rm_rf_at(AT_FDCWD, path, st.st_dev, err);
}

int rl_parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

char *rl_now_rfc3339(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char buf[64];
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%09ldZ", ts.tv_nsec);
    return xstrdup(buf);
}

uint64_t rl_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int rl_copy_fd(int out, int in, off_t size)
{
    for (off_t left = size; left > 0;) {
        ssize_t n = sendfile(out, in, NULL, (size_t)(left > (1 << 30) ? (1 << 30) : left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break; /* the source shrank */
        left -= n;
    }
    return 0;
}

/* An AF_UNIX address for path; a path too long for sun_path goes through
 * an O_PATH fd of its directory (/proc/self/fd/N/NAME), *dirfd then holds
 * it. "@name" is an abstract address, as sd_notify(3) allows. */
static socklen_t unix_addr(const char *path, struct sockaddr_un *a, int *dirfd)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    size_t len = strlen(path);
    if (path[0] == '@') {
        if (len > sizeof(a->sun_path))
            return 0;
        memcpy(a->sun_path + 1, path + 1, len - 1);
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    }
    if (len < sizeof(a->sun_path)) {
        memcpy(a->sun_path, path, len);
        return sizeof(*a);
    }
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return 0;
    _cleanup_free_ char *dir = slash == path ? xstrdup("/") : strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        xoom();
    *dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*dirfd < 0)
        return 0;
    int n = snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/%s", *dirfd, slash + 1);
    if (n < 0 || (size_t)n >= sizeof(a->sun_path)) {
        errno = ENAMETOOLONG;
        return 0;
    }
    return sizeof(*a);
}

int rl_unix_connect(const char *path, int type)
{
    struct sockaddr_un a;
    _cleanup_close_ int dirfd = -1;
    errno = 0;
    socklen_t alen = unix_addr(path, &a, &dirfd);
    if (alen == 0) {
        if (errno == 0)
            errno = ENAMETOOLONG;
        return -1;
    }
    _cleanup_close_ int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, alen) < 0)
        return -1;
    int fd = s;
    s = -1;
    return fd;
}
