#!/usr/bin/env bats
# Issue 12, section 3 (continued): exec's pid file, pty owner and process
# group, and bind sources below root-only host directories in a user
# namespace (opened by the runtime, src/linux/mount_src.c). Every test here
# also passes with RUNTIME=/usr/sbin/runc (tests/integration/run --runtime
# /usr/sbin/runc) or skips with the reason. The pty owner and the process
# group were already right on main (47a1cd9, 834b51b): their tests guard
# them.
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


# userns_private_sources: a user namespace (container root = host 100000)
# and two bind mounts whose sources sit below a root-only 0700 host
# directory, which the mapped root cannot search.
userns_private_sources() {
	local d=$BATS_TEST_TMPDIR
	# the mapped root must reach the rootfs (as namespaces.bats)
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	PRIV=$BATS_TEST_TMPDIR/private
	mkdir -m 0700 "$PRIV"
	mkdir -p "$PRIV/dir"
	echo in-dir >"$PRIV/dir/file"
	echo a-file >"$PRIV/file"
	chmod 0644 "$PRIV/dir/file" "$PRIV/file"
	# host root's rootfs: the mapped root could not make the mountpoints
	mkdir "$BUNDLE/rootfs/mnt/dir"
	touch "$BUNDLE/rootfs/mnt/file"
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(select(.type != "sysfs" and .type != "cgroup"))
		| .mounts += [{destination: "/mnt/dir", type: "bind", source: ($p + "/dir"), options: ["rbind", "ro"]},
			{destination: "/mnt/file", type: "bind", source: ($p + "/file"), options: ["bind"]}]' \
		--arg p "$PRIV"
}

@test "user namespace: bind sources below a root-only host directory are mounted" {
	userns_private_sources
	run_payload read /mnt/dir/file
	assert_success
	assert_line in-dir
	run_payload read /mnt/file
	assert_success
	assert_line a-file
	# the host directory stays out of reach for the container's root
	run_payload ids
	assert_line uid=0
}

@test "user namespace: a read-only bind of a private source stays read-only" {
	userns_private_sources
	run_payload write /mnt/dir/new x
	assert_failure
	assert_match 'Read-only file system' "$output$stderr"
	[[ ! -e "$PRIV/dir/new" ]] || fail "the write reached the host"
}

@test "user namespace: a host read-only mount bound in stays locked read-only" {
	userns_private_sources
	# the source is a read-only mount on the host (in the runner's mount
	# namespace); the container's root gets CAP_SYS_ADMIN and tries to
	# remount its bind writable: the kernel's lock must hold
	mount --bind "$PRIV/dir" "$PRIV/dir"
	RO_MNT=$PRIV/dir
	mount -o remount,bind,ro "$PRIV/dir"
	update_config '.mounts[-2].options = ["rbind"]
		| .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
	set_args sh -c 'mount -o remount,bind,rw /mnt/dir; echo remount=$?; echo x >/mnt/dir/new; echo write=$?'
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	refute_line remount=0
	refute_line write=0
	[[ ! -e "$PRIV/dir/new" ]] || fail "the write reached the host"
}

teardown() {
	if [[ -n ${RO_MNT:-} ]]; then umount "$RO_MNT" || true; fi
	rl_teardown
}

@test "user namespace joined by path: bind sources below a root-only host directory are mounted" {
	# runc 1.1: "User namespaces enabled, but no uid mappings found."
	skip_if_runc "runc 1.1 refuses a user namespace path without linux.uidMappings"
	userns_private_sources
	# a user namespace held by a sleeping process, the same mappings
	unshare --user sleep 1000 3>&- &
	local holder=$!
	KEEP_PIDS+=("$holder")
	wait_for bash -c "[[ \$(readlink /proc/$holder/ns/user) != \$(readlink /proc/self/ns/user) ]]"
	echo '0 100000 65536' >"/proc/$holder/uid_map"
	echo '0 100000 65536' >"/proc/$holder/gid_map"
	update_config '(.linux.namespaces[] | select(.type == "user")) |= {type: "user", path: $p}
		| del(.linux.uidMappings, .linux.gidMappings)' --arg p "/proc/$holder/ns/user"
	run_payload read /mnt/dir/file
	assert_success
	assert_line in-dir
	run_payload read /proc/self/uid_map
	assert_success
	assert_match '^ +0 +100000 +65536$'
	kill -9 "$holder"
	wait "$holder" 2>/dev/null || true
}

@test "user namespace: a missing bind source fails create with the mount and the path" {
	userns_private_sources
	update_config '.mounts[-1].source = $s' --arg s "$PRIV/missing"
	run_payload true
	assert_failure
	if is_rustlet; then
		assert_match "mounts\[[0-9]+\] \(bind on /mnt/file\): open the source $PRIV/missing: No such file or directory" "$stderr"
	fi
	[[ -z "$(ls -A "$ROOT")" ]] || fail "state left: $(ls -A "$ROOT")"
}
