#!/usr/bin/env bats
# Kernel attributes of the container process, read back from inside:
# linux.sysctl, linux.personality, process.scheduler, process.ioPriority,
# process.execCPUAffinity, linux.memoryPolicy, oomScoreAdj/rlimits errors,
# the LSM fields, and masked paths.
load helpers

# runc 1.1.5 predates runtime-spec 1.2 (scheduler, ioPriority, personality,
# execCPUAffinity, memoryPolicy): it ignores these fields, so their effects
# cannot be asserted against it.
skip_runc_lacks() { # FIELD
	skip_if_runc "runc 1.1.5 does not implement $1 (runtime-spec 1.2+), it ignores the field"
}

ncpus() { nproc --all 2>/dev/null || getconf _NPROCESSORS_ONLN; }
numa_nodes() { ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l; }

# ---- sysctl ----------------------------------------------------------------

@test "sysctl: net.* in a new network namespace is written and seen inside" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.core.somaxconn": "321"}'
	run_payload sysctl net.ipv4.ip_forward
	assert_success
	assert_line net.ipv4.ip_forward=1
	run_payload sysctl net.core.somaxconn
	assert_success
	assert_line net.core.somaxconn=321
	# the host's value is untouched
	[[ "$(cat /proc/sys/net/core/somaxconn)" != 321 ]]
}

@test "sysctl: ipc sysctls (kernel.shm*, fs.mqueue.*) in a new ipc namespace" {
	update_config '.linux.sysctl = {"kernel.shmmni": "1234", "fs.mqueue.msg_max": "17", "kernel.shm_rmid_forced": "1"}'
	run_payload sysctl kernel.shmmni
	assert_success
	assert_line kernel.shmmni=1234
	run_payload sysctl fs.mqueue.msg_max
	assert_line fs.mqueue.msg_max=17
	run_payload sysctl kernel.shm_rmid_forced
	assert_line kernel.shm_rmid_forced=1
	[[ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]]
}

@test "sysctl: kernel.domainname in a new uts namespace" {
	update_config '.linux.sysctl = {"kernel.domainname": "attrs.example"}'
	run_payload domainname
	assert_success
	assert_line domainname=attrs.example
}

@test "sysctl: a key with '/' separators (sysctl(8) syntax)" {
	update_config '.linux.sysctl = {"net/ipv4/ip_default_ttl": "42"}'
	run_payload sysctl net.ipv4.ip_default_ttl
	assert_success
	assert_line net.ipv4.ip_default_ttl=42
}

@test "sysctl: a key that is not namespaced is refused" {
	before=$(cat /proc/sys/vm/swappiness)
	update_config '.linux.sysctl = {"vm.swappiness": "7"}'
	run_payload sysctl vm.swappiness
	assert_failure
	if is_rustlet; then assert_match 'linux.sysctl\["vm.swappiness"\]: not namespaced' "$stderr"; fi
	assert_equal "$(cat /proc/sys/vm/swappiness)" "$before"
}

@test "sysctl: net.* without a network namespace is refused" {
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run_payload sysctl net.ipv4.ip_forward
	assert_failure
	if is_rustlet; then assert_match 'linux.sysctl\["net.ipv4.ip_forward"\]: needs a private network namespace' "$stderr"; fi
}

@test "sysctl: ipc keys without an ipc namespace are refused" {
	update_config '.linux.namespaces |= map(select(.type != "ipc"))
		| .linux.sysctl = {"kernel.msgmax": "9000"}'
	run_payload sysctl kernel.msgmax
	assert_failure
	if is_rustlet; then assert_match 'kernel.msgmax.*needs a private ipc namespace' "$stderr"; fi
}

@test "sysctl: net.* with the host's network namespace joined by path is refused" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}' --arg p "/proc/$$/ns/net"
	before=$(cat /proc/sys/net/ipv4/ip_forward)
	run_payload sysctl net.ipv4.ip_forward
	assert_failure
	if is_rustlet; then assert_match "network namespace /proc/$$/ns/net is the host's" "$stderr"; fi
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$before"
}

@test "sysctl: an unknown key fails create with the key and path" {
	update_config '.linux.sysctl = {"net.ipv4.no_such_knob": "1"}'
	run_payload sysctl net.ipv4.ip_forward
	assert_failure
	if is_rustlet; then assert_match 'linux.sysctl\["net.ipv4.no_such_knob"\]: no such sysctl \(/proc/sys/net/ipv4/no_such_knob\)' "$stderr"; fi
}

# ---- personality -----------------------------------------------------------

@test "personality: LINUX32 shows a 32-bit machine in uname" {
	skip_runc_lacks linux.personality
	[[ "$(uname -m)" == x86_64 ]] || skip "LINUX32 mapping checked on x86_64 only (host is $(uname -m))"
	update_config '.linux.personality = {domain: "LINUX32"}'
	run_payload personality
	assert_success
	assert_line domain=LINUX32
	assert_line machine=i686
}

@test "personality: LINUX keeps the native machine" {
	skip_runc_lacks linux.personality
	update_config '.linux.personality = {domain: "LINUX"}'
	run_payload personality
	assert_success
	assert_line domain=LINUX
	assert_line "machine=$(uname -m)"
}

@test "personality: flags and unknown domains are refused" {
	skip_runc_lacks linux.personality
	update_config '.linux.personality = {domain: "LINUX", flags: ["ADDR_NO_RANDOMIZE"]}'
	run_payload personality
	assert_failure
	assert_match 'linux.personality.flags\[0\]' "$stderr"
	update_config '.linux.personality = {domain: "SVR4"}'
	run_payload personality
	assert_failure
	assert_match 'linux.personality.domain: unknown domain "SVR4"' "$stderr"
}

# ---- scheduler -------------------------------------------------------------

@test "scheduler: SCHED_BATCH with nice" {
	skip_runc_lacks process.scheduler
	update_config '.process.scheduler = {policy: "SCHED_BATCH", nice: 7}'
	run_payload sched
	assert_success
	assert_line policy=SCHED_BATCH
	assert_line nice=7
}

@test "scheduler: SCHED_OTHER with a negative nice and RESET_ON_FORK" {
	skip_runc_lacks process.scheduler
	update_config '.process.scheduler = {policy: "SCHED_OTHER", nice: -5, flags: ["SCHED_FLAG_RESET_ON_FORK"]}'
	run_payload sched
	assert_success
	assert_line policy=SCHED_OTHER
	assert_line nice=-5
	assert_line flags=0x1
}

@test "scheduler: SCHED_IDLE" {
	skip_runc_lacks process.scheduler
	update_config '.process.scheduler = {policy: "SCHED_IDLE"}'
	run_payload sched
	assert_success
	assert_line policy=SCHED_IDLE
}

@test "scheduler: SCHED_FIFO priority 10 (or the exact reason it cannot be set here)" {
	skip_runc_lacks process.scheduler
	update_config '.process.scheduler = {policy: "SCHED_FIFO", priority: 10}'
	run_payload sched
	if [[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]]; then
		# CONFIG_RT_GROUP_SCHED: a new cpu cgroup gets cpu.rt_runtime_us = 0
		# and real-time tasks are refused in it (EPERM); rustlet cannot give
		# the cgroup RT time yet (linux.resources.cpu.realtimeRuntime).
		assert_failure
		assert_match 'process.scheduler \(SCHED_FIFO\): sched_setattr .*CONFIG_RT_GROUP_SCHED.*Operation not permitted' "$stderr"
		skip "set-and-read-back not possible here: CONFIG_RT_GROUP_SCHED gives the container's cpu cgroup cpu.rt_runtime_us=0 (the refusal and its message were checked)"
	fi
	assert_success
	assert_line policy=SCHED_FIFO
	assert_line priority=10
}

@test "scheduler: SCHED_DEADLINE (or the exact reason it cannot be set here)" {
	skip_runc_lacks process.scheduler
	update_config '.process.scheduler = {policy: "SCHED_DEADLINE", runtime: 1000000, deadline: 10000000, period: 10000000}'
	run_payload sched
	if [[ $status -ne 0 ]]; then
		assert_match 'process.scheduler \(SCHED_DEADLINE\): sched_setattr' "$stderr"
		skip "SCHED_DEADLINE refused by this kernel/cgroup setup: $(grep -o 'sched_setattr.*' <<<"$stderr")"
	fi
	assert_line policy=SCHED_DEADLINE
	assert_line runtime=1000000
	assert_line deadline=10000000
	assert_line period=10000000
}

@test "scheduler: invalid combinations are refused before anything runs" {
	skip_runc_lacks process.scheduler
	update_config '.process.scheduler = {policy: "SCHED_OTHER", priority: 5}'
	run_payload sched
	assert_failure
	assert_match 'process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority' "$stderr"
	update_config '.process.scheduler = {policy: "SCHED_DEADLINE", runtime: 20000, deadline: 10000}'
	run_payload sched
	assert_failure
	assert_match 'runtime <= deadline' "$stderr"
}

# ---- ioPriority ------------------------------------------------------------

@test "ioPriority: best-effort 3, idle, real-time 2" {
	skip_runc_lacks process.ioPriority
	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 3}'
	run_payload ioprio
	assert_success
	assert_line class=IOPRIO_CLASS_BE
	assert_line priority=3
	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}'
	run_payload ioprio
	assert_success
	assert_line class=IOPRIO_CLASS_IDLE
	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_RT", priority: 2}'
	run_payload ioprio
	assert_success
	assert_line class=IOPRIO_CLASS_RT
	assert_line priority=2
}

@test "ioPriority: priority out of range is refused" {
	skip_runc_lacks process.ioPriority
	update_config '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 8}'
	run_payload ioprio
	assert_failure
	assert_match 'process.ioPriority.priority: 8 is out of range' "$stderr"
}

# ---- execCPUAffinity -------------------------------------------------------

@test "execCPUAffinity: initial only pins the process" {
	skip_runc_lacks process.execCPUAffinity
	update_config '.process.execCPUAffinity = {initial: "0"}'
	run_payload affinity
	assert_success
	assert_line affinity=0
}

@test "execCPUAffinity: final is what the process runs with" {
	skip_runc_lacks process.execCPUAffinity
	(($(ncpus) >= 2)) || skip "needs 2 CPUs to tell initial from final (host has $(ncpus))"
	update_config '.process.execCPUAffinity = {initial: "0", final: "1"}'
	run_payload affinity
	assert_success
	assert_line affinity=1
	update_config '.process.execCPUAffinity = {final: "0-1"}'
	run_payload affinity
	assert_success
	assert_line affinity=0-1
}

@test "execCPUAffinity: a malformed list or an absent CPU fails with the field" {
	skip_runc_lacks process.execCPUAffinity
	update_config '.process.execCPUAffinity = {final: "0-x"}'
	run_payload affinity
	assert_failure
	assert_match 'process.execCPUAffinity.final: "0-x"' "$stderr"
	update_config '.process.execCPUAffinity = {initial: "4000"}'
	run_payload affinity
	assert_failure
	assert_match 'process.execCPUAffinity.initial \("4000"\): sched_setaffinity' "$stderr"
}

# ---- memoryPolicy ----------------------------------------------------------

@test "memoryPolicy: MPOL_BIND, MPOL_INTERLEAVE with STATIC_NODES, MPOL_PREFERRED on node 0" {
	skip_runc_lacks linux.memoryPolicy
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0"}'
	run_payload mempolicy
	assert_success
	assert_line mode=MPOL_BIND
	assert_line nodes=0
	update_config '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0", flags: ["MPOL_F_STATIC_NODES"]}'
	run_payload mempolicy
	assert_success
	assert_line mode=MPOL_INTERLEAVE
	assert_match '^flags=.*MPOL_F_STATIC_NODES'
	update_config '.linux.memoryPolicy = {mode: "MPOL_PREFERRED", nodes: "0"}'
	run_payload mempolicy
	assert_success
	assert_line mode=MPOL_PREFERRED
	assert_line nodes=0
}

@test "memoryPolicy: MPOL_LOCAL and MPOL_DEFAULT" {
	skip_runc_lacks linux.memoryPolicy
	update_config '.linux.memoryPolicy = {mode: "MPOL_LOCAL"}'
	run_payload mempolicy
	assert_success
	assert_line mode=MPOL_LOCAL
	update_config '.linux.memoryPolicy = {mode: "MPOL_DEFAULT"}'
	run_payload mempolicy
	assert_success
	assert_line mode=MPOL_DEFAULT
}

@test "memoryPolicy: MPOL_PREFERRED_MANY and MPOL_WEIGHTED_INTERLEAVE (kernel permitting)" {
	skip_runc_lacks linux.memoryPolicy
	local kv since
	kv=$(uname -r | awk -F. '{ print $1 * 100 + $2 }')
	for m in MPOL_PREFERRED_MANY MPOL_WEIGHTED_INTERLEAVE; do
		update_config '.linux.memoryPolicy = {mode: $m, nodes: "0"}' --arg m "$m"
		run_payload mempolicy
		since=515
		[[ $m == MPOL_WEIGHTED_INTERLEAVE ]] && since=609
		if ((kv < since)); then
			# older kernels refuse the mode: the error says so
			assert_failure
			assert_match "linux.memoryPolicy \\($m.*Invalid argument" "$stderr"
			continue
		fi
		assert_success
		assert_line "mode=$m"
		assert_line nodes=0
	done
}

@test "memoryPolicy: two nodes interleaved" {
	skip_runc_lacks linux.memoryPolicy
	(($(numa_nodes) >= 2)) || skip "needs 2 NUMA nodes (host has $(numa_nodes))"
	update_config '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0-1"}'
	run_payload mempolicy
	assert_success
	assert_line nodes=0-1
}

@test "memoryPolicy: a node that does not exist fails with the field" {
	skip_runc_lacks linux.memoryPolicy
	n=$(numa_nodes)
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: ($n | tostring)}' --argjson n "$((n + 60))"
	run_payload mempolicy
	assert_failure
	assert_match "linux.memoryPolicy \(MPOL_BIND, nodes \"$((n + 60))\"\): set_mempolicy" "$stderr"
	update_config '.linux.memoryPolicy = {mode: "MPOL_BIND"}'
	run_payload mempolicy
	assert_failure
	assert_match 'linux.memoryPolicy.nodes: MPOL_BIND needs at least one node' "$stderr"
}

# ---- oomScoreAdj and rlimits: errors say why -------------------------------

has_cap_sys_resource() {
	local bnd
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	(((0x$bnd >> 24) & 1))
}

@test "oomScoreAdj: lowering it without CAP_SYS_RESOURCE names the field and the capability" {
	has_cap_sys_resource && skip "this host has CAP_SYS_RESOURCE: lowering oom_score_adj would succeed"
	(($(cat /proc/self/oom_score_adj) <= -500)) && skip "the caller's oom_score_adj is already <= -500"
	update_config '.process.oomScoreAdj = -500'
	run_payload oom
	assert_failure
	if is_rustlet; then
		assert_match 'process.oomScoreAdj \(-500\): write /proc/self/oom_score_adj: Permission denied \(lowering oom_score_adj needs CAP_SYS_RESOURCE, which is not in this runtime.s bounding set\)' "$stderr"
	fi
}

@test "rlimits: raising the hard limit says CAP_SYS_RESOURCE is missing" {
	has_cap_sys_resource && skip "this host has CAP_SYS_RESOURCE: raising the limit would succeed"
	hard=$(ulimit -Hn)
	[[ "$hard" != unlimited ]] || skip "RLIMIT_NOFILE hard limit is unlimited here"
	update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 1024, hard: ($h + 1)}]' --argjson h "$hard"
	run_payload rlimits
	assert_failure
	if is_rustlet; then
		assert_match "process.rlimits\[0\] \(RLIMIT_NOFILE soft 1024 hard $((hard + 1))\): setrlimit: Operation not permitted \(raising the hard limit above the current $hard needs CAP_SYS_RESOURCE, which is not in this runtime.s bounding set\)" "$stderr"
	fi
}

# ---- LSMs ------------------------------------------------------------------

apparmor_enabled() { [[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" == Y ]]; }
selinux_enabled() { [[ -e /sys/fs/selinux/enforce ]]; }

@test "apparmorProfile on a host without AppArmor: a clear error naming the field" {
	apparmor_enabled && skip "this host has AppArmor (the disabled-host path cannot be tested)"
	skip_if_runc "runc 1.1.5 silently ignores apparmorProfile when AppArmor is disabled"
	update_config '.process.apparmorProfile = "rl-test-profile"'
	run_payload lsm
	assert_failure
	assert_match 'process.apparmorProfile "rl-test-profile": AppArmor is not enabled on this host' "$stderr"
}

@test "apparmorProfile on a host with AppArmor: the profile is requested" {
	apparmor_enabled || skip "no AppArmor on this host (/sys/module/apparmor/parameters/enabled is not Y)"
	update_config '.process.apparmorProfile = "unconfined"'
	run_payload lsm
	assert_success
	assert_match '^apparmor/current=unconfined'
}

@test "selinuxLabel and mountLabel with SELinux disabled: no-op with a debug line (runc: refused)" {
	selinux_enabled && skip "SELinux is enabled here (the disabled-host path cannot be tested)"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"
		| .linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	set_args rl-payload mounts
	run --separate-stderr rt --debug --log "$BATS_TEST_TMPDIR/log" run --bundle "$BUNDLE" "$CID" </dev/null
	if is_runc; then
		# runc's config validator refuses labels on a host without SELinux;
		# rustlet ignores them (logged), so configs written for SELinux hosts
		# still run here.
		assert_failure
		assert_match 'selinux label is specified in config, but selinux is disabled' "$stderr$(cat "$BATS_TEST_TMPDIR/log")"
		return
	fi
	assert_success
	refute_match 'context='
	if is_rustlet; then
		assert_match 'process.selinuxLabel "system_u:system_r:container_t:s0:c1,c2": SELinux is disabled on this host, label not applied' "$(cat "$BATS_TEST_TMPDIR/log")"
		assert_match 'linux.mountLabel ".*": SELinux is disabled on this host' "$(cat "$BATS_TEST_TMPDIR/log")"
	fi
}

@test "selinuxLabel with SELinux enabled: the process runs with the label" {
	selinux_enabled || skip "SELinux is not enabled on this host (no /sys/fs/selinux): setexeccon and context= mounts cannot be tested"
	label=$(cat /proc/self/attr/current)
	update_config '.process.selinuxLabel = $l' --arg l "$label"
	run_payload lsm
	assert_success
	assert_line "current=$label"
}

# ---- masked paths ----------------------------------------------------------

# The container's /dev is its rootfs's own (no /dev mount, so no devices are
# made): the image decides what /dev/null is, as in the attack.
# The image's own /dev as the container's: bound onto /dev, so the runtime
# makes no device there (without any /dev mount it would replace what the
# image has with real nodes) and masks with whatever the image put at null.
own_dev() {
	update_config '.mounts |= map(select(.destination | startswith("/dev") | not))
		| .mounts += [{"destination": "/dev", "type": "bind", "source": $dev, "options": ["rbind"]}]
		| .linux.maskedPaths = ["/proc/keys"]' --arg dev "$BUNDLE/rootfs/dev"
	rm -f "$BUNDLE/rootfs/dev/null"
}

@test "maskedPaths: a file reads empty, a directory is an empty read-only tmpfs" {
	update_config '.linux.maskedPaths = ["/proc/keys", "/proc/timer_list", "/proc/no-such-file", "/sys/firmware"]'
	run_payload read /proc/keys
	assert_success
	assert_equal "$output" ""
	run_payload stat /proc/keys
	assert_line type=char
	assert_line rdev=1:3
	run_payload ls /sys/firmware
	assert_success
	assert_equal "$output" ""
	run_payload mounts
	assert_match '^/sys/firmware tmpfs ro,'
	run_payload write /sys/firmware/x y
	assert_failure
	assert_line error=EROFS
}

@test "maskedPaths: without a /dev mount the image's /dev/null symlink is replaced by the null device (CVE-2025-31133)" {
	update_config '.mounts |= map(select(.destination | startswith("/dev") | not))
		| .linux.maskedPaths = ["/proc/keys"]'
	rm -f "$BUNDLE/rootfs/dev/null"
	ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
	before=$(cat /proc/sys/kernel/core_pattern)
	run_payload stat /dev/null
	assert_success
	assert_line type=char
	assert_line rdev=1:3
	run_payload read /proc/keys
	assert_success
	assert_equal "$output" ""
	assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$before"
}

@test "maskedPaths: a container /dev/null that is a symlink to a procfs file is refused (CVE-2025-31133)" {
	skip_if_runc "runc 1.1.5 predates the CVE-2025-31133 fix and masks with whatever /dev/null is"
	own_dev
	ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
	before=$(cat /proc/sys/kernel/core_pattern)
	run_payload read /proc/keys
	assert_failure
	assert_match 'linux.maskedPaths\[0\] \(/proc/keys\): /dev/null in the container is not the null device \(char 1:3\) but a symlink' "$stderr"
	assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$before"
}

@test "maskedPaths: a /dev/null that is a regular file, another device, or missing is refused" {
	skip_if_runc "runc 1.1.5 predates the CVE-2025-31133 fix and masks with whatever /dev/null is"
	own_dev
	echo "not a device" >"$BUNDLE/rootfs/dev/null"
	run_payload read /proc/keys
	assert_failure
	assert_match '/dev/null in the container is not the null device \(char 1:3\) but a regular file' "$stderr"
	rm -f "$BUNDLE/rootfs/dev/null"
	mknod "$BUNDLE/rootfs/dev/null" c 1 5
	run_payload read /proc/keys
	assert_failure
	assert_match '/dev/null in the container is not the null device \(char 1:3\) but the character device 1:5' "$stderr"
	rm -f "$BUNDLE/rootfs/dev/null"
	run_payload read /proc/keys
	assert_failure
	assert_match 'linux.maskedPaths\[0\] \(/proc/keys\): open /dev/null to mask with: No such file or directory' "$stderr"
}

@test "maskedPaths: with the real null device of the rootfs's own /dev, masking works" {
	own_dev
	mknod -m 666 "$BUNDLE/rootfs/dev/null" c 1 3
	run_payload read /proc/keys
	assert_success
	assert_equal "$output" ""
}
