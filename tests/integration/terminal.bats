#!/usr/bin/env bats
# process.terminal: the pty is made inside the container, becomes its
# controlling terminal and stdio, and the master goes to --console-socket
# (received here by tests/tools/recvtty.c); `run -t` without a console
# socket relays the pty to the caller's own terminal.

load helpers

# console_create ARGS...: start recvtty on a socket (typing INPUT if given in
# $TTY_INPUT), then create $CID with process.terminal and that socket.
console_create() {
	SOCK=$BATS_TEST_TMPDIR/console.sock
	TTY_OUT=$BATS_TEST_TMPDIR/tty.out
	set_args "$@"
	update_config '.process.terminal = true'
	"$RECVTTY" "$SOCK" "${TTY_INPUT:-}" >"$TTY_OUT" 2>"$BATS_TEST_TMPDIR/recvtty.err" 3>&- &
	RECV_PID=$!
	wait_for test -S "$SOCK"
	rt_bg create --console-socket "$SOCK" --bundle "$BUNDLE" "$CID"
}

# finish: start the container and wait until recvtty saw the pty hang up.
finish() {
	run --separate-stderr rt start "$CID"
	assert_success
	wait_for bash -c "! kill -0 $RECV_PID 2>/dev/null"
	wait "$RECV_PID" || true
}

@test "terminal: the pty is stdin, stdout, stderr and the controlling terminal" {
	console_create rl-payload tty
	assert_success
	grep -q "got pty" "$BATS_TEST_TMPDIR/recvtty.err"
	finish
	run cat "$TTY_OUT"
	assert_match 'isatty=1'
	assert_match 'ttyname=/dev/pts/[0-9]+'
	assert_match 'ctty=1'
}

@test "terminal: what is typed reaches the process and its answer comes back" {
	TTY_INPUT='hello rustlet\n'
	console_create sh -c 'read line; echo "got:$line"'
	assert_success
	finish
	run cat "$TTY_OUT"
	assert_match 'got:hello rustlet'
}

@test "terminal: consoleSize sets the window size" {
	update_config '.process.consoleSize = {height: 33, width: 101}'
	console_create rl-payload tty
	assert_success
	finish
	run cat "$TTY_OUT"
	assert_match 'rows=33'
	assert_match 'cols=101'
}

@test "terminal: /dev/console is the pty" {
	console_create rl-payload stat /dev/console
	assert_success
	finish
	run cat "$TTY_OUT"
	assert_match "rdev=136:[0-9]+"
}

@test "terminal: a console socket path longer than sun_path (108 bytes) works" {
	skip_if_runc "connects only to paths that fit sun_path"
	local d
	d=$BATS_TEST_TMPDIR/$(printf 'l%.0s' {1..120})
	mkdir -p "$d"
	TTY_OUT=$BATS_TEST_TMPDIR/tty.out
	set_args rl-payload tty
	update_config '.process.terminal = true'
	# recvtty binds the relative name from inside the long directory
	(cd "$d" && exec "$RECVTTY" console.sock "") >"$TTY_OUT" 2>"$BATS_TEST_TMPDIR/recvtty.err" 3>&- &
	RECV_PID=$!
	wait_for test -S "$d/console.sock"
	rt_bg create --console-socket "$d/console.sock" --bundle "$BUNDLE" "$CID"
	assert_success
	finish
	run cat "$TTY_OUT"
	assert_match 'isatty=1'
}

@test "terminal: create without --console-socket fails and leaves nothing" {
	update_config '.process.terminal = true'
	set_args rl-payload tty
	run --separate-stderr rt create --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure 1
	if is_rustlet; then
		assert_match 'console-socket' "$stderr"
	fi
	run rt state "$CID"
	assert_failure
}

@test "terminal: run -t in the foreground relays the pty to the caller" {
	requires script
	update_config '.process.terminal = true'
	set_args sh -c 'tty; echo done-$((6*7))'
	run timeout 30 script -qec "$RUNTIME --root $ROOT run --bundle $BUNDLE $CID" /dev/null </dev/null
	assert_success
	assert_match '/dev/pts/[0-9]+'
	assert_match 'done-42'
}
