#!/usr/bin/env bats
# Damaged state (issue 16): state.json empty, truncated, garbage, a
# directory, missing, null, of the wrong types, a FIFO, a symlink to
# /dev/zero, naming an unrelated process, and a full disk. In every case
# no command hangs or reads without bound, `state` fails with the reason,
# `list` shows the container as "unknown", plain `delete` refuses, and
# `delete --force` kills the container (never the unrelated process) and
# leaves no process, cgroup or state behind.
load helpers

# Every call is bounded: a hang shows up as status 124, not as a stuck suite.
RL_CALL_TIMEOUT=10

setup() {
	rl_setup
	SMALL=
	is_rustlet || skip "rustlet's state.json and init.json"
}

teardown() {
	local r=0
	[[ -n "${SMALL:-}" ]] && rm -f "$SMALL/fill"
	rl_teardown || r=$?
	if [[ -n "${SMALL:-}" ]] && mountpoint -q "$SMALL"; then
		umount "$SMALL"
	fi
	return $r
}

# A running container, its init pid ($PID) and cgroup directories, and an
# unrelated host process ($BYSTANDER) that must survive everything.
start_victim() {
	start_payload wait-signal
	wait_output '^ready$'
	PID=$(state_field "$CID" .pid)
	pid_alive "$PID"
	[[ -n "$(cgroup_dirs "$CID")" ]] || fail "no cgroup directory for $CID"
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	BYSTANDER=$!
	KEEP_PIDS+=("$BYSTANDER")
	STATE=$ROOT/$CID/state.json
}

# Nothing of the container is left; the bystander still runs.
assert_clean() {
	wait_for eval '! pid_alive "$PID"'
	wait_for eval '[[ -z "$(procs_in_rootfs)" ]]'
	wait_for eval '[[ -z "$(cgroup_dirs "$CID")" ]]'
	[[ ! -e "$ROOT/$CID" && ! -L "$ROOT/$CID" ]] || fail "state dir left: $(ls -la "$ROOT/$CID")"
	pid_alive "$BYSTANDER" || fail "the unrelated process $BYSTANDER was killed"
}

# check_damaged REASON_ERE: every command on the damaged container, then
# delete --force and the residue check.
check_damaged() {
	local why=$1
	run --separate-stderr rt state "$CID"
	assert_failure 1
	assert_match "damaged state: $ROOT/$CID.*$why" "$stderr"
	assert_match "only delete --force can remove the container" "$stderr"

	run --separate-stderr rt list
	assert_success
	assert_equal "$(awk -v id="$CID" '$1 == id { print $3 }' <<<"$output")" unknown
	assert_match "list: container $CID: damaged state: .*$why" "$stderr"
	run --separate-stderr rt list --format json
	assert_success
	jq -e --arg id "$CID" --arg why "$why" \
		'[.[] | select(.id == $id)] | length == 1 and (.[0].status == "unknown")
		 and (.[0].damaged | test($why))' <<<"$output"
	run --separate-stderr rt list -q
	assert_success
	assert_line "$CID"

	run --separate-stderr rt kill "$CID" KILL
	assert_failure 1
	run --separate-stderr rt delete "$CID"
	assert_failure 1
	assert_match "cannot delete container $CID: damaged state: .*$why" "$stderr"
	pid_alive "$PID" || fail "plain delete killed the container"
	[[ -e "$ROOT/$CID" ]]

	run --separate-stderr rt delete --force "$CID"
	assert_success
	DELETE_ERR=$stderr
	assert_match "delete --force $CID: damaged state" "$stderr"
	assert_match "removed $ROOT/$CID" "$stderr"
	assert_clean
	# once gone, as for any container
	run --separate-stderr rt delete --force "$CID"
	assert_success
	run --separate-stderr rt state "$CID"
	assert_failure 1
	assert_match "does not exist" "$stderr"
}

# the init was killed through its verified pidfd, the cgroups removed
assert_killed_init() {
	assert_match "killed init pid $PID \(start time [0-9]+ as recorded\)" "$DELETE_ERR"
	assert_match "removed cgroup" "$DELETE_ERR"
}

@test "damaged state: empty state.json" {
	start_victim
	: >"$STATE"
	check_damaged "empty"
	assert_killed_init
}

@test "damaged state: truncated state.json" {
	start_victim
	truncate -s 37 "$STATE"
	check_damaged "state.json: "
	assert_killed_init
}

@test "damaged state: garbage in state.json" {
	start_victim
	printf '\x89PNG\r\n\x1a\n\xff\xfe\x00garbage' >"$STATE"
	check_damaged "state.json: "
	assert_killed_init
}

@test "damaged state: state.json is a directory" {
	start_victim
	rm "$STATE"
	mkdir -p "$STATE/sub"
	check_damaged "is a directory"
	assert_killed_init
}

@test "damaged state: state.json missing" {
	start_victim
	rm "$STATE"
	check_damaged "missing"
	assert_killed_init
}

@test "damaged state: state.json is null" {
	start_victim
	echo null >"$STATE"
	check_damaged "not a JSON object but null"
	assert_killed_init
}

@test "damaged state: state.json has the wrong types" {
	start_victim
	echo '{"id":12,"pid":"x"}' >"$STATE"
	check_damaged '"id" is number'
	assert_killed_init
}

@test "damaged state: state.json is a FIFO (no command hangs)" {
	start_victim
	rm "$STATE"
	mkfifo "$STATE"
	check_damaged "is a FIFO"
	assert_killed_init
}

@test "damaged state: state.json is a symlink to /dev/zero (no unbounded read)" {
	start_victim
	ln -sfn /dev/zero "$STATE"
	# an unbounded read would hit this address-space limit (ASan needs more)
	ldd "$RUNTIME" 2>/dev/null | grep -q libasan || ulimit -v 1048576
	check_damaged "is a symbolic link"
	assert_killed_init
}

@test "damaged state: state.json names an unrelated process, which survives" {
	start_victim
	local start
	start=$(awk '{ print $22 }' "/proc/$BYSTANDER/stat")
	jq -c --argjson p "$BYSTANDER" --argjson s "$start" '.pid = $p | .startTime = $s' \
		"$STATE" >"$STATE.new"
	mv "$STATE.new" "$STATE"
	check_damaged "pid $BYSTANDER \(start time $start\) is not the init recorded in init.json, pid $PID"
	assert_killed_init
}

@test "damaged state: state.json and init.json missing, cgroups found by the id" {
	start_victim
	rm "$STATE" "$ROOT/$CID/init.json"
	check_damaged "missing"
	assert_match "state.json: missing; and damaged state: $ROOT/$CID/init.json: missing" "$DELETE_ERR"
	assert_match "no init pid recorded" "$DELETE_ERR"
	assert_match "killed [0-9]+ process\(es\) left in cgroup" "$DELETE_ERR"
}

@test "damaged state: ROOT/<id> replaced by a symlink" {
	start_victim
	mv "$ROOT/$CID" "$BATS_TEST_TMPDIR/moved"
	ln -s "$BATS_TEST_TMPDIR/moved" "$ROOT/$CID"
	check_damaged "is a symbolic link"
	assert_match "killed [0-9]+ process\(es\) left in cgroup" "$DELETE_ERR"
	[[ -e "$BATS_TEST_TMPDIR/moved/state.json" ]] # not followed
}

# ROOT on a small tmpfs, filled up.
small_root() {
	SMALL=$BATS_TEST_TMPDIR/small
	mkdir -p "$SMALL"
	mount -t tmpfs -o size=256k,mode=0700 tmpfs "$SMALL"
	ROOT=$SMALL
}
fill_disk() {
	dd if=/dev/zero of="$SMALL/fill" bs=4k 2>/dev/null || true
	! dd if=/dev/zero of="$SMALL/probe" bs=4k count=1 2>/dev/null || fail "tmpfs not full"
	rm -f "$SMALL/probe"
}

@test "full disk: a failed state write leaves the previous state readable" {
	small_root
	start_victim
	local before
	before=$(cat "$STATE")
	fill_disk
	run --separate-stderr rt update --pids-limit 123 "$CID"
	assert_failure 1
	assert_match "No space left on device" "$stderr"
	assert_equal "$(cat "$STATE")" "$before"
	assert_equal "$(ls "$ROOT/$CID" | grep -c '\.tmp\.')" 0
	run --separate-stderr rt state "$CID"
	assert_success
	jq -e '.status == "running"' <<<"$output"
	run --separate-stderr rt list
	assert_success
	assert_equal "$(awk -v id="$CID" '$1 == id { print $3 }' <<<"$output")" running
	# delete --force needs no space
	run --separate-stderr rt delete --force "$CID"
	assert_success
	assert_clean
}

@test "full disk: create fails cleanly and leaves nothing behind" {
	small_root
	PID=0
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	BYSTANDER=$!
	KEEP_PIDS+=("$BYSTANDER")
	fill_disk
	set_args rl-payload wait-signal
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure 1
	assert_match "No space left on device" "$stderr"
	assert_equal "$(ls "$ROOT")" fill
	assert_clean
}
