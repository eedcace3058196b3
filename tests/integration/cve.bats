#!/usr/bin/env bats
# Regression tests for the classes of runc's container-escape CVEs: each test
# really attempts the attack from inside a container (tests/integration/
# cve-probe.c plays the attacker) and asserts that it reached nothing of the
# host. The path-resolution classes (CVE-2021-30465, CVE-2019-16884/19921,
# CVE-2025-52565/52881) are in cve_paths.bats; CVE-2025-31133 (/dev/null of
# maskedPaths) is in attrs.bats.

load helpers

setup_file() {
	export CVE_BIN=$BATS_FILE_TMPDIR
	gcc -static -O2 -o "$CVE_BIN/cve-probe" "$RL_TESTS_DIR/cve-probe.c"
	gcc -static -nostdlib -fno-stack-protector -O2 -o "$CVE_BIN/cve-ldso" "$RL_TESTS_DIR/cve-ldso.c"
}

setup() {
	rl_setup
	cp "$CVE_BIN/cve-probe" "$BUNDLE/rootfs/bin/cve-probe"
	# a host file no container may reach; its path does not exist inside
	MARKER=$BATS_TEST_TMPDIR/host-marker
	echo secret >"$MARKER"
	RT_HASH=$(sha256sum <"$RUNTIME")
}

teardown() {
	local errs=0
	# whatever happened, the runtime's binary must be the same
	[[ "$(sha256sum <"$RUNTIME")" == "$RT_HASH" ]] || { echo "the runtime binary changed" >&2; errs=1; }
	rl_teardown || errs=1
	return $errs
}

# ---- CVE-2019-5736: overwriting the runtime binary -------------------------
#
# The attack: the container's program is a script "#!/proc/self/exe". The
# kernel resolves the interpreter while the runtime's process is the one
# calling execve, so the container's process becomes the runtime's binary; as
# that binary is dynamically linked, the kernel then runs the container's own
# "dynamic loader" (cve-ldso) with /proc/self/exe naming the host binary. It
# keeps an O_PATH fd of it and, once no runtime process runs the binary any
# more (ETXTBSY until then), reopens it for writing and overwrites the host's
# runtime. The same through `exec`, whose child also runs the runtime's code
# inside the container right up to execve.
#
# rustlet's defence: the commands that enter a container (create, run, exec)
# first re-execute themselves from a sealed in-memory copy of their binary
# (memfd with F_SEAL_WRITE|SHRINK|GROW|SEAL), so /proc/self/exe of every
# rustlet process inside a container is that copy: writes are refused with
# EPERM and the host file is never reachable.

# evil_script: /evil is "#!/proc/self/exe", and the image's dynamic loader
# (at the path the runtime's binary asks for) is the attacker's.
evil_script() {
	local interp
	interp=$(readelf -l "$RUNTIME" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[[ -n "$interp" ]] || skip "the runtime binary is statically linked: the container's loader is never run"
	mkdir -p "$BUNDLE/rootfs$(dirname "$interp")"
	cp "$CVE_BIN/cve-ldso" "$BUNDLE/rootfs$interp"
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
	chmod 755 "$BUNDLE/rootfs/evil"
}

@test "CVE-2019-5736: a #!/proc/self/exe program cannot write the runtime binary (create + start)" {
	requires readelf
	evil_script
	set_args /evil
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr rt start "$CID"
	assert_success
	wait_output '^exe_write='
	run ctr_output
	# the attacker did get hold of the runtime's exe...
	assert_match '^exe='
	# ...but it is not writable (ETXTBSY while it ran, then refused)
	assert_match '^exe_write=denied'
	refute_line exe_write=ok
}

@test "CVE-2019-5736: a #!/proc/self/exe program cannot write the runtime binary (run -d)" {
	requires readelf
	evil_script
	set_args /evil
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	wait_output '^exe_write='
	run ctr_output
	assert_match '^exe_write=denied'
	refute_line exe_write=ok
}

@test "CVE-2019-5736: a #!/proc/self/exe program cannot write the runtime binary (exec -d)" {
	requires readelf
	evil_script
	set_args sleep 60
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	rt_bg exec -d "$CID" /evil
	assert_success
	wait_output '^exe_write='
	run ctr_output
	assert_match '^exe='
	assert_match '^exe_write=denied'
	refute_line exe_write=ok
}

# The window of a created container: its init is the runtime's code, blocked
# on the exec fifo until `start`, and `exec` may already run processes next
# to it. Such a process tries /proc/1/exe (then waits until start made the
# init exec, to write it) and every fd of the init (the runtime holds
# host-side fds then: a host /proc would lead to the host's / through
# 1/root).
# rustlet: the init is non-dumpable from before READY until its execve, so
# /proc/1/exe and /proc/1/fd/* are refused to the container's processes
# (EACCES); the exe is the sealed copy anyway, and no fd the init holds leads
# out of the container.
@test "CVE-2019-5736: the init of a created container: /proc/1/exe and /proc/1/fd lead nowhere" {
	set_args sleep 60
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr rt exec "$CID" cve-probe proc-fds 1 "$MARKER"
	assert_success
	refute_match '^marker=found'
	rt_bg exec -d "$CID" cve-probe open-exe 1 5
	assert_success
	run --separate-stderr rt start "$CID"
	assert_success
	wait_output '^(open_exe=E|exe_write=)'
	run ctr_output
	refute_line exe_write=ok
	assert_match '^(open_exe=EACCES|exe_write=denied)'
}

# The same with a user namespace, where the init becomes non-dumpable only
# at the end of its set-up (its own /proc files would belong to the host's
# root before) and its procfs is an instance of a pid namespace the user
# namespace owns.
@test "CVE-2019-5736: the init of a created container in a user namespace: /proc/1/fd leads nowhere" {
	d=$BATS_TEST_TMPDIR
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
	set_args sleep 60
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr rt exec "$CID" cve-probe proc-fds 1 "$MARKER"
	assert_success
	assert_line proc_fds=EACCES
	refute_match '^marker=found'
}

# A process in the container scans /proc/*/exe over and over while `exec`
# enters: it grabs the exe of whatever shows up (the exec child is in the
# container's pid namespace from its birth, running the runtime's code) and
# then tries to write each. rustlet: the exec child is non-dumpable from
# birth (its /proc/PID/exe is refused) and runs the sealed copy.
@test "CVE-2019-5736: a container process spinning on /proc/*/exe while exec enters gets nothing writable" {
	set_args cve-probe spin-exe 4000
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	for i in $(seq 1 25); do
		rt exec "$CID" true </dev/null >/dev/null 2>&1 || true
	done
	wait_output '^scans='
	wait_for bash -c "[[ \$(grep -c '^exe_write=' '$CTR_OUT') -ge \$(sed -n 's/^scans=.* grabbed=//p' '$CTR_OUT') ]]"
	run ctr_output
	refute_line exe_write=ok
}

# ---- CVE-2024-21626: a leaked host fd as the process's cwd -----------------
#
# The attack: process.cwd (an image's WORKDIR) is /proc/self/fd/N. The
# runtime chdirs there before execve; if fd N is one of the runtime's own
# host-side directory fds (state dir, cgroup dir, a host /proc...), the
# process starts with a cwd outside its root, and "../../.." walks the
# host's filesystem (reading MARKER here).
# rustlet: no host directory fd is open in the container's process when it
# chdirs (the init's /proc handle is a procfs of the container's own pid
# namespace), and after chdir the cwd must be reachable from the root
# (getcwd fails for a cwd outside it): create/exec fail instead.

# try_cwds MODE: for fds 3..15, the probe's cwd is /proc/self/fd/N.
try_cwds() {
	local n st
	for n in $(seq 3 15); do
		case "$1" in
		run)
			update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
			set_args cve-probe escape "$MARKER"
			run --separate-stderr rt --log "$BATS_TEST_TMPDIR/log.json" run --bundle "$BUNDLE" "$CID-$n" </dev/null
			;;
		start)
			update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
			set_args cve-probe escape "$MARKER"
			rt_bg --log "$BATS_TEST_TMPDIR/log.json" create --bundle "$BUNDLE" "$CID-$n"
			st=$status
			if [[ $st -eq 0 ]]; then
				rt start "$CID-$n" </dev/null >/dev/null 2>&1 || true
				wait_status "$CID-$n" stopped || true
			fi
			output=$(ctr_output)
			;;
		exec)
			run --separate-stderr rt --log "$BATS_TEST_TMPDIR/log.json" exec --cwd "/proc/self/fd/$n" "$CID" cve-probe escape "$MARKER" </dev/null
			;;
		esac
		if grep -q '^marker=found' <<<"$output"; then
			fail "cwd /proc/self/fd/$n ($1) reached the host: $output"
			return 1
		fi
		[[ "$1" == exec ]] || rt delete --force "$CID-$n" >/dev/null 2>&1 || true
	done
}

@test "CVE-2024-21626: cwd /proc/self/fd/N does not leave the root (run)" {
	try_cwds run
}

@test "CVE-2024-21626: cwd /proc/self/fd/N does not leave the root (create + start)" {
	try_cwds start
}

@test "CVE-2024-21626: cwd /proc/self/fd/N does not leave the root (exec)" {
	set_args sleep 60
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	try_cwds exec
}

# No fd of the runtime (state dir, exec fifo, log file, cgroup dirs, bundle,
# sync socket) is open in the container's process at execve.
@test "CVE-2024-21626: the container's process inherits no fd beyond 0-2 (run, create + start, exec)" {
	set_args cve-probe fds
	run --separate-stderr rt --log "$BATS_TEST_TMPDIR/log.json" run --bundle "$BUNDLE" "$CID-run" </dev/null
	assert_success
	assert_line fds=done
	refute_match '^fd '
	rt_bg --log "$BATS_TEST_TMPDIR/log.json" create --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr rt start "$CID"
	assert_success
	wait_output '^fds=done'
	run ctr_output
	refute_match '^fd '
	rt delete --force "$CID"
	set_args sleep 60
	next_cid
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	run --separate-stderr rt --log "$BATS_TEST_TMPDIR/log.json" exec "$CID" cve-probe fds </dev/null
	assert_success
	assert_line fds=done
	refute_match '^fd '
}
