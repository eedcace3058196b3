#!/usr/bin/env bats
# NOTIFY_SOCKET: the container's sd_notify READY reaches the host's socket
# (here tests/tools/notify-listen.c, standing in for systemd) with MAINPID,
# as runc proxies it. The container's side is `rl-payload notify MSG SECS`,
# which sends MSG to the $NOTIFY_SOCKET it sees and stays alive SECS.

load helpers

setup() {
	rl_setup
	HOST_SOCK=$BATS_TEST_TMPDIR/host-notify.sock
	LISTEN_OUT=$BATS_TEST_TMPDIR/listen.out
	LISTEN_ERR=$BATS_TEST_TMPDIR/listen.err
}

# listen [TIMEOUT]: start the host listener on $HOST_SOCK.
listen() {
	# its lifetime stretches with RL_WAIT_SCALE (a TCG guest is slower)
	"$NOTIFY_LISTEN" "$HOST_SOCK" $((${1:-20} * RL_WAIT_SCALE)) >"$LISTEN_OUT" 2>"$LISTEN_ERR" 3>&- &
	LISTEN_PID=$!
	KEEP_PIDS+=("$LISTEN_PID")
	wait_for test -S "$HOST_SOCK"
}

# listened: wait for the listener to finish; its lines in $output.
listened() {
	wait "$LISTEN_PID" || true
	output=$(cat "$LISTEN_OUT")
}

# nrt ARGS...: the runtime with NOTIFY_SOCKET pointing at the host listener.
nrt() { NOTIFY_SOCKET=$HOST_SOCK rt "$@"; }

@test "notify: create+start forward READY=1 and MAINPID=<host pid of the init>" {
	listen
	set_args rl-payload notify READY=1 5
	NOTIFY_SOCKET=$HOST_SOCK rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr nrt start "$CID"
	assert_success
	# start returns only after forwarding: the host has READY already
	grep -qxF 'msg=READY=1' "$LISTEN_OUT"
	pid=$(state_field "$CID" .pid)
	listened
	assert_line 'msg=READY=1'
	assert_line "msg=MAINPID=$pid"
	if is_rustlet; then
		# sd_notify_barrier: BARRIER=1 with one fd, as runc >= 1.2 (1.1.5 sends none)
		assert_line 'msg=BARRIER=1'
		assert_line 'fds=1'
	fi
	# what the container saw
	wait_output 'notify=sent'
	output=$(ctr_output)
	assert_line 'notify_socket=/run/notify/notify.sock'
	run grep -c '^msg=READY' "$LISTEN_OUT"
	assert_equal "$output" 1
}

@test "notify: the container gets /run/notify read-only, nosuid, nodev, noexec and NOTIFY_SOCKET" {
	listen
	set_args sh -c 'rl-payload mounts; rl-payload env; exec rl-payload notify READY=1 5'
	NOTIFY_SOCKET=$HOST_SOCK rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	wait_for grep -q '^NOTIFY_SOCKET=' "$CTR_OUT"
	run ctr_output
	assert_line 'NOTIFY_SOCKET=/run/notify/notify.sock'
	line=$(grep '^/run/notify ' <<<"$output" | tail -n1)
	[[ -n "$line" ]] || fail "no mount on /run/notify: $output"
	opts=$(awk '{ print $3 }' <<<"$line")
	for o in ro nosuid nodev noexec; do
		[[ ",$opts," == *",$o,"* ]] || fail "/run/notify lacks $o: $line"
	done
	# the host side: ROOT/ID/notify
	[[ -d "$ROOT/$CID/notify" ]]
}

@test "notify: without NOTIFY_SOCKET there is no /run/notify and no variable" {
	set_args sh -c 'rl-payload mounts; rl-payload env'
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	wait_for grep -q '^PATH=' "$CTR_OUT"
	run ctr_output
	refute_match '^/run/notify '
	refute_match '^NOTIFY_SOCKET='
	[[ ! -e "$ROOT/$CID/notify" ]]
}

@test "notify: start waits for READY, and state is not locked out meanwhile" {
	listen
	set_args sh -c 'sleep 2; exec rl-payload notify READY=1 5'
	NOTIFY_SOCKET=$HOST_SOCK rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	t0=$SECONDS
	nrt start "$CID" &
	spid=$!
	wait_status "$CID" running
	# start is still waiting for READY while state answers
	kill -0 "$spid"
	! grep -q READY "$LISTEN_OUT"
	wait "$spid"
	((SECONDS - t0 >= 1)) || fail "start returned before the container was ready"
	grep -qxF 'msg=READY=1' "$LISTEN_OUT"
}

@test "notify: run -d forwards MAINPID=<host pid of the init>" {
	listen
	set_args rl-payload notify READY=1 5
	NOTIFY_SOCKET=$HOST_SOCK rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	pid=$(state_field "$CID" .pid)
	listened
	assert_line 'msg=READY=1'
	assert_line "msg=MAINPID=$pid"
}

@test "notify: run in the foreground forwards MAINPID=<the runtime's own pid>" {
	listen
	set_args rl-payload notify READY=1 2
	NOTIFY_SOCKET=$HOST_SOCK "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CID" \
		</dev/null >"$CTR_OUT" 2>"$CTR_ERR" 3>&- &
	rpid=$!
	listened
	assert_line 'msg=READY=1'
	assert_line "msg=MAINPID=$rpid"
	# and it still relays the exit status
	wait "$rpid"
	grep -q 'notify=sent' "$CTR_OUT"
}

@test "notify: an init that exits without READY ends start promptly, nothing forwarded" {
	listen 3
	set_args true
	NOTIFY_SOCKET=$HOST_SOCK rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	t0=$SECONDS
	run --separate-stderr nrt start "$CID"
	assert_success
	((SECONDS - t0 < 3 * RL_WAIT_SCALE)) || fail "start took $((SECONDS - t0)) s"
	listened
	[[ -z "$output" ]] || fail "forwarded: $output"
}

@test "notify: run -d returns when the init exits without READY" {
	skip_if_runc "runc run -d polls /proc/PID, which its own unreaped child keeps: it hangs"
	listen 3
	set_args true
	t0=$SECONDS
	NOTIFY_SOCKET=$HOST_SOCK rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	((SECONDS - t0 < 3 * RL_WAIT_SCALE)) || fail "run -d took $((SECONDS - t0)) s"
	listened
	[[ -z "$output" ]] || fail "forwarded: $output"
}

@test "notify: messages before READY are not forwarded; READY on a later line is" {
	skip_if_runc "runc forwards only a datagram that begins with READY="
	listen
	set_args sh -c 'rl-payload notify STATUS=starting; exec rl-payload notify "STATUS=almost\nREADY=1" 5'
	NOTIFY_SOCKET=$HOST_SOCK rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	listened
	assert_line 'msg=READY=1'
	refute_match 'STATUS'
}

@test "notify: a host socket that is not there fails start before the container runs" {
	set_args rl-payload notify READY=1 5
	NOTIFY_SOCKET=$HOST_SOCK rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr nrt start "$CID"
	assert_failure
	assert_match "connect.*$HOST_SOCK|$HOST_SOCK.*connect" "$stderr"
	assert_match '[Nn]o such file or directory' "$stderr"
	# runc 1.1.5 starts the container first and fails afterwards
	skip_if_runc "runc releases the container before connecting to the host"
	assert_equal "$(state_field "$CID" .status)" created
}

@test "notify: state roots and host sockets longer than a sun_path still work" {
	skip_if_runc "runc cannot bind a socket path longer than 107 bytes"
	long=$BATS_TEST_TMPDIR/$(printf 'd%.0s' {1..100})
	mkdir -p "$long"
	ROOT=$long/state
	HOST_SOCK=$long/host.sock
	listen
	set_args rl-payload notify READY=1 5
	NOTIFY_SOCKET=$HOST_SOCK rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	pid=$(state_field "$CID" .pid)
	listened
	assert_line 'msg=READY=1'
	assert_line "msg=MAINPID=$pid"
}

@test "notify: NOTIFY_SOCKET at start only (not at create) starts without a proxy" {
	skip_if_runc "runc fails start: the notify directory was never made"
	listen 2
	set_args rl-payload notify READY=1 3
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr nrt start "$CID"
	assert_success
	wait_output 'notify='
	output=$(ctr_output)
	assert_line 'notify=no NOTIFY_SOCKET'
	listened
	[[ -z "$output" ]] || fail "forwarded: $output"
}

@test "notify: a container with a user namespace can reach the socket" {
	# the bind source is reached by the container's root, a host uid
	# without rights: every directory above it must be searchable
	d=$BATS_TEST_TMPDIR
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
	# the rootfs belongs to the host's root: the mapped root cannot make
	# the mount point itself
	mkdir -p "$BUNDLE/rootfs/run/notify"
	listen
	set_args rl-payload notify READY=1 5
	NOTIFY_SOCKET=$HOST_SOCK rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	pid=$(state_field "$CID" .pid)
	listened
	assert_line 'msg=READY=1'
	assert_line "msg=MAINPID=$pid"
	# ROOT/ID is searchable, state.json still private
	assert_equal "$(stat -c %a "$ROOT/$CID")" 711
	assert_equal "$(stat -c %a "$ROOT/$CID/state.json")" 600
}
