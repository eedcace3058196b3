#!/usr/bin/env bats
# podman with cgroup_manager = "systemd" (the default on Fedora and RHEL)
# running containers through the runtime: podman passes --systemd-cgroup
# and a cgroupsPath "machine.slice:libpod:ID", so each container is a
# transient scope. Needs systemd as PID 1 on a cgroup v2 host: the VM
# tier's guest (this machine skips it). The image is the integration
# template's busybox rootfs, imported; podman's storage is private to the
# file and removed with it.

load helpers

setup_file() {
	[[ -d /run/systemd/system && -f /sys/fs/cgroup/cgroup.controllers ]] || return 0
	command -v podman >/dev/null || return 0
	# podman refuses a runroot longer than 50 characters
	PM_DIR=$(mktemp -d /tmp/rlpm.XXXXXX)
	export PM_DIR
	mkdir -p "$PM_DIR"/{storage,run,tmp}
	export CONTAINERS_CONF=$PM_DIR/containers.conf
	cat >"$CONTAINERS_CONF" <<-EOF
	[engine]
	cgroup_manager = "systemd"
	events_logger = "file"
	events_logfile_path = "$PM_DIR/events.log"
	conmon_path = ["/usr/bin/conmon"]
	runtime_supports_json = ["crun", "runc", "rustlet"]
	EOF
	pm import - localhost/rl-busybox < <(tar -C "$RL_TEMPLATE/rootfs" -c .) >/dev/null
}

teardown_file() {
	[[ -n ${PM_DIR:-} ]] || return 0
	pm rm -a -f >/dev/null 2>&1 || true
	pm system reset -f >/dev/null 2>&1 || true
	rm -rf "$PM_DIR"
}

# pm ARGS...: podman with private storage, the runtime under test and
# systemd as cgroup manager
pm() {
	timeout --kill-after=5 "$RL_CALL_TIMEOUT" podman --root "$PM_DIR/storage" \
		--runroot "$PM_DIR/run" --tmpdir "$PM_DIR/tmp" --storage-driver vfs \
		--cgroup-manager systemd --runtime "$RUNTIME" "$@" 3>&-
}

needs_host() {
	requires root podman
	[[ -d /run/systemd/system ]] || skip "systemd is not PID 1 here"
	[[ -f /sys/fs/cgroup/cgroup.controllers ]] || skip "host is not pure cgroup v2"
}

setup() {
	needs_host
	rl_setup
}

teardown() {
	[[ -n ${PM_DIR:-} ]] && pm rm -a -f >/dev/null 2>&1
	rl_teardown
}

@test "podman systemd: run --rm in a libpod scope with its memory and pids limits" {
	run pm run --rm --net none --memory 64m --pids-limit 50 localhost/rl-busybox \
		sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
	assert_success
	# the container's own cgroup namespace shows "/"; the limits are its scope's
	assert_line "0::/"
	assert_line 67108864
	assert_line 50
}

@test "podman systemd: run -d, the scope on the host, exec, stop and rm" {
	run pm run -d --net none --memory 32m localhost/rl-busybox sleep 1000
	assert_success
	local id=${output##*$'\n'}
	run pm inspect --format '{{.State.Pid}}' "$id"
	assert_success
	local pid=$output
	local cg
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	[[ $cg == /machine.slice/libpod-$id.scope* ]] || fail "container in $cg, not its libpod scope"
	assert_equal "$(systemctl is-active "libpod-$id.scope")" active
	assert_equal "$(systemctl show -p MemoryMax --value "libpod-$id.scope")" 33554432
	run pm exec "$id" sh -c 'echo from-exec; cat /proc/self/cgroup'
	assert_success
	assert_line from-exec
	run pm stop -t 1 "$id"
	assert_success
	run pm rm "$id"
	assert_success
	run systemctl is-active "libpod-$id.scope"
	[[ $output != active ]] || fail "scope still active after rm"
}

@test "podman systemd: a failing command gives its exit code, a bad one podman's error" {
	run pm run --rm --net none localhost/rl-busybox sh -c 'exit 3'
	assert_failure 3
	run -127 pm run --rm --net none localhost/rl-busybox /no/such/binary
	assert_failure
	assert_match "no/such/binary" "$output"
}
