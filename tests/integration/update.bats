#!/usr/bin/env bats
# update: new cgroup limits for a running container.
load helpers

# cg_file SUBSYS V1FILE V2FILE: the file's value in the container's cgroup.
cg_file() {
	local d
	d=$(container_cgroup_dir "$CID" "$1")
	if [[ -f "$d/$2" ]]; then cat "$d/$2"; else cat "$(container_cgroup_dir "$CID" unified)/$3"; fi
}

@test "update --memory/--cpu-*/--pids-limit flags reach the cgroup files" {
	requires cgroup_v1
	start_payload sleep 1000
	run rt update --memory 64m --memory-swap 128m --cpu-share 512 --cpu-quota 20000 \
		--cpu-period 100000 --pids-limit 42 "$CID"
	assert_success
	assert_equal "$(cg_file memory memory.limit_in_bytes memory.max)" 67108864
	assert_equal "$(cg_file memory memory.memsw.limit_in_bytes memory.swap.max)" 134217728
	assert_equal "$(cg_file cpu cpu.shares cpu.weight)" 512
	assert_equal "$(cg_file cpu cpu.cfs_quota_us cpu.max)" 20000
	assert_equal "$(cg_file cpu cpu.cfs_period_us cpu.max)" 100000
	assert_equal "$(cg_file pids pids.max pids.max)" 42
}

@test "update --resources FILE and -, only what is given changes" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {limit: 33554432} | .linux.resources.pids = {limit: 10}'
	start_payload sleep 1000
	echo '{"pids": {"limit": 20}}' >"$BATS_TEST_TMPDIR/r.json"
	run rt update --resources "$BATS_TEST_TMPDIR/r.json" "$CID"
	assert_success
	assert_equal "$(cg_file pids pids.max pids.max)" 20
	assert_equal "$(cg_file memory memory.limit_in_bytes memory.max)" 33554432
	run rt update -r - "$CID" <<<'{"memory": {"limit": 50331648}}'
	assert_success
	assert_equal "$(cg_file memory memory.limit_in_bytes memory.max)" 50331648
	assert_equal "$(cg_file pids pids.max pids.max)" 20
}

@test "update: the state keeps the values" {
	is_rustlet || skip "rustlet's state.json layout"
	start_payload sleep 1000
	run rt update --memory 100m --pids-limit 7 "$CID"
	assert_success
	run rt update --cpu-shares 300 "$CID"
	assert_success
	local s=$ROOT/$CID/state.json
	assert_equal "$(jq -c .resources.memory.limit "$s")" 104857600
	assert_equal "$(jq -c .resources.pids.limit "$s")" 7
	assert_equal "$(jq -c .resources.cpu.shares "$s")" 300
	# a later update writes them again: they still hold
	assert_equal "$(cg_file pids pids.max pids.max)" 7
}

@test "update of a stopped container fails; bad values are refused" {
	start_payload sleep 1000
	run rt update --memory lots "$CID"
	assert_failure
	run rt kill "$CID" KILL
	wait_status "$CID" stopped
	run rt update --pids-limit 5 "$CID"
	assert_failure
}
