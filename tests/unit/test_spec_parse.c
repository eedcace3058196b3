/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "rustlet/spec.h"
#include "rustlet/utils.h"

static struct rl_spec *parse_ok(const char *s)
{
    struct rl_error *err = NULL;
    struct rl_spec *spec = rl_spec_parse(s, strlen(s), &err);
    if (spec == NULL)
        fail_msg("parse failed: %s", err->msg);
    return spec;
}

static void expect_parse_error(const char *s, const char *want)
{
    struct rl_error *err = NULL;
    struct rl_spec *spec = rl_spec_parse(s, strlen(s), &err);
    if (spec != NULL)
        fail_msg("parse of %s succeeded, expected: %s", s, want);
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("got  \"%s\"\nwant \"%s\"", err->msg, want);
    rl_error_free(err);
}

static struct rl_spec *load_full(void)
{
    struct rl_error *err = NULL;
    size_t len;
    char *text = rl_read_file_at(AT_FDCWD, RL_TEST_DATA_DIR "/full.json", 0, &len, &err);
    assert_non_null(text);
    struct rl_spec *s = rl_spec_parse(text, len, &err);
    free(text);
    if (s == NULL)
        fail_msg("full.json: %s", err->msg);
    return s;
}

static void test_rl_spec_parse_full_top_level(void **state)
{
    struct rl_spec *s = load_full();
    assert_string_equal(s->oci_version, "1.3.0");
    assert_true(s->root.present);
    assert_string_equal(s->root.path, "rootfs");
    assert_true(s->root.readonly);
    assert_string_equal(s->hostname, "slartibartfast");
    assert_string_equal(s->domainname, "foobarbaz.test");
    assert_int_equal(s->n_annotations, 2);
    assert_string_equal(s->annotations[1].key, "com.example.key2");
    assert_string_equal(s->annotations[1].value, "value2");
    assert_true(s->has_other_platform);
    assert_int_equal(s->n_mounts, 3);
    assert_string_equal(s->mounts[1].destination, "/dev");
    assert_string_equal(s->mounts[1].type, "tmpfs");
    assert_string_equal(s->mounts[1].source, "tmpfs");
    assert_int_equal(s->mounts[1].n_options, 4);
    assert_string_equal(s->mounts[1].options[3], "size=65536k");
    assert_null(s->mounts[1].options[4]);
    assert_null(s->mounts[0].options);
    assert_int_equal(s->mounts[2].n_uid_mappings, 1);
    assert_int_equal(s->mounts[2].uid_mappings[0].host_id, 100000);
    assert_int_equal(s->mounts[2].uid_mappings[0].size, 65536);
    assert_int_equal(s->mounts[2].n_gid_mappings, 1);
    assert_int_equal(s->mounts[2].gid_mappings[0].host_id, 200000);
    const struct rl_hooks *h = &s->hooks;
    assert_int_equal(h->n_prestart, 2);
    assert_string_equal(h->prestart[0].path, "/usr/bin/fix-mounts");
    assert_int_equal(h->prestart[0].n_args, 2);
    assert_string_equal(h->prestart[0].env[0], "key1=value1");
    assert_false(h->prestart[1].has_timeout);
    assert_null(h->prestart[1].args);
    assert_int_equal(h->n_create_runtime, 1);
    assert_true(h->create_runtime[0].has_timeout);
    assert_int_equal(h->create_runtime[0].timeout, 5);
    assert_string_equal(h->create_container[0].path, "/usr/bin/create-container");
    assert_string_equal(h->start_container[0].path, "/usr/bin/start-container");
    assert_string_equal(h->poststart[0].path, "/usr/bin/notify-start");
    assert_string_equal(h->poststop[0].args[1], "-f");
    rl_spec_free(s);
}

static void test_rl_spec_parse_full_process(void **state)
{
    struct rl_spec *s = load_full();
    const struct rl_process *p = &s->process;
    assert_true(p->present);
    assert_true(p->terminal);
    assert_true(p->has_console_size);
    assert_int_equal(p->console_height, 25);
    assert_int_equal(p->console_width, 80);
    assert_int_equal(p->user.uid, 1000);
    assert_int_equal(p->user.gid, 1001);
    assert_true(p->user.has_umask);
    assert_int_equal(p->user.umask, 18);
    assert_int_equal(p->user.n_additional_gids, 2);
    assert_int_equal(p->user.additional_gids[1], UINT32_MAX);
    assert_string_equal(p->user.username, "winuser");
    assert_int_equal(p->n_args, 3);
    assert_string_equal(p->args[2], "echo hi");
    assert_null(p->args[3]);
    assert_string_equal(p->command_line, "cmd.exe /c echo");
    assert_int_equal(p->n_env, 2);
    assert_string_equal(p->cwd, "/work");
    assert_true(p->capabilities.present);
    assert_true(p->capabilities.has_bounding);
    assert_int_equal(p->capabilities.n_bounding, 2);
    assert_int_equal(p->capabilities.n_effective, 1);
    assert_true(p->capabilities.has_inheritable);
    assert_int_equal(p->capabilities.n_inheritable, 0);
    assert_non_null(p->capabilities.inheritable);
    assert_int_equal(p->capabilities.n_permitted, 3);
    assert_string_equal(p->capabilities.ambient[0], "CAP_CHECKPOINT_RESTORE");
    assert_int_equal(p->n_rlimits, 2);
    assert_string_equal(p->rlimits[0].type, "RLIMIT_NOFILE");
    assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
    assert_true(p->rlimits[0].soft == 1024);
    assert_true(p->rlimits[0].hard == UINT64_MAX);
    assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
    assert_true(p->no_new_privileges);
    assert_string_equal(p->apparmor_profile, "acme_secure_profile");
    assert_true(p->has_oom_score_adj);
    assert_int_equal(p->oom_score_adj, -1000);
    assert_string_equal(p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
    assert_true(p->io_priority.present);
    assert_string_equal(p->io_priority.class_name, "IOPRIO_CLASS_RT");
    assert_int_equal(p->io_priority.priority, 4);
    assert_true(p->scheduler.present);
    assert_string_equal(p->scheduler.policy, "SCHED_DEADLINE");
    assert_true(p->scheduler.has_nice);
    assert_int_equal(p->scheduler.nice, -5);
    assert_int_equal(p->scheduler.priority, 10);
    assert_int_equal(p->scheduler.n_flags, 1);
    assert_true(p->scheduler.has_runtime && p->scheduler.runtime == 1000000);
    assert_true(p->scheduler.has_deadline && p->scheduler.deadline == 2000000);
    assert_true(p->scheduler.has_period && p->scheduler.period == 3000000);
    assert_true(p->exec_cpu_affinity.present);
    assert_string_equal(p->exec_cpu_affinity.initial, "7");
    assert_string_equal(p->exec_cpu_affinity.final, "0-3,7");
    rl_spec_free(s);
}

static void test_rl_spec_parse_full_linux(void **state)
{
    struct rl_spec *s = load_full();
    const struct rl_linux *lx = &s->linux_;
    assert_true(lx->present);
    assert_int_equal(lx->n_namespaces, 8);
    assert_int_equal(lx->namespaces[0].type, RL_NS_PID);
    assert_int_equal(lx->namespaces[1].type, RL_NS_NETWORK);
    assert_string_equal(lx->namespaces[1].path, "/var/run/netns/x");
    assert_null(lx->namespaces[0].path);
    assert_int_equal(lx->namespaces[7].type, RL_NS_TIME);
    assert_int_equal(lx->n_uid_mappings, 1);
    assert_int_equal(lx->uid_mappings[0].host_id, 1000);
    assert_int_equal(lx->gid_mappings[0].size, 32000);
    assert_true(lx->time_offsets.present);
    assert_true(lx->time_offsets.has_boottime);
    assert_true(lx->time_offsets.boottime_secs == INT64_MIN);
    assert_true(lx->time_offsets.boottime_nanosecs == UINT32_MAX);
    assert_true(lx->time_offsets.monotonic_secs == INT64_MAX);
    assert_int_equal(lx->time_offsets.monotonic_nanosecs, 1);
    assert_int_equal(lx->n_devices, 3);
    assert_string_equal(lx->devices[0].path, "/dev/fuse");
    assert_string_equal(lx->devices[0].type, "c");
    assert_true(lx->devices[0].has_major && lx->devices[0].major == 10);
    assert_true(lx->devices[0].has_minor && lx->devices[0].minor == 229);
    assert_true(lx->devices[0].has_file_mode && lx->devices[0].file_mode == 438);
    assert_true(lx->devices[0].has_uid && lx->devices[0].has_gid);
    assert_false(lx->devices[2].has_major);
    assert_true(lx->has_net_devices);
    assert_int_equal(lx->n_net_devices, 1);
    assert_string_equal(lx->net_devices[0].host, "eth0");
    assert_string_equal(lx->net_devices[0].name, "ens4");
    assert_string_equal(lx->cgroups_path, "/myRuntime/myContainer");
    assert_true(lx->has_intel_rdt);
    assert_int_equal(lx->n_sysctl, 2);
    assert_string_equal(lx->sysctl[0].key, "net.ipv4.ip_forward");
    assert_string_equal(lx->rootfs_propagation, "slave");
    assert_true(lx->has_masked_paths);
    assert_int_equal(lx->n_masked_paths, 2);
    assert_int_equal(lx->n_readonly_paths, 1);
    assert_string_equal(lx->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
    assert_true(lx->personality.present);
    assert_string_equal(lx->personality.domain, "LINUX32");
    assert_int_equal(lx->personality.n_flags, 1);
    assert_true(lx->has_memory_policy && lx->memory_policy.present);
    assert_string_equal(lx->memory_policy.mode, "MPOL_INTERLEAVE");
    assert_string_equal(lx->memory_policy.nodes, "2-3");
    assert_string_equal(lx->memory_policy.flags[0], "MPOL_F_STATIC_NODES");
    rl_spec_free(s);
}

static void test_rl_spec_parse_full_resources(void **state)
{
    struct rl_spec *s = load_full();
    const struct rl_resources *r = &s->linux_.resources;
    assert_true(r->present);
    assert_int_equal(r->n_devices, 3);
    assert_false(r->devices[0].allow);
    assert_null(r->devices[0].type);
    assert_string_equal(r->devices[0].access, "rwm");
    assert_false(r->devices[0].has_major);
    assert_true(r->devices[1].allow);
    assert_string_equal(r->devices[1].type, "c");
    assert_true(r->devices[1].has_major && r->devices[1].major == 10);
    assert_true(r->devices[2].has_major && !r->devices[2].has_minor);
    assert_true(r->memory.present);
    assert_true(r->memory.has_limit && r->memory.limit == INT64_MAX);
    assert_true(r->memory.has_reservation && r->memory.reservation == 536870912);
    assert_true(r->memory.has_swap && r->memory.swap == -1);
    assert_true(r->memory.has_kernel && r->memory.kernel == -1);
    assert_true(r->memory.has_kernel_tcp && r->memory.kernel_tcp == -1);
    assert_true(r->memory.has_swappiness && r->memory.swappiness == UINT64_MAX);
    assert_true(r->memory.has_disable_oom_killer && !r->memory.disable_oom_killer);
    assert_true(r->memory.has_use_hierarchy && r->memory.use_hierarchy);
    assert_true(r->memory.has_check_before_update && r->memory.check_before_update);
    assert_true(r->cpu.present);
    assert_true(r->cpu.has_shares && r->cpu.shares == UINT64_MAX);
    assert_true(r->cpu.has_quota && r->cpu.quota == 1000000);
    assert_true(r->cpu.has_burst && r->cpu.burst == 1000);
    assert_true(r->cpu.has_period && r->cpu.period == 500000);
    assert_true(r->cpu.has_realtime_runtime && r->cpu.realtime_runtime == 950000);
    assert_true(r->cpu.has_realtime_period && r->cpu.realtime_period == 1000000);
    assert_string_equal(r->cpu.cpus, "2-3");
    assert_string_equal(r->cpu.mems, "0-7");
    assert_true(r->cpu.has_idle && r->cpu.idle == 1);
    assert_true(r->pids.present && r->pids.limit == 32771);
    assert_true(r->block_io.present);
    assert_true(r->block_io.has_weight && r->block_io.weight == 10);
    assert_true(r->block_io.has_leaf_weight && r->block_io.leaf_weight == 10);
    assert_int_equal(r->block_io.n_weight_device, 2);
    assert_true(r->block_io.weight_device[0].has_leaf_weight);
    assert_int_equal(r->block_io.weight_device[0].leaf_weight, 300);
    assert_false(r->block_io.weight_device[1].has_leaf_weight);
    assert_int_equal(r->block_io.weight_device[1].minor, 16);
    assert_int_equal(r->block_io.throttle_read_bps[0].rate, 600);
    assert_true(r->block_io.throttle_write_bps[0].rate == UINT64_MAX);
    assert_int_equal(r->block_io.throttle_read_iops[0].minor, 32);
    assert_int_equal(r->block_io.throttle_write_iops[0].rate, 301);
    assert_int_equal(r->n_hugepage_limits, 2);
    assert_string_equal(r->hugepage_limits[1].page_size, "64KB");
    assert_int_equal(r->hugepage_limits[0].limit, 209715200);
    assert_true(r->network.present && r->network.has_class_id);
    assert_int_equal(r->network.class_id, 1048577);
    assert_int_equal(r->network.n_priorities, 2);
    assert_string_equal(r->network.priorities[1].name, "eth1");
    assert_int_equal(r->network.priorities[1].priority, 1000);
    assert_int_equal(r->n_rdma, 2);
    assert_string_equal(r->rdma[0].device, "mlx5_1");
    assert_true(r->rdma[0].has_hca_handles && r->rdma[0].hca_handles == 3);
    assert_false(r->rdma[1].has_hca_handles);
    assert_int_equal(r->rdma[1].hca_objects, 1000);
    assert_int_equal(r->n_unified, 2);
    assert_string_equal(r->unified[0].key, "io.max");
    assert_string_equal(r->unified[0].value, "259:0 rbps=2097152");
    rl_spec_free(s);
}

static void test_rl_spec_parse_full_seccomp(void **state)
{
    struct rl_spec *s = load_full();
    const struct rl_seccomp *sc = &s->linux_.seccomp;
    assert_true(sc->present);
    assert_string_equal(sc->default_action, "SCMP_ACT_ERRNO");
    assert_true(sc->has_default_errno_ret && sc->default_errno_ret == 1);
    assert_int_equal(sc->n_architectures, 2);
    assert_string_equal(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG");
    assert_string_equal(sc->listener_path, "/run/seccomp-agent.socket");
    assert_string_equal(sc->listener_metadata, "metadata");
    assert_int_equal(sc->n_syscalls, 2);
    assert_int_equal(sc->syscalls[0].n_names, 2);
    assert_false(sc->syscalls[0].has_errno_ret);
    assert_true(sc->syscalls[1].has_errno_ret && sc->syscalls[1].errno_ret == 38);
    assert_int_equal(sc->syscalls[1].n_args, 2);
    assert_true(sc->syscalls[1].args[1].value == UINT64_MAX);
    assert_true(sc->syscalls[1].args[1].has_value_two);
    assert_int_equal(sc->syscalls[1].args[1].value_two, 4);
    assert_string_equal(sc->syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ");
    assert_false(sc->syscalls[1].args[0].has_value_two);
    rl_spec_free(s);
}

static void test_rl_spec_parse_minimal_defaults(void **state)
{
    struct rl_spec *s = parse_ok("{\"ociVersion\":\"1.0.0\"}");
    assert_false(s->root.present);
    assert_false(s->process.present);
    assert_false(s->linux_.present);
    assert_null(s->mounts);
    assert_int_equal(s->n_mounts, 0);
    assert_false(s->has_other_platform);
    rl_spec_free(s);
    /* nulls are treated as absent */
    s = parse_ok("{\"ociVersion\":\"1.0.0\",\"hostname\":null,\"linux\":null}");
    assert_null(s->hostname);
    assert_false(s->linux_.present);
    rl_spec_free(s);
}

static void test_rl_spec_parse_unknown_properties_ignored(void **state)
{
    struct rl_spec *s = parse_ok("{\"ociVersion\":\"1.0.0\",\"x\":[{}],\"process\":{\"cwd\":\"/\","
                                 "\"y\":1},\"linux\":{\"z\":{\"a\":true}}}");
    assert_string_equal(s->process.cwd, "/");
    rl_spec_free(s);
}

static void test_rl_spec_parse_uint64_max(void **state)
{
    struct rl_spec *s = parse_ok(
        "{\"ociVersion\":\"1.0.0\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":"
        "\"RLIMIT_AS\",\"soft\":18446744073709551615,\"hard\":18446744073709551615}]},"
        "\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775807,\"swappiness\":"
        "18446744073709551615}}}}");
    assert_true(s->process.rlimits[0].soft == UINT64_MAX);
    assert_true(s->process.rlimits[0].hard == UINT64_MAX);
    assert_true(s->linux_.resources.memory.limit == INT64_MAX);
    assert_true(s->linux_.resources.memory.swappiness == UINT64_MAX);
    rl_spec_free(s);
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":"
                       "\"RLIMIT_AS\",\"soft\":18446744073709551616,\"hard\":1}]}}",
                       "process.rlimits[0].soft: expected unsigned 64-bit integer, got "
                       "18446744073709551616");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"limit\":"
                       "9223372036854775808}}}}",
                       "linux.resources.memory.limit: expected 64-bit integer, got "
                       "9223372036854775808");
}

static void test_rl_spec_parse_bad_types(void **state)
{
    expect_parse_error("{\"ociVersion\":1}", "ociVersion: expected string, got number");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"memory\":{\"limit\":"
                       "\"1G\"}}}}",
                       "linux.resources.memory.limit: expected integer, got string");
    expect_parse_error("{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/a\"},{"
                       "\"destination\":\"/b\"},{\"destination\":7}]}",
                       "mounts[2].destination: expected string, got number");
    expect_parse_error("{\"ociVersion\":\"1\",\"mounts\":{}}",
                       "mounts: expected array, got object");
    expect_parse_error("{\"ociVersion\":\"1\",\"mounts\":[\"/x\"]}",
                       "mounts[0]: expected object, got string");
    expect_parse_error("{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/a\",\"options\":"
                       "[\"ro\",1]}]}",
                       "mounts[0].options[1]: expected string, got number");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"terminal\":\"yes\"}}",
                       "process.terminal: expected boolean, got string");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":-1}}}",
                       "process.user.uid: expected unsigned 32-bit integer, got -1");
    expect_parse_error(
        "{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":1.5}}}",
        "process.user.gid: expected unsigned 32-bit integer, got 1.5");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"user\":{"
                       "\"additionalGids\":[1,\"2\"]}}}",
                       "process.user.additionalGids[1]: expected unsigned 32-bit integer, got "
                       "string");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"capabilities\":{"
                       "\"bounding\":\"CAP_KILL\"}}}",
                       "process.capabilities.bounding: expected array, got string");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":"
                       "4294967296}}",
                       "process.oomScoreAdj: expected 32-bit integer, got 4294967296");
    expect_parse_error("{\"ociVersion\":\"1\",\"annotations\":{\"a\":1}}",
                       "annotations.a: expected string, got number");
    expect_parse_error("{\"ociVersion\":\"1\",\"hooks\":{\"poststop\":[{\"path\":\"/x\","
                       "\"timeout\":\"5\"}]}}",
                       "hooks.poststop[0].timeout: expected integer, got string");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"blockIO\":{"
                       "\"weight\":65536}}}}",
                       "linux.resources.blockIO.weight: expected unsigned 16-bit integer, got "
                       "65536");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"seccomp\":{\"defaultAction\":"
                       "\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
                       "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":true,\"op\":\"x\"}]}]"
                       "}}}",
                       "linux.seccomp.syscalls[0].args[0].value: expected integer, got boolean");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"netDevices\":{\"e0\":{},\"e1\":[]}}}",
                       "linux.netDevices[\"e1\"]: expected object, got array");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"netDevices\":{\"e0\":{\"name\":1}}}}",
                       "linux.netDevices[\"e0\"].name: expected string, got number");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"sysctl\":[]}}",
                       "linux.sysctl: expected object, got array");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"resources\":{\"rdma\":{\"mlx\":{"
                       "\"hcaHandles\":-3}}}}}",
                       "linux.resources.rdma.mlx.hcaHandles: expected unsigned 32-bit integer, "
                       "got -3");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"timeOffsets\":{\"boottime\":{"
                       "\"secs\":\"1\"}}}}",
                       "linux.timeOffsets.boottime.secs: expected integer, got string");
    expect_parse_error("[]", "config: expected a JSON object at the top level, got array");
}

static void test_rl_spec_parse_missing_required(void **state)
{
    expect_parse_error("{}", "ociVersion: expected string, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"root\":{}}",
                       "root.path: expected string, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"args\":[\"sh\"]}}",
                       "process.cwd: expected string, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/a\"},{},{}]}",
                       "mounts[1].destination: expected string, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"hooks\":{\"prestart\":[{\"args\":[]}]}}",
                       "hooks.prestart[0].path: expected string, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"path\":\"/x\"}]}}",
                       "linux.namespaces[0].type: expected string, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{"
                       "\"soft\":1,\"hard\":1}]}}",
                       "process.rlimits[0].type: expected string, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":"
                       "\"RLIMIT_CPU\",\"hard\":1}]}}",
                       "process.rlimits[0].soft: expected integer, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":"
                       "\"RLIMIT_CPU\",\"soft\":1}]}}",
                       "process.rlimits[0].hard: expected integer, but it is missing");
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"uidMappings\":[{\"containerID\":0,"
                       "\"hostID\":0}]}}",
                       "linux.uidMappings[0].size: expected integer, but it is missing");
}

static void test_rl_spec_parse_unknown_namespace(void **state)
{
    expect_parse_error("{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{"
                       "\"type\":\"mount\"},{\"type\":\"foo\"}]}}",
                       "linux.namespaces[2].type: unknown namespace type \"foo\"");
}

static void test_rl_spec_parse_rlimit_unknown_resource(void **state)
{
    struct rl_spec *s = parse_ok("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"rlimits\":[{"
                                 "\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":2},{\"type\":"
                                 "\"RLIMIT_RTTIME\",\"soft\":1,\"hard\":2}]}}");
    assert_int_equal(s->process.rlimits[0].resource, -1);
    assert_int_equal(s->process.rlimits[1].resource, RLIMIT_RTTIME);
    rl_spec_free(s);
}

static void test_rl_spec_parse_syntax_error(void **state)
{
    struct rl_error *err = NULL;
    const char *text = "{\n\"ociVersion\": \"1.0.0\",\n\"root\": {,}\n}";
    assert_null(rl_spec_parse(text, strlen(text), &err));
    assert_non_null(strstr(err->msg, "invalid JSON at line 3"));
    rl_error_free(err);
}

static void test_rl_spec_load_missing_file(void **state)
{
    struct rl_error *err = NULL;
    assert_null(rl_spec_load("/nonexistent-bundle", &err));
    assert_string_equal(err->msg,
                        "open /nonexistent-bundle/config.json: No such file or directory");
    rl_error_free(err);
}

static void test_rl_spec_load_bad_json_names_file(void **state)
{
    struct rl_error *err = NULL;
    char dir[] = "/tmp/rl-spec-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/config.json", dir);
    assert_int_equal(rl_write_file_at(AT_FDCWD, path, "{\"ociVersion\": 1}", 17, 0644, &err), 0);
    assert_null(rl_spec_load(dir, &err));
    char *want = xasprintf("%s: ociVersion: expected string, got number", path);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
    err = NULL;
    assert_int_equal(rl_write_file_at(AT_FDCWD, path, "{\"ociVersion\": \"1\"}", 19, 0644, &err),
                     0);
    struct rl_spec *s = rl_spec_load(dir, &err);
    assert_non_null(s);
    rl_spec_free(s);
    unlink(path);
    rmdir(dir);
    free(want);
    free(path);
}

static void test_rl_spec_default_json_parses(void **state)
{
    for (int rootless = 0; rootless < 2; rootless++) {
        char *text = rl_spec_default_json(rootless);
        assert_non_null(text);
        assert_non_null(strstr(text, "\n\t\"ociVersion\": \"1.3.0\",\n"));
        struct rl_spec *s = parse_ok(text);
        assert_true(s->process.terminal);
        assert_int_equal(s->n_mounts, 7);
        assert_int_equal(s->linux_.n_namespaces, 5);
        assert_int_equal(s->linux_.n_masked_paths, 10);
        assert_int_equal(s->linux_.n_readonly_paths, 5);
        assert_int_equal(s->linux_.n_uid_mappings, rootless ? 1 : 0);
        assert_int_equal(s->linux_.resources.n_devices, rootless ? 0 : 1);
        assert_string_equal(s->mounts[5].type, rootless ? "none" : "sysfs");
        assert_int_equal(s->mounts[2].n_options, rootless ? 5 : 6);
        rl_spec_free(s);
        free(text);
    }
}

static void test_rl_ns_type_names(void **state)
{
    static const char *const names[] = {"mount", "pid",  "network", "uts",
                                        "ipc",   "user", "cgroup",  "time"};
    for (int i = 0; i < RL_NS_COUNT; i++) {
        assert_string_equal(rl_ns_type_name((enum rl_ns_type)i), names[i]);
        assert_int_equal(rl_ns_type_from_name(names[i]), i);
    }
    assert_int_equal(rl_ns_type_from_name("net"), -1);
    assert_int_equal(rl_ns_type_from_name(NULL), -1);
    assert_string_equal(rl_ns_type_name(RL_NS_COUNT), "unknown");
}

static void test_rl_spec_namespace_lookup(void **state)
{
    struct rl_spec *s = parse_ok("{\"ociVersion\":\"1\",\"linux\":{\"namespaces\":[{\"type\":"
                                 "\"pid\"},{\"type\":\"network\",\"path\":\"/n\"}]}}");
    assert_non_null(rl_spec_namespace(s, RL_NS_PID));
    assert_string_equal(rl_spec_namespace(s, RL_NS_NETWORK)->path, "/n");
    assert_null(rl_spec_namespace(s, RL_NS_MOUNT));
    assert_null(rl_spec_namespace(NULL, RL_NS_MOUNT));
    rl_spec_free(s);
}

/* rootless mode refuses a config with limits by naming the first one;
 * device rules alone are not limits */
static void test_rl_spec_resources_first_limit_cases(void **state)
{
    (void)state;
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"{}", NULL},
        {"{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}], \"memory\": {}}", NULL},
        {"{\"memory\": {\"limit\": 1048576}}", "linux.resources.memory"},
        {"{\"cpu\": {\"cpus\": \"0\"}}", "linux.resources.cpu"},
        {"{\"pids\": {\"limit\": 10}}", "linux.resources.pids"},
        {"{\"blockIO\": {\"weight\": 100}}", "linux.resources.blockIO"},
        {"{\"unified\": {\"memory.high\": \"1M\"}}", "linux.resources.unified"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rl_error *err = NULL;
        struct rl_resources *r =
            rl_spec_parse_resources(cases[i].json, strlen(cases[i].json), &err);
        if (r == NULL)
            fail_msg("%s: %s", cases[i].json, err->msg);
        const char *got = rl_spec_resources_first_limit(r);
        if (cases[i].want == NULL)
            assert_null(got);
        else
            assert_string_equal(got, cases[i].want);
        rl_spec_resources_free(r);
    }
}

/* Unknown properties MUST be ignored (config.md): duplicate keys and escaped
 * NULs inside one are not refused; in a known property (or an annotation
 * key) they still are. */
static void test_rl_spec_parse_unknown_duplicates_ignored(void **state)
{
    (void)state;
    struct rl_spec *s = parse_ok(
        "{\"ociVersion\":\"1.0.2\",\"x-a\":1,\"x-a\":\"\\u0000\",\"process\":{\"cwd\":\"/\","
        "\"x-p\":{\"k\":1,\"k\":2},\"args\":[\"sh\"]},\"linux\":{\"x-l\":[{\"a\":\"b\\u0000"
        "\"}],\"resources\":{\"memory\":{\"x-m\":1,\"x-m\":1,\"limit\":1048576}},"
        "\"sysctl\":{\"net.x\":\"1\"}},\"mounts\":[{\"destination\":\"/m\",\"x-o\":0,"
        "\"x-o\":0}],\"annotations\":{\"x.y\":\"v\"}}");
    assert_string_equal(s->process.args[0], "sh");
    rl_spec_free(s);
    expect_parse_error("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\",\"cwd\":\"/a\"}}",
                       "process.cwd: duplicate key \"cwd\" (which one applies is undefined): at "
                       "line 1, column 30 and line 1, column 40");
    expect_parse_error("{\"ociVersion\":\"1\",\"annotations\":{\"k\":\"a\",\"k\":\"b\"}}",
                       "annotations.k: duplicate key \"k\" (which one applies is undefined): at "
                       "line 1, column 34 and line 1, column 42");
    expect_parse_error("{\"ociVersion\":\"1\",\"hostname\":\"a\\u0000\"}",
                       "hostname: string with an escaped NUL (\\u0000) at line 1, column 30");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_spec_resources_first_limit_cases),
        cmocka_unit_test(test_rl_spec_parse_full_top_level),
        cmocka_unit_test(test_rl_spec_parse_full_process),
        cmocka_unit_test(test_rl_spec_parse_full_linux),
        cmocka_unit_test(test_rl_spec_parse_full_resources),
        cmocka_unit_test(test_rl_spec_parse_full_seccomp),
        cmocka_unit_test(test_rl_spec_parse_minimal_defaults),
        cmocka_unit_test(test_rl_spec_parse_unknown_properties_ignored),
        cmocka_unit_test(test_rl_spec_parse_uint64_max),
        cmocka_unit_test(test_rl_spec_parse_bad_types),
        cmocka_unit_test(test_rl_spec_parse_missing_required),
        cmocka_unit_test(test_rl_spec_parse_unknown_namespace),
        cmocka_unit_test(test_rl_spec_parse_rlimit_unknown_resource),
        cmocka_unit_test(test_rl_spec_parse_syntax_error),
        cmocka_unit_test(test_rl_spec_load_missing_file),
        cmocka_unit_test(test_rl_spec_load_bad_json_names_file),
        cmocka_unit_test(test_rl_spec_default_json_parses),
        cmocka_unit_test(test_rl_ns_type_names),
        cmocka_unit_test(test_rl_spec_namespace_lookup),
        cmocka_unit_test(test_rl_spec_parse_unknown_duplicates_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
