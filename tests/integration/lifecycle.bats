#!/usr/bin/env bats
# create / start / state / kill / delete / run.
load helpers

@test "create, start, state: created -> running -> stopped" {
	create_payload wait-signal
	run rt state "$CID"
	assert_success
	jq -e --arg id "$CID" --arg b "$BUNDLE" '
		.id == $id and .status == "created" and (.pid | type == "number" and . > 0)
		and .bundle == $b and (.ociVersion | type == "string")
		and (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"))
		and has("owner")' <<<"$output"
	# The process is there but has not run the payload yet.
	pid=$(jq -r .pid <<<"$output")
	kill -0 "$pid"
	[[ ! -s "$CTR_OUT" ]]

	run rt start "$CID"
	assert_success
	wait_output '^ready$'
	assert_equal "$(state_field "$CID" .status)" running
	assert_equal "$(state_field "$CID" .pid)" "$pid"

	rt kill "$CID" TERM
	wait_status "$CID" stopped
	run ctr_output
	assert_line signal=15
	run rt state "$CID"
	assert_success
	jq -e '.status == "stopped"' <<<"$output"
}

@test "state has annotations from the config" {
	update_config '.annotations = {"org.example.key": "value"}'
	create_payload exit 0
	assert_equal "$(state_field "$CID" '.annotations["org.example.key"]')" value
}

@test "state of a non-existent container fails" {
	run rt state no-such-id
	assert_failure 1
}

@test "create --bundle and -b with a relative path" {
	cd "$BATS_TEST_TMPDIR"
	set_args rl-payload exit 0
	rt_bg create -b bundle "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .bundle)" "$BUNDLE"
	assert_equal "$(state_field "$CID" .rootfs)" "$BUNDLE/rootfs"
}

@test "create uses the current directory as the default bundle" {
	cd "$BUNDLE"
	set_args rl-payload exit 0
	rt_bg create "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .bundle)" "$BUNDLE"
}

@test "create --pid-file (absolute) holds the host pid of the container" {
	set_args rl-payload exit 0
	rt_bg create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
	assert_success
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[[ "$pid" =~ ^[0-9]+$ ]]
	assert_equal "$pid" "$(state_field "$CID" .pid)"
	in_rootfs "$pid"
}

@test "create --pid-file with a relative path is relative to the cwd" {
	cd "$BATS_TEST_TMPDIR"
	set_args rl-payload exit 0
	rt_bg create --bundle "$BUNDLE" --pid-file rel.pid "$CID"
	assert_success
	assert_equal "$(cat "$BATS_TEST_TMPDIR/rel.pid")" "$(state_field "$CID" .pid)"
}

@test "create refuses an id that already exists" {
	create_payload exit 0
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure 1
	assert_equal "$(state_field "$CID" .status)" created
}

@test "start of a running or stopped container fails" {
	start_payload sleep 100
	run rt start "$CID"
	assert_failure 1
	rt kill "$CID" KILL
	wait_status "$CID" stopped
	run rt start "$CID"
	assert_failure 1
}

@test "start of a non-existent container fails" {
	run rt start no-such-id
	assert_failure 1
}

@test "kill sends SIGTERM by default" {
	start_payload wait-signal
	wait_output '^ready$'
	run rt kill "$CID"
	assert_success
	wait_status "$CID" stopped
	run ctr_output
	assert_line signal=15
}

@test "kill accepts numbers, names and SIG-prefixed names" {
	for sig in 10:10 USR2:12 SIGHUP:1 SIGUSR1:10; do
		rm -rf "$BUNDLE" && cp -a "$RL_TEMPLATE" "$BUNDLE"
		: >"$CTR_OUT"
		start_payload wait-signal
		wait_output '^ready$'
		run rt kill "$CID" "${sig%%:*}"
		assert_success
		wait_status "$CID" stopped
		run ctr_output
		assert_line "signal=${sig##*:}"
		rt delete "$CID"
	done
}

@test "kill of a created container delivers the signal" {
	create_payload wait-signal
	run rt kill "$CID" KILL
	assert_success
	wait_status "$CID" stopped
	[[ ! -s "$CTR_OUT" ]]
}

# As pid 1 of its pid namespace the waiting init is spared every signal it
# has no handler for: TERM and HUP must still end a created container, as
# they end runc's (issue 12 section 2).
@test "kill TERM and HUP of a created container end it before the program runs" {
	for sig in TERM HUP; do
		create_payload wait-signal
		run rt kill "$CID" "$sig"
		assert_success
		wait_status "$CID" stopped
		run rt start "$CID"
		assert_failure
		[[ ! -s "$CTR_OUT" ]] || fail "the program ran after kill $sig: $(ctr_output)"
		rt delete "$CID"
	done
}

@test "kill WINCH of a created container leaves it created, the program runs on start" {
	create_payload wait-signal
	run rt kill "$CID" WINCH
	assert_success
	sleep 0.3
	assert_equal "$(state_field "$CID" .status)" created
	run rt start "$CID"
	assert_success
	wait_output '^ready$'
	run rt kill "$CID" USR1
	assert_success
	wait_status "$CID" stopped
	run ctr_output
	assert_line signal=10
}

@test "kill of a stopped container fails" {
	start_payload exit 0
	wait_status "$CID" stopped
	run rt kill "$CID" KILL
	assert_failure 1
}

@test "kill with an invalid signal fails" {
	start_payload sleep 100
	run rt kill "$CID" NOSUCHSIG
	assert_failure 1
	assert_equal "$(state_field "$CID" .status)" running
}

@test "kill --all signals every process of the container" {
	# sh as pid 1 ignores SIGTERM; its children do not.
	set_args sh -c 'rl-payload sleep 100 & rl-payload sleep 100 & echo started; wait; echo done'
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	wait_output '^started$'
	run rt kill --all "$CID" KILL
	assert_success
	wait_status "$CID" stopped
	[[ -z "$(procs_in_rootfs)" ]]
}

@test "delete of a stopped container removes its state" {
	start_payload exit 0
	wait_status "$CID" stopped
	run rt delete "$CID"
	assert_success
	run rt state "$CID"
	assert_failure 1
	[[ ! -e "$ROOT/$CID" ]]
	[[ -z "$(cgroup_dirs "$CID")" ]]
}

@test "delete of a running container without --force fails and leaves it running" {
	start_payload sleep 100
	run rt delete "$CID"
	assert_failure 1
	assert_equal "$(state_field "$CID" .status)" running
}

@test "delete --force of a running container" {
	start_payload sleep 100
	pid=$(state_field "$CID" .pid)
	run rt delete --force "$CID"
	assert_success
	run rt state "$CID"
	assert_failure 1
	wait_for eval "! pid_alive $pid"
	[[ -z "$(cgroup_dirs "$CID")" ]]
}

@test "delete -f of a created container" {
	create_payload sleep 100
	run rt delete -f "$CID"
	assert_success
	[[ ! -e "$ROOT/$CID" ]]
	[[ -z "$(cgroup_dirs "$CID")" ]]
}

@test "delete of a created container without --force" {
	create_payload sleep 100
	run rt delete "$CID"
	# runc kills a created container on a plain delete (the spec allows it).
	if [[ $status -eq 0 ]]; then
		run rt state "$CID"
		assert_failure 1
	else
		assert_equal "$(state_field "$CID" .status)" created
	fi
}

@test "delete --force of a non-existent container exits 0" {
	run rt delete --force no-such-id
	assert_success
}

@test "delete of a non-existent container without --force fails" {
	run rt delete no-such-id
	assert_failure 1
}

@test "run returns the exit status of the process" {
	for n in 0 1 42; do
		run_payload exit "$n"
		assert_equal "$status" "$n"
		rt delete --force "$CID" 2>/dev/null || true
		[[ ! -e "$ROOT/$CID" ]]
	done
}

@test "run: a process killed by a signal gives 128+signal" {
	# Without a pid namespace: pid 1 of one ignores its own default signals.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	run_payload kill-self 9
	assert_equal "$status" 137
	run_payload kill-self 15
	assert_equal "$status" 143
}

@test "run passes stdout and stderr of the process" {
	set_args sh -c 'echo to-out; echo to-err >&2'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_equal "$output" to-out
	assert_equal "$stderr" to-err
}

@test "run deletes the container when it exits" {
	run_payload exit 0
	assert_success
	run rt state "$CID"
	assert_failure 1
	[[ -z "$(cgroup_dirs "$CID")" ]]
}

@test "run --keep keeps the stopped container" {
	set_args rl-payload exit 3
	run rt run --keep --bundle "$BUNDLE" "$CID" </dev/null
	assert_equal "$status" 3
	assert_equal "$(state_field "$CID" .status)" stopped
	run rt delete "$CID"
	assert_success
}

@test "run --detach and -d return at once with the container running" {
	set_args rl-payload sleep 100
	next_cid
	rt_bg run --detach --bundle "$BUNDLE" "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .status)" running
	rt delete --force "$CID"
	next_cid
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .status)" running
}

@test "run -d --pid-file writes the host pid" {
	set_args rl-payload sleep 100
	rt_bg run -d --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$CID"
	assert_success
	assert_equal "$(cat "$BATS_TEST_TMPDIR/pid")" "$(state_field "$CID" .pid)"
}

@test "create --no-pivot runs with the bundle's rootfs as /" {
	set_args rl-payload sleep 100
	next_cid
	rt_bg create --no-pivot --bundle "$BUNDLE" "$CID"
	assert_success
	rt start "$CID"
	pid=$(state_field "$CID" .pid)
	in_rootfs "$pid"
	rt delete --force "$CID"
	set_args rl-payload stat /bin/rl-payload
	next_cid
	run --separate-stderr rt run --no-pivot --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line type=file
}

@test "create --no-new-keyring keeps the caller's session keyring" {
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	set_args rl-payload read /proc/keys
	# By default the container gets a new session keyring named after its id.
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_match "keyring +_ses\.$CID: "
	# A new id: the first run's _ses.<id> stays listed in /proc/keys until
	# the kernel's key collector runs, so under load the same id flaked.
	next_cid
	run --separate-stderr rt run --no-new-keyring --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	refute_match "keyring +_ses\.$CID: "
}

@test "create --preserve-fds N passes fds 3..3+N-1" {
	echo one >"$BATS_TEST_TMPDIR/f1"
	echo two >"$BATS_TEST_TMPDIR/f2"
	set_args rl-payload fds
	"$RUNTIME" --root "$ROOT" create --preserve-fds 2 --bundle "$BUNDLE" "$CID" \
		3<"$BATS_TEST_TMPDIR/f1" 4<"$BATS_TEST_TMPDIR/f2" 5<"$BATS_TEST_TMPDIR/f2" \
		</dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	rt start "$CID"
	wait_status "$CID" stopped
	run ctr_output
	assert_line "3=$BATS_TEST_TMPDIR/f1"
	assert_line "4=$BATS_TEST_TMPDIR/f2"
	refute_match '^5='
}

@test "fds above 2 are closed without --preserve-fds" {
	set_args rl-payload fds
	"$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID" \
		3<"$BATS_TEST_TMPDIR/../" 7</dev/null 9</dev/null </dev/null >"$BATS_TEST_TMPDIR/o"
	run cat "$BATS_TEST_TMPDIR/o"
	assert_match '^0='
	refute_match '^([3-9]|[1-9][0-9]+)='
}

@test "LISTEN_FDS=2 keeps fds 3 and 4" {
	update_config '.process.env += ["LISTEN_FDS=2"]'
	set_args rl-payload fds
	# LISTEN_PID must be the runtime's own pid (sd_listen_fds rules).
	LISTEN_FDS=2 bash -c 'LISTEN_PID=$$ exec "$@"' rl "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID" \
		3</dev/null 4<"$BATS_TEST_TMPDIR/../" 5</dev/null </dev/null >"$BATS_TEST_TMPDIR/o"
	run cat "$BATS_TEST_TMPDIR/o"
	assert_line "3=/dev/null"
	assert_match '^4=/'
	refute_match '^5='
}

@test "socket activation for the runtime: the container gets LISTEN_FDS and LISTEN_PID=1" {
	set_args rl-payload env
	LISTEN_FDS=1 bash -c 'LISTEN_PID=$$ exec "$@"' rl "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID" \
		3</dev/null </dev/null >"$BATS_TEST_TMPDIR/o"
	run cat "$BATS_TEST_TMPDIR/o"
	assert_line "LISTEN_FDS=1"
	assert_line "LISTEN_PID=1"
}
