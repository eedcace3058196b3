#!/usr/bin/env bats
# linux.intelRdt and update --l3-cache-schema / --mem-bw-schema: resctrl.
# This machine has no resctrl filesystem, so what is checked here is the
# clear error; the group, schemata and tasks writes are unit-tested
# against a fake resctrl root (tests/unit/test_resctrl.c).
load helpers

resctrl_mounted() { awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); break } }' /proc/self/mountinfo | grep -qx resctrl; }

@test "intelRdt without resctrl: create fails with a clear error, nothing is left" {
	resctrl_mounted && skip "resctrl is mounted here (the missing-resctrl path cannot be tested)"
	update_config '.linux.intelRdt = {closID: "rl-test", l3CacheSchema: "L3:0=f"}'
	run_payload pid
	assert_failure
	refute_match 'pid='
	if is_rustlet; then
		assert_match 'linux.intelRdt: resctrl filesystem is not mounted' "$stderr"
	else
		assert_match 'Intel RDT' "$stderr"
	fi
	[[ -z "$(ls -A "$ROOT")" ]] || fail "state left: $(ls -A "$ROOT")"
}

@test "update --l3-cache-schema / --mem-bw-schema without resctrl: an error, limits unchanged" {
	resctrl_mounted && skip "resctrl is mounted here (the missing-resctrl path cannot be tested)"
	requires cgroup_v1
	update_config '.linux.resources.pids = {limit: 50}'
	start_payload sleep 1000
	local pids
	pids=$(container_cgroup_dir "$CID" pids)
	for flag in --l3-cache-schema=L3:0=f --mem-bw-schema=MB:0=50; do
		run --separate-stderr rt update --pids-limit 60 "$flag" "$CID"
		assert_failure
		if is_rustlet; then
			assert_match 'linux.intelRdt: resctrl filesystem is not mounted' "$stderr"
		else
			assert_match 'Intel RDT' "$stderr"
		fi
		assert_equal "$(cat "$pids/pids.max")" 50
	done
}

@test "features: intelRdt is the runtime's support, whether or not this host has resctrl" {
	is_runc && skip "runc 1.1.5 has no features command"
	run rt features
	assert_success
	assert_equal "$(jq -r .linux.intelRdt.enabled <<<"$output")" true
	assert_equal "$(jq -r .linux.intelRdt.schemata <<<"$output")" true
}

@test "intelRdt with resctrl: the init is in the group, which goes with delete" {
	resctrl_mounted || skip "no resctrl filesystem mounted on this host (no Intel RDT / AMD QoS)"
	local root pid
	root=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "resctrl") print $5; break } }' /proc/self/mountinfo | head -n1)
	update_config '.linux.intelRdt = {}'
	start_payload sleep 1000
	pid=$(state_field "$CID" .pid)
	grep -qx "$pid" "$root/$CID/tasks"
	run rt delete --force "$CID"
	assert_success
	[[ ! -d "$root/$CID" ]]
}
