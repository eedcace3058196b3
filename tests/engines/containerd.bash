# containerd 1.6 with its own root, state, socket and config; ctr runs
# containers through the runc v2 shim with --runc-binary (what a
# RuntimeClass with options BinaryName does). ctr has no port publishing,
# restart, update or --init: those scenarios are not in its list.

C=$S/containerd
export CONTAINERD_ADDRESS=$C/containerd.sock CONTAINERD_NAMESPACE=rl-engines

ct() { ctr "$@"; }
# ctr run with the runtime under test
crun_() { ctr run --runc-binary "$RUNTIME" "$@"; }

# shellcheck disable=SC2034 # read by inside.bash
SCENARIOS=(pull echo exit-codes stdin tty env-user-workdir read-only volume
	detached exec top pause stop memory oom network-none error parallel debian)

containerd_start() {
	set -e
	mkdir -p "$C"/{root,state,opt}
	cat >"$C/config.toml" <<-EOF
	version = 2
	root = "$C/root"
	state = "$C/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri"]
	[grpc]
	  address = "$C/containerd.sock"
	[ttrpc]
	  address = "$C/containerd.sock.ttrpc"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$C/opt"
	EOF
	setsid containerd --config "$C/config.toml" >"$S/logs/containerd-daemon.log" 2>&1 &
	daemons+=($!)
	retry 30 ct version
	ct version
}

containerd_reset() {
	local t
	for t in $(ct task ls -q); do ct task kill -s SIGKILL "$t" 2>/dev/null || true; done
	for t in $(ct task ls -q); do
		retry 10 sh -c "ctr task ls | grep -E '^$t .*STOPPED'" || true
		ct task rm -f "$t" >/dev/null 2>&1 || true
	done
	for t in $(ct container ls -q); do ct container rm "$t" >/dev/null; done
	[[ -z $(ct container ls -q) ]]
}

sc_containerd_pull() {
	x ct image pull --plain-http "$BUSYBOX" >/dev/null
	ct image ls -q | grep -qx "$BUSYBOX" || die "image not listed after pull"
}

sc_containerd_echo() {
	expect_rc 0 crun_ --rm "$BUSYBOX" "$(cname 1)" echo hello engines
	expect_eq output "hello engines" "$out"
}

sc_containerd_exit_codes() {
	local c
	for c in 0 1 42; do
		expect_rc "$c" crun_ --rm "$BUSYBOX" "$(cname "$c")" sh -c "exit $c"
	done
	c=$(cname k)
	crun_ --rm "$BUSYBOX" "$c" sleep 300 & local bg=$!
	retry 20 sh -c "ctr task ls | grep -E '^$c .*RUNNING'"
	x ct task kill -s SIGKILL "$c"
	local rc=0; wait $bg || rc=$?
	expect_eq "run's exit code after SIGKILL" 137 "$rc"
}

sc_containerd_stdin() {
	# ctr never closes the container's stdin at EOF (with runc as well):
	# read lines, not to the end
	out=$(printf 'line one\nline two\n' | crun_ --rm "$BUSYBOX" "$(cname 1)" \
		sh -c 'read a; read b; echo "got $a/$b"')
	expect_eq "lines read from stdin" "got line one/line two" "$out"
}

sc_containerd_tty() {
	out=$(under_pty ctr run --runc-binary "$RUNTIME" --rm -t "$BUSYBOX" "$(cname 1)" \
		sh -c 'test -t 0 && test -t 1 && tty')
	echo "$out"
	expect_match "tty" '/dev/pts/[0-9]+' "$out"
}

sc_containerd_env_user_workdir() {
	expect_rc 0 crun_ --rm --env FOO=bar --cwd /tmp "$BUSYBOX" "$(cname 1)" \
		sh -c 'echo "$FOO $(pwd) $(id -u)"'
	expect_eq "env pwd uid" "bar /tmp 0" "$out"
}

sc_containerd_read_only() {
	expect_rc 0 crun_ --rm --read-only "$BUSYBOX" "$(cname 1)" sh -c 'touch /x 2>&1; echo rc=$?'
	expect_match "write to / refused" 'Read-only file system' "$out"
}

sc_containerd_volume() {
	local v=$S/vol-containerd
	mkdir -p "$v"
	echo from-host >"$v/in"
	expect_rc 0 crun_ --rm --mount "type=bind,src=$v,dst=/data,options=rbind:rw" "$BUSYBOX" \
		"$(cname 1)" sh -c 'cat /data/in; echo from-container >/data/out'
	expect_eq "host file seen inside" from-host "$out"
	expect_eq "container file seen on host" from-container "$(cat "$v/out")"
	expect_rc 0 crun_ --rm --mount "type=bind,src=$v,dst=/data,options=rbind:ro" "$BUSYBOX" \
		"$(cname 2)" sh -c 'echo x 2>/dev/null >/data/out2 && echo wrote || echo refused'
	expect_eq "write to a ro mount" refused "$out"
}

# run_d NAME ARGS...: ctr run -d with the log in $S/NAME.log
run_d() {
	local c=$1
	shift
	x ctr run --runc-binary "$RUNTIME" -d --log-uri "file://$S/$c.log" "$@" >/dev/null
}

sc_containerd_detached() {
	local c; c=$(cname d)
	run_d "$c" "$BUSYBOX" "$c" sh -c 'echo started; exec sleep 300'
	out=$(ct task ls)
	echo "$out" >&2
	grep -qE "^$c +[0-9]+ +RUNNING" <<<"$out" || die "$c not RUNNING"
	retry 10 grep -q started "$S/$c.log" || die "log lacks 'started'"
	x ct task kill -s SIGKILL "$c"
	retry 10 sh -c "ctr task ls | grep -E '^$c .*STOPPED'"
	x ct task rm "$c"
	x ct container rm "$c"
	[[ -z $(ct container ls -q) ]] || die "still listed after rm"
}

sc_containerd_exec() {
	local c; c=$(cname x)
	run_d "$c" "$BUSYBOX" "$c" sleep 300
	expect_rc 0 ct task exec --exec-id e1 "$c" sh -c 'echo in-container'
	expect_eq "exec output" in-container "$out"
	expect_rc 3 ct task exec --exec-id e2 "$c" sh -c 'exit 3'
	expect_rc 0 ct task exec --exec-id e3 --cwd /tmp "$c" sh -c 'pwd'
	expect_eq "exec cwd" /tmp "$out"
	out=$(printf 'piped\n' | ct task exec --exec-id e4 "$c" cat)
	expect_eq "exec stdin" piped "$out"
	out=$(under_pty ctr task exec -t --exec-id e5 "$c" sh -c 'test -t 0 && tty')
	expect_match "exec -t" '/dev/pts/[0-9]+' "$out"
}

sc_containerd_top() {
	local c; c=$(cname t)
	run_d "$c" "$BUSYBOX" "$c" sh -c 'sleep 301 & exec sleep 302'
	sleep 0.5
	out=$(ct task ps "$c")
	echo "$out" >&2
	# pid 1 and the child: two lines of pids below the header
	expect_eq "processes listed" 2 "$(tail -n +2 <<<"$out" | grep -cE '^[0-9]+ ')"
}

sc_containerd_pause() {
	local c; c=$(cname p)
	run_d "$c" "$BUSYBOX" "$c" sleep 300
	x ct task pause "$c"
	ct task ls | grep -qE "^$c .*PAUSED" || die "not PAUSED"
	x ct task resume "$c"
	ct task ls | grep -qE "^$c .*RUNNING" || die "not RUNNING after resume"
	expect_rc 0 ct task exec --exec-id e1 "$c" echo alive
}

sc_containerd_stop() {
	local c; c=$(cname s)
	crun_ --rm "$BUSYBOX" "$c" sh -c 'trap "echo got TERM; exit 0" TERM; echo ready; while :; do sleep 0.1; done' \
		>"$S/$c.out" 2>&1 & local bg=$!
	retry 20 grep -q ready "$S/$c.out"
	x ct task kill -s SIGTERM "$c"
	local rc=0; wait $bg || rc=$?
	cat "$S/$c.out"
	expect_eq "exit code after SIGTERM" 0 "$rc"
	grep -q 'got TERM' "$S/$c.out" || die "handler did not run"
}

MEMLIMIT='cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'

sc_containerd_memory() {
	# ctr's default spec has no /sys/fs/cgroup: mount it like the other engines do
	expect_rc 0 crun_ --rm --memory-limit 50331648 \
		--mount type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:nodev:noexec \
		"$BUSYBOX" "$(cname 1)" sh -c "$MEMLIMIT"
	expect_eq "memory limit inside" 50331648 "$out"
}

sc_containerd_oom() {
	expect_rc 137 crun_ --rm --memory-limit 33554432 "$BUSYBOX" "$(cname 1)" sh -c 'tail /dev/zero'
}

sc_containerd_network_none() {
	# ctr's default: a new network namespace with only lo
	expect_rc 0 crun_ --rm "$BUSYBOX" "$(cname 1)" sh -c 'ls /sys/class/net'
	expect_eq "interfaces" lo "$out"
}

sc_containerd_error() {
	expect_rc 1 crun_ --rm "$BUSYBOX" "$(cname 1)" /no/such/binary
	# ctr exits 1 on a failed create; the runtime's message is shown
	expect_match "runtime message shown" '/no/such/binary.*no such file or directory' "${out,,}"
	# rustlet's own msg (the last error line of its JSON log), word for word
	if [[ $(basename "$RUNTIME") == rustlet* ]]; then
		expect_match "rustlet's msg" 'process\.args\[0\]: exec "/no/such/binary": no such file or directory' "$out"
	fi
	echo "ctr shows: $out"
}

sc_containerd_parallel() {
	local i pids=()
	for i in $(seq 20); do
		ctr run --runc-binary "$RUNTIME" -d --null-io "$BUSYBOX" "$(cname "$i")" sleep 300 >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || die "a parallel run failed"; done
	expect_eq "running" 20 "$(ct task ls | grep -cE '^rle-parallel-.* RUNNING')"
	for i in $(seq 20); do ct task kill -s SIGKILL "$(cname "$i")" & done
	wait
	for i in $(seq 20); do
		retry 10 sh -c "ctr task ls | grep -E '^$(cname "$i") .*STOPPED'"
		ct task rm "$(cname "$i")" >/dev/null && ct container rm "$(cname "$i")" &
	done
	wait
	expect_eq "left" 0 "$(ct container ls -q | wc -l)"
}

sc_containerd_debian() {
	[[ -f $S/debian/pushed ]] || skip "no Debian image: $(cat "$S/debian/failed" 2>/dev/null)"
	x ct image pull --plain-http "$DEBIAN" >/dev/null
	expect_rc 0 crun_ --rm "$DEBIAN" "$(cname 1)" cat /etc/os-release
	expect_match "os-release" 'VERSION_CODENAME=bookworm' "$out"
	expect_rc 0 crun_ --rm "$DEBIAN" "$(cname 2)" apt-get --version
	expect_match "apt" '^apt [0-9]' "$out"
}
