#!/usr/bin/env bats
# Behaviours where runc (or crun, or the spec) expects success: each test
# also runs against runc (tests/integration/run --runtime /usr/sbin/runc).
load helpers

# pty CMD: run the shell command line CMD under a fresh pty (script(1)),
# the way a user at a terminal runs it. Output (the pty's) in $output.
pty() {
	run timeout 60 script -qec "$1" /dev/null </dev/null
}

# session_tty FILE: "SESSION TTY_NR" lines that the container's shell wrote
# (fields 6 and 7 of /proc/PID/stat) into rootfs FILE; waits for them.
session_tty() {
	wait_for test -s "$BUNDLE/rootfs$1"
	cat "$BUNDLE/rootfs$1"
}

@test "create+start under a pty: the init has its own session and no controlling terminal" {
	requires script
	update_config '.root.readonly = false'
	set_args sh -c 'cut -d" " -f6,7 /proc/self/stat >/tmp/st; exec sleep 100'
	R="$RUNTIME --root $ROOT"
	pty "cd $BUNDLE && $R create $CID && $R start $CID"
	assert_success
	run session_tty /tmp/st
	# pid 1's session (cut is its child or pid 1 itself), tty_nr 0
	assert_equal "$output" "1 0"
}

@test "run -d and exec under a pty: own session, no controlling terminal" {
	requires script
	update_config '.root.readonly = false'
	set_args sleep 100
	R="$RUNTIME --root $ROOT"
	pty "$R run -d --bundle $BUNDLE $CID && $R exec $CID sh -c 'cut -d\" \" -f6,7 /proc/1/stat >/tmp/init; echo \$\$ \$(cut -d\" \" -f6,7 /proc/self/stat) >/tmp/exec'"
	assert_success
	run session_tty /tmp/init
	assert_equal "$output" "1 0"
	# the exec'd shell leads its own session: "PID PID 0"
	run session_tty /tmp/exec
	read -r pid sid tty <<<"$output"
	assert_equal "$sid" "$pid"
	assert_equal "$tty" 0
}

@test "README's 'Using it' sequence from an interactive shell under a pty" {
	requires script bash
	# the README's bundle: `spec` with terminal false (process: sh)
	rm "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$RUNTIME" spec)
	sed -i 's/"terminal": true/"terminal": false/' "$BUNDLE/config.json"
	R="$RUNTIME --root $ROOT"
	out=$BATS_TEST_TMPDIR/seq.out
	# bash -i: job control, so the shell takes the terminal back after each
	# command (the container's sh must not stop or die from that)
	cat >"$BATS_TEST_TMPDIR/seq.sh" <<-SEQ
		cd $BUNDLE
		$R create --pid-file pid c1 && $R start c1 && $R state c1 >/dev/null && echo started >>$out
		sleep 1
		pid=\$(cat pid)
		echo "status \$($R state c1 | jq -r .status)" >>$out
		echo "stat \$pid \$(cut -d' ' -f6,7 /proc/\$pid/stat)" >>$out
		$R kill c1 KILL && echo killed >>$out
		for i in \$(seq 50); do [ "\$($R state c1 | jq -r .status)" = stopped ] && break; sleep 0.1; done
		$R delete c1 && echo deleted >>$out
		exit
	SEQ
	pty "bash --norc -i $BATS_TEST_TMPDIR/seq.sh"
	run cat "$out"
	assert_line started
	assert_line "status running"
	assert_line killed
	assert_line deleted
	read -r _ pid sid tty < <(grep '^stat ' "$out")
	# the container's sh leads its own session and has no controlling tty
	assert_equal "$sid" "$pid"
	assert_equal "$tty" 0
}

@test "create --config FILE (crun's flag): the config from FILE, for start and exec too" {
	skip_if_runc "runc 1.1.5 has no --config flag (crun's)"
	# the bundle's config.json would fail: the container must use the other
	update_config '.process.args = ["false"]'
	cfg=$BATS_TEST_TMPDIR/other.json
	jq '.process.args = ["rl-payload", "wait-signal"] | .hostname = "from-other"
		| .hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c", "echo poststart >" + $f]}]' \
		--arg f "$BATS_TEST_TMPDIR/poststart" "$BUNDLE/config.json" >"$cfg"
	cd "$BATS_TEST_TMPDIR"
	rt_bg create --bundle "$BUNDLE" --config other.json "$CID"
	assert_success
	run rt start "$CID"
	assert_success
	wait_output '^ready$'
	assert_equal "$(cat "$BATS_TEST_TMPDIR/poststart")" poststart
	# exec without --process takes the process (env, cwd) from the same file
	run --separate-stderr rt exec "$CID" rl-payload hostname
	assert_success
	assert_line hostname=from-other
	rt kill "$CID" KILL
	wait_status "$CID" stopped
	# run -f, and a missing file names the flag
	jq '.process.args = ["rl-payload", "exit", "7"]' "$cfg" >"$cfg.run"
	run --separate-stderr rt run -f "$cfg.run" --bundle "$BUNDLE" "$CID-run" </dev/null
	assert_failure 7
	run --separate-stderr rt create --config no-such.json --bundle "$BUNDLE" "$CID-x" </dev/null
	assert_failure
	assert_match -- '--config no-such.json: No such file or directory' "$stderr"
}

# no_mount_ns: a config without a mount namespace and without anything that
# would mount (the spec: an unlisted namespace is the runtime's).
no_mount_ns() {
	update_config '.linux.namespaces |= map(select(.type != "mount"))
		| .mounts = [] | del(.linux.maskedPaths) | del(.linux.readonlyPaths)
		| .root.readonly = false'
}

@test "no mount namespace: the runtime's is inherited, the process is chrooted into root.path" {
	no_mount_ns
	before=$(wc -l </proc/self/mountinfo)
	if is_runc; then
		set_args rl-payload wait-signal
		rt_bg create --bundle "$BUNDLE" "$CID"
		# runc binds the rootfs onto itself in the runtime's namespace and
		# leaves it there: take it away for the teardown check
		awk -v b="$BUNDLE" 'index($5, b) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r umount -l
		[[ $status -eq 0 ]] ||
			skip "runc 1.1.5 needs a /proc in the chroot (\"error closing exec fds: open /proc/self/fd\", observed here)"
	fi
	create_payload wait-signal
	pid=$(state_field "$CID" .pid)
	assert_equal "$(readlink "/proc/$pid/ns/mnt")" "$(readlink /proc/self/ns/mnt)"
	in_rootfs "$pid" || fail "the init's root is not the bundle's rootfs"
	run rt start "$CID"
	assert_success
	wait_output '^ready$'
	# exec lands in the same root
	run --separate-stderr rt exec "$CID" rl-payload stat /bin/rl-payload
	assert_success
	assert_line type=file
	# nothing was mounted in the runtime's namespace
	assert_equal "$(wc -l </proc/self/mountinfo)" "$before"
}

@test "no mount namespace: what needs one is refused, each part named" {
	update_config '.linux.namespaces |= map(select(.type != "mount"))'
	run_payload exit 0
	assert_failure
	is_rustlet || return 0
	assert_match 'linux.namespaces: without a "mount" namespace the container shares the runtime.s mounts, and these need a private one \(add \{"type": "mount"\}\): mounts, root.readonly, linux.maskedPaths, linux.readonlyPaths$' "$stderr"
}

@test "exec that fails before the process runs exits 255, as runc" {
	start_payload wait-signal
	wait_output '^ready$'
	run --separate-stderr rt exec "$CID" /no/such/binary
	assert_failure 255
	run --separate-stderr rt exec --cwd /no/such/dir "$CID" rl-payload cwd
	assert_failure 255
	run --separate-stderr rt exec no-such-container true
	assert_failure 255
	# the process's own status is passed on
	run --separate-stderr rt exec "$CID" rl-payload exit 3
	assert_failure 3
}

@test "CMD --help, help CMD and CMD ID --help print the command's options" {
	for form in "create --help" "help create" "create $CID --help"; do
		# shellcheck disable=SC2086
		run --separate-stderr rt $form
		assert_success
		assert_match -- '--bundle'
		assert_match -- '--pid-file'
		assert_match -- '--console-socket'
		assert_match -- '--no-pivot'
	done
	run --separate-stderr rt exec --help
	assert_success
	assert_match -- '--process'
	assert_match -- '--cwd'
	[[ ! -e "$ROOT/$CID" ]]
}

@test "usage errors say the command once; an unknown command gets a one-line hint" {
	skip_if_runc "checks rustlet's wording"
	run --separate-stderr rt create
	assert_failure 1
	assert_equal "$stderr" "rustlet: create: requires exactly 1 argument (the container id) (see 'rustlet create --help')"
	run --separate-stderr rt no-such-command
	assert_failure 1
	assert_equal "$stderr" "rustlet: no such command \"no-such-command\" (see 'rustlet --help')"
}
