#!/usr/bin/env bats
# cgroup v2 for real: what a pure unified host (systemd's default on Debian
# 12, Ubuntu 22.04+, Fedora, RHEL 9) does with linux.resources, device rules,
# the freezer, update, events, kill --all and clone3(CLONE_INTO_CGROUP).
# Every test needs a pure cgroup v2 host: the VM tier (tests/vm/run) boots
# one; elsewhere they skip. Each checks the cgroup files from the host and,
# where the kernel enforces a limit, the process hitting it.
load helpers

setup() {
	rl_setup
	requires cgroup_v2_only
}

# cg FILE: FILE of the running container's cgroup, read from the host.
cgdir() { echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$(state_field "$CID" .pid)/cgroup")"; }
cg() { cat "$(cgdir)/$1"; }

@test "v2 memory: limit, reservation, swap and unified memory.high reach their files" {
	update_config '.linux.resources.memory = {limit: 67108864, reservation: 33554432, swap: 100663296}
		| .linux.resources.unified = {"memory.high": "50331648"}'
	start_payload sleep 1000
	assert_equal "$(cg memory.max)" 67108864
	assert_equal "$(cg memory.low)" 33554432
	# the spec's swap is memory+swap; v2's memory.swap.max is swap alone
	assert_equal "$(cg memory.swap.max)" 33554432
	assert_equal "$(cg memory.high)" 50331648
	# the container sees its own limit at the root of its cgroup namespace
	run rt exec "$CID" cat /sys/fs/cgroup/memory.max
	assert_success
	assert_equal "$output" 67108864
}

@test "v2 memory: a process over memory.max is OOM-killed and events reports it" {
	update_config '.linux.resources.memory = {limit: 16777216, swap: 16777216}'
	start_payload sleep 1000
	rt events --interval 10s "$CID" >"$BATS_TEST_TMPDIR/ev.out" 2>&1 &
	KEEP_PIDS+=("$!")
	wait_for grep -q '"type":"stats"' "$BATS_TEST_TMPDIR/ev.out"
	run rt exec "$CID" sh -c 'x=a; while :; do x=$x$x$x$x; done'
	assert_failure 137
	(($(awk '$1 == "oom_kill" {print $2}' "$(cgdir)/memory.events") >= 1)) ||
		fail "memory.events: $(cat "$(cgdir)/memory.events")"
	wait_for grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/ev.out"
}

@test "v2 pids: pids.max is written and fork fails beyond it" {
	update_config '.linux.resources.pids = {limit: 6}'
	start_payload sleep 1000
	assert_equal "$(cg pids.max)" 6
	run --separate-stderr rt exec "$CID" sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; echo all-forked'
	refute_match all-forked "$output"
	assert_match "can't fork|Resource temporarily unavailable" "$stderr"
	(($(awk '$1 == "max" {print $2}' "$(cgdir)/pids.events") >= 1)) ||
		fail "pids.events: $(cat "$(cgdir)/pids.events")"
}

@test "v2 cpu: shares become cpu.weight, quota/period cpu.max, burst cpu.max.burst" {
	update_config '.linux.resources.cpu = {shares: 512, quota: 50000, period: 100000, burst: 20000}'
	start_payload sleep 1000
	# runc's conversion: 1 + (shares - 2) * 9999 / 262142
	assert_equal "$(cg cpu.weight)" 20
	assert_equal "$(cg cpu.max)" "50000 100000"
	assert_equal "$(cg cpu.max.burst)" 20000
}

@test "v2 cpu: idle reaches cpu.idle" {
	update_config '.linux.resources.cpu = {idle: 1}'
	start_payload sleep 1000
	assert_equal "$(cg cpu.idle)" 1
}

@test "v2 cpuset: cpus and mems reach cpuset.cpus/mems and bind the process" {
	update_config '.linux.resources.cpu = {cpus: "0", mems: "0"}'
	start_payload sleep 1000
	assert_equal "$(cg cpuset.cpus)" 0
	assert_equal "$(cg cpuset.mems)" 0
	assert_match '^Cpus_allowed_list:[[:space:]]+0$' "$(grep Cpus_allowed_list "/proc/$(state_field "$CID" .pid)/status")"
}

@test "v2 io: weight becomes io.weight (or io.bfq.weight), throttles io.max" {
	local dev
	dev=$(cat /sys/block/vda/dev 2>/dev/null || cat "$(ls -d /sys/block/*/dev | head -n1)")
	[[ -n $dev ]] || skip "no block device in /sys/block"
	update_config '.linux.resources.blockIO = {weight: 500,
		throttleReadBpsDevice: [{major: $ma, minor: $mi, rate: 1048576}],
		throttleWriteIOPSDevice: [{major: $ma, minor: $mi, rate: 300}]}' \
		--argjson ma "${dev%:*}" --argjson mi "${dev#*:}"
	start_payload sleep 1000
	if [[ -e "$(cgdir)/io.bfq.weight" ]]; then
		assert_match '^default 500$' "$(cg io.bfq.weight | head -n1)"
	else
		# runc's conversion: 1 + (weight - 10) * 9999 / 990
		assert_match '^default 4950$' "$(cg io.weight | head -n1)"
	fi
	assert_match "^$dev rbps=1048576 wbps=max riops=max wiops=300\$" "$(cg io.max)"
}

@test "v2 hugetlb: hugepageLimits reach hugetlb.<size>.max" {
	[[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "kernel has no 2 MB huge pages"
	update_config '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
	start_payload sleep 1000
	assert_equal "$(cg hugetlb.2MB.max)" 4194304
}

@test "v2 unified: keys are written as given, unknown controllers refused" {
	update_config '.linux.resources.unified = {"pids.max": "9", "memory.oom.group": "1"}'
	start_payload sleep 1000
	assert_equal "$(cg pids.max)" 9
	assert_equal "$(cg memory.oom.group)" 1
	rt delete --force "$CID"
	update_config '.linux.resources.unified = {"nosuch.max": "1"}'
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match 'linux.resources.unified' "$stderr"
}

# a bind of /dev/loop-control (10:237) at /kdev, denied unless a rule allows it
kdev_config() { # EXTRA_RULES_JSON
	update_config '.mounts = [.mounts[] | select(.destination != "/kdev")] + [{destination: "/kdev", type: "bind", source: "/dev/loop-control", options: ["bind"]}] |
		.linux.resources.devices = [{allow: false, access: "rwm"}] + $e' --argjson e "$1"
	# subshells: a failed redirection of the special builtin ':' ends the shell
	set_args sh -c '(: < /kdev) && echo R-OK; (: <> /kdev) && echo RW-OK; (: </dev/null) && echo NULL-OK; echo done'
}

@test "v2 devices: the eBPF program lets an allowed node open and denies the rest with EPERM" {
	[[ -c /dev/loop-control ]] || skip "no /dev/loop-control"
	kdev_config '[]'
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_match "can't open /kdev: Operation not permitted" "$stderr"
	refute_match 'R-OK' "$output"
	assert_match 'NULL-OK' "$output"
	kdev_config '[{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "r"}]'
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_match 'R-OK' "$output"
	refute_match 'RW-OK' "$output"
	assert_match "can't create /kdev: Operation not permitted" "$stderr"
	kdev_config '[{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "rw"}]'
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID"
	assert_match 'RW-OK' "$output"
}

count() { wc -l <"$CTR_OUT"; }
count_gt() { (($(count) > $1)); }
frozen_is() { grep -qx "frozen $1" "$(cgdir)/cgroup.events"; }

@test "v2 pause/resume go through cgroup.freeze" {
	set_args sh -c 'while :; do echo tick; usleep 50000; done'
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	wait_for count_gt 1
	run rt pause "$CID"
	assert_success
	assert_equal "$(cg cgroup.freeze)" 1
	wait_for frozen_is 1
	assert_equal "$(state_field "$CID" .status)" paused
	local a
	a=$(count)
	sleep 0.5
	assert_equal "$(count)" "$a"
	run rt resume "$CID"
	assert_success
	assert_equal "$(cg cgroup.freeze)" 0
	wait_for frozen_is 0
	assert_equal "$(state_field "$CID" .status)" running
	wait_for count_gt "$a"
}

@test "v2 update: memory, pids and cpu reach the files of a running container" {
	update_config '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}}'
	start_payload sleep 1000
	run rt update --memory 134217728 --pids-limit 20 --cpu-quota 30000 --cpu-period 100000 "$CID"
	assert_success
	assert_equal "$(cg memory.max)" 134217728
	assert_equal "$(cg pids.max)" 20
	assert_equal "$(cg cpu.max)" "30000 100000"
	echo '{"memory": {"limit": 100663296}, "unified": {"memory.high": "83886080"}}' >"$BATS_TEST_TMPDIR/r.json"
	run rt update --resources "$BATS_TEST_TMPDIR/r.json" "$CID"
	assert_success
	assert_equal "$(cg memory.max)" 100663296
	assert_equal "$(cg memory.high)" 83886080
	assert_equal "$(cg pids.max)" 20
}

@test "v2 events --stats: the figures are the cgroup's files" {
	update_config '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50}'
	start_payload sleep 1000
	run --separate-stderr rt events --stats "$CID"
	assert_success
	assert_equal "$(jq -r .data.memory.usage.limit <<<"$output")" 67108864
	assert_equal "$(jq -r .data.pids.limit <<<"$output")" 50
	assert_equal "$(jq -r .data.pids.current <<<"$output")" "$(cg pids.current)"
	local usage
	usage=$(jq -r .data.memory.usage.usage <<<"$output")
	((usage > 0 && usage < 67108864)) || fail "memory usage $usage"
	(($(jq -r .data.cpu.usage.total <<<"$output") > 0)) || fail "no cpu usage: $output"
	# the raw memory.stat keys are there
	[[ $(jq -r '.data.memory.raw | has("anon")' <<<"$output") == true ]] || fail "no raw memory.stat: $output"
}

@test "v2 kill --all goes through cgroup.kill and every process dies" {
	start_payload sleep 1000
	rt_bg exec -d "$CID" sleep 1000
	assert_success
	rt_bg exec -d "$CID" sh -c 'sleep 1000 & sleep 1000'
	assert_success
	local d
	d=$(cgdir)
	(($(wc -l <"$d/cgroup.procs") >= 4)) || fail "procs: $(cat "$d/cgroup.procs")"
	run --separate-stderr rt --debug kill --all "$CID" KILL
	assert_success
	is_rustlet && assert_match 'cgroup.kill' "$stderr"
	# a systemd scope's directory goes as soon as it is empty
	wait_for bash -c "[[ ! -e $d/cgroup.events ]] || grep -qx 'populated 0' $d/cgroup.events"
	run rt delete "$CID"
	assert_success
	[[ ! -d $d ]] || fail "$d still there after delete"
}

@test "v2 the init is born in its cgroup: clone3(CLONE_INTO_CGROUP), no cgroup.procs write" {
	requires strace
	skip_if_runc "runc 1.1 joins the cgroup after the clone"
	! systemd_driver || skip "a systemd scope is made from the init's pid: it cannot be born in it"
	set_args rl-payload sleep 1000
	strace -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=clone3,openat,write -s 200 \
		"$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$CID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR" 3>&-
	assert_match 'clone3\(.*CLONE_INTO_CGROUP' "$(cat "$BATS_TEST_TMPDIR/trace")"
	refute_match 'cgroup\.procs' "$(grep openat "$BATS_TEST_TMPDIR/trace" | grep -v ENOENT)"
	local pid
	pid=$(state_field "$CID" .pid)
	assert_match "^0::/.*$CID\$" "$(cat "/proc/$pid/cgroup")"
}

@test "v2 nested: a container's cgroupsPath below another container's cgroup" {
	! systemd_driver || skip "cgroupfs paths; systemd.bats has the slice forms"
	update_config '.linux.cgroupsPath = $p' --arg p "/rl-outer-$CID"
	start_payload sleep 1000
	local outer=$CID opid
	opid=$(state_field "$CID" .pid)
	EXTRA_CGROUP_PATTERNS+=("rl-outer-$CID")
	CID=$outer-in
	# the outer cgroup holds a process: v2 gives its children no controllers
	# then, and the error says so
	update_config '.linux.cgroupsPath = $p | .linux.resources.pids = {limit: 7}' --arg p "/rl-outer-$outer/inner"
	set_args rl-payload sleep 1000
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match "holds pid $opid: move its processes into a leaf cgroup first" "$stderr"
	[[ ! -d /sys/fs/cgroup/rl-outer-$outer/inner ]] || fail "inner cgroup left after the failure"
	# what docker-in-docker's entrypoint does: the outer moves into a leaf
	mkdir "/sys/fs/cgroup/rl-outer-$outer/leaf"
	echo "$opid" >"/sys/fs/cgroup/rl-outer-$outer/leaf/cgroup.procs"
	start_payload sleep 1000
	local pid
	pid=$(state_field "$CID" .pid)
	assert_match "^0::/rl-outer-$outer/inner\$" "$(cat "/proc/$pid/cgroup")"
	assert_equal "$(cat /sys/fs/cgroup/rl-outer-$outer/inner/pids.max)" 7
	run rt delete --force "$CID"
	assert_success
	[[ ! -d /sys/fs/cgroup/rl-outer-$outer/inner ]]
	CID=$outer
}
