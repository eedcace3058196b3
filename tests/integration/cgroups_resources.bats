#!/usr/bin/env bats
# linux.resources beyond the basics (cgroups.bats has memory/cpu/pids):
# every field of the spec, read back from the container's cgroup files on
# the host. Runs inside cgns-exec, so every cgroup lands beneath the tier's
# own cgroup. Controllers this machine lacks are skipped with the reason,
# after checking that rustlet refuses them with an error naming the
# missing hierarchy.
load helpers

cgroup_v2() { [[ -f /sys/fs/cgroup/cgroup.controllers ]]; }
v1_has() { [[ -d /sys/fs/cgroup/$1 ]] || ls -d /sys/fs/cgroup/*,"$1" /sys/fs/cgroup/"$1",* >/dev/null 2>&1; }

# cg_file SUBSYS FILE: FILE of the running container's cgroup in SUBSYS
# (v1 hierarchy name, or "unified" for the cgroup2 directory).
cg_file() {
	local d
	if cgroup_v2; then
		d=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$(state_field "$CID" .pid)/cgroup")
	else
		d=$(container_cgroup_dir "$CID" "$1")
	fi
	cat "$d/$2"
}

# refused_without HIERARCHY: the create must fail naming the hierarchy.
refused_without() {
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match "the $1 controller is not mounted under /sys/fs/cgroup" "$stderr"
}

# A block device for blkio rules: the first disk of /sys/block.
block_dev() {
	local d
	for d in /sys/block/vd* /sys/block/sd* /sys/block/nvme* /sys/block/loop0; do
		[[ -r "$d/dev" ]] && { cat "$d/dev"; return; }
	done
	return 1
}

@test "memory: swappiness, disableOOMKiller, useHierarchy, kernelTCP (v1 files)" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {limit: 67108864, swappiness: 30,
		disableOOMKiller: true, useHierarchy: true, kernelTCP: 16777216}'
	start_payload sleep 100
	assert_equal "$(cg_file memory memory.swappiness)" 30
	assert_match '^oom_kill_disable 1$' "$(cg_file memory memory.oom_control)"
	assert_equal "$(cg_file memory memory.use_hierarchy)" 1
	skip_if_runc "runc 1.1.5 ignores linux.resources.memory.kernelTCP (dropped with kmem)"
	assert_equal "$(cg_file memory memory.kmem.tcp.limit_in_bytes)" 16777216
}

@test "memory.kernel: a warning naming the field where the kernel ignores it, not a failure" {
	log=$BATS_TEST_TMPDIR/log.json
	update_config '.linux.resources.memory = {kernel: 33554432}'
	set_args rl-payload sleep 100
	rt_bg --log "$log" --log-format json create --bundle "$BUNDLE" "$CID"
	assert_success
	if ! cgroup_v2 && [[ "$(cg_file memory memory.kmem.limit_in_bytes 2>/dev/null)" == 33554432 ]]; then
		skip "this kernel still enforces kernel memory limits (Linux < 5.16): applied"
	fi
	# runc warns in its log too ("Kernel memory settings are ignored ...")
	jq -se 'map(select(.level == "warning" and (.msg | test("kernel memory"; "i")))) | length > 0' "$log"
	is_rustlet || return 0
	jq -se 'map(select(.level == "warning" and (.msg |
		test("^linux.resources.memory.kernel: ignored: (the kernel does not enforce|this kernel has no|cgroup v2 has no) kernel memory limit")))) | length == 1' "$log"
	# with --log FILE the warning is on stderr as well
	assert_match 'warning: linux.resources.memory.kernel: ignored: ' "$stderr"
}

@test "memory.kernel and kernelTCP: values the kernel refuses still fail" {
	requires cgroup_v1
	skip_if_runc "runc 1.1.5 ignores kernel and kernelTCP whatever their value"
	[[ -e /sys/fs/cgroup/memory/memory.kmem.limit_in_bytes ]] || skip "no memory.kmem.limit_in_bytes on this kernel"
	update_config '.linux.resources.memory = {kernel: -5}'
	set_args rl-payload sleep 100
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match 'linux.resources.memory.kernel: .*memory.kmem.limit_in_bytes.*Invalid argument' "$stderr"
	[[ -e /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes ]] || return 0
	update_config '.linux.resources.memory = {kernelTCP: -5}'
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match 'linux.resources.memory.kernelTCP: .*memory.kmem.tcp.limit_in_bytes.*Invalid argument' "$stderr"
}

@test "cpu: burst, realtimePeriod, idle" {
	requires cgroup_v1
	[[ -e /sys/fs/cgroup/cpu/cpu.cfs_burst_us ]] || skip "kernel has no cpu.cfs_burst_us (Linux < 5.14)"
	skip_if_runc "runc 1.1.5 does not know cpu.burst (runtime-spec 1.1, runc >= 1.2)"
	update_config '.linux.resources.cpu = {quota: 50000, period: 100000, burst: 20000,
		realtimePeriod: 500000}'
	start_payload sleep 100
	assert_equal "$(cg_file cpu cpu.cfs_quota_us)" 50000
	assert_equal "$(cg_file cpu cpu.cfs_burst_us)" 20000
	assert_equal "$(cg_file cpu cpu.rt_period_us)" 500000
	rt delete --force "$CID"
	skip_if_runc "runc 1.1.5 does not write cpu.idle on cgroup v1"
	[[ -e /sys/fs/cgroup/cpu/cpu.idle ]] || skip "kernel has no v1 cpu.idle (Linux < 5.15)"
	update_config '.linux.resources.cpu = {idle: 1}'
	start_payload sleep 100
	assert_equal "$(cg_file cpu cpu.idle)" 1
}

@test "cpu: realtimeRuntime and realtimePeriod (within the parent's budget)" {
	requires cgroup_v1
	[[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]] || skip "kernel without CONFIG_RT_GROUP_SCHED"
	update_config '.linux.resources.cpu = {realtimeRuntime: 10000, realtimePeriod: 1000000}'
	set_args rl-payload sleep 100
	rt_bg create --bundle "$BUNDLE" "$CID"
	if [[ $(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us) == 0 ]]; then
		# no realtime budget to hand down: the kernel refuses, the error names the file
		assert_failure
		assert_match 'cpu.rt_runtime_us' "$stderr"
		return
	fi
	assert_success
	assert_equal "$(cat "$(container_cgroup_dir "$CID" cpu)/cpu.rt_period_us")" 1000000
	assert_equal "$(cat "$(container_cgroup_dir "$CID" cpu)/cpu.rt_runtime_us")" 10000
}

@test "blockIO: weight, weightDevice and throttles" {
	requires cgroup_v1
	v1_has blkio || skip "no v1 blkio hierarchy"
	dev=$(block_dev) || skip "no block device in /sys/block"
	maj=${dev%:*} min=${dev#*:}
	local w=300
	if [[ ! -e /sys/fs/cgroup/blkio/blkio.weight && ! -e /sys/fs/cgroup/blkio/blkio.bfq.weight ]]; then
		# no CFQ and no BFQ scheduler here (bfq may be a module not loaded):
		# a weight is refused naming the field, the throttles still apply
		update_config '.linux.resources.blockIO = {weight: 300}'
		rt_bg create --bundle "$BUNDLE" "$CID"
		assert_failure
		assert_match 'linux.resources.blockIO.weight: write .*blkio.bfq.weight: No such file or directory' "$stderr"
		w=null
	fi
	update_config '.linux.resources.blockIO = {weight: '"$w"',
		throttleReadBpsDevice: [{major: $maj, minor: $min, rate: 1048576}],
		throttleWriteBpsDevice: [{major: $maj, minor: $min, rate: 2097152}],
		throttleReadIOPSDevice: [{major: $maj, minor: $min, rate: 100}],
		throttleWriteIOPSDevice: [{major: $maj, minor: $min, rate: 200}]}' \
		--argjson maj "$maj" --argjson min "$min"
	start_payload sleep 100
	d=$(container_cgroup_dir "$CID" blkio)
	if [[ -e $d/blkio.weight ]]; then
		assert_equal "$(cat "$d/blkio.weight")" 300
	elif [[ -e $d/blkio.bfq.weight ]]; then
		assert_match '300' "$(cat "$d/blkio.bfq.weight")"
	else
		echo "# no blkio.weight nor blkio.bfq.weight: weight not checked" >&3
	fi
	assert_equal "$(cat "$d/blkio.throttle.read_bps_device")" "$dev 1048576"
	assert_equal "$(cat "$d/blkio.throttle.write_bps_device")" "$dev 2097152"
	assert_equal "$(cat "$d/blkio.throttle.read_iops_device")" "$dev 100"
	assert_equal "$(cat "$d/blkio.throttle.write_iops_device")" "$dev 200"
}

@test "blockIO: weight out of 10..1000 is refused before anything is made" {
	skip_if_runc "runc 1.1.5 passes the weight to the kernel"
	update_config '.linux.resources.blockIO = {weight: 5}'
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match 'linux.resources.blockIO.weight: 5 is out of range \(10..1000\)' "$stderr"
}

@test "blockIO.leafWeight: refused where CFQ is gone" {
	requires cgroup_v1
	skip_if_runc "runc 1.1.5 ignores leafWeight when blkio.leaf_weight is missing"
	[[ ! -e /sys/fs/cgroup/blkio/blkio.leaf_weight ]] || skip "this kernel has CFQ leaf weights"
	update_config '.linux.resources.blockIO = {leafWeight: 200}'
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match 'linux.resources.blockIO.leafWeight: .*blkio.leaf_weight does not exist' "$stderr"
}

@test "hugepageLimits: hugetlb.<size>.limit_in_bytes" {
	requires cgroup_v1
	size=$(ls /sys/kernel/mm/hugepages 2>/dev/null | sed -n '1s/^hugepages-\([0-9]*\)kB$/\1/p')
	[[ -n "$size" ]] || skip "kernel has no hugepages (/sys/kernel/mm/hugepages is empty)"
	if ((size >= 1048576)); then ps="$((size / 1048576))GB"; elif ((size >= 1024)); then ps="$((size / 1024))MB"; else ps="${size}KB"; fi
	update_config '.linux.resources.hugepageLimits = [{pageSize: $ps, limit: 4194304}]' --arg ps "$ps"
	set_args rl-payload sleep 100
	if ! v1_has hugetlb; then
		skip_if_runc "runc 1.1.5 silently skips controllers that are not mounted"
		refused_without hugetlb
		skip "no v1 hugetlb hierarchy on this host (hugetlb is only in cgroup2 here); refusal checked"
	fi
	start_payload sleep 100
	assert_equal "$(cg_file hugetlb "hugetlb.$ps.limit_in_bytes")" 4194304
}

@test "network: classID and priorities" {
	requires cgroup_v1
	update_config '.linux.resources.network = {classID: 1048577, priorities: [{name: "lo", priority: 5}]}'
	set_args rl-payload sleep 100
	if ! v1_has net_cls; then
		skip_if_runc "runc 1.1.5 silently skips controllers that are not mounted"
		refused_without net_cls
		skip "no v1 net_cls/net_prio hierarchies on this host; refusal checked"
	fi
	start_payload sleep 100
	assert_equal "$(cg_file net_cls net_cls.classid)" 1048577
	assert_match '^lo 5$' "$(cg_file net_prio net_prio.ifpriomap)"
}

@test "rdma: rdma.max" {
	requires cgroup_v1
	update_config '.linux.resources.rdma = {"mlx5_0": {hcaHandles: 2, hcaObjects: 100}}'
	set_args rl-payload sleep 100
	if ! v1_has rdma; then
		skip_if_runc "runc 1.1.5 silently skips controllers that are not mounted"
		refused_without rdma
		skip "no v1 rdma hierarchy on this host; refusal checked"
	fi
	skip "rdma hierarchy present but no RDMA device to limit"
}

@test "unified on hybrid: cgroup.* keys go to the cgroup2 directory" {
	[[ -d /sys/fs/cgroup/unified ]] || skip "not a hybrid host"
	skip_if_runc "runc refuses linux.resources.unified unless the host is pure cgroup v2"
	update_config '.linux.resources.unified = {"cgroup.max.descendants": "5"}'
	start_payload sleep 100
	assert_equal "$(cat "$(container_cgroup_dir "$CID" unified)/cgroup.max.descendants")" 5
}

@test "unified on hybrid: a controller the cgroup2 hierarchy lacks is refused" {
	[[ -d /sys/fs/cgroup/unified ]] || skip "not a hybrid host"
	skip_if_runc "runc refuses linux.resources.unified unless the host is pure cgroup v2"
	grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers && skip "cgroup2 has memory here"
	update_config '.linux.resources.unified = {"memory.high": "1000000"}'
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match 'linux.resources.unified\["memory.high"\]: the memory controller is not available in /sys/fs/cgroup/unified/' "$stderr"
}

@test "unified: path tricks in keys are refused" {
	skip_if_runc "runc 1.1.5 refuses unified on hybrid with another message"
	update_config '.linux.resources.unified = {"../cgroup.procs": "1"}'
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match "must be a file name" "$stderr"
}

# A device node the default rules do not allow, bind-mounted in.
kdev_config() { # EXTRA_RULES_JSON
	update_config '.root.readonly = false |
		.mounts = [.mounts[] | select(.destination != "/kdev")] + [{destination: "/kdev", type: "bind", source: "/dev/loop-control", options: ["bind"]}] |
		.linux.resources.devices = [{allow: false, access: "rwm"}] + $e' --argjson e "$1"
	set_args sh -c ': < /kdev && echo R-OK; : <> /kdev && echo RW-OK; echo done'
}

@test "devices: the rules decide who may open a device node (v1 devices controller)" {
	[[ -c /dev/loop-control ]] || skip "no /dev/loop-control"
	requires cgroup_v1
	kdev_config '[]'
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_match 'Operation not permitted' "$stderr"
	refute_match 'R-OK' "$output"
	kdev_config '[{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "r"}]'
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_match 'R-OK' "$output"
	refute_match 'RW-OK' "$output"
}

@test "devices: eBPF program on the cgroup2 directory when no v1 devices hierarchy is mounted" {
	[[ -c /dev/loop-control ]] || skip "no /dev/loop-control"
	[[ -d /sys/fs/cgroup/unified && -d /sys/fs/cgroup/devices ]] || skip "not a hybrid host with a v1 devices hierarchy"
	skip_if_runc "runc needs the v1 devices hierarchy on a hybrid host"
	# Hide the v1 devices hierarchy in a private mount namespace: rustlet
	# then filters devices with the eBPF program on the unified directory.
	nodev() {
		unshare --mount --propagation private -- bash -c \
			'umount -l /sys/fs/cgroup/devices && exec "$@"' nodev \
			timeout 30 "$RUNTIME" --root "$ROOT" "$@"
	}
	kdev_config '[]'
	next_cid
	run --separate-stderr nodev --debug run --bundle "$BUNDLE" "$CID"
	assert_match 'device program of [0-9]+ instructions attached to /sys/fs/cgroup/unified/' "$stderr"
	assert_match "can't open /kdev: Operation not permitted" "$stderr"
	refute_match 'R-OK' "$output"
	kdev_config '[{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "r"}]'
	next_cid
	run --separate-stderr nodev run --bundle "$BUNDLE" "$CID"
	assert_match 'R-OK' "$output"
	refute_match 'RW-OK' "$output"
	assert_match "can't create /kdev: Operation not permitted" "$stderr"
	kdev_config '[{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "rw"}]'
	next_cid
	run --separate-stderr nodev run --bundle "$BUNDLE" "$CID"
	assert_match 'RW-OK' "$output"
	# /dev/null stays usable: the default rules follow the config's
	assert_match 'done' "$output"
}
