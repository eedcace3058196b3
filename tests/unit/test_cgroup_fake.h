/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Fake cgroupfs trees for the cgroup unit tests: a mkdtemp directory with a
 * .rustlet-fake-mode file, hierarchy directories and control files created
 * as plain files (the managers never create control files, so a missing one
 * shows up as an error as it would on a real cgroupfs). */
#ifndef TEST_CGROUP_FAKE_H
#define TEST_CGROUP_FAKE_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rustlet/cgroup.h"
#include "rustlet/utils.h"
#include "../../src/cgroup/cgroup_internal.h"

/* /proc/self/cgroup of this machine: memory in its own cgroup. */
static const char fake_self[] = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
                                "4:memory:/process_api/abc\n3:cpuset:/\n2:cpu,cpuacct:/\n0::/\n";

static const char *const fake_v1_hiers[] = {
    "cpu,cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd",
};

static inline char *fake_path(const char *root, const char *rel)
{
    return xasprintf("%s/%s", root, rel);
}

/* Create root/rel (parents too) with the given content. */
static inline void fake_file(const char *root, const char *rel, const char *content)
{
    _cleanup_free_ char *p = fake_path(root, rel);
    _cleanup_free_ char *dir = xstrdup(p);
    *strrchr(dir, '/') = '\0';
    if (rl_mkdir_p(dir, 0755, NULL) < 0)
        abort();
    if (rl_write_file_at(AT_FDCWD, p, content, strlen(content), 0644, NULL) < 0)
        abort();
}

static inline void fake_dir(const char *root, const char *rel)
{
    _cleanup_free_ char *p = fake_path(root, rel);
    if (rl_mkdir_p(p, 0755, NULL) < 0)
        abort();
}

/* Content of root/rel, or "<missing>". Caller frees. */
static inline char *fake_read(const char *root, const char *rel)
{
    _cleanup_free_ char *p = fake_path(root, rel);
    char *s = rl_read_file_at(AT_FDCWD, p, 0, NULL, NULL);
    return s ? s : xstrdup("<missing>");
}

static inline bool fake_exists(const char *root, const char *rel)
{
    _cleanup_free_ char *p = fake_path(root, rel);
    return access(p, F_OK) == 0;
}

/* An empty fake root of the given mode ("v1", "hybrid", "v2"). */
static inline char *fake_root(const char *mode)
{
    char tmpl[] = "/tmp/rl-cgtest-XXXXXX";
    if (mkdtemp(tmpl) == NULL)
        abort();
    char *root = xstrdup(tmpl);
    fake_file(root, ".rustlet-fake-mode", mode);
    unsetenv("RUSTLET_CGROUP_MODE");
    return root;
}

/* v1/hybrid root with every hierarchy of this machine ("cpu,cpuacct"
 * co-mounted) and, for hybrid, "unified". */
static inline char *fake_v1_root(bool hybrid)
{
    char *root = fake_root(hybrid ? "hybrid" : "v1");
    for (size_t i = 0; i < ARRAY_SIZE(fake_v1_hiers); i++)
        fake_dir(root, fake_v1_hiers[i]);
    if (hybrid)
        fake_dir(root, "unified");
    return root;
}

/* The control files of a v1 container cgroup at <hier>/<dir>. */
static inline void fake_v1_files(const char *root, const char *mem_dir, const char *dir)
{
    static const char *const files[][2] = {
        {"memory", "memory.limit_in_bytes"},
        {"memory", "memory.memsw.limit_in_bytes"},
        {"memory", "memory.soft_limit_in_bytes"},
        {"cpu,cpuacct", "cpu.shares"},
        {"cpu,cpuacct", "cpu.cfs_quota_us"},
        {"cpu,cpuacct", "cpu.cfs_period_us"},
        {"cpuset", "cpuset.cpus"},
        {"cpuset", "cpuset.mems"},
        {"pids", "pids.max"},
        {"devices", "devices.allow"},
        {"devices", "devices.deny"},
        {"freezer", "freezer.state"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        bool mem = strcmp(files[i][0], "memory") == 0;
        _cleanup_free_ char *rel =
            xasprintf("%s%s/%s", files[i][0], mem ? mem_dir : dir, files[i][1]);
        fake_file(root, rel, "");
    }
}

static inline void fake_cleanup(char *root)
{
    rl_rm_rf(root, NULL);
    free(root);
}

static inline const struct cg_hier *fake_hier(const struct rl_cgroup *cg, const char *name)
{
    struct cg_priv *p = cg->priv;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->h[i].name, name) == 0)
            return &p->h[i];
    return NULL;
}

/* Assert-friendly: the dir of hierarchy name, or "<none>". */
static inline const char *fake_hdir(const struct rl_cgroup *cg, const char *name)
{
    const struct cg_hier *h = fake_hier(cg, name);
    return h ? h->dir : "<none>";
}

#endif
