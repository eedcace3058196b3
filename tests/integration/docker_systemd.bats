#!/usr/bin/env bats
# Docker with native.cgroupdriver=systemd (its default on a cgroup v2
# systemd host) running containers through the runtime: dockerd passes
# --systemd-cgroup and a cgroupsPath "system.slice:docker:ID", so each
# container is the transient scope docker-ID.scope. Needs systemd as PID 1
# on a cgroup v2 host: the VM tier's guest (this machine skips it). dockerd
# is private to the file (data-root, exec-root, socket, its own containerd)
# and stopped with it; the image is the integration template's busybox
# rootfs, imported; no network (--network none, no bridge, no iptables).
# The guest's kernel has AppArmor but the guest no apparmor_parser, so the
# containers run with --security-opt apparmor=unconfined.

load helpers

setup_file() {
	[[ -d /run/systemd/system && -f /sys/fs/cgroup/cgroup.controllers ]] || return 0
	command -v dockerd >/dev/null || return 0
	# dockerd's socket path must stay short (sun_path)
	DK_DIR=$(mktemp -d /tmp/rldk.XXXXXX)
	export DK_DIR DOCKER_HOST=unix://$DK_DIR/docker.sock DOCKER_CONFIG=$DK_DIR/client
	mkdir -p "$DK_DIR"/{data,exec,tmp,client}
	# "runc" is a reserved runtime name in dockerd
	cat >"$DK_DIR/daemon.json" <<-EOF
	{
	  "runtimes": {"rl-test": {"path": "$RUNTIME"}},
	  "default-runtime": "rl-test",
	  "exec-opts": ["native.cgroupdriver=systemd"],
	  "storage-driver": "vfs",
	  "bridge": "none",
	  "iptables": false,
	  "ip6tables": false,
	  "deprecated-key-path": "$DK_DIR/key.json",
	  "log-driver": "json-file"
	}
	EOF
	TMPDIR=$DK_DIR/tmp setsid dockerd --config-file "$DK_DIR/daemon.json" \
		--data-root "$DK_DIR/data" --exec-root "$DK_DIR/exec" --pidfile "$DK_DIR/docker.pid" \
		-H "$DOCKER_HOST" >"$DK_DIR/daemon.log" 2>&1 3>&- &
	echo $! >"$DK_DIR/dockerd.pid"
	local i
	for ((i = 0; i < 240; i++)); do
		/usr/bin/docker version >/dev/null 2>&1 && break
		sleep 0.5
	done
	tar -C "$RL_TEMPLATE/rootfs" -c . | /usr/bin/docker import - rl-busybox >/dev/null
}

teardown_file() {
	[[ -n ${DK_DIR:-} ]] || return 0
	local ids
	ids=$(/usr/bin/docker ps -aq 2>/dev/null)
	[[ -z $ids ]] || /usr/bin/docker rm -f $ids >/dev/null 2>&1 || true
	local pid
	pid=$(cat "$DK_DIR/dockerd.pid" 2>/dev/null)
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 120; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# dockerd's own containerd and the mounts below the data root
	umount -R "$DK_DIR/exec" 2>/dev/null || true
	grep -o " $DK_DIR/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$DK_DIR"
}

# dk ARGS...: the Docker client against the private daemon
dk() {
	timeout --kill-after=5 "$RL_CALL_TIMEOUT" /usr/bin/docker "$@" 3>&-
}

setup() {
	requires root
	[[ -d /run/systemd/system ]] || skip "systemd is not PID 1 here"
	[[ -f /sys/fs/cgroup/cgroup.controllers ]] || skip "host is not pure cgroup v2"
	command -v dockerd >/dev/null || skip "no dockerd"
	run dk info --format '{{.CgroupDriver}} {{.DefaultRuntime}}'
	[[ $output == "systemd rl-test" ]] || {
		cat "$DK_DIR/daemon.log" >&2
		fail "dockerd not up with the systemd driver and the runtime: $output"
	}
	rl_setup
}

teardown() {
	local ids
	ids=$(dk ps -aq 2>/dev/null)
	[[ -z $ids ]] || dk rm -f $ids >/dev/null 2>&1
	rl_teardown
}

@test "docker systemd: run --rm in a docker scope with its memory and pids limits" {
	run dk run --rm --network none --security-opt apparmor=unconfined --memory 64m --pids-limit 50 rl-busybox \
		sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
	assert_success
	# Docker's v2 default is a private cgroup namespace: the scope is "/"
	assert_line "0::/"
	assert_line 67108864
	assert_line 50
}

@test "docker systemd: run -d in system.slice/docker-ID.scope, exec, stop and rm" {
	run dk run -d --network none --security-opt apparmor=unconfined --memory 32m rl-busybox sleep 1000
	assert_success
	local id=${output##*$'\n'}
	run dk inspect --format '{{.State.Pid}}' "$id"
	assert_success
	local pid=$output
	local cg
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	[[ $cg == /system.slice/docker-$id.scope* ]] || fail "container in $cg, not its docker scope"
	assert_equal "$(systemctl is-active "docker-$id.scope")" active
	assert_equal "$(systemctl show -p MemoryMax --value "docker-$id.scope")" 33554432
	run dk exec "$id" sh -c 'echo from-exec'
	assert_success
	assert_line from-exec
	run dk stop -t 1 "$id"
	assert_success
	run dk rm "$id"
	assert_success
	run systemctl is-active "docker-$id.scope"
	[[ $output != active ]] || fail "scope still active after rm"
}

@test "docker systemd: exit codes, and a missing command is Docker's 127" {
	run dk run --rm --network none --security-opt apparmor=unconfined rl-busybox sh -c 'exit 3'
	assert_failure 3
	run -127 dk run --rm --network none --security-opt apparmor=unconfined rl-busybox /no/such/binary
	assert_failure 127
}
