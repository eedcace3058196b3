/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* state.c: ids, state.json round trip, the OCI state document, status,
 * locking and /proc start times, in a temporary --root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "rustlet/container.h"
#include "rustlet/utils.h"

struct fixture {
    char *root;
    struct rl_context ctx;
};

static int setup(void **state)
{
    struct fixture *f = xzalloc(sizeof(*f));
    f->root = xstrdup("/tmp/rl-test-state-XXXXXX");
    if (mkdtemp(f->root) == NULL)
        return -1;
    f->ctx.root = f->root;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    int r = rl_rm_rf(f->root, &err);
    rl_error_free(err);
    free(f->root);
    free(f);
    return r;
}

static void make_container_dir(struct fixture *f, const char *id)
{
    _cleanup_free_ char *dir = rl_state_dir(&f->ctx, id);
    assert_int_equal(mkdir(dir, 0700), 0);
}

/* A pid that existed and is gone (reaped). */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return pid;
}

static char **strv(const char *a, const char *b, const char *c)
{
    char **v = xzalloc(4 * sizeof(char *));
    size_t n = 0;
    if (a)
        v[n++] = xstrdup(a);
    if (b)
        v[n++] = xstrdup(b);
    if (c)
        v[n++] = xstrdup(c);
    return v;
}

/* ---- rl_validate_id ---- */

static void test_rl_validate_id_good(void **state)
{
    static const char *const good[] = {"c1", "A-b_c.d+e", "0", "...", "a..b", ".hidden"};
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        struct rl_error *err = NULL;
        if (rl_validate_id(good[i], &err) != 0)
            fail_msg("\"%s\" rejected: %s", good[i], err->msg);
    }
}

static void test_rl_validate_id_bad(void **state)
{
    static const char *const bad[] = {".", "..", "a/b", "../x", "a b", "a\n", "ä", "a:b", "*"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct rl_error *err = NULL;
        if (rl_validate_id(bad[i], &err) != -1)
            fail_msg("\"%s\" accepted", bad[i]);
        assert_non_null(strstr(err->msg, "invalid container id"));
        rl_error_free(err);
    }
    struct rl_error *err = NULL;
    assert_int_equal(rl_validate_id("", &err), -1);
    assert_string_equal(err->msg, "container id cannot be empty");
    rl_error_free(err);
    err = NULL;
    assert_int_equal(rl_validate_id(NULL, &err), -1);
    rl_error_free(err);
    char long_id[1100];
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    err = NULL;
    assert_int_equal(rl_validate_id(long_id, &err), -1);
    rl_error_free(err);
}

/* ---- state.json round trip ---- */

static struct rl_state *sample_state(const char *id)
{
    struct rl_state *st = xzalloc(sizeof(*st));
    st->id = xstrdup(id);
    st->pid = 4242;
    st->start_time = 18446744073709551615ull;
    st->bundle = xstrdup("/bundles/c1");
    st->rootfs = xstrdup("/bundles/c1/rootfs");
    st->created = xstrdup("2024-05-06T07:08:09.123456789Z");
    st->owner = xstrdup("");
    st->n_annotations = 2;
    st->annotations = xzalloc(2 * sizeof(struct rl_kv));
    st->annotations[0].key = xstrdup("org.example/b");
    st->annotations[0].value = xstrdup("two \"quoted\"\n");
    st->annotations[1].key = xstrdup("a");
    st->annotations[1].value = xstrdup("1");
    st->n_poststop = 2;
    st->poststop = xzalloc(2 * sizeof(struct rl_hook));
    st->poststop[0].path = xstrdup("/bin/hook");
    st->poststop[0].args = strv("hook", "--flag", "x y");
    st->poststop[0].n_args = 3;
    st->poststop[0].env = strv("A=1", "B=", NULL);
    st->poststop[0].n_env = 2;
    st->poststop[0].has_timeout = true;
    st->poststop[0].timeout = 7;
    st->poststop[1].path = xstrdup("/bin/true");
    return st;
}

static void test_rl_state_write_read_round_trip(void **state)
{
    struct fixture *f = *state;
    make_container_dir(f, "c1");
    struct rl_state *st = sample_state("c1");
    struct rl_error *err = NULL;
    assert_int_equal(rl_state_write(&f->ctx, st, &err), 0);
    rl_state_free(st);

    struct rl_state *got = NULL;
    assert_int_equal(rl_state_read(&f->ctx, "c1", &got, &err), 0);
    assert_null(err);
    assert_string_equal(got->id, "c1");
    assert_int_equal(got->pid, 4242);
    assert_true(got->start_time == 18446744073709551615ull);
    assert_string_equal(got->bundle, "/bundles/c1");
    assert_string_equal(got->rootfs, "/bundles/c1/rootfs");
    assert_string_equal(got->created, "2024-05-06T07:08:09.123456789Z");
    assert_string_equal(got->owner, "");
    assert_null(got->cgroup);
    assert_int_equal(got->n_annotations, 2);
    assert_string_equal(got->annotations[0].key, "org.example/b");
    assert_string_equal(got->annotations[0].value, "two \"quoted\"\n");
    assert_string_equal(got->annotations[1].key, "a");
    assert_string_equal(got->annotations[1].value, "1");
    assert_int_equal(got->n_poststop, 2);
    const struct rl_hook *h = &got->poststop[0];
    assert_string_equal(h->path, "/bin/hook");
    assert_int_equal(h->n_args, 3);
    assert_string_equal(h->args[0], "hook");
    assert_string_equal(h->args[1], "--flag");
    assert_string_equal(h->args[2], "x y");
    assert_null(h->args[3]); /* execve needs the terminator */
    assert_int_equal(h->n_env, 2);
    assert_string_equal(h->env[0], "A=1");
    assert_string_equal(h->env[1], "B=");
    assert_null(h->env[2]);
    assert_true(h->has_timeout);
    assert_int_equal(h->timeout, 7);
    h = &got->poststop[1];
    assert_string_equal(h->path, "/bin/true");
    assert_null(h->args);
    assert_int_equal(h->n_args, 0);
    assert_null(h->env);
    assert_false(h->has_timeout);
    rl_state_free(got);

    /* no temp file left in the container directory */
    _cleanup_free_ char *tmp = xasprintf("%s/c1/state.json.tmp.%d", f->root, (int)getpid());
    assert_int_equal(access(tmp, F_OK), -1);
    _cleanup_free_ char *path = xasprintf("%s/c1/state.json", f->root);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_rl_state_read_minimal(void **state)
{
    struct fixture *f = *state;
    make_container_dir(f, "c2");
    struct rl_state st = {.id = "c2", .bundle = "/b"};
    struct rl_error *err = NULL;
    assert_int_equal(rl_state_write(&f->ctx, &st, &err), 0);
    struct rl_state *got = NULL;
    assert_int_equal(rl_state_read(&f->ctx, "c2", &got, &err), 0);
    assert_int_equal(got->pid, 0);
    assert_string_equal(got->bundle, "/b");
    assert_null(got->created); /* written as null, read back as absent */
    assert_int_equal(got->n_annotations, 0);
    assert_int_equal(got->n_poststop, 0);
    assert_int_equal(rl_state_status(&f->ctx, got), RL_STATUS_CREATING);
    rl_state_free(got);
}

/* state.json written by hand into ROOT/<id>; read must fail as damaged
 * with the path and `why` in the message. */
static void expect_damaged(struct fixture *f, const char *id, const char *why)
{
    struct rl_state *got = NULL;
    struct rl_error *err = NULL;
    assert_int_equal(rl_state_read(&f->ctx, id, &got, &err), -1);
    assert_null(got);
    assert_non_null(err);
    assert_int_equal(err->errnum, RL_EDAMAGED);
    _cleanup_free_ char *path = xasprintf("damaged state: %s/%s/state.json: ", f->root, id);
    if (strncmp(err->msg, path, strlen(path)) != 0 || strstr(err->msg, why) == NULL)
        fail_msg("\"%s\": expected \"%s...%s\"", err->msg, path, why);
    rl_error_free(err);
}

static void write_state_text(struct fixture *f, const char *id, const char *text)
{
    make_container_dir(f, id);
    _cleanup_free_ char *path = xasprintf("%s/%s/state.json", f->root, id);
    struct rl_error *err = NULL;
    assert_int_equal(rl_write_file_at(AT_FDCWD, path, text, strlen(text), 0600, &err), 0);
}

static void test_rl_state_read_no_file_is_damaged(void **state)
{
    struct fixture *f = *state;
    make_container_dir(f, "half");
    expect_damaged(f, "half", "missing");
    struct rl_state *got = NULL;
    assert_int_equal(rl_state_read(&f->ctx, "half", &got, NULL), -1);
}

static void test_rl_state_read_corrupt(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"{\"pid\":", ""},
        {"\x01\x02garbage", ""},
        {"null", "not a JSON object but null"},
        {"[1]", "not a JSON object but array"},
        {"{\"id\":12,\"pid\":\"x\"}", "\"id\" is number"},
        {"{\"id\":\"other\",\"pid\":1,\"startTime\":1}", "\"id\" is \"other\""},
        {"{\"id\":\"@\",\"pid\":\"x\",\"startTime\":1}", "\"pid\""},
        {"{\"id\":\"@\",\"pid\":-1,\"startTime\":1}", "\"pid\""},
        {"{\"id\":\"@\",\"pid\":1}", "\"startTime\""},
        {"{\"id\":\"@\",\"pid\":1,\"startTime\":1,\"bundle\":[]}", "\"bundle\" is array"},
        {"{\"id\":\"@\",\"pid\":1,\"startTime\":1,\"cgroup\":7}", "\"cgroup\" is number"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        _cleanup_free_ char *id = xasprintf("c%zu", i);
        /* "@" stands for this case's id */
        char text[256] = "";
        for (const char *c = cases[i].text; *c; c++) {
            if (*c == '@')
                strcat(text, id);
            else
                strncat(text, c, 1);
        }
        write_state_text(f, id, text);
        expect_damaged(f, id, cases[i].why);
    }
}

static void test_rl_state_read_not_regular(void **state)
{
    struct fixture *f = *state;
    make_container_dir(f, "fifo");
    _cleanup_free_ char *fifo = xasprintf("%s/fifo/state.json", f->root);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    expect_damaged(f, "fifo", "is a FIFO"); /* and did not block */
    make_container_dir(f, "dir");
    _cleanup_free_ char *dir = xasprintf("%s/dir/state.json", f->root);
    assert_int_equal(mkdir(dir, 0700), 0);
    expect_damaged(f, "dir", "is a directory");
    make_container_dir(f, "link");
    _cleanup_free_ char *link = xasprintf("%s/link/state.json", f->root);
    assert_int_equal(symlink("/dev/zero", link), 0);
    expect_damaged(f, "link", "is a symbolic link");
    write_state_text(f, "empty", "");
    expect_damaged(f, "empty", "empty");
}

static void test_rl_state_read_too_large(void **state)
{
    struct fixture *f = *state;
    size_t n = 1024 * 1024 + 1;
    char *big = xmalloc(n + 1);
    memset(big, ' ', n);
    big[n] = '\0';
    write_state_text(f, "big", big);
    free(big);
    expect_damaged(f, "big", "larger than 1048576 bytes");
}

static void test_rl_state_dir_symlink_is_damaged(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ char *link = xasprintf("%s/ln", f->root);
    assert_int_equal(symlink("/tmp", link), 0);
    struct rl_error *err = NULL;
    assert_int_equal(rl_state_lock(&f->ctx, "ln", &err), -1);
    assert_int_equal(err->errnum, RL_EDAMAGED);
    assert_non_null(strstr(err->msg, "is a symbolic link"));
    rl_error_free(err);
}

static void test_rl_state_record_round_trip(void **state)
{
    struct fixture *f = *state;
    make_container_dir(f, "r1");
    struct rl_state *st = sample_state("r1");
    struct rl_error *err = NULL;
    assert_int_equal(rl_state_write_record(&f->ctx, st, &err), 0);
    rl_state_free(st);
    struct rl_state *got = NULL;
    assert_int_equal(rl_state_read_record(&f->ctx, "r1", &got, &err), 0);
    assert_int_equal(got->pid, 4242);
    assert_true(got->start_time == 18446744073709551615ull);
    assert_string_equal(got->bundle, "/bundles/c1");
    assert_null(got->created);
    assert_int_equal(got->n_poststop, 0);
    rl_state_free(got);
    /* no temp file left beside it */
    _cleanup_free_ char *dir = xasprintf("%s/r1", f->root);
    DIR *d = opendir(dir);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d)) != NULL)
        files += de->d_name[0] != '.';
    closedir(d);
    assert_int_equal(files, 1);
}

/* ---- the OCI state document ---- */

static void test_rl_state_oci_json_field_order(void **state)
{
    struct rl_state *st = sample_state("c1");
    _cleanup_free_ char *doc = rl_state_oci_json(st, RL_STATUS_RUNNING, false);
    assert_string_equal(doc,
                        "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"pid\":4242,"
                        "\"status\":\"running\",\"bundle\":\"/bundles/c1\","
                        "\"rootfs\":\"/bundles/c1/rootfs\","
                        "\"created\":\"2024-05-06T07:08:09.123456789Z\","
                        "\"annotations\":{\"org.example/b\":\"two \\\"quoted\\\"\\n\",\"a\":\"1\"},"
                        "\"owner\":\"\"}");
    rl_state_free(st);
}

static void test_rl_state_oci_json_no_annotations(void **state)
{
    struct rl_state st = {.id = "x",
                          .pid = 9,
                          .bundle = "/b",
                          .rootfs = "/b/r",
                          .created = "2024-01-01T00:00:00Z",
                          .owner = "root"};
    _cleanup_free_ char *doc = rl_state_oci_json(&st, RL_STATUS_CREATED, false);
    assert_string_equal(doc, "{\"ociVersion\":\"1.3.0\",\"id\":\"x\",\"pid\":9,"
                             "\"status\":\"created\",\"bundle\":\"/b\",\"rootfs\":\"/b/r\","
                             "\"created\":\"2024-01-01T00:00:00Z\",\"owner\":\"root\"}");
}

static void test_rl_state_oci_json_stopped_pid_zero(void **state)
{
    struct rl_state st = {
        .id = "x", .pid = 9, .bundle = "/b", .rootfs = "/b/r", .created = "2024-01-01T00:00:00Z"};
    _cleanup_free_ char *doc = rl_state_oci_json(&st, RL_STATUS_STOPPED, false);
    assert_non_null(strstr(doc, "\"pid\":0,\"status\":\"stopped\""));
    _cleanup_free_ char *creating = rl_state_oci_json(&st, RL_STATUS_CREATING, false);
    assert_non_null(strstr(creating, "\"pid\":9,\"status\":\"creating\""));
}

static void test_rl_state_oci_json_pretty(void **state)
{
    struct rl_state st = {
        .id = "x", .pid = 9, .bundle = "/b", .rootfs = "/b/r", .created = "2024-01-01T00:00:00Z"};
    _cleanup_free_ char *doc = rl_state_oci_json(&st, RL_STATUS_RUNNING, true);
    assert_non_null(strstr(doc, "\n"));
    assert_non_null(strstr(doc, "\"ociVersion\": \"1.3.0\""));
    assert_non_null(strstr(doc, "\"owner\": \"\""));
}

/* ---- status ---- */

static void test_rl_state_status_dead_pid_is_stopped(void **state)
{
    struct fixture *f = *state;
    struct rl_state st = {
        .id = "gone", .pid = dead_pid(), .start_time = 12345, .created = "2024-01-01T00:00:00Z"};
    assert_int_equal(rl_state_status(&f->ctx, &st), RL_STATUS_STOPPED);
    /* a pid that is not ours any more: start time mismatch */
    st.pid = getpid();
    st.start_time = rl_proc_start_time(getpid()) + 1;
    assert_int_equal(rl_state_status(&f->ctx, &st), RL_STATUS_STOPPED);
    /* no pid but created: stopped */
    st.pid = 0;
    assert_int_equal(rl_state_status(&f->ctx, &st), RL_STATUS_STOPPED);
}

static void test_rl_state_status_created_running(void **state)
{
    struct fixture *f = *state;
    make_container_dir(f, "live");
    struct rl_state st = {.id = "live",
                          .pid = getpid(),
                          .start_time = rl_proc_start_time(getpid()),
                          .created = "2024-01-01T00:00:00Z"};
    _cleanup_free_ char *fifo = xasprintf("%s/live/exec.fifo", f->root);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(rl_state_status(&f->ctx, &st), RL_STATUS_CREATED);
    assert_int_equal(unlink(fifo), 0);
    assert_int_equal(rl_state_status(&f->ctx, &st), RL_STATUS_RUNNING);
    st.created = NULL;
    assert_int_equal(rl_state_status(&f->ctx, &st), RL_STATUS_CREATING);
}

static void test_rl_status_name_all(void **state)
{
    assert_string_equal(rl_status_name(RL_STATUS_CREATING), "creating");
    assert_string_equal(rl_status_name(RL_STATUS_CREATED), "created");
    assert_string_equal(rl_status_name(RL_STATUS_RUNNING), "running");
    assert_string_equal(rl_status_name(RL_STATUS_PAUSED), "paused");
    assert_string_equal(rl_status_name(RL_STATUS_STOPPED), "stopped");
}

/* ---- lock ---- */

static void test_rl_state_lock_missing(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    assert_int_equal(rl_state_lock(&f->ctx, "nope", &err), -1);
    assert_int_equal(err->errnum, ENOENT);
    assert_non_null(strstr(err->msg, "container \"nope\" does not exist"));
    rl_error_free(err);
}

static void test_rl_state_lock_bad_id(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    assert_int_equal(rl_state_lock(&f->ctx, "../etc", &err), -1);
    assert_non_null(strstr(err->msg, "invalid container id"));
    rl_error_free(err);
}

static void test_rl_state_lock_existing(void **state)
{
    struct fixture *f = *state;
    make_container_dir(f, "locked");
    struct rl_error *err = NULL;
    int fd = rl_state_lock(&f->ctx, "locked", &err);
    assert_true(fd >= 0);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
}

/* ---- /proc start time ---- */

static void test_rl_proc_start_time_self(void **state)
{
    unsigned long long a = rl_proc_start_time(getpid());
    assert_true(a > 0);
    assert_true(a == rl_proc_start_time(getpid()));
}

static void test_rl_proc_start_time_dead(void **state)
{
    assert_true(rl_proc_start_time(dead_pid()) == 0);
    assert_true(rl_proc_start_time(0) == 0);
    assert_true(rl_proc_start_time(-1) == 0);
}

static void test_rl_proc_start_time_zombie(void **state)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    /* not reaped yet: wait until it is a zombie */
    siginfo_t si;
    assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
    assert_true(rl_proc_start_time(pid) == 0);
    int status;
    waitpid(pid, &status, 0);
}

static void test_rl_state_pidfd(void **state)
{
    struct rl_state st = {.pid = getpid(), .start_time = rl_proc_start_time(getpid())};
    int fd = rl_state_pidfd(&st);
    assert_true(fd >= 0);
    close(fd);
    st.start_time++;
    assert_int_equal(rl_state_pidfd(&st), -1);
    assert_int_equal(errno, ESRCH);
    st.pid = 0;
    assert_int_equal(rl_state_pidfd(&st), -1);
    assert_int_equal(errno, ESRCH);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rl_validate_id_good),
        T(test_rl_validate_id_bad),
        T(test_rl_state_write_read_round_trip),
        T(test_rl_state_read_minimal),
        T(test_rl_state_read_no_file_is_damaged),
        T(test_rl_state_read_not_regular),
        T(test_rl_state_read_too_large),
        T(test_rl_state_dir_symlink_is_damaged),
        T(test_rl_state_record_round_trip),
        T(test_rl_state_read_corrupt),
        T(test_rl_state_oci_json_field_order),
        T(test_rl_state_oci_json_no_annotations),
        T(test_rl_state_oci_json_stopped_pid_zero),
        T(test_rl_state_oci_json_pretty),
        T(test_rl_state_status_dead_pid_is_stopped),
        T(test_rl_state_status_created_running),
        T(test_rl_status_name_all),
        T(test_rl_state_lock_missing),
        T(test_rl_state_lock_bad_id),
        T(test_rl_state_lock_existing),
        T(test_rl_proc_start_time_self),
        T(test_rl_proc_start_time_dead),
        T(test_rl_proc_start_time_zombie),
        T(test_rl_state_pidfd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
