#!/usr/bin/env bats
# linux.namespaces: new and joined, seen from inside with rl-payload.
load helpers

# add_ns TYPE [PATH]: add (or replace) a namespace entry.
add_ns() {
	if [[ -n "${2:-}" ]]; then
		update_config '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{type: $t, path: $p}])' \
			--arg t "$1" --arg p "$2"
	else
		update_config '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{type: $t}])' --arg t "$1"
	fi
}
del_ns() {
	update_config '.linux.namespaces |= map(select(.type != $t))' --arg t "$1"
}

# hold_ns UNSHARE_FLAGS...: a sleeping process in new namespaces; sets HOLDER.
hold_ns() {
	unshare "$@" sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	HOLDER=$!
	KEEP_PIDS+=("$HOLDER")
	wait_for eval '[[ "$(readlink /proc/$HOLDER/exe)" == */sleep ]]'
}

@test "new pid namespace: the process is pid 1" {
	run_payload pid
	assert_success
	assert_line pid=1
	assert_line ppid=0
}

@test "without a pid namespace the process sees host pids" {
	del_ns pid
	run_payload pid
	assert_success
	refute_line pid=1
}

@test "new namespaces differ from the host's" {
	add_ns cgroup
	run_payload ns
	assert_success
	for ns in mnt net ipc uts pid cgroup; do
		assert_match "^$ns=$ns:\[[0-9]+\]$"
		refute_line "$ns=$(readlink /proc/self/ns/$ns)"
	done
	# user is not in the default config: shared with the host.
	assert_line "user=$(readlink /proc/self/ns/user)"
}

@test "uts namespace with hostname" {
	update_config '.hostname = "rl-host"'
	run_payload hostname
	assert_success
	assert_line hostname=rl-host
	[[ "$(hostname)" != rl-host ]]
}

@test "uts namespace with domainname" {
	skip_if_runc "runc 1.1.5 ignores the domainname field (added in 1.2)"
	update_config '.domainname = "rl.example"'
	run_payload domainname
	assert_success
	assert_line domainname=rl.example
	[[ "$(cat /proc/sys/kernel/domainname)" != rl.example ]]
}

@test "hostname without a uts namespace is refused" {
	del_ns uts
	update_config '.hostname = "rl-host"'
	run_payload hostname
	assert_failure 1
	[[ "$(hostname)" != rl-host ]]
	if is_rustlet; then assert_match hostname "$stderr"; fi
}

@test "new network namespace has only lo" {
	set_args ls /sys/class/net
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_equal "$output" lo
}

@test "new ipc namespace" {
	run_payload ns
	assert_success
	refute_line "ipc=$(readlink /proc/self/ns/ipc)"
}

@test "cgroup namespace: /proc/self/cgroup shows the root" {
	requires cgroupns
	add_ns cgroup
	run_payload cgroup
	assert_success
	assert_line "0::/"
	refute_match ':/.+$'
}

@test "without a cgroup namespace /proc/self/cgroup shows the container's path" {
	run_payload cgroup
	assert_success
	assert_match "^0::/.+"
}

@test "user namespace with uid/gid mappings" {
	# The mapped root must be able to reach the rootfs.
	d=$BATS_TEST_TMPDIR
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	add_ns user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
	# sysfs cannot be mounted from a user namespace that does not own the netns;
	# keep the rest of the default config.
	set_args rl-payload ids
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line uid=0
	assert_line gid=0
	run_payload read /proc/self/uid_map
	assert_success
	assert_match '^ +0 +100000 +65536$'
	run_payload read /proc/self/gid_map
	assert_success
	assert_match '^ +0 +200000 +65536$'
	run_payload ns
	refute_line "user=$(readlink /proc/self/ns/user)"
}

@test "time namespace with timeOffsets shifts monotonic and boottime" {
	requires timens
	skip_if_runc "runc 1.1.5 does not support the time namespace (added in 1.2)"
	add_ns time
	update_config '.linux.timeOffsets = {monotonic: {secs: 86400, nanosecs: 0}, boottime: {secs: 172800, nanosecs: 0}}'
	# the host's clocks, read the way the payload reads them
	"$PAYLOAD" time >"$BATS_TEST_TMPDIR/host-time"
	host_mono=$(sed -n 's/^monotonic=//p' "$BATS_TEST_TMPDIR/host-time")
	host_boot=$(sed -n 's/^boottime=//p' "$BATS_TEST_TMPDIR/host-time")
	run_payload time
	assert_success
	mono=$(value monotonic) boot=$(value boottime)
	((mono >= 86400 + host_mono && mono < 86400 + host_mono + 600)) ||
		fail "monotonic $mono in the container, $host_mono on the host before"
	((boot >= 172800 + host_boot && boot < 172800 + host_boot + 600)) ||
		fail "boottime $boot in the container, $host_boot on the host before"
}

@test "time namespace with timeOffsets inside a user namespace" {
	requires timens
	skip_if_runc "runc 1.1.5 does not support the time namespace (added in 1.2)"
	local d=$BATS_TEST_TMPDIR # the mapped root must reach the rootfs
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	add_ns user
	add_ns time
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(select(.type != "sysfs" and .type != "cgroup"))
		| .linux.timeOffsets = {boottime: {secs: 172800, nanosecs: 0}}'
	"$PAYLOAD" time >"$BATS_TEST_TMPDIR/host-time"
	host_boot=$(sed -n 's/^boottime=//p' "$BATS_TEST_TMPDIR/host-time")
	run_payload time
	assert_success
	boot=$(value boottime)
	((boot >= 172800 + host_boot && boot < 172800 + host_boot + 600)) ||
		fail "boottime $boot in the container, $host_boot on the host before"
}

@test "join a network namespace by path" {
	hold_ns --net
	add_ns network "/proc/$HOLDER/ns/net"
	run_payload ns
	assert_success
	assert_line "net=$(readlink /proc/$HOLDER/ns/net)"
}

@test "join uts and ipc namespaces by path" {
	hold_ns --uts --ipc
	update_config 'del(.hostname)'
	add_ns uts "/proc/$HOLDER/ns/uts"
	add_ns ipc "/proc/$HOLDER/ns/ipc"
	run_payload ns
	assert_success
	assert_line "uts=$(readlink /proc/$HOLDER/ns/uts)"
	assert_line "ipc=$(readlink /proc/$HOLDER/ns/ipc)"
}

@test "hostname with a uts namespace joined by path is set in that namespace" {
	hold_ns --uts
	host=$(hostname)
	update_config '.hostname = "rl-joined"'
	add_ns uts "/proc/$HOLDER/ns/uts"
	run_payload hostname
	assert_success
	assert_line hostname=rl-joined
	# the holder sees it (same namespace), the host does not
	assert_equal "$(nsenter --uts --target "$HOLDER" hostname)" rl-joined
	assert_equal "$(hostname)" "$host"
}

@test "hostname with the runtime's own uts namespace joined by path is refused" {
	skip_if_runc "runc 1.1.5 sets the hostname of the runtime's own uts namespace (observed here)"
	host=$(hostname)
	update_config '.hostname = "rl-not-here"'
	add_ns uts /proc/self/ns/uts
	run_payload hostname
	assert_failure 1
	assert_match "hostname: the uts namespace /proc/self/ns/uts is the host's" "$stderr"
	assert_equal "$(hostname)" "$host"
}

@test "join a pid namespace by path" {
	unshare --pid --fork sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	KEEP_PIDS+=("$!")
	wait_for eval '[[ -n "$(cat /proc/$!/task/$!/children 2>/dev/null)" ]]'
	child=$(cat /proc/$!/task/$!/children)
	child=${child%% *}
	KEEP_PIDS+=("$child")
	add_ns pid "/proc/$child/ns/pid"
	run_payload ns
	assert_success
	assert_line "pid=$(readlink /proc/$child/ns/pid)"
	run_payload pid
	assert_success
	refute_line pid=1
}

@test "joining a namespace path that does not exist fails" {
	add_ns network /proc/999999999/ns/net
	run_payload ns
	assert_failure 1
	if is_rustlet; then assert_match 'linux.namespaces' "$stderr"; fi
}

@test "a new network namespace has lo up, as with runc and crun" {
	update_config '.linux.namespaces |= (map(select(.type != "network")) + [{type: "network"}])'
	set_args sh -c 'read f </sys/class/net/lo/flags; echo lo_flags=$f'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line lo_flags=0x9 # IFF_UP | IFF_LOOPBACK
}
