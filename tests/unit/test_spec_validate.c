/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Each case builds a small valid config and overrides one part of it: the
 * json module keeps the last of duplicate keys (as Go's encoding/json does),
 * so PROC/LX/TOP text may repeat a key of the base config to replace it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rustlet/spec.h"
#include "rustlet/utils.h"

/* A default member ",\"KEY\":..." unless the override has its own "KEY":
 * duplicate keys are refused by the parser, so an override replaces. */
static const char *dflt(const char *over, const char *key, const char *member)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    return over != NULL && strstr(over, pat) != NULL ? "" : member;
}

static char *mk(const char *top, const char *proc, const char *lx)
{
    char *process = xasprintf(
        ",\"process\":{\"x-base\":0%s%s%s%s}", dflt(proc, "args", ",\"args\":[\"/bin/true\"]"),
        dflt(proc, "cwd", ",\"cwd\":\"/\""), dflt(proc, "user", ",\"user\":{\"uid\":0,\"gid\":0}"),
        proc ? proc : "");
    char *linux_ =
        xasprintf(",\"linux\":{\"x-base\":0%s%s}",
                  dflt(lx, "namespaces", ",\"namespaces\":[{\"type\":\"mount\"}]"), lx ? lx : "");
    char *doc =
        xasprintf("{\"x-base\":0%s%s%s%s%s}", dflt(top, "ociVersion", ",\"ociVersion\":\"1.3.0\""),
                  dflt(top, "root", ",\"root\":{\"path\":\"rootfs\"}"),
                  dflt(top, "process", process), dflt(top, "linux", linux_), top ? top : "");
    free(process);
    free(linux_);
    return doc;
}

/* NULL when valid, else the message (caller frees). */
static char *validate(const char *top, const char *proc, const char *lx)
{
    char *text = mk(top, proc, lx);
    struct rl_error *err = NULL;
    struct rl_spec *s = rl_spec_parse(text, strlen(text), &err);
    if (s == NULL)
        fail_msg("parse of %s failed: %s", text, err->msg);
    free(text);
    char *msg = NULL;
    if (rl_spec_validate(s, &err) < 0) {
        assert_non_null(err);
        msg = xstrdup(err->msg);
        rl_error_free(err);
    } else {
        assert_null(err);
    }
    rl_spec_free(s);
    return msg;
}

#define GOOD(top, proc, lx)                                                                        \
    do {                                                                                           \
        char *m_ = validate(top, proc, lx);                                                        \
        if (m_ != NULL)                                                                            \
            fail_msg("expected valid, got: %s", m_);                                               \
    } while (0)

#define BAD(top, proc, lx, want)                                                                   \
    do {                                                                                           \
        char *m_ = validate(top, proc, lx);                                                        \
        if (m_ == NULL)                                                                            \
            fail_msg("expected error: %s", want);                                                  \
        if (strcmp(m_, want) != 0)                                                                 \
            fail_msg("got  \"%s\"\nwant \"%s\"", m_, want);                                        \
        free(m_);                                                                                  \
    } while (0)

static void test_rl_spec_validate_minimal_ok(void **state)
{
    GOOD(NULL, NULL, NULL);
}

static void test_rl_spec_validate_oci_version(void **state)
{
    static const char *const good[] = {"1.0.0",  "1.0.2-dev", "1.3.0", "1.2.1",
                                       "1.9.99", "1.0.0-rc5", "1.1",   "1.0.0+build"};
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        char *top = xasprintf(",\"ociVersion\":\"%s\"", good[i]);
        GOOD(top, NULL, NULL);
        free(top);
    }
    BAD(",\"ociVersion\":\"2.0.0\"", NULL, NULL,
        "ociVersion \"2.0.0\": unsupported major version (rustlet supports 1.x)");
    BAD(",\"ociVersion\":\"0.5.0\"", NULL, NULL,
        "ociVersion \"0.5.0\": unsupported major version (rustlet supports 1.x)");
    BAD(",\"ociVersion\":\"\"", NULL, NULL, "ociVersion \"\": not a version (expected 1.x.y)");
    BAD(",\"ociVersion\":\"v1.0\"", NULL, NULL,
        "ociVersion \"v1.0\": not a version (expected 1.x.y)");
    BAD(",\"ociVersion\":\"1.0.0.0\"", NULL, NULL,
        "ociVersion \"1.0.0.0\": not a version (expected 1.x.y)");
}

static void test_rl_spec_validate_root(void **state)
{
    BAD(",\"root\":null", NULL, NULL, "root: missing (the container needs a root filesystem)");
    BAD(",\"root\":{\"path\":\"\"}", NULL, NULL, "root.path: must not be empty");
    GOOD(",\"root\":{\"path\":\"/abs/rootfs\",\"readonly\":true}", NULL, NULL);
}

static void test_rl_spec_validate_process(void **state)
{
    BAD(",\"process\":null", NULL, NULL, "process: missing (rustlet needs a process to run)");
    BAD(NULL, ",\"args\":[]", NULL, "process.args: must name the program to run (empty)");
    BAD(NULL, ",\"args\":null", NULL, "process.args: must name the program to run (empty)");
    BAD(NULL, ",\"cwd\":\"work\"", NULL, "process.cwd \"work\": must be an absolute path");
    GOOD(NULL, ",\"terminal\":true", NULL);
    GOOD(NULL, ",\"terminal\":false,\"consoleSize\":{\"height\":10,\"width\":20}", NULL);
    GOOD(NULL, ",\"user\":{\"uid\":1,\"gid\":2,\"umask\":511}", NULL);
    BAD(NULL, ",\"user\":{\"umask\":512}", NULL,
        "process.user.umask: 512 is not a umask (at most 0777 = 511)");
    GOOD(NULL, ",\"env\":[\"A=1\",\"EMPTY=\",\"B==x\"]", NULL);
    BAD(NULL, ",\"env\":[\"A=1\",\"NOEQ\"]", NULL,
        "process.env[1] \"NOEQ\": not NAME=VALUE (no '=')");
    BAD(NULL, ",\"env\":[\"=x\"]", NULL, "process.env[0] \"=x\": not NAME=VALUE (empty name)");
}

static void test_rl_spec_validate_capabilities(void **state)
{
    GOOD(NULL,
         ",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_CHECKPOINT_RESTORE\"],"
         "\"effective\":[\"CAP_BPF\"],\"inheritable\":[],\"permitted\":[\"CAP_PERFMON\"],"
         "\"ambient\":[\"CAP_SYS_ADMIN\"]}",
         NULL);
    BAD(NULL,
        ",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_MKNOD\",\"CAP_FOO\"]}",
        NULL, "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"");
    BAD(NULL, ",\"capabilities\":{\"ambient\":[\"chown\"]}", NULL,
        "process.capabilities.ambient[0]: unknown capability \"chown\"");
    BAD(NULL, ",\"capabilities\":{\"inheritable\":[\"CAP_41\"]}", NULL,
        "process.capabilities.inheritable[0]: unknown capability \"CAP_41\"");
}

static void test_rl_spec_validate_rlimits(void **state)
{
    GOOD(NULL,
         ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":1024},"
         "{\"type\":\"RLIMIT_AS\",\"soft\":1,\"hard\":18446744073709551615}]",
         NULL);
    BAD(NULL, ",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]", NULL,
        "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
    BAD(NULL, ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2048,\"hard\":1024}]", NULL,
        "process.rlimits[0]: soft limit 2048 of RLIMIT_NOFILE is greater than its hard limit "
        "1024");
    BAD(NULL,
        ",\"rlimits\":[{\"type\":\"RLIMIT_CPU\",\"soft\":1,\"hard\":1},"
        "{\"type\":\"RLIMIT_CPU\",\"soft\":1,\"hard\":1}]",
        NULL,
        "process.rlimits[1].type: duplicate rlimit \"RLIMIT_CPU\" (also in "
        "process.rlimits[0])");
}

static void test_rl_spec_validate_namespaces(void **state)
{
    GOOD(NULL, NULL,
         ",\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/run/netns/a\"},"
         "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"},"
         "{\"type\":\"time\",\"path\":\"\"}]");
    BAD(NULL, NULL, ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"pid\"}]",
        "linux.namespaces[2]: duplicate namespace type \"pid\" (also in linux.namespaces[1])");
    BAD(NULL, NULL, ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\",\"path\":\"p\"}]",
        "linux.namespaces[1].path \"p\": must be an absolute path");
    /* no mount namespace: the runtime's is inherited (chroot only) ... */
    GOOD(NULL, NULL, ",\"namespaces\":[{\"type\":\"pid\"}]");
    GOOD(",\"linux\":null", NULL, NULL);
    /* ... and what would mount is refused, each part named */
    BAD(",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}]",
        ",\"terminal\":true", ",\"namespaces\":[{\"type\":\"pid\"}],\"maskedPaths\":[\"/x\"]",
        "linux.namespaces: without a \"mount\" namespace the container shares the runtime's "
        "mounts, and these need a private one (add {\"type\": \"mount\"}): mounts, "
        "linux.maskedPaths, process.terminal (/dev/console)");
}

#define MAPS                                                                                       \
    ",\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"                           \
    "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"
#define NS_USER ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}]"

static void test_rl_spec_validate_user_namespace(void **state)
{
    GOOD(NULL, NULL, NS_USER MAPS);
    BAD(NULL, NULL, MAPS,
        "linux.uidMappings: mappings need a \"user\" namespace in linux.namespaces");
    BAD(NULL, NULL, ",\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]",
        "linux.gidMappings: mappings need a \"user\" namespace in linux.namespaces");
    BAD(NULL, NULL, NS_USER,
        "linux.namespaces: a new user namespace needs linux.uidMappings and linux.gidMappings");
    BAD(NULL, NULL, NS_USER ",\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]",
        "linux.namespaces: a new user namespace needs linux.uidMappings and linux.gidMappings");
    /* joining an existing user namespace needs no mappings */
    GOOD(NULL, NULL,
         ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}]");
}

static void test_rl_spec_validate_time_offsets(void **state)
{
    const char *offs = ",\"timeOffsets\":{\"monotonic\":{\"secs\":10}}";
    BAD(NULL, NULL, offs,
        "linux.timeOffsets: time offsets need a \"time\" namespace in linux.namespaces");
    char *lx = xasprintf("%s,\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"time\"}]", offs);
    GOOD(NULL, NULL, lx);
    free(lx);
}

static void test_rl_spec_validate_hostname(void **state)
{
    BAD(",\"hostname\":\"box\"", NULL, NULL,
        "hostname: unable to set hostname without a private UTS namespace (add a \"uts\" "
        "namespace to linux.namespaces)");
    BAD(",\"domainname\":\"example.org\"", NULL, NULL,
        "domainname: unable to set domainname without a private UTS namespace (add a \"uts\" "
        "namespace to linux.namespaces)");
    /* joined by path: set in that namespace (create checks it is not ours) */
    GOOD(",\"hostname\":\"box\"", NULL,
         ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\",\"path\":\"/proc/1/ns/uts\"}]");
    GOOD(",\"hostname\":\"\"", NULL, NULL);
    BAD(",\"hostname\":\"box\"", NULL,
        ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}],\"sysctl\":"
        "{\"kernel.hostname\":\"other\"}",
        "linux.sysctl[\"kernel.hostname\"]: conflicts with hostname \"box\" (set one of them)");
    BAD(",\"domainname\":\"d\"", NULL,
        ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}],\"sysctl\":"
        "{\"kernel.domainname\":\"e\"}",
        "linux.sysctl[\"kernel.domainname\"]: conflicts with domainname \"d\" (set one of them)");
    GOOD(NULL, NULL,
         ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}],\"sysctl\":"
         "{\"kernel.hostname\":\"other\"}");
    GOOD(",\"domainname\":\"d\"", NULL,
         ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}],\"sysctl\":"
         "{\"kernel.domainname\":\"d\"}");
    GOOD(",\"hostname\":\"box\",\"domainname\":\"example.org\"", NULL,
         ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}]");
}

static void test_rl_spec_validate_mounts(void **state)
{
    /* every option of runc's default mounts, plus the flag table of config.md */
    GOOD(",\"mounts\":[{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
         "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\","
         "\"gid=5\"]},{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/y\",\"options\":["
         "\"ro\",\"rw\",\"suid\",\"nosuid\",\"dev\",\"nodev\",\"exec\",\"noexec\",\"sync\","
         "\"async\",\"dirsync\",\"remount\",\"mand\",\"nomand\",\"atime\",\"noatime\","
         "\"diratime\",\"nodiratime\",\"bind\",\"rbind\",\"unbindable\",\"runbindable\","
         "\"private\",\"rprivate\",\"shared\",\"rshared\",\"slave\",\"rslave\",\"relatime\","
         "\"norelatime\",\"strictatime\",\"nostrictatime\",\"nosymfollow\",\"lazytime\","
         "\"nolazytime\",\"silent\",\"loud\",\"iversion\",\"noiversion\",\"rro\",\"rrw\","
         "\"rnosuid\",\"rsuid\",\"rnodev\",\"rdev\",\"rnoexec\",\"rexec\",\"rnodiratime\","
         "\"rdiratime\",\"rrelatime\",\"rnorelatime\",\"rnoatime\",\"ratime\",\"rstrictatime\","
         "\"rnostrictatime\",\"rnosymfollow\",\"rsymfollow\",\"size=65536k\"]}]",
         NULL, NULL);
    /* relative destinations are accepted (old configs; relative to "/") */
    GOOD(",\"mounts\":[{\"destination\":\"proc\",\"type\":\"proc\"}]", NULL, NULL);
    BAD(",\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"\"}]", NULL, NULL,
        "mounts[1].destination: must not be empty");
    GOOD(",\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\",\"options\":[\"tmpcopyup\"]}]",
         NULL, NULL);
}

#define MAP1 "[{\"containerID\":0,\"hostID\":1000,\"size\":1}]"
#define USERNS                                                                                     \
    ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}],"                                  \
    "\"uidMappings\":" MAP1 ",\"gidMappings\":" MAP1

static void test_rl_spec_validate_idmap_mounts(void **state)
{
    /* own mappings, with or without the option, with or without a userns */
    GOOD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"rbind\","
         "\"idmap\"],\"uidMappings\":" MAP1 ",\"gidMappings\":" MAP1 "}]",
         NULL, NULL);
    GOOD(",\"mounts\":[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"s\","
         "\"uidMappings\":" MAP1 ",\"gidMappings\":" MAP1 "}]",
         NULL, NULL);
    GOOD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"bind\","
         "\"ridmap\"],\"uidMappings\":" MAP1 ",\"gidMappings\":" MAP1 "}]",
         NULL, USERNS);
    /* no mappings: the container's user namespace (new or joined) */
    GOOD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"bind\","
         "\"idmap\"]}]",
         NULL, USERNS);
    GOOD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"rbind\","
         "\"ridmap\"]}]",
         NULL,
         ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}]");
    BAD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"rbind\","
        "\"idmap\"]}]",
        NULL, NULL,
        "mounts[0].options[1]: \"idmap\" without uidMappings and gidMappings takes the "
        "container's user namespace mappings, but the container has no user namespace");
    BAD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"ridmap\","
        "\"bind\"]}]",
        NULL, NULL,
        "mounts[0].options[0]: \"ridmap\" without uidMappings and gidMappings takes the "
        "container's user namespace mappings, but the container has no user namespace");
    BAD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"bind\"],"
        "\"uidMappings\":" MAP1 "}]",
        NULL, NULL,
        "mounts[0]: uidMappings given without gidMappings (config.md: they MUST be given "
        "together)");
    BAD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"bind\"],"
        "\"gidMappings\":" MAP1 "}]",
        NULL, NULL,
        "mounts[0]: gidMappings given without uidMappings (config.md: they MUST be given "
        "together)");
    BAD(",\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\",\"options\":[\"idmap\"],"
        "\"uidMappings\":" MAP1 ",\"gidMappings\":" MAP1 "}]",
        NULL, NULL,
        "mounts[0] (tmpfs on /a): idmapped mounts are supported on bind mounts only (add the "
        "option \"bind\" or \"rbind\")");
    BAD(",\"mounts\":[{\"destination\":\"/a\",\"options\":[\"bind\",\"idmap\"],"
        "\"uidMappings\":" MAP1 ",\"gidMappings\":" MAP1 "}]",
        NULL, NULL, "mounts[0].source: an idmapped bind mount needs a source");
    BAD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"bind\"],"
        "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":0}],\"gidMappings\":" MAP1
        "}]",
        NULL, NULL, "mounts[0].uidMappings[0].size: must be greater than zero");
    BAD(",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/s\",\"options\":[\"bind\"],"
        "\"uidMappings\":" MAP1 ",\"gidMappings\":[{\"containerID\":4294967295,\"hostID\":1,"
        "\"size\":2}]}]",
        NULL, NULL, "mounts[0].gidMappings[0]: the range goes past id 4294967294");
}

#define NETNS ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\"}]"

static void test_rl_spec_validate_net_devices(void **state)
{
    GOOD(NULL, NULL,
         NETNS ",\"netDevices\":{\"eth0\":{},\"d1\":{\"name\":\"eth1\"},"
               "\"d2\":{\"name\":\"net%d\"},\"d3\":{\"name\":\"net%d\"}}");
    GOOD(NULL, NULL,
         ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\","
         "\"path\":\"/run/netns/x\"}],\"netDevices\":{\"eth0\":{}}");
    BAD(NULL, NULL, ",\"netDevices\":{\"eth0\":{}}",
        "linux.netDevices: moving network devices needs a \"network\" namespace in "
        "linux.namespaces (the container would share the runtime's)");
    BAD(NULL, NULL, NETNS ",\"netDevices\":{\"\":{}}",
        "linux.netDevices[\"\"]: not an interface name (empty)");
    BAD(NULL, NULL, NETNS ",\"netDevices\":{\"a/b\":{}}",
        "linux.netDevices[\"a/b\"]: not an interface name (contains '/', ':' or white space)");
    BAD(NULL, NULL, NETNS ",\"netDevices\":{\"e%d\":{}}",
        "linux.netDevices[\"e%d\"]: not an interface name (contains '%')");
    BAD(NULL, NULL, NETNS ",\"netDevices\":{\"eth0\":{\"name\":\"0123456789abcdef\"}}",
        "linux.netDevices[\"eth0\"].name \"0123456789abcdef\": not an interface name (longer "
        "than 15 bytes)");
    BAD(NULL, NULL, NETNS ",\"netDevices\":{\"eth0\":{\"name\":\"..\"}}",
        "linux.netDevices[\"eth0\"].name \"..\": not an interface name (\".\" and \"..\" are "
        "not interface names)");
    BAD(NULL, NULL, NETNS ",\"netDevices\":{\"eth0\":{\"name\":\"e%s%d\"}}",
        "linux.netDevices[\"eth0\"].name \"e%s%d\": not an interface name (a template may "
        "hold one \"%d\" and no other '%')");
    BAD(NULL, NULL, NETNS ",\"netDevices\":{\"eth0\":{\"name\":\"x\"},\"eth1\":{\"name\":\"x\"}}",
        "linux.netDevices[\"eth1\"]: \"x\" is also the name of linux.netDevices[\"eth0\"] in the "
        "container");
}

static void test_rl_spec_validate_devices(void **state)
{
    GOOD(NULL, NULL,
         ",\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229},"
         "{\"path\":\"/dev/sda\",\"type\":\"b\",\"major\":8,\"minor\":0},"
         "{\"path\":\"/dev/u\",\"type\":\"u\",\"major\":1,\"minor\":3},"
         "{\"path\":\"/dev/fifo\",\"type\":\"p\"}]");
    BAD(NULL, NULL, ",\"devices\":[{\"path\":\"/dev/x\",\"type\":\"x\",\"major\":1,\"minor\":1}]",
        "linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)");
    BAD(NULL, NULL, ",\"devices\":[{\"path\":\"/dev/x\",\"type\":\"cb\",\"major\":1,\"minor\":1}]",
        "linux.devices[0].type: unknown device type \"cb\" (expected c, b, u or p)");
    BAD(NULL, NULL, ",\"devices\":[{\"path\":\"dev/x\",\"type\":\"c\",\"major\":1,\"minor\":1}]",
        "linux.devices[0].path \"dev/x\": must be an absolute path");
    BAD(NULL, NULL, ",\"devices\":[{\"path\":\"/etc/x\",\"type\":\"c\",\"major\":1,\"minor\":1}]",
        "linux.devices[0].path \"/etc/x\": must be below /dev");
    BAD(NULL, NULL,
        ",\"devices\":[{\"path\":\"/dev/../x\",\"type\":\"c\",\"major\":1,\"minor\":1}]",
        "linux.devices[0].path \"/dev/../x\": must be below /dev");
    BAD(NULL, NULL, ",\"devices\":[{\"path\":\"/dev/\",\"type\":\"c\",\"major\":1,\"minor\":1}]",
        "linux.devices[0].path \"/dev\": must be below /dev"); /* cleaned first, as runc */
    BAD(NULL, NULL, ",\"devices\":[{\"path\":\"/devx\",\"type\":\"c\",\"major\":1,\"minor\":1}]",
        "linux.devices[0].path \"/devx\": must be below /dev");
    GOOD(NULL, NULL,
         ",\"devices\":[{\"path\":\"/dev/a..b\",\"type\":\"c\",\"major\":1,\"minor\":1}]");
    BAD(NULL, NULL, ",\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1}]",
        "linux.devices[0]: major and minor are required for type \"c\"");
}

static void test_rl_spec_validate_device_cgroup(void **state)
{
    GOOD(NULL, NULL,
         ",\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
         "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"},"
         "{\"allow\":true,\"type\":\"b\",\"access\":\"m\"},{\"allow\":true,\"type\":\"a\"}]}");
    BAD(NULL, NULL, ",\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"p\"}]}",
        "linux.resources.devices[0].type: unknown device type \"p\" (expected a, b or c)");
    BAD(NULL, NULL, ",\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}",
        "linux.resources.devices[0].access: \"rwx\" is not a subset of \"rwm\"");
}

static void test_rl_spec_validate_hooks(void **state)
{
    GOOD(",\"hooks\":{\"prestart\":[{\"path\":\"/bin/a\",\"timeout\":1}],"
         "\"poststop\":[{\"path\":\"/bin/b\"}]}",
         NULL, NULL);
    BAD(",\"hooks\":{\"createRuntime\":[{\"path\":\"/bin/a\"},{\"path\":\"hook\"}]}", NULL, NULL,
        "hooks.createRuntime[1].path \"hook\": must be an absolute path");
    BAD(",\"hooks\":{\"poststart\":[{\"path\":\"/bin/a\",\"timeout\":0}]}", NULL, NULL,
        "hooks.poststart[0].timeout: must be greater than zero, got 0");
    BAD(",\"hooks\":{\"startContainer\":[{\"path\":\"/bin/a\",\"timeout\":-5}]}", NULL, NULL,
        "hooks.startContainer[0].timeout: must be greater than zero, got -5");
}

static void test_rl_spec_validate_cgroups_path(void **state)
{
    GOOD(NULL, NULL, ",\"cgroupsPath\":\"/rustlet/c1\"");
    GOOD(NULL, NULL, ",\"cgroupsPath\":\"relative/c1\"");
    /* the systemd form is the driver's to check (create), not the spec's */
    GOOD(NULL, NULL, ",\"cgroupsPath\":\"system.slice:docker:c1\"");
    GOOD(NULL, NULL, ",\"cgroupsPath\":\"/a..b/c.\"");
    BAD(NULL, NULL, ",\"cgroupsPath\":\"/a/../b\"",
        "linux.cgroupsPath \"/a/../b\": \"..\" components are not allowed (the cgroup must "
        "stay below the cgroup root)");
    BAD(NULL, NULL, ",\"cgroupsPath\":\"..\"",
        "linux.cgroupsPath \"..\": \"..\" components are not allowed (the cgroup must stay "
        "below the cgroup root)");
    BAD(NULL, NULL, ",\"cgroupsPath\":\"a/..\"",
        "linux.cgroupsPath \"a/..\": \"..\" components are not allowed (the cgroup must stay "
        "below the cgroup root)");
}

static void test_rl_spec_validate_rootfs_propagation(void **state)
{
    GOOD(NULL, NULL, ",\"rootfsPropagation\":\"rslave\"");
    GOOD(NULL, NULL, ",\"rootfsPropagation\":\"private\"");
    BAD(NULL, NULL, ",\"rootfsPropagation\":\"sideways\"",
        "linux.rootfsPropagation: unknown propagation \"sideways\"");
}

static void test_rl_spec_validate_resources_implemented(void **state)
{
    GOOD(NULL, NULL,
         ",\"resources\":{\"memory\":{\"limit\":1073741824,\"reservation\":1,\"swap\":-1,"
         "\"disableOOMKiller\":false,\"useHierarchy\":false,\"checkBeforeUpdate\":false},"
         "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\","
         "\"mems\":\"0\"},\"pids\":{\"limit\":100},\"blockIO\":{},\"hugepageLimits\":[],"
         "\"network\":{},\"rdma\":{},\"unified\":{}}");
}

/* Every resource of the spec is implemented: these validate (the kernel
 * decides the rest when they are applied). */
static void test_rl_spec_validate_resources_all_accepted(void **state)
{
    static const char *const good[] = {
        "\"memory\":{\"swappiness\":60}",
        "\"memory\":{\"kernel\":1}",
        "\"memory\":{\"kernelTCP\":1}",
        "\"memory\":{\"disableOOMKiller\":true}",
        "\"memory\":{\"useHierarchy\":true}",
        "\"memory\":{\"checkBeforeUpdate\":true}",
        "\"cpu\":{\"realtimeRuntime\":1}",
        "\"cpu\":{\"realtimePeriod\":1}",
        "\"cpu\":{\"burst\":1}",
        "\"cpu\":{\"idle\":1}",
        "\"blockIO\":{\"weight\":10}",
        "\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1}]}",
        "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]",
        "\"hugepageLimits\":[{\"pageSize\":\"64KB\",\"limit\":1}]",
        "\"network\":{\"classID\":1}",
        "\"rdma\":{\"mlx\":{\"hcaHandles\":1}}",
        "\"unified\":{\"memory.high\":\"1\"}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        char *lx = xasprintf(",\"resources\":{%s}", good[i]);
        GOOD(NULL, NULL, lx);
        free(lx);
    }
}

static void test_rl_spec_validate_resources_pure_checks(void **state)
{
    static const struct {
        const char *json;
        const char *want;
    } cases[] = {
        {"\"memory\":{\"swappiness\":101}",
         "linux.resources.memory.swappiness: 101 is out of range (0..100)"},
        {"\"cpu\":{\"idle\":2}", "linux.resources.cpu.idle: 2 is not 0 or 1"},
        {"\"blockIO\":{\"weight\":9}",
         "linux.resources.blockIO.weight: 9 is out of range (10..1000)"},
        {"\"blockIO\":{\"leafWeight\":1001}",
         "linux.resources.blockIO.leafWeight: 1001 is out of range (10..1000)"},
        {"\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":5}]}",
         "linux.resources.blockIO.weightDevice[0].weight: 5 is out of range (10..1000)"},
        {"\"hugepageLimits\":[{\"pageSize\":\"2M\",\"limit\":1}]",
         "linux.resources.hugepageLimits[0].pageSize: \"2M\" is not a page size like \"2MB\" "
         "or \"1GB\""},
        {"\"hugepageLimits\":[{\"pageSize\":\"3MB\",\"limit\":1}]",
         "linux.resources.hugepageLimits[0].pageSize: \"3MB\" is not a page size like \"2MB\" "
         "or \"1GB\""},
        {"\"unified\":{\"../memory.max\":\"1\"}",
         "linux.resources.unified: key \"../memory.max\" must be a file name (no '/', not "
         "\".\" or \"..\")"},
        {"\"unified\":{\"memorymax\":\"1\"}",
         "linux.resources.unified: key \"memorymax\" must be CONTROLLER.PARAMETER"},
        {"\"unified\":{\"cgroup.procs\":\"1\"}",
         "linux.resources.unified: \"cgroup.procs\" is managed by the runtime"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *lx = xasprintf(",\"resources\":{%s}", cases[i].json);
        BAD(NULL, NULL, lx, cases[i].want);
        free(lx);
    }
}

static void test_rl_spec_validate_once_refused_features(void **state)
{
    GOOD(NULL, NULL, ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
    /* implemented since: valid values pass (their own checks are in
     * test_attrs.c; whether the host has AppArmor is checked at create) */
    GOOD(NULL, ",\"apparmorProfile\":\"p\",\"selinuxLabel\":\"l\"", ",\"mountLabel\":\"l\"");
    GOOD(NULL, ",\"apparmorProfile\":\"\",\"selinuxLabel\":\"\"", ",\"mountLabel\":\"\"");
    GOOD(NULL, NULL, ",\"sysctl\":{}");
    GOOD(NULL, NULL, ",\"personality\":{\"domain\":\"LINUX\"}");
    GOOD(NULL, ",\"scheduler\":{\"policy\":\"SCHED_OTHER\"}", NULL);
    GOOD(NULL, ",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\"}", NULL);
    GOOD(NULL, ",\"execCPUAffinity\":{\"initial\":\"0\"}", NULL);
    GOOD(NULL, NULL, ",\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\"}");
    /* intelRdt: checked against the host (resctrl) at create */
    GOOD(NULL, NULL, ",\"intelRdt\":{\"closID\":\"x\",\"schemata\":[\"L3:0=f\"]}");
    GOOD(NULL, ",\"oomScoreAdj\":100,\"noNewPrivileges\":true",
         ",\"maskedPaths\":[\"/proc/kcore\"]");
}

#define SECCOMP(body) ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"" body "}"
#define SYSCALL(body)                                                                              \
    SECCOMP(",\"syscalls\":[{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\"}," body "]")

static void test_rl_spec_validate_seccomp_ok(void **state)
{
    static const char *const actions[] = {
        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",        "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG"};
    for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
        char *lx = xasprintf(",\"seccomp\":{\"defaultAction\":\"%s\",\"syscalls\":[{\"names\":"
                             "[\"mkdir\"],\"action\":\"%s\"}]}",
                             actions[i], actions[(i + 1) % ARRAY_SIZE(actions)]);
        GOOD(NULL, NULL, lx);
        free(lx);
    }
    GOOD(NULL, NULL,
         ",\"seccomp\":{\"defaultErrnoRet\":1,\"defaultAction\":\"SCMP_ACT_ERRNO\","
         "\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\",\"SCMP_ARCH_SH\"],"
         "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}");
    GOOD(NULL, NULL,
         SYSCALL(
             "{\"names\":[\"chmod\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":3,"
             "\"args\":[{\"index\":5,\"value\":1,\"valueTwo\":2,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"));
    GOOD(NULL, NULL,
         SECCOMP(",\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"m\","
                 "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]"));
}

static void test_rl_spec_validate_seccomp_bad(void **state)
{
    BAD(NULL, NULL, ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_FOO\"}",
        "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
    BAD(NULL, NULL, SECCOMP(",\"defaultErrnoRet\":1"),
        "linux.seccomp.defaultAction: SCMP_ACT_ALLOW does not take an errno (errnoRet is only "
        "for SCMP_ACT_ERRNO and SCMP_ACT_TRACE)");
    BAD(NULL, NULL, ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/x\"}",
        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the "
        "runtime's own syscalls after loading would wait for the agent)");
    BAD(NULL, NULL, SECCOMP(",\"architectures\":[\"SCMP_ARCH_X86\",\"x86_64\"]"),
        "linux.seccomp.architectures[1]: unknown architecture \"x86_64\"");
    BAD(NULL, NULL, SECCOMP(",\"flags\":[\"SECCOMP_FILTER_FLAG_NOPE\"]"),
        "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NOPE\"");
    BAD(NULL, NULL, SECCOMP(",\"listenerMetadata\":\"m\""),
        "linux.seccomp.listenerMetadata: must not be set without listenerPath");
    BAD(NULL, NULL, SECCOMP(",\"listenerPath\":\"rel.sock\""),
        "linux.seccomp.listenerPath \"rel.sock\": must be an absolute path");
    BAD(NULL, NULL, SYSCALL("{\"names\":[\"a\"],\"action\":\"SCMP_ACT_FOO\"}"),
        "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\"");
    BAD(NULL, NULL, SYSCALL("{\"names\":[],\"action\":\"SCMP_ACT_KILL\"}"),
        "linux.seccomp.syscalls[1].names: must name at least one syscall");
    BAD(NULL, NULL, SYSCALL("{\"names\":[\"a\"],\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}"),
        "linux.seccomp.syscalls[1].action: SCMP_ACT_KILL does not take an errno (errnoRet is "
        "only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE)");
    BAD(NULL, NULL,
        SYSCALL("{\"names\":[\"a\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":6,"
                "\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}"),
        "linux.seccomp.syscalls[1].args[0].index: 6 is not an argument index (0-5)");
    BAD(NULL, NULL,
        SYSCALL("{\"names\":[\"a\"],\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,"
                "\"value\":0,\"op\":\"SCMP_CMP_EQUAL\"}]}"),
        "linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_EQUAL\"");
    BAD(NULL, NULL, SYSCALL("{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}"),
        "linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY (the agent "
        "receives the notification fd there)");
    BAD(NULL, NULL,
        SECCOMP(",\"listenerPath\":\"/a\",\"syscalls\":[{\"names\":[\"read\",\"write\"],"
                "\"action\":\"SCMP_ACT_NOTIFY\"}]"),
        "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for the write syscall");
}

static void test_rl_spec_validate_default_spec(void **state)
{
    for (int rootless = 0; rootless < 2; rootless++) {
        char *text = rl_spec_default_json(rootless);
        struct rl_error *err = NULL;
        struct rl_spec *s = rl_spec_parse(text, strlen(text), &err);
        assert_non_null(s);
        /* runc's default (with a terminal) validates as it is */
        if (rl_spec_validate(s, &err) < 0)
            fail_msg("default spec (rootless=%d): %s", rootless, err->msg);
        rl_spec_free(s);
        free(text);
    }
}

static void test_rl_spec_validate_full_sample_refused(void **state)
{
    struct rl_error *err = NULL;
    size_t len;
    char *text = rl_read_file_at(AT_FDCWD, RL_TEST_DATA_DIR "/minimal.json", 0, &len, &err);
    assert_non_null(text);
    struct rl_spec *s = rl_spec_parse(text, len, &err);
    assert_non_null(s);
    assert_int_equal(rl_spec_validate(s, &err), 0);
    rl_spec_free(s);
    free(text);
    text = rl_read_file_at(AT_FDCWD, RL_TEST_DATA_DIR "/full.json", 0, &len, &err);
    assert_non_null(text);
    s = rl_spec_parse(text, len, &err);
    assert_non_null(s);
    assert_int_equal(rl_spec_validate(s, &err), -1);
    assert_non_null(err);
    rl_error_free(err);
    rl_spec_free(s);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_spec_validate_minimal_ok),
        cmocka_unit_test(test_rl_spec_validate_oci_version),
        cmocka_unit_test(test_rl_spec_validate_root),
        cmocka_unit_test(test_rl_spec_validate_process),
        cmocka_unit_test(test_rl_spec_validate_capabilities),
        cmocka_unit_test(test_rl_spec_validate_rlimits),
        cmocka_unit_test(test_rl_spec_validate_namespaces),
        cmocka_unit_test(test_rl_spec_validate_user_namespace),
        cmocka_unit_test(test_rl_spec_validate_time_offsets),
        cmocka_unit_test(test_rl_spec_validate_hostname),
        cmocka_unit_test(test_rl_spec_validate_mounts),
        cmocka_unit_test(test_rl_spec_validate_idmap_mounts),
        cmocka_unit_test(test_rl_spec_validate_net_devices),
        cmocka_unit_test(test_rl_spec_validate_devices),
        cmocka_unit_test(test_rl_spec_validate_device_cgroup),
        cmocka_unit_test(test_rl_spec_validate_hooks),
        cmocka_unit_test(test_rl_spec_validate_cgroups_path),
        cmocka_unit_test(test_rl_spec_validate_rootfs_propagation),
        cmocka_unit_test(test_rl_spec_validate_resources_implemented),
        cmocka_unit_test(test_rl_spec_validate_resources_all_accepted),
        cmocka_unit_test(test_rl_spec_validate_resources_pure_checks),
        cmocka_unit_test(test_rl_spec_validate_once_refused_features),
        cmocka_unit_test(test_rl_spec_validate_seccomp_ok),
        cmocka_unit_test(test_rl_spec_validate_seccomp_bad),
        cmocka_unit_test(test_rl_spec_validate_default_spec),
        cmocka_unit_test(test_rl_spec_validate_full_sample_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
