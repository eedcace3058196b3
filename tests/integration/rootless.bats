#!/usr/bin/env bats
# Rootless containers (runc's rootless mode): an unprivileged user, made for
# this file and removed after it, runs `spec --rootless` bundles. State goes to
# $XDG_RUNTIME_DIR/<runtime>, uid/gid 0 map to the user (multi-id maps through
# newuidmap/newgidmap from /etc/subuid, /etc/subgid), cgroups the user cannot
# make are skipped unless linux.resources asks for limits, and sysfs/devices
# fall back to bind mounts. Facts are read inside the container.
load helpers

setup_file() {
	[[ $EUID -eq 0 ]] || skip "needs root (to make the unprivileged user)"
	command -v useradd >/dev/null || skip "needs useradd (passwd)"
	command -v runuser >/dev/null || skip "needs runuser (util-linux)"
	export RL_USER=rlrl$$
	useradd --no-create-home --shell /bin/sh "$RL_USER"
	export RL_UID RL_GID
	RL_UID=$(id -u "$RL_USER") RL_GID=$(id -g "$RL_USER")
	# useradd adds subordinate ranges when login.defs says so; else one that
	# starts after every range in use
	local f start
	for f in /etc/subuid /etc/subgid; do
		if ! grep -q "^$RL_USER:" "$f" 2>/dev/null; then
			start=$(awk -F: 'BEGIN { m = 100000 } $2 + $3 > m { m = $2 + $3 } END { print m }' \
				/etc/subuid /etc/subgid 2>/dev/null)
			echo "$RL_USER:$start:65536" >>"$f"
		fi
	done
	export RL_SUBUID RL_SUBGID
	RL_SUBUID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subuid)
	RL_SUBGID=$(awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' /etc/subgid)
}

teardown_file() {
	[[ -n "${RL_USER:-}" ]] || return 0
	userdel "$RL_USER" 2>/dev/null || true
	# userdel removes the subordinate ranges on recent shadow; make sure
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
}

setup() {
	rl_setup
	# a directory of our own the user can reach: bundle and XDG_RUNTIME_DIR
	RL_DIR=$(mktemp -d /tmp/rl-rootless.XXXXXX)
	chmod 755 "$RL_DIR"
	BUNDLE=$RL_DIR/bundle
	XDG=$RL_DIR/xdg
	mkdir -p "$BUNDLE" "$XDG"
	chmod 700 "$XDG"
	cp -a "$RL_TEMPLATE/rootfs" "$BUNDLE/rootfs"
	(cd "$BUNDLE" && "$RUNTIME" spec --rootless)
	# the config as the user would write it: root in the container is the user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}] |
		.linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}] |
		.process.terminal = false | .hostname = "rlhost"' \
		--argjson u "$RL_UID" --argjson g "$RL_GID"
	chown -R "$RL_USER:" "$BUNDLE" "$XDG"
	if is_runc; then ROOT=$XDG/runc; else ROOT=$XDG/rustlet; fi
}

teardown() {
	local id left=()
	for id in $(ls "$ROOT" 2>/dev/null) "$CID" "${!RL_USED_IDS[@]}"; do
		urt delete --force "$id" >/dev/null 2>&1 || true
	done
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]] || left+=("state in $ROOT: $(ls "$ROOT")")
	local i p
	for ((i = 0; i < 40; i++)); do
		p=$(procs_in_rootfs)
		[[ -z "$p" ]] && break
		sleep 0.05
	done
	[[ -z "$p" ]] || left+=("processes: $p")
	p=$(cgroup_dirs "$CID_BASE")
	[[ -z "$p" ]] || left+=("cgroups: $p")
	p=$(awk -v b="$RL_DIR" 'index($5, b) == 1 { print $5 }' /proc/self/mountinfo)
	[[ -z "$p" ]] || left+=("mounts: $p")
	for p in $(procs_in_rootfs); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$RL_DIR"
	if ((${#left[@]})); then
		printf 'residue: %s\n' "${left[@]}" >&2
		return 1
	fi
}

# urt ARGS...: the runtime as the unprivileged user, default state root
# ($XDG_RUNTIME_DIR/<runtime>), no --root. Env: URT_ENV (extra env words).
urt() {
	local envw=()
	read -ra envw <<<"${URT_ENV:-}"
	(cd "$BUNDLE" && timeout --kill-after=5 "$RL_CALL_TIMEOUT" runuser -u "$RL_USER" -- \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_DIR" XDG_RUNTIME_DIR="$XDG" \
		"${envw[@]}" "$RUNTIME" "$@") 3>&-
}

# urt_bg ARGS...: urt for a command that leaves a container behind (create,
# run -d): output appended to $CTR_OUT/$CTR_ERR (the
# container inherits the fds), so bats's pipes are never held open.
urt_bg() {
	local o e
	o=$(stat -c %s "$CTR_OUT") e=$(stat -c %s "$CTR_ERR")
	status=0
	urt "$@" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR" || status=$?
	output=$(tail -c +$((o + 1)) "$CTR_OUT")
	stderr=$(tail -c +$((e + 1)) "$CTR_ERR")
}

# urun ARGS...: `run` the payload/command ARGS in a new container as the user.
urun() {
	set_args "$@"
	chown "$RL_USER:" "$BUNDLE/config.json"
	next_cid
	run --separate-stderr urt run "$CID" </dev/null
}

@test "rootless: state under \$XDG_RUNTIME_DIR/<runtime> without --root" {
	urun true
	assert_success
	# the user owns the state root it made
	assert_equal "$(stat -c %U "$ROOT")" "$RL_USER"
	set_args sleep 100
	chown "$RL_USER:" "$BUNDLE/config.json"
	next_cid
	urt_bg create "$CID"
	assert_success
	[[ -d "$ROOT/$CID" ]] || fail "no $ROOT/$CID"
	run --separate-stderr urt list -q
	assert_success
	assert_line "$CID"
}

@test "rootless: XDG_RUNTIME_DIR unset or not writable is a clear error" {
	skip_if_runc "runc 1.1.5 falls back to /run/runc and fails on its mkdir"
	run --separate-stderr runuser -u "$RL_USER" -- env -u XDG_RUNTIME_DIR "$RUNTIME" list
	assert_failure
	assert_match "rootless mode .*XDG_RUNTIME_DIR is not set.*--root" "$stderr"
	run --separate-stderr runuser -u "$RL_USER" -- env XDG_RUNTIME_DIR=/root "$RUNTIME" list
	assert_failure
	assert_match "rootless mode .*writable XDG_RUNTIME_DIR.*access /root: Permission denied" "$stderr"
	# --root still wins, and root keeps /run/rustlet
	run --separate-stderr runuser -u "$RL_USER" -- env -u XDG_RUNTIME_DIR "$RUNTIME" --root "$XDG/r" list
	assert_success
	run --separate-stderr runuser -u "$RL_USER" -- env -u XDG_RUNTIME_DIR "$RUNTIME" --rootless false --root "$XDG/r" list
	assert_success
}

@test "rootless run: root in the container is the user, hostname and mounts" {
	urun rl-payload ids
	assert_success
	urun cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups
	assert_success
	read -r c h s <<<"$(sed -n 1p <<<"$output")"
	assert_equal "$c $h $s" "0 $RL_UID 1"
	read -r c h s <<<"$(sed -n 2p <<<"$output")"
	assert_equal "$c $h $s" "0 $RL_GID 1"
	# an unprivileged gid_map needs setgroups denied first
	assert_equal "$(sed -n 3p <<<"$output")" deny
	urun sh -c 'id -u; id -g; hostname; stat -c %u /proc/1'
	assert_success
	assert_equal "$output" "$(printf '0\n0\nrlhost\n0')"
	urun sh -c 'awk "\$5 == \"/proc\" || \$5 == \"/dev/pts\" || \$5 == \"/sys\" || \$5 == \"/dev/mqueue\" { print \$5, \$9 }" /proc/self/mountinfo'
	assert_success
	assert_line "/proc proc"
	assert_line "/dev/pts devpts"
	assert_line "/dev/mqueue mqueue"
	assert_line "/sys sysfs" # spec --rootless binds the host's /sys
}

@test "rootless: uid/gid ranges beyond the user's own id go through newuidmap/newgidmap" {
	requires newuidmap newgidmap
	update_config '.linux.uidMappings += [{containerID: 1, hostID: $u, size: 1000}] |
		.linux.gidMappings += [{containerID: 1, hostID: $g, size: 1000}]' \
		--argjson u "$RL_SUBUID" --argjson g "$RL_SUBGID"
	update_config '.process.user.uid = 7 | .process.user.gid = 8'
	urun sh -c 'cat /proc/self/uid_map /proc/self/gid_map; touch /dev/shm/f; stat -c "%u %g" /dev/shm/f'
	assert_success
	assert_equal "$(awk '{ print $1, $2, $3 }' <<<"$output" | sed -n 1,4p)" \
		"$(printf '0 %s 1\n1 %s 1000\n0 %s 1\n1 %s 1000' "$RL_UID" "$RL_SUBUID" "$RL_GID" "$RL_SUBGID")"
	# a process may run as a mapped id other than 0
	assert_line "7 8"
	# a range that is not the user's: newuidmap refuses, the error says where to look
	update_config '.linux.uidMappings[1].hostID = 4000000000 - 2000'
	urun true
	assert_failure
	if is_rustlet; then
		assert_match "linux.uidMappings: newuidmap [0-9]+ failed .*not allowed.*rootless mode .*/etc/subuid \(user $RL_USER\)" "$stderr"
	fi
}

@test "rootless: no cgroup without limits; linux.resources is a clear error" {
	urun true
	assert_success
	[[ -z "$(cgroup_dirs "$CID")" ]] || fail "a cgroup was made: $(cgroup_dirs "$CID")"
	update_config '.linux.resources.memory.limit = 104857600'
	urun true
	assert_failure
	if is_rustlet; then
		assert_match "run $CID: linux.resources.memory: rootless mode \(uid $RL_UID\) cannot make the container's cgroup .*remove linux.resources.memory.*Permission denied" "$stderr"
	else
		assert_match "cannot set memory limit" "$stderr"
	fi
	update_config 'del(.linux.resources.memory) | .linux.resources.pids.limit = 100'
	urun true
	assert_failure
	is_runc || assert_match "linux.resources.pids: rootless mode" "$stderr"
}

@test "rootless lifecycle: create, start, state, exec, kill, delete" {
	set_args sleep 1000
	chown "$RL_USER:" "$BUNDLE/config.json"
	next_cid
	urt_bg create --pid-file "$XDG/pid" "$CID"
	assert_success
	run --separate-stderr urt state "$CID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	pid=$(jq -r .pid <<<"$output")
	assert_equal "$(cat "$XDG/pid")" "$pid"
	# the init runs as the user on the host, root inside
	assert_equal "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" "$RL_UID"
	run --separate-stderr urt start "$CID"
	assert_success
	run --separate-stderr urt state "$CID"
	assert_equal "$(jq -r .status <<<"$output")" running
	run --separate-stderr urt exec "$CID" sh -c 'id -u; hostname; cat /proc/self/uid_map'
	assert_success
	assert_line 0
	assert_line rlhost
	assert_match "^ +0 +$RL_UID +1$" "$output"
	run --separate-stderr urt kill "$CID" KILL
	assert_success
	for ((i = 0; i < 100; i++)); do
		[[ "$(urt state "$CID" | jq -r .status)" == stopped ]] && break
		sleep 0.05
	done
	assert_equal "$(urt state "$CID" | jq -r .status)" stopped
	run --separate-stderr urt delete "$CID"
	assert_success
	[[ ! -e "$ROOT/$CID" ]] || fail "state left: $ROOT/$CID"
	run --separate-stderr urt state "$CID"
	assert_failure
}

@test "rootless: a sysfs mount without a network namespace falls back to a bind of /sys" {
	update_config '(.mounts[] | select(.destination == "/sys")) |= {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]}'
	urun sh -c 'awk "\$5 == \"/sys\" { print \$4, \$9, \$6 }" /proc/self/mountinfo; echo net: $(ls /sys/class/net)'
	if is_runc; then
		# runc 1.1.5 has no fallback: mount sysfs fails with EPERM
		assert_failure
		assert_match "sysfs.*operation not permitted" "$stderr"
	else
		assert_success
		# the host's sysfs, bound from its root, read-only, showing the
		# host's network devices
		assert_match "^/ sysfs ro," "$output"
		assert_line "net: $(echo $(ls /sys/class/net))"
	fi
	# with a network namespace of its own a real sysfs works: only lo
	update_config '.linux.namespaces += [{type: "network"}]'
	urun sh -c 'awk "\$5 == \"/sys\" { print \$4, \$9, \$6 }" /proc/self/mountinfo; echo net: $(ls /sys/class/net)'
	assert_success
	assert_match "^/ sysfs ro," "$output"
	assert_line "net: lo"
}

@test "rootless: devices are the host's nodes bound in (no mknod in a user namespace)" {
	update_config '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}]'
	[[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
	urun sh -c 'for d in null zero full random urandom tty fuse; do stat -c "%n %F %t:%T" /dev/$d; done; echo x >/dev/null && echo wrote'
	assert_success
	assert_line "/dev/null character special file 1:3"
	assert_line "/dev/zero character special file 1:5"
	assert_line "/dev/fuse character special file a:e5"
	assert_line wrote
	# a node the host does not have cannot be bound: the error says why
	update_config '.linux.devices = [{path: "/dev/rl-none", type: "c", major: 1, minor: 3}]'
	urun true
	if is_rustlet; then
		assert_failure
		assert_match "linux.devices\[0\] \(/dev/rl-none\): mknod is not permitted \(rootless.*the host needs /dev/rl-none.*No such file" "$stderr"
	fi
}

@test "rootless: without a user namespace the error says rootless needs one" {
	update_config 'del(.linux.uidMappings, .linux.gidMappings) | .linux.namespaces -= [{type: "user"}]'
	urun true
	assert_failure
	if is_rustlet; then
		assert_match "rootless mode \(uid $RL_UID\) needs a user namespace" "$stderr"
	else
		assert_match "rootless container requires user namespaces" "$stderr"
	fi
}
