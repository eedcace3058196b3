#!/usr/bin/env bats
# exec: a new process in a running container's namespaces and cgroup.
load helpers

# run_exec ARGS...: `exec ARGS` in the foreground, stdin /dev/null.
run_exec() {
	run --separate-stderr rt exec "$@" </dev/null
}

@test "exec: the process is in every namespace of the init" {
	start_payload sleep 1000
	local pid
	pid=$(state_field "$CID" .pid)
	run_exec "$CID" rl-payload ns
	assert_success
	local line k v n=0
	while IFS== read -r k v; do
		[[ -e /proc/$pid/ns/$k ]] || continue
		assert_equal "$v" "$(readlink "/proc/$pid/ns/$k")"
		n=$((n + 1))
	done <<<"$output"
	((n >= 6)) || fail "compared only $n namespaces: $output"
}

@test "exec: exit status passes through (0, 3, 137 when killed)" {
	start_payload sleep 1000
	run_exec "$CID" rl-payload exit 0
	assert_success
	run_exec "$CID" rl-payload exit 3
	assert_failure 3
	run_exec "$CID" rl-payload kill-self 9
	assert_failure 137
}

@test "exec: in the container's cgroup and rootfs" {
	start_payload sleep 1000
	run_exec "$CID" rl-payload cgroup
	assert_success
	local mine
	mine=$(rt exec "$CID" cat /proc/1/cgroup </dev/null)
	assert_equal "$output" "$mine"
}

@test "exec --detach --pid-file writes the host pid" {
	start_payload sleep 1000
	rt_bg exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" rl-payload sleep 1000
	assert_success
	[[ -s "$BATS_TEST_TMPDIR/exec.pid" ]] || fail "no pid file"
	local p
	p=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	pid_alive "$p"
	in_rootfs "$p"
	run rt ps --format json "$CID"
	assert_success
	jq -e --argjson p "$p" 'index($p) != null' <<<"$output"
}

@test "exec --env, --cwd" {
	start_payload sleep 1000
	run_exec --env FOO=bar --env EMPTY= "$CID" rl-payload env
	assert_success
	assert_line FOO=bar
	assert_line EMPTY=
	assert_line 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	run_exec --env PATH=/bin "$CID" rl-payload env
	assert_success
	assert_line PATH=/bin
	refute_line 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	run_exec --cwd /tmp "$CID" rl-payload cwd
	assert_success
	assert_line cwd=/tmp
}

@test "exec --user, --additional-gids" {
	start_payload sleep 1000
	run_exec --user 1000:1001 -g 5 -g 6 "$CID" rl-payload ids
	assert_success
	assert_line uid=1000
	assert_line euid=1000
	assert_line gid=1001
	assert_line groups=5,6
	run_exec -u 1234 "$CID" rl-payload ids
	assert_success
	assert_line uid=1234
	assert_line gid=0
}

@test "exec --cap adds to bounding, effective and permitted" {
	start_payload sleep 1000
	run_exec "$CID" rl-payload caps
	assert_success
	assert_line bnd=0000000020000420
	run_exec --cap CAP_SYS_ADMIN "$CID" rl-payload caps
	assert_success
	# + CAP_SYS_ADMIN (21)
	assert_line bnd=0000000020200420
	assert_line eff=0000000020200420
	assert_line prm=0000000020200420
}

@test "exec --no-new-privs" {
	update_config '.process.noNewPrivileges = false'
	start_payload sleep 1000
	run_exec "$CID" rl-payload nnp
	assert_success
	assert_line nnp=0
	run_exec --no-new-privs "$CID" rl-payload nnp
	assert_success
	assert_line nnp=1
}

@test "exec --process FILE" {
	start_payload sleep 1000
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'JSON'
		{"args": ["rl-payload", "env"], "cwd": "/tmp",
		 "env": ["PATH=/bin", "FROM_FILE=yes"], "user": {"uid": 7, "gid": 8}}
	JSON
	run_exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	assert_success
	assert_line FROM_FILE=yes
	# no HOME given and uid 7 has no passwd entry: "/" (as runc)
	assert_line HOME=/
	refute_line HOME=/root
	run_exec -p "$BATS_TEST_TMPDIR/process.json" "$CID"
	assert_success
	jq '.args = ["rl-payload", "ids"]' "$BATS_TEST_TMPDIR/process.json" >"$BATS_TEST_TMPDIR/p2.json"
	run_exec --process "$BATS_TEST_TMPDIR/p2.json" "$CID"
	assert_success
	assert_line uid=7
	assert_line gid=8
}

@test "exec --tty --console-socket: the exec'd process gets its own pty" {
	start_payload sleep 1000
	SOCK=$BATS_TEST_TMPDIR/console.sock
	"$RECVTTY" "$SOCK" 'echo typed-$((6*7))\nexit\n' >"$BATS_TEST_TMPDIR/tty.out" \
		2>"$BATS_TEST_TMPDIR/recvtty.err" 3>&- &
	recv=$!
	wait_for test -S "$SOCK"
	run_exec --tty --console-socket "$SOCK" "$CID" sh
	assert_success
	wait_for bash -c "! kill -0 $recv 2>/dev/null"
	run cat "$BATS_TEST_TMPDIR/tty.out"
	assert_match 'typed-42'
}

@test "exec --tty in the foreground relays the pty" {
	requires script
	start_payload sleep 1000
	run timeout 30 script -qec "$RUNTIME --root $ROOT exec --tty $CID rl-payload tty" /dev/null </dev/null
	assert_success
	assert_match 'isatty=1'
	assert_match 'ctty=1'
}

@test "exec --console-socket without a terminal is refused" {
	start_payload sleep 1000
	run_exec --console-socket "$BATS_TEST_TMPDIR/none.sock" "$CID" true
	assert_failure
}

@test "exec of a missing command fails with the cause" {
	start_payload sleep 1000
	run_exec "$CID" no-such-command
	assert_failure
	assert_match 'no-such-command' "$stderr"
	assert_match 'not found|no such file' "$stderr"
	# an absolute path: the cause once, in Go's wording (Docker maps it to 127)
	run_exec "$CID" /no/such/binary
	assert_failure
	assert_match '/no/such/binary.*: no such file or directory' "$stderr"
	refute_match 'directory: [Nn]o such file' "$stderr"
}

@test "exec in a paused container is refused unless --ignore-paused" {
	start_payload sleep 1000
	run rt pause "$CID"
	assert_success
	run_exec "$CID" rl-payload exit 0
	assert_failure
	assert_match 'paused' "$stderr"
	# with --ignore-paused it joins the frozen cgroup and runs once resumed
	rt exec --ignore-paused "$CID" rl-payload args hello </dev/null >"$BATS_TEST_TMPDIR/ip.out" 2>&1 &
	local bg=$!
	KEEP_PIDS+=("$bg")
	# resume only once the exec'd process is in the frozen cgroup (a fixed
	# sleep could resume first and test nothing)
	local sub=freezer
	[[ -d /sys/fs/cgroup/freezer ]] || sub=unified
	wait_for eval '(($(cgroup_procs_count "$CID" $sub) >= 2))'
	run rt resume "$CID"
	assert_success
	wait "$bg"
	run cat "$BATS_TEST_TMPDIR/ip.out"
	assert_line argv[1]=args
	assert_line argv[2]=hello
}

@test "exec in a stopped container fails" {
	start_payload exit 0
	wait_status "$CID" stopped
	run_exec "$CID" rl-payload exit 0
	assert_failure
	assert_match 'stopped' "$stderr"
}

@test "exec in a created (not started) container works" {
	create_payload sleep 1000
	run_exec "$CID" rl-payload args created
	assert_success
	assert_line argv[2]=created
	assert_equal "$(state_field "$CID" .status)" created
}

@test "exec: no host fd is open and /proc/self/exe is the container's binary" {
	start_payload sleep 1000
	run_exec "$CID" rl-payload fds
	assert_success
	refute_match '^[3-9][0-9]*='
	run_exec "$CID" sh -c 'readlink /proc/$$/exe; readlink /proc/$$/cwd; readlink /proc/$$/root'
	assert_success
	assert_equal "${lines[0]}" /bin/busybox
	assert_equal "${lines[1]}" /
	assert_equal "${lines[2]}" /
}

@test "exec --preserve-fds passes fds above 2" {
	start_payload sleep 1000
	# not through rt: it closes fd 3
	run --separate-stderr "$RUNTIME" --root "$ROOT" exec --preserve-fds 1 "$CID" rl-payload fds \
		3<"$BUNDLE/config.json" 4<"$BUNDLE/config.json" </dev/null
	assert_success
	assert_match '^3='
	refute_match '^4='
}

@test "exec: signals reach the exec'd process" {
	start_payload sleep 1000
	"$RUNTIME" --root "$ROOT" exec "$CID" rl-payload wait-signal </dev/null >"$BATS_TEST_TMPDIR/sig.out" 2>&1 3>&- &
	local bg=$!
	KEEP_PIDS+=("$bg")
	wait_for grep -q ready "$BATS_TEST_TMPDIR/sig.out"
	kill -USR1 "$bg"
	wait "$bg"
	run cat "$BATS_TEST_TMPDIR/sig.out"
	assert_line signame=SIGUSR1
}

@test "exec into a container with a user namespace" {
	d=$BATS_TEST_TMPDIR
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
	start_payload sleep 1000
	local pid
	pid=$(state_field "$CID" .pid)
	run_exec "$CID" rl-payload ns
	assert_success
	assert_line "user=$(readlink "/proc/$pid/ns/user")"
	assert_line "mnt=$(readlink "/proc/$pid/ns/mnt")"
	run_exec -u 1000:1000 "$CID" rl-payload ids
	assert_success
	assert_line uid=1000
	run_exec "$CID" rl-payload read /proc/self/uid_map
	assert_success
	assert_match '^ +0 +100000 +65536$'
}

@test "exec --cgroup runs the process in a sub-cgroup" {
	requires cgroup_v1
	start_payload sleep 1000
	local d
	d=$(container_cgroup_dir "$CID" pids)
	mkdir "$d/sub"
	run_exec --cgroup pids:sub "$CID" cat /proc/self/cgroup
	assert_success
	assert_match '^[0-9]+:pids:.*/sub$'
	refute_match '^[0-9]+:memory:.*/sub$'
	run_exec --cgroup pids:missing "$CID" true
	assert_failure
}

# ---- LSM flags: applied like process.apparmorProfile / selinuxLabel ----

apparmor_enabled() { [[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" == Y ]]; }
selinux_enabled() { [[ -e /sys/fs/selinux/enforce ]]; }

@test "exec --apparmor on a host without AppArmor: a clear error, nothing runs" {
	apparmor_enabled && skip "this host has AppArmor (the disabled-host path cannot be tested)"
	start_payload sleep 1000
	run_exec --apparmor rl-test-profile "$CID" sh -c 'echo ran'
	assert_failure
	refute_line ran
	if is_rustlet; then
		assert_match '--apparmor "rl-test-profile": AppArmor is not enabled on this host' "$stderr"
	else
		# runc 1.1.5 tries and fails in the process: write /proc/self/attr/exec: EINVAL
		assert_match 'apparmor failed to apply profile' "$stderr"
	fi
}

@test "exec --apparmor on a host with AppArmor: the profile is requested" {
	apparmor_enabled || skip "no AppArmor on this host (/sys/module/apparmor/parameters/enabled is not Y)"
	start_payload sleep 1000
	run_exec --apparmor unconfined "$CID" rl-payload lsm
	assert_success
	assert_match '^apparmor/current=unconfined'
}

@test "exec --process-label with SELinux disabled: runs, label not applied (runc: refused)" {
	selinux_enabled && skip "SELinux is enabled here (the disabled-host path cannot be tested)"
	start_payload sleep 1000
	run --separate-stderr rt --debug --log "$BATS_TEST_TMPDIR/log" exec \
		--process-label system_u:system_r:container_t:s0:c1,c2 "$CID" rl-payload lsm </dev/null
	if is_runc; then
		assert_failure
		assert_match 'selinux label is specified in config, but selinux is disabled' "$stderr"
		return
	fi
	assert_success
	# no LSM holds an exec label: nothing was written
	assert_line 'exec=<EINVAL>'
	assert_match '--process-label "system_u:system_r:container_t:s0:c1,c2": SELinux is disabled on this host, label not applied' \
		"$(cat "$BATS_TEST_TMPDIR/log")"
}

@test "exec of a container whose config has process.selinuxLabel (SELinux disabled)" {
	selinux_enabled && skip "SELinux is enabled here (the disabled-host path cannot be tested)"
	skip_if_runc "runc 1.1.5 refuses selinuxLabel on a host without SELinux (create fails)"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	start_payload sleep 1000
	run --separate-stderr rt --debug --log "$BATS_TEST_TMPDIR/log" exec "$CID" rl-payload pid </dev/null
	assert_success
	assert_match '^pid=[0-9]+'
	assert_match 'process.selinuxLabel ".*": SELinux is disabled on this host, label not applied' \
		"$(cat "$BATS_TEST_TMPDIR/log")"
}

@test "exec --process-label with SELinux enabled: the process runs with the label" {
	selinux_enabled || skip "SELinux is not enabled on this host (no /sys/fs/selinux): setexeccon cannot be tested"
	start_payload sleep 1000
	label=$(cat /proc/self/attr/current)
	run_exec --process-label "$label" "$CID" rl-payload lsm
	assert_success
	assert_line "current=$label"
}
