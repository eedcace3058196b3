#!/usr/bin/env bats
# Bad configs, concurrency and crash recovery: each leaves nothing behind
# (the teardown asserts: no state dir, no cgroup, no process, no mount).
load helpers

# create_fails: create must exit 1 and leave no container.
create_fails() {
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure 1
	run rt state "$CID"
	assert_failure 1
	[[ ! -e "$ROOT/$CID" ]]
	[[ -z "$(cgroup_dirs "$CID")" ]]
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	create_fails
	if is_rustlet; then assert_match 'config.json' "$(cat "$CTR_ERR")"; fi
}

@test "config.json that is not JSON" {
	echo '{"ociVersion": "1.0.2", ' >"$BUNDLE/config.json"
	create_fails
	if is_rustlet; then assert_match 'config.json' "$(cat "$CTR_ERR")"; fi
}

@test "a field of the wrong type" {
	update_config '.process.args = "rl-payload"'
	create_fails
	if is_rustlet; then assert_match 'process.args' "$(cat "$CTR_ERR")"; fi
}

@test "a number where a string is expected" {
	update_config '.process.cwd = 5'
	create_fails
	if is_rustlet; then assert_match 'process.cwd' "$(cat "$CTR_ERR")"; fi
}

@test "sysctl kernel.hostname together with hostname (as runc and crun, refused)" {
	update_config '.hostname = "box" | .linux.namespaces |= (map(select(.type != "uts")) + [{type: "uts"}]) | .linux.sysctl = {"kernel.hostname": "other"}'
	create_fails
	assert_match 'kernel.hostname' "$(cat "$CTR_ERR")"
}

@test "missing process" {
	update_config 'del(.process)'
	create_fails
	if is_rustlet; then assert_match 'process' "$(cat "$CTR_ERR")"; fi
}

@test "empty process.args" {
	update_config '.process.args = []'
	create_fails
	if is_rustlet; then assert_match 'process.args' "$(cat "$CTR_ERR")"; fi
}

@test "unknown namespace type" {
	update_config '.linux.namespaces += [{type: "bogus"}]'
	create_fails
	if is_rustlet; then assert_match 'linux.namespaces' "$(cat "$CTR_ERR")"; fi
}

@test "relative cwd" {
	update_config '.process.cwd = "relative"'
	create_fails
	if is_rustlet; then assert_match 'process.cwd' "$(cat "$CTR_ERR")"; fi
}

@test "args[0] that does not exist" {
	set_args /bin/no-such-program
	create_fails
	if is_rustlet; then assert_match 'no-such-program' "$(cat "$CTR_ERR")"; fi
}

@test "args[0] that is not executable" {
	update_config '.root.readonly = false'
	echo 'not a program' >"$BUNDLE/rootfs/bin/not-exec"
	chmod 644 "$BUNDLE/rootfs/bin/not-exec"
	set_args /bin/not-exec
	create_fails
}

@test "a rootfs that does not exist" {
	update_config '.root.path = "no-such-rootfs"'
	create_fails
	if is_rustlet; then assert_match 'root.path|no-such-rootfs' "$(cat "$CTR_ERR")"; fi
}

@test "a mount with a source that does not exist" {
	update_config '.mounts += [{destination: "/mnt/x", type: "bind", source: "/no/such/source", options: ["bind"]}]'
	set_args rl-payload exit 0
	create_fails
	if is_rustlet; then assert_match 'mounts\[[0-9]+\]' "$(cat "$CTR_ERR")"; fi
}

@test "an invalid container id" {
	set_args rl-payload exit 0
	run rt create --bundle "$BUNDLE" "../escape" </dev/null
	assert_failure 1
	[[ ! -e "$BATS_TEST_TMPDIR/escape" ]]
	run rt create --bundle "$BUNDLE" "" </dev/null
	assert_failure
}

@test "create without an id fails with usage" {
	run rt create --bundle "$BUNDLE" </dev/null
	assert_failure 1
}

@test "20 containers created, started and deleted in parallel" {
	set_args rl-payload sleep 0.2
	one() { # ID
		rt create --bundle "$BUNDLE" "$1" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err.$1" &&
			rt start "$1" 2>>"$BATS_TEST_TMPDIR/err.$1" &&
			wait_status "$1" stopped 2>>"$BATS_TEST_TMPDIR/err.$1" &&
			rt delete "$1" 2>>"$BATS_TEST_TMPDIR/err.$1"
	}
	pids=()
	for i in $(seq 1 20); do
		one "$CID-$i" &
		pids+=($!)
	done
	failed=0
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { failed=$((failed + 1)); cat "$BATS_TEST_TMPDIR/err.$CID-$((i + 1))" >&2; }
	done
	assert_equal "$failed" 0
	assert_equal "$(ls -A "$ROOT")" ""
	assert_equal "$(cgroup_dirs "$CID")" ""
}

@test "kill -9 of the runtime during create, then delete --force cleans up" {
	skip_if_runc "runc 1.1.5 has no state.json before the createRuntime hooks ran: delete --force says 'does not exist' and leaves the cgroups and runc init behind"
	H=$BATS_TEST_TMPDIR/hook
	mkdir "$H"
	update_config '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", $s]}]' \
		--arg s "echo \$\$ > $H/pid; exec sleep 100"
	set_args rl-payload exit 0
	"$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$CID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR" 3>&- &
	rpid=$!
	wait_for test -s "$H/pid"
	hook=$(cat "$H/pid")
	KEEP_PIDS+=("$hook")
	kill -9 "$rpid"
	wait "$rpid" || true
	kill -9 "$hook" 2>/dev/null || true
	run rt delete --force "$CID"
	assert_success
	[[ ! -e "$ROOT/$CID" ]]
	wait_for eval '[[ -z "$(cgroup_dirs "$CID")" ]]'
	wait_for eval '[[ -z "$(procs_in_rootfs)" ]]'
}
