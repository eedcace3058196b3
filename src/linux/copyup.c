/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The "tmpcopyup" mount option (a runc extension podman uses for the tmpfs
 * mounts of --read-only containers): the new tmpfs starts with a copy of what
 * the rootfs had at the destination. The fd of the destination opened before
 * the mount still refers to the directory underneath, so the copy reads from
 * there and writes into the new mount; nothing is resolved by path, so a
 * symlink in the image cannot make the copy leave either tree. */
#include "rustlet/linux.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int copy_attrs(int dirfd, const char *name, const struct stat *st, struct rl_error **err)
{
    if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
        return rl_error_errno(err, "chown %s", name);
    if (!S_ISLNK(st->st_mode) && fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
        return rl_error_errno(err, "chmod %s", name);
    struct timespec ts[2] = {st->st_atim, st->st_mtim};
    if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
        return rl_error_errno(err, "set the times of %s", name);
    return 0;
}

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st,
                     struct rl_error **err)
{
    _cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0)
        return rl_error_errno(err, "open %s", name);
    _cleanup_close_ int out =
        openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0)
        return rl_error_errno(err, "create %s", name);
    if (rl_copy_fd(out, in, st->st_size) < 0)
        return rl_error_errno(err, "copy %s", name);
    return 0;
}

static int copy_tree(int sdir, int ddir, int depth, struct rl_error **err);

static int copy_entry(int sdir, int ddir, const char *name, int depth, struct rl_error **err)
{
    struct stat st;
    if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return rl_error_errno(err, "stat %s", name);
    if (S_ISDIR(st.st_mode)) {
        if (mkdirat(ddir, name, 0700) < 0)
            return rl_error_errno(err, "mkdir %s", name);
        _cleanup_close_ int s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int d = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
            return rl_error_errno(err, "open %s", name);
        if (copy_tree(s, d, depth + 1, err) < 0)
            return rl_error_wrap(err, "%s", name);
    } else if (S_ISREG(st.st_mode)) {
        if (copy_file(sdir, ddir, name, &st, err) < 0)
            return -1;
    } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
        if (n < 0)
            return rl_error_errno(err, "readlink %s", name);
        target[n] = '\0';
        if (symlinkat(target, ddir, name) < 0)
            return rl_error_errno(err, "symlink %s", name);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
        if (rl_sys_mknodat(ddir, name, st.st_mode, st.st_rdev) < 0)
            return rl_error_errno(err, "mknod %s", name);
    } else {
        return 0; /* sockets: nothing to copy */
    }
    return copy_attrs(ddir, name, &st, err);
}

static int copy_tree(int sdir, int ddir, int depth, struct rl_error **err)
{
    if (depth > 64)
        return rl_error(err, "directories nested more than 64 deep");
    int fd = dup(sdir);
    if (fd < 0)
        return rl_error_errno(err, "dup");
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return rl_error_errno(err, "read the directory");
    }
    int r = 0;
    struct dirent *e;
    while (r == 0 && (errno = 0, e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        r = copy_entry(sdir, ddir, e->d_name, depth, err);
    }
    if (r == 0 && errno != 0)
        r = rl_error_errno(err, "read the directory");
    closedir(d);
    return r;
}

int rl_tmpcopyup(int below, int top, struct rl_error **err)
{
    _cleanup_close_ int s = openat(below, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int d = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s < 0 || d < 0)
        return rl_error_errno(err, "tmpcopyup: open the directory");
    if (copy_tree(s, d, 0, err) < 0)
        return rl_error_wrap(err, "tmpcopyup");
    return 0;
}
