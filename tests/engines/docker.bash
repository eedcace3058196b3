# Docker 20.10: dockerd started by hand with a private data-root, exec-root,
# pidfile, socket and daemon.json naming the runtime under test as the
# default runtime; the 20.10 client /usr/bin/docker.

D=$S/docker
# "runc" is a reserved runtime name in dockerd.
RT_NAME=rl-$(basename "$RUNTIME")
export DOCKER_HOST=unix://$D/docker.sock DOCKER_CONFIG=$D/client

dk() { /usr/bin/docker "$@"; }

# shellcheck disable=SC2034 # read by inside.bash
SCENARIOS=(pull echo exit-codes stdin tty env-user-workdir read-only volume
	detached exec top pause update stop restart memory oom port network-none
	init error parallel debian)

docker_start() {
	set -e
	mkdir -p "$D"/{data,exec,tmp,client}
	cat >"$D/daemon.json" <<-EOF2
	{
	  "runtimes": {"$RT_NAME": {"path": "$RUNTIME"}},
	  "default-runtime": "$RT_NAME",
	  "insecure-registries": ["$REG"],
	  "deprecated-key-path": "$D/key.json",
	  "exec-opts": ["native.cgroupdriver=cgroupfs"],
	  "storage-driver": "overlay2",
	  "log-driver": "json-file"
	}
	EOF2
	TMPDIR=$D/tmp setsid dockerd --config-file "$D/daemon.json" --data-root "$D/data" \
		--exec-root "$D/exec" --pidfile "$D/docker.pid" -H "$DOCKER_HOST" \
		>"$S/logs/docker-daemon.log" 2>&1 &
	daemons+=($!)
	retry 60 dk version
	dk info --format '{{.DefaultRuntime}} {{.CgroupDriver}} {{.DockerRootDir}}'
	[[ $(dk info --format '{{.DefaultRuntime}}') == "$RT_NAME" ]]
}

docker_reset() {
	local ids
	ids=$(dk ps -aq)
	[[ -z $ids ]] || dk rm -f $ids >/dev/null
	[[ -z $(dk ps -aq) ]]
}

sc_docker_pull() {
	x dk pull -q "$BUSYBOX"
	dk images
	[[ -n $(dk images -q "$BUSYBOX") ]] || die "image not listed after pull"
}

sc_docker_echo() {
	expect_rc 0 dk run --rm "$BUSYBOX" echo hello engines
	expect_eq output "hello engines" "$out"
}

sc_docker_exit_codes() {
	local c
	for c in 0 1 42; do
		expect_rc "$c" dk run --rm "$BUSYBOX" sh -c "exit $c"
	done
	# Killed from outside (SIGKILL): 128 + 9.
	local c; c=$(cname k)
	dk run --rm --name "$c" "$BUSYBOX" sleep 300 & local bg=$!
	retry 20 sh -c "[ \$(docker inspect -f '{{.State.Status}}' $c) = running ]"
	x dk kill "$c"
	local rc=0; wait $bg || rc=$?
	expect_eq "run's exit code after kill" 137 "$rc"
}

sc_docker_stdin() {
	out=$(printf 'line one\nline two\n' | dk run --rm -i "$BUSYBOX" sh -c 'wc -l; echo done')
	expect_eq "lines read from stdin" "2
done" "$(tr -d ' ' <<<"$out")"
}

sc_docker_tty() {
	out=$(under_pty /usr/bin/docker run --rm -t "$BUSYBOX" sh -c 'test -t 0 && test -t 1 && tty && stty size')
	echo "$out"
	expect_match "tty" '/dev/pts/[0-9]+' "$out"
	# A closed stdin without -t must not be a tty.
	expect_rc 1 dk run --rm "$BUSYBOX" test -t 1
}

sc_docker_env_user_workdir() {
	expect_rc 0 dk run --rm -e FOO=bar -w /tmp -u 1000:1000 --hostname rlhost "$BUSYBOX" \
		sh -c 'echo "$FOO $(pwd) $(id -u):$(id -g) $(hostname) $HOME"'
	expect_eq "env pwd uid:gid hostname home" "bar /tmp 1000:1000 rlhost /tmp" "$out"
}

sc_docker_read_only() {
	expect_rc 0 dk run --rm --read-only --tmpfs /tmp "$BUSYBOX" sh -c 'touch /x 2>&1; echo rc=$?; touch /tmp/y && echo tmp-ok'
	expect_match "write to / refused" 'Read-only file system' "$out"
	expect_match "tmpfs /tmp writable" 'tmp-ok' "$out"
}

sc_docker_volume() {
	local v=$S/vol-docker
	mkdir -p "$v"
	echo from-host >"$v/in"
	expect_rc 0 dk run --rm -v "$v:/data" "$BUSYBOX" sh -c 'cat /data/in; echo from-container >/data/out'
	expect_eq "host file seen inside" from-host "$out"
	expect_eq "container file seen on host" from-container "$(cat "$v/out")"
	expect_rc 0 dk run --rm -v "$v:/data:ro" "$BUSYBOX" sh -c 'echo x 2>/dev/null >/data/out2 && echo wrote || echo refused'
	expect_eq "write to a :ro volume" refused "$out"
}

sc_docker_detached() {
	local c; c=$(cname d)
	x dk run -d --name "$c" "$BUSYBOX" sh -c 'echo started; exec sleep 300'
	out=$(dk ps --format '{{.Names}} {{.Status}}')
	echo "$out" >&2
	grep -q "^$c Up" <<<"$out" || die "$c not listed as Up"
	retry 10 sh -c "/usr/bin/docker logs $c | grep -q started" || die "logs lack 'started'"
	x dk rm -f "$c"
	[[ -z $(dk ps -aq --filter "name=$c") ]] || die "still listed after rm -f"
}

sc_docker_exec() {
	local c; c=$(cname x)
	x dk run -d --name "$c" "$BUSYBOX" sleep 300
	expect_rc 0 dk exec "$c" sh -c 'echo in-container $$'
	expect_match "exec output" '^in-container [0-9]+$' "$out"
	expect_rc 3 dk exec "$c" sh -c 'exit 3'
	expect_rc 0 dk exec -e X=y -w /tmp -u 1000 "$c" sh -c 'echo $X $(pwd) $(id -u)'
	expect_eq "exec env/workdir/user" "y /tmp 1000" "$out"
	out=$(printf 'piped\n' | dk exec -i "$c" cat)
	expect_eq "exec -i" piped "$out"
	out=$(under_pty /usr/bin/docker exec -t "$c" sh -c 'test -t 0 && tty')
	expect_match "exec -t" '/dev/pts/[0-9]+' "$out"
	# docker exec reports a failed exec as 126 whatever the cause (runc too)
	expect_rc 126 dk exec "$c" /no/such/binary
	expect_match "cause shown" '/no/such/binary.*no such file or directory' "${out,,}"
}

sc_docker_top() {
	local c; c=$(cname t)
	x dk run -d --name "$c" "$BUSYBOX" sh -c 'sleep 301 & exec sleep 302'
	retry 10 sh -c "/usr/bin/docker top $c | grep -q 'sleep 301'" || die "top lacks the children"
	out=$(dk top "$c")
	echo "$out" >&2
	expect_match "top shows pid 1" 'sleep 302' "$out"
}

sc_docker_pause() {
	local c; c=$(cname p)
	x dk run -d --name "$c" "$BUSYBOX" sleep 300
	x dk pause "$c"
	expect_eq state paused "$(dk inspect -f '{{.State.Status}}' "$c")"
	x dk unpause "$c"
	expect_eq state running "$(dk inspect -f '{{.State.Status}}' "$c")"
	expect_rc 0 dk exec "$c" echo alive
}

# The memory limit as the container sees it (cgroup v1 or v2).
MEMLIMIT='cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'

sc_docker_update() {
	local c; c=$(cname u)
	x dk run -d --name "$c" --memory 64m "$BUSYBOX" sleep 300
	expect_rc 0 dk exec "$c" sh -c "$MEMLIMIT"
	expect_eq "limit before" 67108864 "$out"
	x dk update --memory 96m "$c"
	expect_rc 0 dk exec "$c" sh -c "$MEMLIMIT"
	expect_eq "limit after update" 100663296 "$out"
}

sc_docker_stop() {
	local c t0; c=$(cname s)
	x dk run -d --name "$c" "$BUSYBOX" sh -c 'trap "echo got TERM; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	retry 10 sh -c "/usr/bin/docker logs $c | grep -q ready"
	t0=$SECONDS
	x dk stop -t 20 "$c"
	((SECONDS - t0 < 10)) || die "stop took $((SECONDS - t0))s: SIGTERM not delivered?"
	expect_eq "exit code" 0 "$(dk inspect -f '{{.State.ExitCode}}' "$c")"
	dk logs "$c" | grep -q 'got TERM' || die "handler did not run"
	c=$(cname k)
	x dk run -d --name "$c" "$BUSYBOX" sleep 300
	x dk kill "$c"
	retry 10 sh -c "[ \$(docker inspect -f '{{.State.Status}}' $c) = exited ]"
	expect_eq "exit code after kill" 137 "$(dk inspect -f '{{.State.ExitCode}}' "$c")"
	x dk rm "$c"
}

sc_docker_restart() {
	local c pid1 pid2; c=$(cname r)
	x dk run -d --name "$c" "$BUSYBOX" sleep 300
	pid1=$(dk inspect -f '{{.State.Pid}}' "$c")
	x dk restart -t 1 "$c"
	pid2=$(dk inspect -f '{{.State.Pid}}' "$c")
	expect_eq state running "$(dk inspect -f '{{.State.Status}}' "$c")"
	[[ $pid1 != "$pid2" && $pid2 -gt 0 ]] || die "same pid after restart ($pid1 $pid2)"
	x dk stop -t 1 "$c"
	x dk rm "$c"
}

sc_docker_memory() {
	expect_rc 0 dk run --rm --memory 48m "$BUSYBOX" sh -c "$MEMLIMIT"
	expect_eq "memory limit inside" 50331648 "$out"
}

sc_docker_oom() {
	local c; c=$(cname o)
	expect_rc 137 dk run --name "$c" --memory 32m --memory-swap 32m "$BUSYBOX" sh -c 'tail /dev/zero'
	expect_eq "OOMKilled" true "$(dk inspect -f '{{.State.OOMKilled}}' "$c")"
}

sc_docker_port() {
	local c port; c=$(cname h)
	port=$(free_port)
	x dk run -d --name "$c" -p "127.0.0.1:$port:8080" "$BUSYBOX" httpd -f -p 8080 -h /www
	retry 20 http_get "$port" || die "nothing answers on 127.0.0.1:$port"
	expect_eq "page" "hello from busybox httpd" "$(http_get "$port")"
}

sc_docker_network_none() {
	expect_rc 0 dk run --rm --network none "$BUSYBOX" sh -c 'ls /sys/class/net'
	expect_eq "interfaces" lo "$out"
	expect_rc 0 dk run --rm "$BUSYBOX" sh -c 'ls /sys/class/net | sort | tr "\n" " "'
	expect_match "bridge network has eth0" 'eth0' "$out"
}

sc_docker_init() {
	expect_rc 0 dk run --rm --init "$BUSYBOX" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	expect_match "pid 1 is the init" '^/sbin/docker-init -- sh' "$out"
}

sc_docker_error() {
	# dockerd maps "no such file or directory" (Go's wording, as runc and
	# rustlet write it) to 127; crun 1.8 writes strerror's "No such file or
	# directory", which dockerd does not match: 125 there
	local want=127
	[[ $(basename "$RUNTIME") != crun ]] || want=125
	expect_rc "$want" dk run --rm "$BUSYBOX" /no/such/binary
	# the msg of the runtime's last error log line, as the engine shows it
	expect_match "runtime message shown" '/no/such/binary.*no such file or directory' "${out,,}"
	# rustlet's own msg (the last error line of its JSON log), word for word
	if [[ $(basename "$RUNTIME") == rustlet* ]]; then
		expect_match "rustlet's msg" 'process\.args\[0\]: exec "/no/such/binary": no such file or directory' "$out"
	fi
	echo "docker shows: $out"
}

sc_docker_parallel() {
	local i pids=()
	for i in $(seq 20); do
		dk run -d --name "$(cname "$i")" "$BUSYBOX" sleep 300 >/dev/null & pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || die "a parallel run failed"; done
	expect_eq "running" 20 "$(dk ps -q --filter "name=rle-parallel" | wc -l)"
	# shellcheck disable=SC2046 # ids, one word each
	x dk rm -f $(dk ps -aq --filter "name=rle-parallel")
	expect_eq "left" 0 "$(dk ps -aq | wc -l)"
}

sc_docker_debian() {
	[[ -f $S/debian/pushed ]] || skip "no Debian image: $(cat "$S/debian/failed" 2>/dev/null)"
	x dk pull -q "$DEBIAN"
	expect_rc 0 dk run --rm "$DEBIAN" cat /etc/os-release
	expect_match "os-release" 'VERSION_CODENAME=bookworm' "$out"
	expect_rc 0 dk run --rm "$DEBIAN" apt-get --version
	expect_match "apt" '^apt [0-9]' "$out"
}
