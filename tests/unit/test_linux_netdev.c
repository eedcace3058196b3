/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* netdev.c over real rtnetlink, in network namespaces of the test's own:
 * a forked child ("the runtime") unshares a network namespace (with a user
 * namespace when not root; skipped where neither is allowed), makes a veth
 * pair there with ip(8), and moves its ends into the namespace of a
 * grandchild ("the init"), which then reports what it sees. Nothing of the
 * host's network is touched. The children report failures in shared
 * memory (no cmocka asserts there) and end with exit, so that their
 * coverage is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

#define SKIP_STATUS 77

struct shared {
    char fail[4096];
    char seen[4096]; /* ip(8)'s view from the init's namespace */
};
static struct shared *sh;
static char *tree;

static int group_setup(void **state)
{
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return -1;
    char tmpl[] = "/tmp/rl-test-linux-netdev-XXXXXX";
    tree = fake_make_tree(tmpl);
    return tree ? 0 : -1;
}

static int group_teardown(void **state)
{
    munmap(sh, sizeof(*sh));
    fake_rm_tree(tree);
    free(tree);
    return 0;
}

#define CHILD_FAIL(...)                                                                            \
    do {                                                                                           \
        snprintf(sh->fail, sizeof(sh->fail), __VA_ARGS__);                                         \
        exit(1);                                                                                   \
    } while (0)

static struct rl_spec *spec_of(const char *devices)
{
    _cleanup_free_ char *json = xasprintf("{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": "
                                          "\"rootfs\"}, \"linux\": {\"netDevices\": {%s}}}",
                                          devices);
    struct rl_error *err = NULL;
    struct rl_spec *spec = rl_spec_parse(json, strlen(json), &err);
    if (spec == NULL)
        CHILD_FAIL("config: %s", err->msg);
    return spec;
}

/* rl_netdev_move(devices) into the namespace of init: its error ("" for
 * success). */
static char *move(const char *devices, pid_t init)
{
    struct rl_spec *spec = spec_of(devices);
    struct rl_error *err = NULL;
    int r = rl_netdev_move(spec, init, &err);
    rl_spec_free(spec);
    char *msg = xstrdup(r == 0 ? "" : err ? err->msg : "(no error)");
    rl_error_free(err);
    return msg;
}

static void expect_move(const char *devices, pid_t init, const char *want)
{
    _cleanup_free_ char *got = move(devices, init);
    if (strcmp(got, want) != 0)
        CHILD_FAIL("move {%s}:\n  %s\nwant\n  %s", devices, got, want);
}

static void run(const char *cmd)
{
    if (system(cmd) != 0)
        CHILD_FAIL("%s failed", cmd);
}

/* The init: its own network namespace; on "go", bring up lo twice and
 * write what ip(8) sees into sh->seen. */
static pid_t fork_init(int *go)
{
    int ready[2], g[2];
    if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(g, O_CLOEXEC) < 0)
        CHILD_FAIL("pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        CHILD_FAIL("fork: %s", strerror(errno));
    if (pid == 0) {
        close(ready[0]);
        close(g[1]);
        if (unshare(CLONE_NEWNET) < 0)
            CHILD_FAIL("init: unshare: %s", strerror(errno));
        close(ready[1]);
        char c;
        if (read(g[0], &c, 1) != 1)
            exit(0);
        struct rl_error *err = NULL;
        if (rl_netdev_loopback_up(&err) < 0 || rl_netdev_loopback_up(&err) < 0)
            CHILD_FAIL("loopback: %s", err->msg);
        _cleanup_free_ char *out = xasprintf("%s/seen", tree);
        _cleanup_free_ char *cmd = xasprintf("ip -o link show up > %s && ip -o -4 addr show >> %s "
                                             "&& ip -o -6 addr show scope global >> %s",
                                             out, out, out);
        run(cmd);
        size_t len = 0;
        char *seen = rl_read_file_at(AT_FDCWD, out, sizeof(sh->seen) - 1, &len, &err);
        if (seen == NULL)
            CHILD_FAIL("read %s: %s", out, err->msg);
        memcpy(sh->seen, seen, len);
        free(seen);
        exit(0);
    }
    close(ready[1]);
    close(g[0]);
    char c;
    (void)read(ready[0], &c, 1); /* EOF once it has unshared */
    close(ready[0]);
    *go = g[1];
    return pid;
}

static int runtime_side(void)
{
    if (unshare(CLONE_NEWNET) < 0) {
        /* unprivileged: root of a user namespace of our own, so that ip(8)
         * keeps the capabilities across its exec */
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
            exit(SKIP_STATUS);
        char map[64];
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        struct rl_error *err = NULL;
        if (rl_write_file_at(AT_FDCWD, "/proc/self/uid_map", map, strlen(map), 0, &err) < 0 ||
            rl_write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4, 0, &err) < 0)
            CHILD_FAIL("id maps: %s", err->msg);
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        if (rl_write_file_at(AT_FDCWD, "/proc/self/gid_map", map, strlen(map), 0, &err) < 0)
            CHILD_FAIL("id maps: %s", err->msg);
    }
    if (system("ip link add v0 type veth peer name v1 >/dev/null 2>&1") != 0)
        exit(SKIP_STATUS); /* no veth here */
    run("ip addr add 10.9.8.7/24 dev v0 && ip addr add fd00::7/64 nodad dev v0 && "
        "ip link add v2 type veth peer name v3 && ip addr add 10.9.9.1/24 dev v2 && "
        "ip addr add 10.9.9.2/24 dev v2");
    int go;
    pid_t init = fork_init(&go);
    /* nothing to do */
    expect_move("", init, "");
    /* refused before anything moves */
    expect_move("\"v0\": {}", getpid(),
                "linux.netDevices: the container's network namespace is the runtime's own: "
                "nothing to move the devices into");
    expect_move("\"v0\": {\"name\": \"eth7\"}, \"nope0\": {}", init,
                "linux.netDevices[\"nope0\"]: no interface nope0 in the runtime's network "
                "namespace: No such device");
    expect_move("\"v0\": {\"name\": \"lo\"}", init,
                "linux.netDevices[\"v0\"]: an interface named lo already exists in the "
                "container's network namespace (use a template such as \"eth%d\" to let the "
                "kernel pick)");
    expect_move("\"v0\": {}", 0x7fffffff,
                "linux.netDevices: open /proc/2147483647/ns/net: No such file or directory");
    /* v0 renamed with its addresses, v2 by a template, v1 under its name */
    expect_move("\"v0\": {\"name\": \"eth7\"}, \"v2\": {\"name\": \"net%d\"}, \"v1\": {}", init,
                "");
    /* gone from here */
    if (system("ip link show v0 >/dev/null 2>&1") == 0)
        CHILD_FAIL("v0 is still in the runtime's namespace");
    if (write(go, "g", 1) != 1)
        CHILD_FAIL("go: %s", strerror(errno));
    close(go);
    int status;
    if (waitpid(init, &status, 0) != init || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        exit(1); /* its reason is in sh->fail */
    exit(0);
}

/* Does the line of ip(8)'s output for dev contain all of what? */
static bool seen(const char *dev, const char *what)
{
    _cleanup_free_ char *key = xasprintf(": %s", dev);
    for (const char *p = sh->seen; (p = strstr(p, key)) != NULL; p++) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *at = strstr(p, what);
        if (at && (size_t)(at - p) < n)
            return true;
    }
    return false;
}

static void test_move(void **state)
{
    if (access("/usr/sbin/ip", X_OK) < 0 && access("/sbin/ip", X_OK) < 0 &&
        access("/usr/bin/ip", X_OK) < 0)
        skip();
    memset(sh, 0, sizeof(*sh));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        runtime_side();
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == SKIP_STATUS)
        skip();
    if (WEXITSTATUS(status) != 0)
        fail_msg("%s", sh->fail);
    /* in the init's namespace: lo up, each device up under its name, the
     * permanent addresses kept (both of v2's; the IPv6 one of v0) */
    if (!seen("lo", "UP") || !seen("eth7", "UP") || !seen("net0", "UP") || !seen("v1", "UP") ||
        !seen("eth7", "inet 10.9.8.7/24") || !seen("eth7", "inet6 fd00::7/64") ||
        !seen("net0", "inet 10.9.9.1/24") || !seen("net0", "inet 10.9.9.2/24"))
        fail_msg("the init sees:\n%s", sh->seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_move),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
