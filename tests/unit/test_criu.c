/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The criu command lines of checkpoint and restore (criu.c): external
 * bind mounts, the joined network namespace, stdio pipes, cgroups, the
 * option checks, and the log's error lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rustlet/spec.h"
#include "rustlet/utils.h"
#include "../../src/core/criu.h"

static const char *config =
    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
    "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]},"
    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/data//x/\",\"type\":\"bind\",\"source\":\"/srv/data\"},"
    "{\"destination\":\"/etc/hosts\",\"source\":\"hosts\",\"options\":[\"rbind\",\"ro\"]},"
    "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"}],"
    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
    "{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]}}";

/* argv joined by spaces */
static char *joined(const struct rl_criu_argv *a)
{
    size_t len = 1;
    for (size_t i = 0; i < a->n; i++)
        len += strlen(a->v[i]) + 1;
    char *s = xzalloc(len);
    for (size_t i = 0; i < a->n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, a->v[i]);
    }
    return s;
}

static void has(const char *line, const char *part)
{
    if (strstr(line, part) == NULL)
        fail_msg("\"%s\" not in: %s", part, line);
}

static void lacks(const char *line, const char *part)
{
    if (strstr(line, part) != NULL)
        fail_msg("\"%s\" unexpected in: %s", part, line);
}

static struct rl_spec *spec(void)
{
    struct rl_error *err = NULL;
    struct rl_spec *s = rl_spec_parse(config, strlen(config), &err);
    if (s == NULL)
        fail_msg("%s", err->msg);
    return s;
}

static void test_dump_argv(void **state)
{
    (void)state;
    struct rl_spec *s = spec();
    struct rl_checkpoint_opts o = {
        .c = {.image_path = "/img", .tcp_established = true, .file_locks = true},
        .leave_running = true};
    struct rl_criu_argv a;
    struct rl_error *err = NULL;
    assert_int_equal(
        rl_criu_dump_argv("/usr/sbin/criu", s, "/b", 42, "/sys/fs/cgroup/c1", &o, &a, &err), 0);
    _cleanup_free_ char *l = joined(&a);
    has(l, "/usr/sbin/criu dump --tree 42 --images-dir /img --work-dir /img --log-file dump.log "
           "-v4 --manage-cgroups=soft --tcp-established --file-locks --leave-running");
    has(l, "--freeze-cgroup /sys/fs/cgroup/c1");
    /* bind mounts by their cleaned destination, dumped under it as key */
    has(l, "--ext-mount-map /data/x:/data/x");
    has(l, "--ext-mount-map /etc/hosts:/etc/hosts");
    /* the cgroup mount is the container's cgroup seen from outside */
    has(l, "--ext-mount-map /sys/fs/cgroup:/sys/fs/cgroup");
    lacks(l, "/proc:");
    lacks(l, "/tmp:");
    lacks(l, "--track-mem");
    /* the joined network namespace is external, by its inode */
    has(l, "--external net[");
    has(l, "]:extRootNetNS");
    assert_null(a.v[a.n]);
    rl_criu_argv_free(&a);
    rl_spec_free(s);
}

static void test_pre_dump_and_parent(void **state)
{
    (void)state;
    struct rl_spec *s = spec();
    struct rl_checkpoint_opts o = {
        .c = {.image_path = "/img", .work_path = "/work"}, .pre_dump = true, .leave_running = true};
    struct rl_criu_argv a;
    struct rl_error *err = NULL;
    assert_int_equal(rl_criu_dump_argv("criu", s, "/b", 7, NULL, &o, &a, &err), 0);
    _cleanup_free_ char *l = joined(&a);
    has(l, "criu pre-dump --tree 7 --images-dir /img --work-dir /work");
    has(l, "--track-mem");
    /* a pre-dump always leaves the processes running: no flag for it */
    lacks(l, "--leave-running");
    lacks(l, "--freeze-cgroup");
    rl_criu_argv_free(&a);

    struct rl_checkpoint_opts f = {.c = {.image_path = "/img2"}, .parent_path = "../img"};
    assert_int_equal(rl_criu_dump_argv("criu", s, "/b", 7, NULL, &f, &a, &err), 0);
    _cleanup_free_ char *l2 = joined(&a);
    has(l2, "criu dump --tree 7");
    has(l2, "--track-mem --prev-images-dir ../img");
    rl_criu_argv_free(&a);

    f.parent_path = "/abs";
    assert_int_equal(rl_criu_dump_argv("criu", s, "/b", 7, NULL, &f, &a, &err), -1);
    has(err->msg, "--parent-path /abs: must be relative to --image-path");
    rl_error_free(err);
    rl_spec_free(s);
}

static void test_restore_argv(void **state)
{
    (void)state;
    struct rl_spec *s = spec();
    struct rl_restore_opts o = {
        .c = {.image_path = "/img", .manage_cgroups_mode = "ignore", .empty_ns = "network"},
        .lsm_profile = "apparmor:p"};
    struct rl_restore_args r = {.root = "/run/x/criu-root",
                                .pidfile = "/run/x/criu.pid",
                                .cgroup_root = "/machine/c1",
                                .cgroup_abs = "/sys/fs/cgroup/machine/c1",
                                .stdio = {"/dev/null", "pipe:[123]", "pipe:[456]"},
                                .netns_fd = 9};
    struct rl_criu_argv a;
    struct rl_error *err = NULL;
    assert_int_equal(rl_criu_restore_argv("criu", s, "/bundle", &r, &o, &a, &err), 0);
    _cleanup_free_ char *l = joined(&a);
    has(l, "criu restore --images-dir /img --work-dir /img --log-file restore.log -v4 "
           "--manage-cgroups=ignore --empty-ns net");
    has(l, "--root /run/x/criu-root --restore-detached --pidfile /run/x/criu.pid "
           "--cgroup-root /machine/c1 --lsm-profile apparmor:p");
    /* restored from the config's sources; a relative one from the bundle */
    has(l, "--ext-mount-map /data/x:/srv/data");
    has(l, "--ext-mount-map /etc/hosts:/bundle/hosts");
    has(l, "--ext-mount-map /sys/fs/cgroup:/sys/fs/cgroup/machine/c1");
    /* pipes come back on restore's own fds; /dev/null is reopened by criu */
    has(l, "--inherit-fd fd[1]:pipe:[123] --inherit-fd fd[2]:pipe:[456]");
    lacks(l, "fd[0]");
    has(l, "--inherit-fd fd[9]:extRootNetNS");
    rl_criu_argv_free(&a);
    rl_spec_free(s);
}

static void test_option_checks(void **state)
{
    (void)state;
    struct rl_error *err = NULL;
    struct rl_criu_opts c = {.manage_cgroups_mode = "strict"};
    assert_int_equal(rl_criu_check_opts(&c, &err), 0);
    c.manage_cgroups_mode = "hard";
    assert_int_equal(rl_criu_check_opts(&c, &err), -1);
    has(err->msg, "--manage-cgroups-mode: invalid value \"hard\" (soft, full, strict or ignore)");
    rl_error_free(err);
    err = NULL;
    c.manage_cgroups_mode = NULL;
    c.empty_ns = "pid";
    assert_int_equal(rl_criu_check_opts(&c, &err), -1);
    has(err->msg, "--empty-ns: namespace \"pid\" is not supported (only network)");
    rl_error_free(err);
}

static void test_joined_pid_namespace_refused(void **state)
{
    (void)state;
    static const char *cfg =
        "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
        "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]},"
        "\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}]}}";
    struct rl_error *err = NULL;
    struct rl_spec *s = rl_spec_parse(cfg, strlen(cfg), &err);
    assert_non_null(s);
    struct rl_checkpoint_opts o = {.c = {.image_path = "/img"}};
    struct rl_criu_argv a;
    assert_int_equal(rl_criu_dump_argv("criu", s, "/b", 1, NULL, &o, &a, &err), -1);
    has(err->msg, "linux.namespaces[0]: a pid namespace joined by path (/proc/1/ns/pid) cannot "
                  "be checkpointed yet");
    rl_error_free(err);
    rl_spec_free(s);
}

static void test_log_errors(void **state)
{
    (void)state;
    char path[] = "/tmp/rl-criu-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *log = "(00.000010) Version: 3.17.1\n"
                      "(00.100000) Error (criu/mount.c:1): mnt: first\n"
                      "(00.100001) ok line\n"
                      "(00.200000) Error (criu/a.c:2): second\n"
                      "(00.300000) Error (criu/b.c:3): third\n"
                      "(00.400000) Error (criu/c.c:4): fourth\n";
    assert_int_equal(write(fd, log, strlen(log)), (ssize_t)strlen(log));
    close(fd);
    _cleanup_free_ char *e = rl_criu_log_errors(path);
    assert_non_null(e);
    /* the last three, from "Error" on */
    assert_string_equal(e, "Error (criu/a.c:2): second; Error (criu/b.c:3): third; "
                           "Error (criu/c.c:4): fourth");
    unlink(path);
    assert_null(rl_criu_log_errors(path));
}

static void test_find(void **state)
{
    (void)state;
    struct rl_error *err = NULL;
    assert_null(rl_criu_find("/nonexistent/criu", &err));
    has(err->msg, "--criu /nonexistent/criu");
    rl_error_free(err);
    err = NULL;
    _cleanup_free_ char *sh = rl_criu_find("/bin/sh", &err);
    assert_string_equal(sh, "/bin/sh");
    setenv("PATH", "/nonexistent", 1);
    assert_null(rl_criu_find(NULL, &err));
    has(err->msg, "criu: not found on PATH");
    rl_error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_argv),
        cmocka_unit_test(test_pre_dump_and_parent),
        cmocka_unit_test(test_restore_argv),
        cmocka_unit_test(test_option_checks),
        cmocka_unit_test(test_joined_pid_namespace_refused),
        cmocka_unit_test(test_log_errors),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
