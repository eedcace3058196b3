#!/usr/bin/env bats
# Issue 12, section 3 (continued): exec's pid file, pty owner and process
# group, and bind sources below root-only host directories in a user
# namespace. Every test here also passes with RUNTIME=/usr/sbin/runc
# (tests/integration/run --runtime /usr/sbin/runc). The pty owner and the
# process group were already right on main (47a1cd9, 834b51b): their tests
# guard them.
load helpers

# exec_tty ARGS...: `exec --detach --tty --console-socket ARGS` (runc takes
# a console socket only with --detach); what the process printed on its pty
# in $output once it hung up.
exec_tty() {
	local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/tty.out recv
	rm -f "$sock"
	"$RECVTTY" "$sock" >"$out" 2>"$BATS_TEST_TMPDIR/recvtty.err" 3>&- &
	recv=$!
	wait_for test -S "$sock"
	run --separate-stderr rt exec --detach --tty --console-socket "$sock" "$@" </dev/null
	assert_success
	wait_for bash -c "! kill -0 $recv 2>/dev/null"
	wait "$recv" || true
	output=$(tr -d '\r' <"$out")
}

@test "exec --pid-file without --detach: written while the process runs" {
	start_payload sleep 1000
	local pf=$BATS_TEST_TMPDIR/exec.pid p
	rt exec --pid-file "$pf" "$CID" rl-payload sleep 1000 </dev/null >/dev/null 2>&1 &
	local execer=$!
	KEEP_PIDS+=("$execer")
	wait_for test -s "$pf"
	p=$(cat "$pf")
	# the host pid of the exec'd process, not of the runtime
	[[ "$p" != "$execer" ]] || fail "pid file names the runtime ($p)"
	pid_alive "$p"
	in_rootfs "$p"
	run rt ps --format json "$CID"
	assert_success
	jq -e --argjson p "$p" 'index($p) != null' <<<"$output"
	kill -9 "$p"
	wait "$execer" || true
}

@test "exec -t --user 1000:1000: the pty slave is owned by the user" {
	start_payload sleep 1000
	exec_tty --user 1000:1000 "$CID" sh -c 'echo "owner=$(stat -L -c %u:%g /proc/self/fd/0) id=$(id -u)"'
	assert_match 'id=1000'
	assert_match '^owner=1000:'
}

@test "exec: the process leads its own process group and session" {
	start_payload sleep 1000
	# /proc/self/stat fields 5 and 6 (pgrp, session) of the shell, as seen
	# in the container's pid namespace: 0 would be a group outside it
	run --separate-stderr rt exec "$CID" sh -c 'echo "pid=$$ $(cut -d" " -f5,6 /proc/$$/stat)"' </dev/null
	assert_success
	local pid
	pid=$(sed -n 's/^pid=\([0-9]*\) .*/\1/p' <<<"$output")
	[[ -n "$pid" ]] || fail "no pid in: $output"
	assert_line "pid=$pid $pid $pid"
}

@test "exec -t: the process leads its own process group and session" {
	start_payload sleep 1000
	# and the pty's foreground group (field 8, tpgid) is its own
	exec_tty "$CID" sh -c 'echo "pid=$$ $(cut -d" " -f5,6,8 /proc/$$/stat)"'
	local pid
	pid=$(sed -n 's/^pid=\([0-9]*\) .*/\1/p' <<<"$output")
	[[ -n "$pid" ]] || fail "no pid in: $output"
	assert_line "pid=$pid $pid $pid $pid"
}

