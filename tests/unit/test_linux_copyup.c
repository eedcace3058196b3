/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* copyup.c (the "tmpcopyup" mount option): rl_tmpcopyup() copies a tree of
 * files, directories, symlinks and a fifo with their modes, owners and times
 * from the directory below into the one on top, makes the special files
 * through the syscall table (mknodat, recorded by the fake), skips sockets,
 * and names the entry and the errno when a step fails. No root needed: the
 * trees are temporary directories and the owners the test's own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "test_linux_fake.h"

struct fixture {
    char *dir;   /* the temporary directory */
    char *below; /* dir/below: the rootfs's directory */
    char *top;   /* dir/rootfs: the new tmpfs (fake_root) */
    int bfd, tfd;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char tmpl[] = "/tmp/rl-test-linux-copyup-XXXXXX";
    f->dir = fake_make_tree(tmpl);
    if (f->dir == NULL)
        return -1;
    f->below = xasprintf("%s/below", f->dir);
    f->top = xasprintf("%s/rootfs", f->dir);
    if (mkdir(f->below, 0755) < 0)
        return -1;
    f->bfd = open(f->below, O_PATH | O_DIRECTORY | O_CLOEXEC);
    f->tfd = open(f->top, O_PATH | O_DIRECTORY | O_CLOEXEC);
    snprintf(fake_root, sizeof(fake_root), "%s", f->top);
    fake_reset();
    rl_sys_set_ops(&fake_linux_ops);
    *state = f;
    return f->bfd < 0 || f->tfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rl_sys_set_ops(NULL);
    fake_root[0] = '\0';
    close(f->bfd);
    close(f->tfd);
    fake_rm_tree(f->dir);
    free(f->below);
    free(f->top);
    free(f->dir);
    free(f);
    return 0;
}

static void put(const char *dir, const char *name, const char *text, mode_t mode)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
    int fd = open(p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(rl_write_all(fd, text, strlen(text)), 0);
    close(fd);
    assert_int_equal(chmod(p, mode), 0);
}

static void sub(const char *dir, const char *name, mode_t mode)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
    assert_int_equal(mkdir(p, 0700), 0);
    assert_int_equal(chmod(p, mode), 0);
}

static struct stat lst(const char *dir, const char *name)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
    struct stat st;
    if (lstat(p, &st) < 0)
        fail_msg("lstat %s: %s", p, strerror(errno));
    return st;
}

static char *slurp(const char *dir, const char *name)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
    char buf[256];
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n >= 0);
    buf[n] = '\0';
    return xstrdup(buf);
}

static void assert_error(struct rl_error **errp, const char *want)
{
    struct rl_error *err = *errp;
    *errp = NULL;
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s", err->msg, want);
    rl_error_free(err);
}

static void test_copies_the_tree(void **state)
{
    struct fixture *f = *state;
    put(f->below, "motd", "hello\n", 0640);
    sub(f->below, "etc", 0750);
    _cleanup_free_ char *etc = xasprintf("%s/etc", f->below);
    put(etc, "conf", "a=1\n", 0600);
    _cleanup_free_ char *l = xasprintf("%s/etc/link", f->below);
    assert_int_equal(symlink("../motd", l), 0);
    _cleanup_free_ char *fifo = xasprintf("%s/fifo", f->below);
    assert_int_equal(mkfifo(fifo, 0620), 0);
    assert_int_equal(chmod(fifo, 0620), 0); /* past the umask */
    /* a fixed mtime, to see that the times are kept */
    _cleanup_free_ char *motd = xasprintf("%s/motd", f->below);
    struct timespec ts[2] = {{1000000, 5}, {2000000, 7}};
    assert_int_equal(utimensat(AT_FDCWD, motd, ts, 0), 0);

    struct rl_error *err = NULL;
    assert_int_equal(rl_tmpcopyup(f->bfd, f->tfd, &err), 0);
    assert_null(err);

    struct stat st = lst(f->top, "motd"); /* before reading it changes the atime */
    assert_int_equal(st.st_mode, S_IFREG | 0640);
    assert_int_equal(st.st_uid, getuid());
    assert_int_equal(st.st_mtim.tv_sec, 2000000);
    assert_int_equal(st.st_mtim.tv_nsec, 7);
    assert_int_equal(st.st_atim.tv_sec, 1000000);
    _cleanup_free_ char *m = slurp(f->top, "motd");
    assert_string_equal(m, "hello\n");
    _cleanup_free_ char *topetc = xasprintf("%s/etc", f->top);
    _cleanup_free_ char *c = slurp(topetc, "conf");
    assert_string_equal(c, "a=1\n");
    assert_int_equal(lst(f->top, "etc").st_mode, S_IFDIR | 0750);
    assert_int_equal(lst(topetc, "conf").st_mode, S_IFREG | 0600);
    assert_true(S_ISLNK(lst(topetc, "link").st_mode));
    char target[64];
    _cleanup_free_ char *tl = xasprintf("%s/etc/link", f->top);
    ssize_t n = readlink(tl, target, sizeof(target) - 1);
    assert_int_equal(n, 7);
    target[n] = '\0';
    assert_string_equal(target, "../motd");
    /* the fifo goes through the table's mknodat, with the mode below; the
     * fake makes a regular file that then gets the fifo's permissions */
    assert_string_equal(fake_calls, "mknodat(/fifo,010620,0:0)\n");
    assert_int_equal(lst(f->top, "fifo").st_mode & 07777, 0620);
}

static void test_skips_sockets_and_empty(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    assert_int_equal(rl_tmpcopyup(f->bfd, f->tfd, &err), 0); /* empty: nothing */
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int len = snprintf(a.sun_path, sizeof(a.sun_path), "%s/sock", f->below);
    assert_true(len > 0 && (size_t)len < sizeof(a.sun_path));
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    close(s);
    assert_int_equal(rl_tmpcopyup(f->bfd, f->tfd, &err), 0);
    assert_null(err);
    _cleanup_free_ char *p = xasprintf("%s/sock", f->top);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(fake_calls, "");
}

static void test_mknod_error_names_the_entry(void **state)
{
    struct fixture *f = *state;
    sub(f->below, "run", 0755);
    _cleanup_free_ char *fifo = xasprintf("%s/run/initctl", f->below);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    fake_fail_on = "mknodat(";
    fake_fail_errno = EPERM;
    struct rl_error *err = NULL;
    assert_int_equal(rl_tmpcopyup(f->bfd, f->tfd, &err), -1);
    assert_error(&err, "tmpcopyup: run: mknod initctl: Operation not permitted");
    assert_string_equal(fake_calls, "mknodat(/run/initctl,010600,0:0)\n");
}

static void test_existing_entries(void **state)
{
    struct fixture *f = *state;
    put(f->below, "hosts", "x\n", 0644);
    put(f->top, "hosts", "y\n", 0644);
    struct rl_error *err = NULL;
    assert_int_equal(rl_tmpcopyup(f->bfd, f->tfd, &err), -1);
    assert_error(&err, "tmpcopyup: create hosts: File exists");
    _cleanup_free_ char *kept = slurp(f->top, "hosts");
    assert_string_equal(kept, "y\n"); /* not overwritten */

    /* one conflict at a time: the order of readdir is the filesystem's */
    _cleanup_free_ char *bh = xasprintf("%s/hosts", f->below);
    assert_int_equal(unlink(bh), 0);
    sub(f->below, "d", 0755);
    sub(f->top, "d", 0755);
    assert_int_equal(rl_tmpcopyup(f->bfd, f->tfd, &err), -1);
    assert_error(&err, "tmpcopyup: mkdir d: File exists");

    _cleanup_free_ char *bd = xasprintf("%s/d", f->below);
    assert_int_equal(rmdir(bd), 0);
    _cleanup_free_ char *bl = xasprintf("%s/l", f->below);
    _cleanup_free_ char *tl = xasprintf("%s/l", f->top);
    assert_int_equal(symlink("/etc", bl), 0);
    assert_int_equal(symlink("/etc", tl), 0);
    assert_int_equal(rl_tmpcopyup(f->bfd, f->tfd, &err), -1);
    assert_error(&err, "tmpcopyup: symlink l: File exists");
}

static void test_too_deep(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX];
    size_t o = (size_t)snprintf(path, sizeof(path), "%s", f->below);
    for (int i = 0; i < 66; i++) {
        o += (size_t)snprintf(path + o, sizeof(path) - o, "/d");
        assert_int_equal(mkdir(path, 0755), 0);
    }
    struct rl_error *err = NULL;
    assert_int_equal(rl_tmpcopyup(f->bfd, f->tfd, &err), -1);
    assert_non_null(err);
    assert_true(strncmp(err->msg, "tmpcopyup: d: d: ", 17) == 0);
    const char *tail = ": d: directories nested more than 64 deep";
    size_t n = strlen(err->msg);
    assert_true(n > strlen(tail));
    assert_string_equal(err->msg + n - strlen(tail), tail);
    rl_error_free(err);
}

static void test_bad_fds(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    _cleanup_free_ char *file = xasprintf("%s/file", f->dir);
    put(f->dir, "file", "", 0644);
    int fd = open(file, O_PATH | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(rl_tmpcopyup(f->bfd, fd, &err), -1);
    assert_error(&err, "tmpcopyup: open the directory: Not a directory");
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_copies_the_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skips_sockets_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mknod_error_names_the_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_deep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_fds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
