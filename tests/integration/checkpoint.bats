#!/usr/bin/env bats
# checkpoint and restore over CRIU (runc's commands and flags). The cases
# that dump need a kernel CRIU works on (`criu check`): this machine's 6.18
# fails it ("vdso: Unexpected rt vDSO area bounds"), the VM tier's Debian
# 6.1 guest passes, so they run there. The error cases run everywhere.

load helpers

# criu_works: skip unless criu is installed and `criu check` passes here.
criu_works() {
	requires root criu
	local why
	why=$(criu check 2>&1 | grep -m1 -E 'Error|error' || true)
	criu check >/dev/null 2>&1 || skip "criu check fails on this kernel ($(uname -r)): $why"
}

# A container counting in a loop: the count in the rootfs (/count) and a
# marker written once on a tmpfs mount (/data, whose contents CRIU dumps),
# with a memory limit.
counter_config() {
	update_config '.process.args = ["sh", "-c", "echo marker-$$ > /data/marker; i=0; while :; do i=$((i+1)); echo $i > /count; sleep 0.1; done"]
		| .process.terminal = false | .root.readonly = false
		| .mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]
		| .linux.resources.memory = {"limit": 67108864}'
}

# run_piped ID: run -d the container with its stdio on pipes. CRIU dumps
# pipes (and restore reconnects them to its own stdio); a host file or
# /dev/null opened outside the container is on no mount CRIU can see.
run_piped() {
	local in
	exec {in}< <(exec sleep 3600 3>&-)
	KEEP_PIDS+=("$!")
	rt run -d --bundle "$BUNDLE" "$1" <&"$in" > >(exec cat >>"$CTR_OUT" 3>&-) 2>&1
	local rc=$?
	exec {in}<&-
	return $rc
}

# count: the last count written (the shell truncates before it writes)
count() {
	local c i
	for i in 1 2 3 4 5; do
		c=$(cat "$BUNDLE/rootfs/count" 2>/dev/null)
		[[ -n $c ]] && break
		sleep 0.02
	done
	echo "${c:-0}"
}
count_above() { (($(count) > $1)); }

# restore_detached ID IMAGE [FLAGS...]: the restored process gets
# restore's stdio (CTR_OUT, CTR_ERR), never bats's pipes.
restore_detached() {
	local id=$1 img=$2
	shift 2
	rt_bg restore -d --image-path "$img" --bundle "$BUNDLE" "$@" "$id"
}

@test "checkpoint: without a criu binary the error says so and the container keeps running" {
	requires root
	update_config '.process.args = ["sleep", "1000"] | .process.terminal = false'
	next_cid
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr rt --criu /nonexistent/criu checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	assert_failure
	assert_match "checkpoint $CID: --criu /nonexistent/criu: No such file or directory" "$stderr"
	[[ ! -e $BATS_TEST_TMPDIR/img ]] || fail "image dir made"
	run --separate-stderr env PATH=/nonexistent "$RUNTIME" --root "$ROOT" checkpoint "$CID"
	assert_failure
	assert_match "criu: not found on PATH \(install the criu package or give --criu PATH\)" "$stderr"
	[[ $(state_field "$CID" .status) == running ]] || fail "container not running"
	if is_rustlet; then
		# features says so (runc: org.opencontainers.runc.checkpoint.enabled)
		assert_equal "$(rt features | jq -r '.annotations["rustlet.checkpoint.enabled"]')" true
	fi
}

@test "checkpoint: a created container is refused; restore of a missing image leaves nothing" {
	requires root criu
	update_config '.process.args = ["sleep", "1000"] | .process.terminal = false'
	next_cid
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr rt checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	assert_failure
	assert_match "container $CID cannot be checkpointed in created state" "$stderr"
	run --separate-stderr rt restore -d --image-path "$BATS_TEST_TMPDIR/missing" --bundle "$BUNDLE" r2-$CID
	assert_failure
	assert_match "restore r2-$CID: --image-path $BATS_TEST_TMPDIR/missing: No such file or directory" "$stderr"
	[[ ! -e $ROOT/r2-$CID ]] || fail "state left"
	# an empty directory is not a checkpoint
	mkdir "$BATS_TEST_TMPDIR/empty"
	run --separate-stderr rt restore -d --image-path "$BATS_TEST_TMPDIR/empty" --bundle "$BUNDLE" r3-$CID
	assert_failure
	assert_match "not a checkpoint" "$stderr"
	[[ ! -e $ROOT/r3-$CID ]] || fail "state left"
	run --separate-stderr rt checkpoint --manage-cgroups-mode bogus "$CID"
	assert_failure
	assert_match "--manage-cgroups-mode: invalid value \"bogus\"" "$stderr"
}

@test "checkpoint: a counting container stops, restore goes on counting where it stopped" {
	criu_works
	counter_config
	next_cid
	run_piped "$CID" || fail "run -d: $(cat "$CTR_OUT")"
	wait_for count_above 3
	local marker img=$BATS_TEST_TMPDIR/img
	marker=$(rt exec "$CID" cat /data/marker)
	run --separate-stderr rt checkpoint --image-path "$img" "$CID"
	assert_success
	# criu killed it; the container is gone, as after runc's checkpoint
	[[ ! -e $ROOT/$CID ]] || fail "state left after checkpoint"
	[[ -f $img/inventory.img && -f $img/descriptors.json ]] || fail "no image: $(ls "$img")"
	local n
	n=$(count)
	sleep 0.5
	[[ $(count) == "$n" ]] || fail "still counting after the checkpoint"
	restore_detached "$CID" "$img"
	assert_success
	[[ $(state_field "$CID" .status) == running ]] || fail "not running after restore"
	wait_for count_above "$n"
	# the shell's own counter went on: never back to 1
	local now
	now=$(count)
	((now > n && now < n + 100)) || fail "count $now after $n"
	# the tmpfs came back with its contents, the limit and the cgroup too
	run rt exec "$CID" cat /data/marker
	assert_success
	assert_equal "$output" "$marker"
	local dir
	dir=$(container_cgroup_dir "$CID" memory)
	if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		assert_equal "$(cat "$dir/memory.max")" 67108864
	else
		assert_equal "$(cat "$dir/memory.limit_in_bytes")" 67108864
	fi
	[[ $dir == *"$CID"* ]] || fail "restored init in $dir, not the container's cgroup"
	if systemd_driver; then
		# the new container's scope holds the restored processes
		assert_equal "$(systemctl is-active "rustlet-$CID.scope")" active
		[[ $dir == */rustlet-$CID.scope ]] || fail "restored init in $dir, not the scope"
	fi
	run rt kill "$CID" KILL
	assert_success
	wait_status "$CID" stopped
}

@test "checkpoint --leave-running: the container goes on; the image restores under a new id" {
	criu_works
	counter_config
	next_cid
	run_piped "$CID" || fail "run -d: $(cat "$CTR_OUT")"
	wait_for count_above 2
	local pid img=$BATS_TEST_TMPDIR/img
	pid=$(state_field "$CID" .pid)
	run --separate-stderr rt checkpoint --leave-running --image-path "$img" "$CID"
	assert_success
	[[ $(state_field "$CID" .status) == running ]] || fail "not running after --leave-running"
	assert_equal "$(state_field "$CID" .pid)" "$pid"
	local n
	n=$(count)
	wait_for count_above "$n"
	run rt kill "$CID" KILL
	assert_success
	wait_status "$CID" stopped
	run rt delete "$CID"
	assert_success
	local id2=$CID-copy
	RL_USED_IDS[$id2]=1
	restore_detached "$id2" "$img"
	assert_success
	[[ $(state_field "$id2" .status) == running ]] || fail "restored copy not running"
	[[ $(state_field "$id2" .pid) != "$pid" ]] || true
	run rt exec "$id2" sh -c 'cat /data/marker'
	assert_success
	assert_match "^marker-" "$output"
	n=$(count)
	wait_for count_above "$n"
}

@test "checkpoint --pre-dump then a final dump with --parent-path restores" {
	criu_works
	counter_config
	next_cid
	run_piped "$CID" || fail "run -d: $(cat "$CTR_OUT")"
	wait_for count_above 2
	local top=$BATS_TEST_TMPDIR/cp
	mkdir -p "$top"
	run --separate-stderr rt checkpoint --pre-dump --image-path "$top/pre" "$CID"
	assert_success
	[[ $(state_field "$CID" .status) == running ]] || fail "pre-dump stopped the container"
	[[ ! -f $top/pre/descriptors.json ]] || fail "a pre-dump is not a checkpoint"
	run --separate-stderr rt checkpoint --parent-path ../pre --image-path "$top/final" "$CID"
	assert_success
	[[ ! -e $ROOT/$CID ]] || fail "state left after the final dump"
	local n
	n=$(count)
	restore_detached "$CID" "$top/final"
	assert_success
	wait_for count_above "$n"
	# a parent path must be relative to the image path, and exist
	run --separate-stderr rt checkpoint --parent-path ../nope --image-path "$top/x" "$CID"
	assert_failure
	assert_match "--parent-path ../nope: no pre-dump at" "$stderr"
}

@test "restore in the foreground waits and returns the container's exit status" {
	criu_works
	update_config '.process.args = ["sh", "-c", "i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo $i > /count; sleep 0.1; done; exit 7"]
		| .process.terminal = false | .root.readonly = false'
	next_cid
	run_piped "$CID" || fail "run -d: $(cat "$CTR_OUT")"
	wait_for count_above 2
	run --separate-stderr rt checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	assert_success
	run --separate-stderr rt restore --image-path "$BATS_TEST_TMPDIR/img" --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure 7
	assert_equal "$(count)" 30
	# deleted afterwards, like run
	[[ ! -e $ROOT/$CID ]] || fail "state left after a foreground restore"
}
