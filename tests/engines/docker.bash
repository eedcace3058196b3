# Docker 20.10: dockerd started by hand with a private data-root, exec-root,
# pidfile, socket and daemon.json naming the runtime under test as the
# default runtime; the 20.10 client /usr/bin/docker.

D=$S/docker
# "runc" is a reserved runtime name in dockerd.
RT_NAME=rl-$(basename "$RUNTIME")
export DOCKER_HOST=unix://$D/docker.sock DOCKER_CONFIG=$D/client

dk() { /usr/bin/docker "$@"; }
eng() { dk "$@"; }
ENGINE_CLI=/usr/bin/docker
. "$(dirname "${BASH_SOURCE[0]}")/cli.bash"
cli_scenarios docker pull echo exit_codes stdin tty env_user_workdir volume top pause \
	update stop restart memory port network_none debian

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

sc_docker_read_only() {
	expect_rc 0 dk run --rm --read-only --tmpfs /tmp "$BUSYBOX" sh -c 'touch /x 2>&1; echo rc=$?; touch /tmp/y && echo tmp-ok'
	expect_match "write to / refused" 'Read-only file system' "$out"
	expect_match "tmpfs /tmp writable" 'tmp-ok' "$out"
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

sc_docker_oom() {
	local c; c=$(cname o)
	expect_rc 137 dk run --name "$c" --memory 32m --memory-swap 32m "$BUSYBOX" sh -c 'tail /dev/zero'
	expect_eq "OOMKilled" true "$(dk inspect -f '{{.State.OOMKilled}}' "$c")"
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

