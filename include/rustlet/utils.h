/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Small helpers shared by every module: allocation that never returns NULL,
 * cleanup attributes, file helpers. Nothing here prints or exits except
 * xoom() on out-of-memory. */
#ifndef RUSTLET_UTILS_H
#define RUSTLET_UTILS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "rustlet/error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

__attribute__((noreturn)) void xoom(void);
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s); /* NULL in, NULL out */
char *xasprintf(const char *fmt, ...) RL_PRINTF(1, 2);

static inline void rl_freep(void *p)
{
    free(*(void **)p);
}
static inline void rl_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}
void rl_strv_free(char **v);
static inline void rl_strv_freep(char ***v)
{
    rl_strv_free(*v);
}

#define _cleanup_free_  __attribute__((cleanup(rl_freep)))
#define _cleanup_close_ __attribute__((cleanup(rl_closep)))
#define _cleanup_strv_  __attribute__((cleanup(rl_strv_freep)))

/* Hand ownership on: returns the value and clears the variable. */
#define steal_pointer(pp)                                                                          \
    ({                                                                                             \
        __typeof__(*(pp)) _p = *(pp);                                                              \
        *(pp) = NULL;                                                                              \
        _p;                                                                                        \
    })
#define steal_fd(pfd)                                                                              \
    ({                                                                                             \
        int _fd = *(pfd);                                                                          \
        *(pfd) = -1;                                                                               \
        _fd;                                                                                       \
    })

/* Read a whole file (at most max bytes, 0 = no limit) into a NUL-terminated
 * buffer. dirfd may be AT_FDCWD. Returns NULL with *err set. */
char *rl_read_file_at(int dirfd, const char *path, size_t max, size_t *len, struct rl_error **err);
/* Write buf to path (O_WRONLY|O_TRUNC|O_CREAT with mode, O_CLOEXEC). */
int rl_write_file_at(int dirfd, const char *path, const void *buf, size_t len, int mode,
                     struct rl_error **err);
/* Write to a temp file beside path then rename(2) over it. */
int rl_write_file_atomic(const char *path, const void *buf, size_t len, int mode,
                         struct rl_error **err);
/* Full write / read that retry on EINTR and short counts. */
int rl_write_all(int fd, const void *buf, size_t len);
ssize_t rl_read_all(int fd, void *buf, size_t len);
/* Copy size bytes from in (at its offset) to out with sendfile; a source
 * that ends early is not an error. -1 with errno on failure. */
int rl_copy_fd(int out, int in, off_t size);
/* A socket of type (SOCK_STREAM, SOCK_DGRAM) connected to the AF_UNIX path;
 * a path longer than sun_path goes through an O_PATH fd of its directory,
 * "@name" is an abstract address. Close-on-exec; -1 with errno. */
int rl_unix_connect(const char *path, int type);
/* Lexical clean-up in place, as runc's filepath.Clean for what the kernel
 * would not mind but rustlet's own path walks do: repeated '/' collapsed,
 * "." components dropped, no trailing '/' ("/" stays "/"). ".." is kept
 * (the walks inside the rootfs handle it). Pure. */
void rl_path_clean(char *path);
/* mkdir -p with mode; existing directories are fine. */
int rl_mkdir_p(const char *path, int mode, struct rl_error **err);
/* rm -rf of a directory tree that does not cross mount points. */
int rl_rm_rf(const char *path, struct rl_error **err);
/* Parse a decimal unsigned 64-bit integer exactly (no sign, no junk). */
int rl_parse_u64(const char *s, uint64_t *out);
/* Current time as RFC3339 with nanoseconds, UTC: 2006-01-02T15:04:05.999999999Z */
char *rl_now_rfc3339(void);
/* Monotonic nanoseconds. */
uint64_t rl_now_ns(void);

/* One line of /proc/PID/mountinfo, the only parser of it (src/util/mountinfo.c):
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER
 * The pointers point into the line, which is split in place; root,
 * mountpoint and source have mountinfo's octal escapes (\040) undone.
 * optional is the optional fields, blank-separated ("" if none). */
struct rl_mountinfo {
    unsigned long long id, parent;
    char *root, *mountpoint, *opts, *optional, *fstype, *source, *super;
};
/* 0, or -1 for a line that is not of that shape (then *m is undefined). */
int rl_mountinfo_parse(char *line, struct rl_mountinfo *m);
/* Calls fn for each well-formed line of text (split in place) until fn
 * returns nonzero; returns that value, or 0. */
int rl_mountinfo_each(char *text, int (*fn)(const struct rl_mountinfo *m, void *arg), void *arg);
/* Does the optional-fields string hold a tag ("shared", "master")? */
bool rl_mountinfo_has_tag(const char *optional, const char *tag);

#endif
