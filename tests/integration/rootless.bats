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
	run --separate-stderr urt create "$CID" </dev/null
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
