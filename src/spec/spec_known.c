/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Which parts of config.json rustlet never reads. Unknown properties MUST
 * be ignored (config.md, Extensibility), so the JSON reader's refusals of
 * duplicate keys and escaped NULs stop at them: a value lies in an unknown
 * property when a key on its path is none of the property names that
 * runtime-spec v1.3.0's schema defines (config-schema.json, config-linux.json,
 * defs.json, defs-linux.json). Keys of the free-form maps (annotations,
 * sysctl, unified, rdma, netDevices) are data: a duplicate annotation key
 * stays refused. The names are not per object: a known name in the wrong
 * place (process.hostname) still counts as known, which only keeps a
 * refusal. */
#include "spec_internal.h"
#include "rustlet/utils.h"

#include <stdlib.h>
#include <string.h>

/* sorted (strcmp), for bsearch */
static const char *const known[] = {
    "access",
    "action",
    "additionalGids",
    "allow",
    "ambient",
    "annotations",
    "apparmorProfile",
    "architectures",
    "args",
    "blockIO",
    "boottime",
    "bounding",
    "burst",
    "capabilities",
    "cgroupsPath",
    "checkBeforeUpdate",
    "class",
    "classID",
    "closID",
    "commandLine",
    "consoleSize",
    "containerID",
    "cpu",
    "cpus",
    "createContainer",
    "createRuntime",
    "cwd",
    "deadline",
    "defaultAction",
    "defaultErrnoRet",
    "destination",
    "devices",
    "disableOOMKiller",
    "domain",
    "domainname",
    "effective",
    "enableMonitoring",
    "env",
    "errnoRet",
    "execCPUAffinity",
    "fileMode",
    "final",
    "flags",
    "freebsd",
    "gid",
    "gidMappings",
    "hard",
    "hcaHandles",
    "hcaObjects",
    "height",
    "hooks",
    "hostID",
    "hostname",
    "hugepageLimits",
    "idle",
    "index",
    "inheritable",
    "initial",
    "intelRdt",
    "ioPriority",
    "kernel",
    "kernelTCP",
    "l3CacheSchema",
    "leafWeight",
    "limit",
    "linux",
    "listenerMetadata",
    "listenerPath",
    "major",
    "maskedPaths",
    "memBwSchema",
    "memory",
    "memoryPolicy",
    "mems",
    "minor",
    "mode",
    "monotonic",
    "mountLabel",
    "mounts",
    "name",
    "names",
    "namespaces",
    "nanosecs",
    "netDevices",
    "network",
    "nice",
    "noNewPrivileges",
    "nodes",
    "ociVersion",
    "oomScoreAdj",
    "op",
    "options",
    "pageSize",
    "path",
    "period",
    "permitted",
    "personality",
    "pids",
    "policy",
    "poststart",
    "poststop",
    "prestart",
    "priorities",
    "priority",
    "process",
    "quota",
    "rate",
    "rdma",
    "readonly",
    "readonlyPaths",
    "realtimePeriod",
    "realtimeRuntime",
    "reservation",
    "resources",
    "rlimits",
    "root",
    "rootfsPropagation",
    "runtime",
    "scheduler",
    "schemata",
    "seccomp",
    "secs",
    "selinuxLabel",
    "shares",
    "size",
    "soft",
    "solaris",
    "source",
    "startContainer",
    "swap",
    "swappiness",
    "syscalls",
    "sysctl",
    "terminal",
    "throttleReadBpsDevice",
    "throttleReadIOPSDevice",
    "throttleWriteBpsDevice",
    "throttleWriteIOPSDevice",
    "timeOffsets",
    "timeout",
    "type",
    "uid",
    "uidMappings",
    "umask",
    "unified",
    "useHierarchy",
    "user",
    "username",
    "value",
    "valueTwo",
    "vm",
    "weight",
    "weightDevice",
    "width",
    "windows",
    "zos",
};

static const char *const free_form[] = {"annotations", "netDevices", "rdma", "sysctl", "unified"};

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_known(const char *key)
{
    return bsearch(&key, known, ARRAY_SIZE(known), sizeof(known[0]), cmp_name) != NULL;
}

static bool is_free_form(const char *key)
{
    for (size_t i = 0; i < ARRAY_SIZE(free_form); i++)
        if (strcmp(key, free_form[i]) == 0)
            return true;
    return false;
}

bool sp_json_ignored(const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (keys[i] == NULL)
            continue; /* an array element */
        /* a member of a free-form map (keys[i - 1] names the map) is data */
        if (i > 0 && keys[i - 1] != NULL && is_free_form(keys[i - 1]))
            continue;
        if (!is_known(keys[i]))
            return true;
    }
    return false;
}
