# Scenarios that read the same for the docker and podman command lines
# (podman's CLI is docker's): each engine file defines eng (its client) and
# ENGINE_CLI (the client's path, for commands run through sh -c), then maps
# its sc_<engine>_NAME onto sc_cli_NAME with cli_scenarios.

# cli_scenarios ENGINE NAME...: sc_ENGINE_NAME runs sc_cli_NAME.
cli_scenarios() {
	local engine=$1 n
	shift
	for n in "$@"; do
		eval "sc_${engine}_$n() { sc_cli_$n; }"
	done
}

# The memory limit as the container sees it (cgroup v1 or v2).
MEMLIMIT='cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'

sc_cli_pull() {
	x eng pull -q "$BUSYBOX"
	eng images
	[[ -n $(eng images -q "$BUSYBOX") ]] || die "image not listed after pull"
}

sc_cli_echo() {
	expect_rc 0 eng run --rm "$BUSYBOX" echo hello engines
	expect_eq output "hello engines" "$out"
}

sc_cli_exit_codes() {
	local c
	for c in 0 1 42; do
		expect_rc "$c" eng run --rm "$BUSYBOX" sh -c "exit $c"
	done
	# Killed from outside (SIGKILL): 128 + 9.
	local c; c=$(cname k)
	eng run --rm --name "$c" "$BUSYBOX" sleep 300 & local bg=$!
	retry 20 sh -c "[ \$($ENGINE_CLI inspect -f '{{.State.Status}}' $c) = running ]"
	x eng kill "$c"
	local rc=0; wait $bg || rc=$?
	expect_eq "run's exit code after kill" 137 "$rc"
}

sc_cli_stdin() {
	out=$(printf 'line one\nline two\n' | eng run --rm -i "$BUSYBOX" sh -c 'wc -l; echo done')
	expect_eq "lines read from stdin" "2
done" "$(tr -d ' ' <<<"$out")"
}

sc_cli_tty() {
	out=$(under_pty $ENGINE_CLI run --rm -t "$BUSYBOX" sh -c 'test -t 0 && test -t 1 && tty && stty size')
	echo "$out"
	expect_match "tty" '/dev/pts/[0-9]+' "$out"
	# A closed stdin without -t must not be a tty.
	expect_rc 1 eng run --rm "$BUSYBOX" test -t 1
}

sc_cli_env_user_workdir() {
	expect_rc 0 eng run --rm -e FOO=bar -w /tmp -u 1000:1000 --hostname rlhost "$BUSYBOX" \
		sh -c 'echo "$FOO $(pwd) $(id -u):$(id -g) $(hostname) $HOME"'
	expect_eq "env pwd uid:gid hostname home" "bar /tmp 1000:1000 rlhost /tmp" "$out"
}

sc_cli_volume() {
	local v=$S/vol-${ENGINE_CLI##*/}
	mkdir -p "$v"
	echo from-host >"$v/in"
	expect_rc 0 eng run --rm -v "$v:/data" "$BUSYBOX" sh -c 'cat /data/in; echo from-container >/data/out'
	expect_eq "host file seen inside" from-host "$out"
	expect_eq "container file seen on host" from-container "$(cat "$v/out")"
	expect_rc 0 eng run --rm -v "$v:/data:ro" "$BUSYBOX" sh -c 'echo x 2>/dev/null >/data/out2 && echo wrote || echo refused'
	expect_eq "write to a :ro volume" refused "$out"
}

sc_cli_top() {
	local c; c=$(cname t)
	x eng run -d --name "$c" "$BUSYBOX" sh -c 'sleep 301 & exec sleep 302'
	retry 10 sh -c "$ENGINE_CLI top $c | grep -q 'sleep 301'" || die "top lacks the children"
	out=$(eng top "$c")
	echo "$out" >&2
	expect_match "top shows pid 1" 'sleep 302' "$out"
}

sc_cli_pause() {
	local c; c=$(cname p)
	x eng run -d --name "$c" "$BUSYBOX" sleep 300
	x eng pause "$c"
	expect_eq state paused "$(eng inspect -f '{{.State.Status}}' "$c")"
	x eng unpause "$c"
	expect_eq state running "$(eng inspect -f '{{.State.Status}}' "$c")"
	expect_rc 0 eng exec "$c" echo alive
}

sc_cli_update() {
	local c; c=$(cname u)
	x eng run -d --name "$c" --memory 64m "$BUSYBOX" sleep 300
	expect_rc 0 eng exec "$c" sh -c "$MEMLIMIT"
	expect_eq "limit before" 67108864 "$out"
	x eng update --memory 96m "$c"
	expect_rc 0 eng exec "$c" sh -c "$MEMLIMIT"
	expect_eq "limit after update" 100663296 "$out"
}

sc_cli_stop() {
	local c t0; c=$(cname s)
	x eng run -d --name "$c" "$BUSYBOX" sh -c 'trap "echo got TERM; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	retry 10 sh -c "$ENGINE_CLI logs $c | grep -q ready"
	t0=$SECONDS
	x eng stop -t 20 "$c"
	((SECONDS - t0 < 10)) || die "stop took $((SECONDS - t0))s: SIGTERM not delivered?"
	expect_eq "exit code" 0 "$(eng inspect -f '{{.State.ExitCode}}' "$c")"
	eng logs "$c" | grep -q 'got TERM' || die "handler did not run"
	c=$(cname k)
	x eng run -d --name "$c" "$BUSYBOX" sleep 300
	x eng kill "$c"
	retry 10 sh -c "[ \$($ENGINE_CLI inspect -f '{{.State.Status}}' $c) = exited ]"
	expect_eq "exit code after kill" 137 "$(eng inspect -f '{{.State.ExitCode}}' "$c")"
	x eng rm "$c"
}

sc_cli_restart() {
	local c pid1 pid2; c=$(cname r)
	x eng run -d --name "$c" "$BUSYBOX" sleep 300
	pid1=$(eng inspect -f '{{.State.Pid}}' "$c")
	x eng restart -t 1 "$c"
	pid2=$(eng inspect -f '{{.State.Pid}}' "$c")
	expect_eq state running "$(eng inspect -f '{{.State.Status}}' "$c")"
	[[ $pid1 != "$pid2" && $pid2 -gt 0 ]] || die "same pid after restart ($pid1 $pid2)"
	x eng stop -t 1 "$c"
	x eng rm "$c"
}

sc_cli_memory() {
	expect_rc 0 eng run --rm --memory 48m "$BUSYBOX" sh -c "$MEMLIMIT"
	expect_eq "memory limit inside" 50331648 "$out"
}

sc_cli_port() {
	local c port; c=$(cname h)
	port=$(free_port)
	x eng run -d --name "$c" -p "127.0.0.1:$port:8080" "$BUSYBOX" httpd -f -p 8080 -h /www
	retry 20 http_get "$port" || die "nothing answers on 127.0.0.1:$port"
	expect_eq "page" "hello from busybox httpd" "$(http_get "$port")"
}

sc_cli_network_none() {
	expect_rc 0 eng run --rm --network none "$BUSYBOX" sh -c 'ls /sys/class/net'
	expect_eq "interfaces" lo "$out"
	expect_rc 0 eng run --rm "$BUSYBOX" sh -c 'ls /sys/class/net | sort | tr "\n" " "'
	expect_match "bridge network has eth0" 'eth0' "$out"
}

sc_cli_debian() {
	[[ -f $S/debian/pushed ]] || skip "no Debian image: $(cat "$S/debian/failed" 2>/dev/null)"
	x eng pull -q "$DEBIAN"
	expect_rc 0 eng run --rm "$DEBIAN" cat /etc/os-release
	expect_match "os-release" 'VERSION_CODENAME=bookworm' "$out"
	expect_rc 0 eng run --rm "$DEBIAN" apt-get --version
	expect_match "apt" '^apt [0-9]' "$out"
}
