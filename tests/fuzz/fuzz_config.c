/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Structure-aware libFuzzer target: the input bytes do not become the JSON
 * text (most byte strings are not JSON, and fuzz_spec spends its time in the
 * tokenizer); they steer a generator that walks the config.json schema
 * (config-schema.json, config-linux.json) and writes a document of its
 * shape: which properties appear, how many array items, and which value
 * each gets, from lists of valid, edge and wrong values per field (and,
 * now and then, a value of the wrong type anywhere). The document goes
 * through rl_spec_parse -> rl_spec_validate -> rl_spec_free, so the fuzzer
 * reaches the validation of every field. Any crash, leak or sanitizer
 * report is a bug. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rustlet/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct gen {
    const uint8_t *p;
    size_t n;
    char *out;
    size_t len, cap;
};

/* The next choice among k (0 once the input is used up). */
static unsigned pick(struct gen *g, unsigned k)
{
    if (k <= 1 || g->n == 0)
        return 0;
    unsigned v = *g->p++;
    g->n--;
    return v % k;
}

static void put(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int w = vsnprintf(g->out + g->len, g->cap - g->len, fmt, ap);
        va_end(ap);
        if (w < 0)
            abort();
        if (g->len + (size_t)w < g->cap) {
            g->len += (size_t)w;
            return;
        }
        g->cap = g->cap * 2 + (size_t)w + 64;
        g->out = realloc(g->out, g->cap);
        if (g->out == NULL)
            abort();
    }
}

enum kind { OBJ, ARR, VAL, MAP };

struct node {
    const char *key;
    enum kind kind;
    const struct node *kids; /* OBJ: properties; ARR: the item (one node) */
    const char *const *vals; /* VAL: JSON literals; MAP: values of the map */
};

#define END                                                                                        \
    {                                                                                              \
        NULL, VAL, NULL, NULL                                                                      \
    }
#define V(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Values of the wrong type or shape, used anywhere now and then. */
static const char *const weird[] = {
    "null",   "[]",           "{}",   "\"\"",        "-1",
    "1e400",  "-0",           "true", "\"\\u0000\"", "18446744073709551616",
    "[null]", "\"x\\ud800\"", NULL};

static const char *const path_vals[] = {
    "\"/\"",           "\"/proc\"", "\"/dev/null\"", "\"relative\"",       "\"/a/../../b\"",
    "\"/test//test\"", "\"\"",      "\"/dev/x/\"",   "\"/sys/fs/cgroup\"", NULL};
static const char *const u32_vals[] = {"0",          "1",  "1000", "65534", "4294967295",
                                       "4294967296", "-1", "1.5",  NULL};
static const char *const i64_vals[] = {
    "0", "1", "-1", "4096", "9223372036854775807", "-9223372036854775808", "1048576", "3.0", NULL};
static const char *const bool_vals[] = {"true", "false", NULL};
static const char *const str_vals[] = {
    "\"a\"", "\"\"", "\"PATH=/bin\"", "\"noequals\"", "\"\\u00e9\"", "\"a b\"", NULL};
static const char *const cap_vals[] = {
    "\"CAP_CHOWN\"",   "\"CAP_SYS_ADMIN\"",          "\"CAP_BOGUS\"",
    "\"cap_net_raw\"", "\"CAP_CHECKPOINT_RESTORE\"", NULL};

static const struct node str_item[] = {{NULL, VAL, NULL, str_vals}, END};
static const struct node path_item[] = {{NULL, VAL, NULL, path_vals}, END};
static const struct node u32_item[] = {{NULL, VAL, NULL, u32_vals}, END};
static const struct node cap_item[] = {{NULL, VAL, NULL, cap_vals}, END};

static const struct node user[] = {{"uid", VAL, NULL, u32_vals},
                                   {"gid", VAL, NULL, u32_vals},
                                   {"umask", VAL, NULL, V("18", "0", "511", "512", "-1")},
                                   {"additionalGids", ARR, u32_item, NULL},
                                   {"username", VAL, NULL, str_vals},
                                   END};
static const struct node caps[] = {
    {"bounding", ARR, cap_item, NULL},    {"effective", ARR, cap_item, NULL},
    {"inheritable", ARR, cap_item, NULL}, {"permitted", ARR, cap_item, NULL},
    {"ambient", ARR, cap_item, NULL},     END};
static const struct node rlimit[] = {
    {"type", VAL, NULL, V("\"RLIMIT_NOFILE\"", "\"RLIMIT_NPROC\"", "\"RLIMIT_BOGUS\"", "\"\"")},
    {"hard", VAL, NULL, V("0", "1024", "18446744073709551615", "-1")},
    {"soft", VAL, NULL, V("0", "1024", "18446744073709551615", "2048")},
    END};
static const struct node rlimit_item[] = {{NULL, OBJ, rlimit, NULL}, END};
static const struct node console[] = {
    {"height", VAL, NULL, u32_vals}, {"width", VAL, NULL, u32_vals}, END};
static const struct node sched[] = {
    {"policy", VAL, NULL, V("\"SCHED_OTHER\"", "\"SCHED_FIFO\"", "\"SCHED_DEADLINE\"", "\"X\"")},
    {"nice", VAL, NULL, V("0", "-20", "19", "20", "-21")},
    {"priority", VAL, NULL, V("0", "1", "99", "100")},
    {"runtime", VAL, NULL, i64_vals},
    {"deadline", VAL, NULL, i64_vals},
    {"period", VAL, NULL, i64_vals},
    {"flags", ARR, str_item, NULL},
    END};
static const struct node process[] = {
    {"terminal", VAL, NULL, bool_vals},
    {"consoleSize", OBJ, console, NULL},
    {"cwd", VAL, NULL, path_vals},
    {"args", ARR, str_item, NULL},
    {"commandLine", VAL, NULL, str_vals},
    {"env", ARR, str_item, NULL},
    {"user", OBJ, user, NULL},
    {"capabilities", OBJ, caps, NULL},
    {"rlimits", ARR, rlimit_item, NULL},
    {"noNewPrivileges", VAL, NULL, bool_vals},
    {"apparmorProfile", VAL, NULL, str_vals},
    {"oomScoreAdj", VAL, NULL, V("0", "-1000", "1000", "1001")},
    {"selinuxLabel", VAL, NULL, str_vals},
    {"scheduler", OBJ, sched, NULL},
    {"ioPriority", OBJ,
     (const struct node[]){{"class", VAL, NULL, V("\"IOPRIO_CLASS_RT\"", "\"IOPRIO_CLASS_X\"")},
                           {"priority", VAL, NULL, V("0", "7", "8", "-1")},
                           END},
     NULL},
    {"execCPUAffinity", OBJ,
     (const struct node[]){{"initial", VAL, NULL, V("\"0\"", "\"0-1\"", "\"1,x\"", "\"\"")},
                           {"final", VAL, NULL, V("\"0-3,7\"", "\"9999\"")},
                           END},
     NULL},
    END};
static const struct node mount_opt_item[] = {
    {NULL, VAL, NULL,
     V("\"rbind\"", "\"ro\"", "\"rro\"", "\"mode=0700\"", "\"idmap\"", "\"size=1k\"",
       "\"nosymfollow\"", "\"bogus\"", "\"rprivate\"")},
    END};
static const struct node idmap[] = {{"containerID", VAL, NULL, u32_vals},
                                    {"hostID", VAL, NULL, u32_vals},
                                    {"size", VAL, NULL, V("1", "0", "65536", "4294967295")},
                                    END};
static const struct node idmap_item[] = {{NULL, OBJ, idmap, NULL}, END};
static const struct node mount2[] = {
    {"destination", VAL, NULL, path_vals},
    {"type", VAL, NULL, V("\"tmpfs\"", "\"bind\"", "\"proc\"", "\"cgroup\"", "\"none\"")},
    {"source", VAL, NULL, path_vals},
    {"options", ARR, mount_opt_item, NULL},
    {"uidMappings", ARR, idmap_item, NULL},
    {"gidMappings", ARR, idmap_item, NULL},
    END};
static const struct node mount_item[] = {{NULL, OBJ, mount2, NULL}, END};
static const struct node ns[] = {
    {"type", VAL, NULL,
     V("\"pid\"", "\"network\"", "\"mount\"", "\"ipc\"", "\"uts\"", "\"user\"", "\"cgroup\"",
       "\"time\"", "\"bogus\"")},
    {"path", VAL, NULL, V("\"/proc/self/ns/net\"", "\"/nonexistent\"", "\"\"")},
    END};
static const struct node ns_item[] = {{NULL, OBJ, ns, NULL}, END};
static const struct node dev_rule[] = {
    {"allow", VAL, NULL, bool_vals},
    {"type", VAL, NULL, V("\"a\"", "\"c\"", "\"b\"", "\"x\"")},
    {"major", VAL, NULL, V("1", "-1", "4294967296")},
    {"minor", VAL, NULL, V("3", "-1")},
    {"access", VAL, NULL, V("\"rwm\"", "\"r\"", "\"\"", "\"rwmx\"")},
    END};
static const struct node dev_rule_item[] = {{NULL, OBJ, dev_rule, NULL}, END};
static const struct node hp[] = {
    {"pageSize", VAL, NULL, V("\"2MB\"", "\"1GB\"", "\"3MB\"", "\"2M\"", "\"\"")},
    {"limit", VAL, NULL, i64_vals},
    END};
static const struct node hp_item[] = {{NULL, OBJ, hp, NULL}, END};
static const struct node weight_dev[] = {{"major", VAL, NULL, V("8", "-1")},
                                         {"minor", VAL, NULL, V("0")},
                                         {"weight", VAL, NULL, V("10", "1000", "0", "1001")},
                                         {"rate", VAL, NULL, i64_vals},
                                         END};
static const struct node weight_dev_item[] = {{NULL, OBJ, weight_dev, NULL}, END};
static const struct node resources[] = {
    {"devices", ARR, dev_rule_item, NULL},
    {"memory", OBJ,
     (const struct node[]){{"limit", VAL, NULL, i64_vals},
                           {"reservation", VAL, NULL, i64_vals},
                           {"swap", VAL, NULL, i64_vals},
                           {"kernel", VAL, NULL, i64_vals},
                           {"kernelTCP", VAL, NULL, i64_vals},
                           {"swappiness", VAL, NULL, V("0", "100", "101")},
                           {"disableOOMKiller", VAL, NULL, bool_vals},
                           {"useHierarchy", VAL, NULL, bool_vals},
                           {"checkBeforeUpdate", VAL, NULL, bool_vals},
                           END},
     NULL},
    {"cpu", OBJ,
     (const struct node[]){{"shares", VAL, NULL, V("1024", "0", "2", "262145")},
                           {"quota", VAL, NULL, i64_vals},
                           {"burst", VAL, NULL, i64_vals},
                           {"period", VAL, NULL, V("100000", "0", "999", "1000001")},
                           {"realtimeRuntime", VAL, NULL, i64_vals},
                           {"realtimePeriod", VAL, NULL, i64_vals},
                           {"cpus", VAL, NULL, V("\"0\"", "\"0-1\"", "\"a\"", "\"3-1\"")},
                           {"mems", VAL, NULL, V("\"0\"", "\"\"")},
                           {"idle", VAL, NULL, V("0", "1", "2")},
                           END},
     NULL},
    {"pids", OBJ, (const struct node[]){{"limit", VAL, NULL, i64_vals}, END}, NULL},
    {"blockIO", OBJ,
     (const struct node[]){{"weight", VAL, NULL, V("10", "1000", "9", "1001")},
                           {"leafWeight", VAL, NULL, V("10", "1000")},
                           {"weightDevice", ARR, weight_dev_item, NULL},
                           {"throttleReadBpsDevice", ARR, weight_dev_item, NULL},
                           {"throttleWriteIOPSDevice", ARR, weight_dev_item, NULL},
                           END},
     NULL},
    {"hugepageLimits", ARR, hp_item, NULL},
    {"network", OBJ,
     (const struct node[]){
         {"classID", VAL, NULL, u32_vals},
         {"priorities", ARR,
          (const struct node[]){{NULL, OBJ,
                                 (const struct node[]){{"name", VAL, NULL, str_vals},
                                                       {"priority", VAL, NULL, u32_vals},
                                                       END},
                                 NULL},
                                END},
          NULL},
         END},
     NULL},
    {"rdma", MAP, NULL, V("{\"hcaHandles\":1,\"hcaObjects\":2}", "{}", "{\"hcaHandles\":-1}")},
    {"unified", MAP, NULL, V("\"max\"", "\"1\"", "1", "\"\"")},
    END};
static const struct node sc_arg[] = {
    {"index", VAL, NULL, V("0", "5", "6", "-1")},
    {"value", VAL, NULL, V("0", "18446744073709551615", "1")},
    {"valueTwo", VAL, NULL, V("0", "1")},
    {"op", VAL, NULL,
     V("\"SCMP_CMP_EQ\"", "\"SCMP_CMP_MASKED_EQ\"", "\"SCMP_CMP_NE\"", "\"SCMP_CMP_X\"")},
    END};
static const struct node sc_arg_item[] = {{NULL, OBJ, sc_arg, NULL}, END};
static const char *const sc_actions[] = {
    "\"SCMP_ACT_ALLOW\"",        "\"SCMP_ACT_ERRNO\"",  "\"SCMP_ACT_KILL\"",
    "\"SCMP_ACT_TRACE\"",        "\"SCMP_ACT_NOTIFY\"", "\"SCMP_ACT_LOG\"",
    "\"SCMP_ACT_KILL_PROCESS\"", "\"SCMP_ACT_X\"",      NULL};
static const struct node sc_rule[] = {
    {"names", ARR,
     (const struct node[]){
         {NULL, VAL, NULL,
          V("\"read\"", "\"clone3\"", "\"faccessat2\"", "\"nosuchcall\"", "\"\"", "\"socket\"")},
         END},
     NULL},
    {"action", VAL, NULL, sc_actions},
    {"errnoRet", VAL, NULL, V("1", "38", "0", "4096", "-1")},
    {"args", ARR, sc_arg_item, NULL},
    END};
static const struct node sc_rule_item[] = {{NULL, OBJ, sc_rule, NULL}, END};
static const struct node seccomp[] = {
    {"defaultAction", VAL, NULL, sc_actions},
    {"defaultErrnoRet", VAL, NULL, V("1", "38", "0")},
    {"architectures", ARR,
     (const struct node[]){{NULL, VAL, NULL,
                            V("\"SCMP_ARCH_X86_64\"", "\"SCMP_ARCH_X86\"", "\"SCMP_ARCH_X32\"",
                              "\"SCMP_ARCH_AARCH64\"", "\"SCMP_ARCH_BOGUS\"")},
                           END},
     NULL},
    {"flags", ARR,
     (const struct node[]){{NULL, VAL, NULL,
                            V("\"SECCOMP_FILTER_FLAG_TSYNC\"", "\"SECCOMP_FILTER_FLAG_LOG\"",
                              "\"SECCOMP_FILTER_FLAG_X\"")},
                           END},
     NULL},
    {"listenerPath", VAL, NULL, path_vals},
    {"listenerMetadata", VAL, NULL, str_vals},
    {"syscalls", ARR, sc_rule_item, NULL},
    END};
static const struct node device[] = {
    {"type", VAL, NULL, V("\"c\"", "\"b\"", "\"u\"", "\"p\"", "\"x\"")},
    {"path", VAL, NULL, path_vals},
    {"major", VAL, NULL, V("1", "0", "-1")},
    {"minor", VAL, NULL, V("3", "-1")},
    {"fileMode", VAL, NULL, V("438", "0", "4095", "65536")},
    {"uid", VAL, NULL, u32_vals},
    {"gid", VAL, NULL, u32_vals},
    END};
static const struct node device_item[] = {{NULL, OBJ, device, NULL}, END};
static const struct node linux_[] = {
    {"namespaces", ARR, ns_item, NULL},
    {"uidMappings", ARR, idmap_item, NULL},
    {"gidMappings", ARR, idmap_item, NULL},
    {"timeOffsets", MAP, NULL, V("{\"secs\":1,\"nanosecs\":0}", "{\"secs\":-1}", "{}")},
    {"devices", ARR, device_item, NULL},
    {"cgroupsPath", VAL, NULL,
     V("\"/a/b\"", "\"rel/x\"", "\"system.slice:docker:x\"", "\"a/../../b\"", "\"\"")},
    {"resources", OBJ, resources, NULL},
    {"rootfsPropagation", VAL, NULL,
     V("\"private\"", "\"rslave\"", "\"unbindable\"", "\"shared\"", "\"bogus\"")},
    {"seccomp", OBJ, seccomp, NULL},
    {"sysctl", MAP, NULL, V("\"1\"", "\"\"", "1")},
    {"maskedPaths", ARR, path_item, NULL},
    {"readonlyPaths", ARR, path_item, NULL},
    {"mountLabel", VAL, NULL, str_vals},
    {"personality", OBJ,
     (const struct node[]){{"domain", VAL, NULL, V("\"LINUX\"", "\"LINUX32\"", "\"X\"")},
                           {"flags", ARR, str_item, NULL},
                           END},
     NULL},
    {"intelRdt", OBJ,
     (const struct node[]){{"closID", VAL, NULL, V("\"c1\"", "\"..\"", "\"a/b\"")},
                           {"l3CacheSchema", VAL, NULL, V("\"L3:0=f\"", "\"\"")},
                           {"memBwSchema", VAL, NULL, V("\"MB:0=50\"")},
                           {"enableMonitoring", VAL, NULL, bool_vals},
                           END},
     NULL},
    {"memoryPolicy", OBJ,
     (const struct node[]){{"mode", VAL, NULL, V("\"MPOL_BIND\"", "\"MPOL_X\"")},
                           {"nodes", VAL, NULL, V("\"0\"", "\"0-1\"", "\"x\"")},
                           {"flags", ARR, str_item, NULL},
                           END},
     NULL},
    {"netDevices", MAP, NULL, V("{\"name\":\"eth1\"}", "{}", "{\"name\":\"../x\"}")},
    END};
static const struct node hook[] = {{"path", VAL, NULL, path_vals},
                                   {"args", ARR, str_item, NULL},
                                   {"env", ARR, str_item, NULL},
                                   {"timeout", VAL, NULL, V("1", "0", "-1")},
                                   END};
static const struct node hook_item[] = {{NULL, OBJ, hook, NULL}, END};
static const struct node hooks[] = {{"prestart", ARR, hook_item, NULL},
                                    {"createRuntime", ARR, hook_item, NULL},
                                    {"createContainer", ARR, hook_item, NULL},
                                    {"startContainer", ARR, hook_item, NULL},
                                    {"poststart", ARR, hook_item, NULL},
                                    {"poststop", ARR, hook_item, NULL},
                                    END};
static const struct node top[] = {
    {"ociVersion", VAL, NULL, V("\"1.3.0\"", "\"1.0.2\"", "\"2.0.0\"", "\"x\"")},
    {"root", OBJ,
     (const struct node[]){{"path", VAL, NULL, V("\"rootfs\"", "\"/\"", "\"\"")},
                           {"readonly", VAL, NULL, bool_vals},
                           END},
     NULL},
    {"process", OBJ, process, NULL},
    {"hostname", VAL, NULL, str_vals},
    {"domainname", VAL, NULL, str_vals},
    {"mounts", ARR, mount_item, NULL},
    {"hooks", OBJ, hooks, NULL},
    {"annotations", MAP, NULL, str_vals},
    {"linux", OBJ, linux_, NULL},
    END};

static void emit(struct gen *g, const struct node *n, int depth);

static void emit_value(struct gen *g, const char *const *vals)
{
    unsigned k = 0;
    while (vals[k])
        k++;
    put(g, "%s", vals[pick(g, k)]);
}

static void emit(struct gen *g, const struct node *n, int depth)
{
    /* one value in 32 has the wrong type */
    if (pick(g, 32) == 0) {
        emit_value(g, weird);
        return;
    }
    switch (n->kind) {
    case VAL:
        emit_value(g, n->vals);
        break;
    case MAP: {
        unsigned items = pick(g, 4);
        put(g, "{");
        for (unsigned i = 0; i < items; i++) {
            put(g, "%s\"k%u.%s\":", i ? "," : "", pick(g, 3), i % 2 ? "max" : "x");
            emit_value(g, n->vals);
        }
        put(g, "}");
        break;
    }
    case ARR: {
        unsigned items = n->kids ? pick(g, 5) : 0;
        put(g, "[");
        for (unsigned i = 0; i < items && depth < 8; i++) {
            if (i)
                put(g, ",");
            emit(g, n->kids, depth + 1);
        }
        put(g, "]");
        break;
    }
    case OBJ: {
        put(g, "{");
        bool first = true;
        for (const struct node *k = n->kids; k->key; k++) {
            /* each property is present with probability 1/2; sometimes twice */
            unsigned c = pick(g, 16);
            unsigned times = c < 8 ? 0 : c == 15 ? 2 : 1;
            for (unsigned t = 0; t < times; t++) {
                put(g, "%s\"%s\":", first ? "" : ",", k->key);
                first = false;
                emit(g, k, depth + 1);
            }
        }
        if (pick(g, 16) == 0)
            put(g, "%s\"unknownProperty\":{\"x\":[1,2]}", first ? "" : ",");
        put(g, "}");
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gen g = {data, size, NULL, 0, 0};
    static const struct node doc = {NULL, OBJ, top, NULL};
    g.cap = 4096;
    g.out = malloc(g.cap);
    if (g.out == NULL)
        abort();
    g.out[0] = '\0';
    emit(&g, &doc, 0);
    struct rl_error *err = NULL;
    struct rl_spec *spec = rl_spec_parse(g.out, g.len, &err);
    if (spec != NULL) {
        (void)rl_spec_validate(spec, &err);
        rl_spec_free(spec);
    }
    rl_error_free(err);
    free(g.out);
    return 0;
}
