# podman (+ conmon) with private containers.conf, storage.conf and
# registries.conf, the runtime under test as its default runtime.

P=$S/podman
RT_NAME=$(basename "$RUNTIME")
export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
export CONTAINERS_REGISTRIES_CONF=$P/registries.conf

pm() { podman "$@"; }

# shellcheck disable=SC2034 # read by inside.bash
SCENARIOS=(pull echo exit-codes stdin tty env-user-workdir read-only volume
	detached exec top pause update stop restart memory oom port network-none
	init cgroups-disabled error parallel debian)

podman_start() {
	set -e
	mkdir -p "$P"/{storage,runroot,tmp,networks,volumes}
	# CAP_SYS_RESOURCE may be missing: podman's root default nofile limit
	# (1048576) could not be set, so use the hard limits we have.
	local nofile; nofile=$(ulimit -Hn)
	cat >"$P/containers.conf" <<-EOF
	[containers]
	default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]
	log_driver = "k8s-file"

	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$P/events.log"
	runtime = "$RT_NAME"
	tmp_dir = "$P/tmp"
	volume_path = "$P/volumes"
	conmon_path = ["/usr/bin/conmon"]
	runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "rustlet", "$RT_NAME"]
	# podman 4.3 reads the singular key, later versions the plural one
	runtime_supports_nocgroup = ["crun", "krun", "rustlet"]
	runtime_supports_nocgroups = ["crun", "krun", "rustlet"]

	[engine.runtimes]
	$RT_NAME = ["$RUNTIME"]

	[network]
	network_backend = "netavark"
	network_config_dir = "$P/networks"
	EOF
	cat >"$P/storage.conf" <<-EOF
	[storage]
	driver = "overlay"
	graphroot = "$P/storage"
	runroot = "$P/runroot"
	EOF
	cat >"$P/registries.conf" <<-EOF
	unqualified-search-registries = []
	[[registry]]
	location = "$REG"
	insecure = true
	EOF
	pm info --format '{{.Host.OCIRuntime.Path}} {{.Host.CgroupManager}} {{.Store.GraphRoot}}'
	[[ $(pm info --format '{{.Host.OCIRuntime.Path}}') == "$RUNTIME" ]]
}

podman_reset() {
	pm rm -af -t 0 >/dev/null
	[[ -z $(pm ps -aq) ]]
}

sc_podman_pull() {
	x pm pull -q "$BUSYBOX"
	pm images
	[[ -n $(pm images -q "$BUSYBOX") ]] || die "image not listed after pull"
}

sc_podman_echo() {
	expect_rc 0 pm run --rm "$BUSYBOX" echo hello engines
	expect_eq output "hello engines" "$out"
}

sc_podman_exit_codes() {
	local c
	for c in 0 1 42; do
		expect_rc "$c" pm run --rm "$BUSYBOX" sh -c "exit $c"
	done
	# Killed from outside (SIGKILL): 128 + 9.
	local c; c=$(cname k)
	pm run --rm --name "$c" "$BUSYBOX" sleep 300 & local bg=$!
	retry 20 sh -c "[ \$(podman inspect -f '{{.State.Status}}' $c) = running ]"
	x pm kill "$c"
	local rc=0; wait $bg || rc=$?
	expect_eq "run's exit code after kill" 137 "$rc"
}

sc_podman_stdin() {
	out=$(printf 'line one\nline two\n' | pm run --rm -i "$BUSYBOX" sh -c 'wc -l; echo done')
	expect_eq "lines read from stdin" "2
done" "$(tr -d ' ' <<<"$out")"
}

sc_podman_tty() {
	out=$(under_pty podman run --rm -t "$BUSYBOX" sh -c 'test -t 0 && test -t 1 && tty && stty size')
	echo "$out"
	expect_match "tty" '/dev/pts/[0-9]+' "$out"
	# A closed stdin without -t must not be a tty.
	expect_rc 1 pm run --rm "$BUSYBOX" test -t 1
}

sc_podman_env_user_workdir() {
	expect_rc 0 pm run --rm -e FOO=bar -w /tmp -u 1000:1000 --hostname rlhost "$BUSYBOX" \
		sh -c 'echo "$FOO $(pwd) $(id -u):$(id -g) $(hostname) $HOME"'
	expect_eq "env pwd uid:gid hostname home" "bar /tmp 1000:1000 rlhost /tmp" "$out"
}

sc_podman_read_only() {
	expect_rc 0 pm run --rm --read-only "$BUSYBOX" sh -c 'touch /x 2>&1; echo rc=$?; touch /tmp/y && echo tmp-ok'
	expect_match "write to / refused" 'Read-only file system' "$out"
	expect_match "tmpfs /tmp writable" 'tmp-ok' "$out"
}

sc_podman_volume() {
	local v=$S/vol-podman
	mkdir -p "$v"
	echo from-host >"$v/in"
	expect_rc 0 pm run --rm -v "$v:/data" "$BUSYBOX" sh -c 'cat /data/in; echo from-container >/data/out'
	expect_eq "host file seen inside" from-host "$out"
	expect_eq "container file seen on host" from-container "$(cat "$v/out")"
	expect_rc 0 pm run --rm -v "$v:/data:ro" "$BUSYBOX" sh -c 'echo x 2>/dev/null >/data/out2 && echo wrote || echo refused'
	expect_eq "write to a :ro volume" refused "$out"
}

sc_podman_detached() {
	local c; c=$(cname d)
	x pm run -d --name "$c" "$BUSYBOX" sh -c 'echo started; exec sleep 300'
	out=$(pm ps --format '{{.Names}} {{.Status}}')
	echo "$out" >&2
	grep -q "^$c Up" <<<"$out" || die "$c not listed as Up"
	retry 10 sh -c "podman logs $c | grep -q started" || die "logs lack 'started'"
	x pm rm -f -t 0 "$c"
	[[ -z $(pm ps -aq --filter "name=$c") ]] || die "still listed after rm -f"
}

sc_podman_exec() {
	local c; c=$(cname x)
	x pm run -d --name "$c" "$BUSYBOX" sleep 300
	expect_rc 0 pm exec "$c" sh -c 'echo in-container $$'
	expect_match "exec output" '^in-container [0-9]+$' "$out"
	expect_rc 3 pm exec "$c" sh -c 'exit 3'
	expect_rc 0 pm exec -e X=y -w /tmp -u 1000 "$c" sh -c 'echo $X $(pwd) $(id -u)'
	expect_eq "exec env/workdir/user" "y /tmp 1000" "$out"
	out=$(printf 'piped\n' | pm exec -i "$c" cat)
	expect_eq "exec -i" piped "$out"
	out=$(under_pty podman exec -t "$c" sh -c 'test -t 0 && tty')
	expect_match "exec -t" '/dev/pts/[0-9]+' "$out"
	expect_rc 127 pm exec "$c" /no/such/binary
}

sc_podman_top() {
	local c; c=$(cname t)
	x pm run -d --name "$c" "$BUSYBOX" sh -c 'sleep 301 & exec sleep 302'
	retry 10 sh -c "podman top $c | grep -q 'sleep 301'" || die "top lacks the children"
	out=$(pm top "$c")
	echo "$out" >&2
	expect_match "top shows pid 1" 'sleep 302' "$out"
}

sc_podman_pause() {
	local c; c=$(cname p)
	x pm run -d --name "$c" "$BUSYBOX" sleep 300
	x pm pause "$c"
	expect_eq state paused "$(pm inspect -f '{{.State.Status}}' "$c")"
	x pm unpause "$c"
	expect_eq state running "$(pm inspect -f '{{.State.Status}}' "$c")"
	expect_rc 0 pm exec "$c" echo alive
}

# The memory limit as the container sees it (cgroup v1 or v2).
MEMLIMIT='cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'

sc_podman_update() {
	local c; c=$(cname u)
	x pm run -d --name "$c" --memory 64m "$BUSYBOX" sleep 300
	expect_rc 0 pm exec "$c" sh -c "$MEMLIMIT"
	expect_eq "limit before" 67108864 "$out"
	x pm update --memory 96m "$c"
	expect_rc 0 pm exec "$c" sh -c "$MEMLIMIT"
	expect_eq "limit after update" 100663296 "$out"
}

sc_podman_stop() {
	local c t0; c=$(cname s)
	x pm run -d --name "$c" "$BUSYBOX" sh -c 'trap "echo got TERM; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	retry 10 sh -c "podman logs $c | grep -q ready"
	t0=$SECONDS
	x pm stop -t 20 "$c"
	((SECONDS - t0 < 10)) || die "stop took $((SECONDS - t0))s: SIGTERM not delivered?"
	expect_eq "exit code" 0 "$(pm inspect -f '{{.State.ExitCode}}' "$c")"
	pm logs "$c" | grep -q 'got TERM' || die "handler did not run"
	c=$(cname k)
	x pm run -d --name "$c" "$BUSYBOX" sleep 300
	x pm kill "$c"
	retry 10 sh -c "[ \$(podman inspect -f '{{.State.Status}}' $c) = exited ]"
	expect_eq "exit code after kill" 137 "$(pm inspect -f '{{.State.ExitCode}}' "$c")"
	x pm rm "$c"
}

sc_podman_restart() {
	local c pid1 pid2; c=$(cname r)
	x pm run -d --name "$c" "$BUSYBOX" sleep 300
	pid1=$(pm inspect -f '{{.State.Pid}}' "$c")
	x pm restart -t 1 "$c"
	pid2=$(pm inspect -f '{{.State.Pid}}' "$c")
	expect_eq state running "$(pm inspect -f '{{.State.Status}}' "$c")"
	[[ $pid1 != "$pid2" && $pid2 -gt 0 ]] || die "same pid after restart ($pid1 $pid2)"
	x pm stop -t 1 "$c"
	x pm rm "$c"
}

sc_podman_memory() {
	expect_rc 0 pm run --rm --memory 48m "$BUSYBOX" sh -c "$MEMLIMIT"
	expect_eq "memory limit inside" 50331648 "$out"
}

sc_podman_oom() {
	local c; c=$(cname o)
	expect_rc 137 pm run --name "$c" --memory 32m --memory-swap 32m "$BUSYBOX" sh -c 'tail /dev/zero'
	# conmon 2.1.6 does not report OOMKilled on this cgroup v1 host, whatever
	# the runtime (crun and runc alike): only the 137 is checked
	echo "OOMKilled: $(pm inspect -f "{{.State.OOMKilled}}" "$c")"
}

sc_podman_port() {
	local c port; c=$(cname h)
	port=$(free_port)
	x pm run -d --name "$c" -p "127.0.0.1:$port:8080" "$BUSYBOX" httpd -f -p 8080 -h /www
	retry 20 http_get "$port" || die "nothing answers on 127.0.0.1:$port"
	expect_eq "page" "hello from busybox httpd" "$(http_get "$port")"
}

sc_podman_network_none() {
	expect_rc 0 pm run --rm --network none "$BUSYBOX" sh -c 'ls /sys/class/net'
	expect_eq "interfaces" lo "$out"
	expect_rc 0 pm run --rm "$BUSYBOX" sh -c 'ls /sys/class/net | sort | tr "\n" " "'
	expect_match "bridge network has eth0" 'eth0' "$out"
}

sc_podman_init() {
	expect_rc 0 pm run --rm --init "$BUSYBOX" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	expect_match "pid 1 is the init" '^/run/podman-init -- sh' "$out"
}

sc_podman_cgroups_disabled() {
	[[ $RT_NAME != runc ]] || skip "runc does not support running without cgroups"
	expect_rc 0 pm run --rm --cgroups=disabled "$BUSYBOX" cat /proc/self/cgroup
	# Same cgroups as the engine (nothing created for the container).
	expect_eq "cgroup" "$(sed 's/^[0-9]*:/N:/' /proc/self/cgroup | sort)" "$(sed 's/^[0-9]*:/N:/' <<<"$out" | sort)"
}

sc_podman_error() {
	expect_rc 127 pm run --rm "$BUSYBOX" /no/such/binary
	# the msg of the runtime's last error log line, as the engine shows it
	expect_match "runtime message shown" '/no/such/binary.*no such file or directory' "${out,,}"
	# rustlet's own msg (the last error line of its JSON log), word for word
	if [[ $(basename "$RUNTIME") == rustlet* ]]; then
		expect_match "rustlet's msg" 'process\.args\[0\]: exec "/no/such/binary": no such file or directory' "$out"
	fi
	echo "podman shows: $out"
}

sc_podman_parallel() {
	local i pids=()
	for i in $(seq 20); do
		pm run -d --name "$(cname "$i")" "$BUSYBOX" sleep 300 >/dev/null & pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || die "a parallel run failed"; done
	expect_eq "running" 20 "$(pm ps -q --filter "name=rle-parallel" | wc -l)"
	# shellcheck disable=SC2046 # ids, one word each
	x pm rm -f -t 0 $(pm ps -aq --filter "name=rle-parallel")
	expect_eq "left" 0 "$(pm ps -aq | wc -l)"
}

sc_podman_debian() {
	[[ -f $S/debian/pushed ]] || skip "no Debian image: $(cat "$S/debian/failed" 2>/dev/null)"
	x pm pull -q "$DEBIAN"
	expect_rc 0 pm run --rm "$DEBIAN" cat /etc/os-release
	expect_match "os-release" 'VERSION_CODENAME=bookworm' "$out"
	expect_rc 0 pm run --rm "$DEBIAN" apt-get --version
	expect_match "apt" '^apt [0-9]' "$out"
}
