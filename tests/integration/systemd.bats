#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup), as Docker, podman and the
# kubelet use it on systemd hosts: a transient scope in the cgroupsPath's
# slice, limits as unit properties and in the files, update through
# SetUnitProperties, delete stopping the unit. Needs systemd as PID 1 on a
# pure cgroup v2 host: the VM tier (tests/vm/run) boots one; elsewhere only
# the refusal tests run.
load helpers

setup() {
	rl_setup
	UNIT=rltest-$CID.scope
}

teardown() {
	rl_teardown || return 1
	if [[ -d /run/systemd/system ]]; then
		local st
		st=$(systemctl show -p LoadState --value "$UNIT" 2>/dev/null)
		[[ "$st" == not-found || -z "$st" ]] || fail "unit $UNIT left behind ($st)"
	fi
}

needs_systemd() {
	[[ -d /run/systemd/system ]] || skip "systemd is not PID 1 here (the VM tier boots it)"
	requires cgroup_v2_only
}

prop() { systemctl show -p "$2" --value "$1"; }
scope_dir() { echo "/sys/fs/cgroup$(prop "$1" ControlGroup)"; }
cg_of_pid() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

@test "systemd: without systemd as PID 1, --systemd-cgroup fails with one line" {
	[[ ! -d /run/systemd/system ]] || skip "systemd is running here"
	run --separate-stderr rt --systemd-cgroup list
	assert_failure
	assert_equal "$stderr" "rustlet: --systemd-cgroup: systemd is not running on this host (no /run/systemd/system); use the cgroupfs driver"
	run --separate-stderr rt --cgroup-manager=systemd list
	assert_failure
	assert_match "systemd is not running on this host" "$stderr"
}

@test "systemd: cgroupfs refuses a slice:prefix:name cgroupsPath and says which driver takes it" {
	update_config '.linux.cgroupsPath = "system.slice:rltest:x"'
	set_args rl-payload sleep 100
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match 'linux.cgroupsPath "system.slice:rltest:x": the form slice:prefix:name needs the systemd cgroup driver \(--systemd-cgroup\)' "$stderr"
	[[ ! -e $ROOT/$CID ]] || fail "state left"
}

@test "systemd: the container is a delegated scope in its slice with the limits as properties" {
	needs_systemd
	update_config '.linux.cgroupsPath = "system.slice:rltest:" + $c
		| .linux.resources.memory = {limit: 67108864, reservation: 16777216}
		| .linux.resources.pids = {limit: 42}
		| .linux.resources.cpu = {shares: 512, quota: 50000, period: 100000}' --arg c "$CID"
	set_args rl-payload sleep 1000
	rt_bg --systemd-cgroup create --bundle "$BUNDLE" "$CID"
	assert_success
	pid=$(state_field "$CID" .pid)
	assert_equal "$(cg_of_pid "$pid")" "/system.slice/$UNIT"
	assert_equal "$(prop "$UNIT" ActiveState)" active
	assert_equal "$(prop "$UNIT" Slice)" system.slice
	assert_equal "$(prop "$UNIT" Delegate)" yes
	assert_equal "$(prop "$UNIT" MemoryMax)" 67108864
	assert_equal "$(prop "$UNIT" MemoryLow)" 16777216
	assert_equal "$(prop "$UNIT" TasksMax)" 42
	assert_equal "$(prop "$UNIT" CPUWeight)" 20
	assert_equal "$(prop "$UNIT" CPUQuotaPerSecUSec)" 500ms
	d=$(scope_dir "$UNIT")
	assert_equal "$(cat "$d/memory.max")" 67108864
	assert_equal "$(cat "$d/pids.max")" 42
	assert_equal "$(cat "$d/cpu.max")" "50000 100000"
	assert_equal "$(cat "$d/cpu.weight")" 20
	run systemctl status "$UNIT" --no-pager
	assert_match "rustlet container $CID" "$output"
	run --separate-stderr rt start "$CID"
	assert_success
	# the process sees its own limit at the root of its cgroup namespace
	run rt exec "$CID" cat /sys/fs/cgroup/memory.max
	assert_success
	assert_equal "$output" 67108864
	# an exec'd process joins the scope
	rt_bg exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" rl-payload sleep 1000
	assert_success
	assert_equal "$(cg_of_pid "$(cat "$BATS_TEST_TMPDIR/exec.pid")")" "/system.slice/$UNIT"
}

@test "systemd: daemon-reload keeps the limits (they are the unit's properties)" {
	needs_systemd
	update_config '.linux.cgroupsPath = "system.slice:rltest:" + $c
		| .linux.resources.memory = {limit: 67108864}
		| .linux.resources.pids = {limit: 42}' --arg c "$CID"
	set_args rl-payload sleep 1000
	rt_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
	assert_success
	systemctl daemon-reload
	d=$(scope_dir "$UNIT")
	assert_equal "$(cat "$d/memory.max")" 67108864
	assert_equal "$(cat "$d/pids.max")" 42
}

@test "systemd: update sets the unit's properties and the files, and survives daemon-reload" {
	needs_systemd
	update_config '.linux.cgroupsPath = "system.slice:rltest:" + $c
		| .linux.resources.memory = {limit: 67108864}
		| .linux.resources.pids = {limit: 42}' --arg c "$CID"
	set_args rl-payload sleep 1000
	rt_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr rt update --memory 134217728 --pids-limit 77 --cpu-share 1024 "$CID"
	assert_success
	assert_equal "$(prop "$UNIT" MemoryMax)" 134217728
	assert_equal "$(prop "$UNIT" TasksMax)" 77
	assert_equal "$(prop "$UNIT" CPUWeight)" 39
	systemctl daemon-reload
	d=$(scope_dir "$UNIT")
	assert_equal "$(cat "$d/memory.max")" 134217728
	assert_equal "$(cat "$d/pids.max")" 77
	assert_equal "$(cat "$d/cpu.weight")" 39
}

@test "systemd: pause, resume, events --stats and kill --all work on the scope" {
	needs_systemd
	update_config '.linux.cgroupsPath = "system.slice:rltest:" + $c
		| .linux.resources.memory = {limit: 67108864}' --arg c "$CID"
	set_args rl-payload sleep 1000
	rt_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
	assert_success
	d=$(scope_dir "$UNIT")
	run rt pause "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .status)" paused
	assert_equal "$(cat "$d/cgroup.freeze")" 1
	run rt resume "$CID"
	assert_success
	assert_equal "$(cat "$d/cgroup.freeze")" 0
	run --separate-stderr rt events --stats "$CID"
	assert_success
	assert_equal "$(jq -r .data.memory.usage.limit <<<"$output")" 67108864
	pid=$(state_field "$CID" .pid)
	run rt kill --all "$CID" KILL
	assert_success
	wait_status "$CID" stopped
	run rt delete "$CID"
	assert_success
	wait_for bash -c "[[ \$(systemctl show -p LoadState --value $UNIT) == not-found ]]"
	[[ ! -d $d ]] || fail "scope directory $d left"
}

@test "systemd: delete stops the unit and its cgroup goes; a nested slice is expanded" {
	needs_systemd
	update_config '.linux.cgroupsPath = "rltest-a.slice:rltest:" + $c' --arg c "$CID"
	set_args rl-payload sleep 1000
	rt_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
	assert_success
	pid=$(state_field "$CID" .pid)
	assert_equal "$(cg_of_pid "$pid")" "/rltest.slice/rltest-a.slice/$UNIT"
	d=$(scope_dir "$UNIT")
	run --separate-stderr rt delete --force "$CID"
	assert_success
	assert_equal "$(systemctl show -p LoadState --value "$UNIT")" not-found
	[[ ! -d $d ]] || fail "scope directory $d left"
	pid_alive "$pid" && fail "init $pid still alive"
	systemctl stop rltest-a.slice rltest.slice
}

@test "systemd: an empty cgroupsPath is system.slice:rustlet:<id>" {
	needs_systemd
	update_config 'del(.linux.cgroupsPath)'
	set_args rl-payload sleep 1000
	UNIT=rustlet-$CID.scope
	rt_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
	assert_success
	assert_equal "$(cg_of_pid "$(state_field "$CID" .pid)")" "/system.slice/$UNIT"
	assert_equal "$(prop "$UNIT" Delegate)" yes
}

@test "systemd: a unit that exists already is an error naming it, and the other container is untouched" {
	needs_systemd
	update_config '.linux.cgroupsPath = "system.slice:rltest:" + $c' --arg c "$CID"
	set_args rl-payload sleep 1000
	rt_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
	assert_success
	pid=$(state_field "$CID" .pid)
	rt_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$CID-2"
	assert_failure
	assert_match "systemd: StartTransientUnit $UNIT: org.freedesktop.systemd1.UnitExists" "$stderr"
	[[ ! -e $ROOT/$CID-2 ]] || fail "state of the failed container left"
	pid_alive "$pid" || fail "the first container died"
	assert_equal "$(prop "$UNIT" ActiveState)" active
}

@test "systemd: a cgroupsPath not of the form slice:prefix:name is refused before anything starts" {
	needs_systemd
	update_config '.linux.cgroupsPath = "/rltest/" + $c' --arg c "$CID"
	set_args rl-payload sleep 1000
	rt_bg --systemd-cgroup create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match "expected \"slice:prefix:name\" for the systemd cgroup driver" "$stderr"
	update_config '.linux.cgroupsPath = "system:rltest:" + $c' --arg c "$CID"
	rt_bg --systemd-cgroup create --bundle "$BUNDLE" "$CID"
	assert_failure
	assert_match '"system" is not a slice name' "$stderr"
}

@test "systemd: kill -9 of rustlet after the unit started leaves nothing after delete --force" {
	needs_systemd
	# the createRuntime hook runs after the scope exists: stop there
	update_config '.linux.cgroupsPath = "system.slice:rltest:" + $c
		| .hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo $$ >" + $m + "; exec sleep 600"]}]' \
		--arg c "$CID" --arg m "$BATS_TEST_TMPDIR/hook.pid"
	set_args rl-payload sleep 1000
	"$RUNTIME" --root "$ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$CID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR" 3>&- &
	rtpid=$!
	wait_for test -s "$BATS_TEST_TMPDIR/hook.pid"
	assert_equal "$(prop "$UNIT" ActiveState)" active
	kill -9 "$rtpid"
	wait "$rtpid" 2>/dev/null || true
	kill -9 "$(cat "$BATS_TEST_TMPDIR/hook.pid")"
	run --separate-stderr rt delete --force "$CID"
	assert_success
	assert_equal "$(systemctl show -p LoadState --value "$UNIT")" not-found
	[[ ! -e $ROOT/$CID ]] || fail "state left"
}
