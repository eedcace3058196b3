#!/usr/bin/env bats
# Regression tests for runc's path-resolution CVE classes: mount destinations
# raced or redirected by symlinks (CVE-2021-30465), /proc faked or covered
# (CVE-2019-16884, CVE-2019-19921), procfs writes redirected to other files
# (CVE-2025-52881) and /dev/console redirected (CVE-2025-52565). The image
# (rootfs) and a second container sharing a volume are the attacker; the
# config is trusted. Each test checks that nothing outside the container was
# reached, and that the runtime's own writes landed where they should.
# See cve.bats for the fd and binary classes.

load helpers

setup_file() {
	export CVE_BIN=$BATS_FILE_TMPDIR
	gcc -static -O2 -o "$CVE_BIN/cve-probe" "$RL_TESTS_DIR/cve-probe.c"
}

setup() {
	rl_setup
	cp "$CVE_BIN/cve-probe" "$BUNDLE/rootfs/bin/cve-probe"
	# a host directory the attacks aim at; it must stay empty
	HOSTDIR=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$HOSTDIR"
}

teardown() {
	local errs=0 left
	left=$(ls -A "$HOSTDIR" 2>/dev/null)
	[[ -z "$left" ]] || { echo "the host directory $HOSTDIR was written: $left" >&2; errs=1; }
	# a second bundle's containers (race tests)
	for id in $(ls "$ROOT" 2>/dev/null); do rt delete --force "$id" >/dev/null 2>&1 || true; done
	rl_teardown || errs=1
	return $errs
}

add_mount() { # JSON
	update_config '.mounts += [$m]' --argjson m "$1"
}

# host_untouched: HOSTDIR is still an empty, plain directory.
host_untouched() {
	[[ -d "$HOSTDIR" && ! -L "$HOSTDIR" && -z "$(ls -A "$HOSTDIR")" ]] ||
		fail "host directory $HOSTDIR changed: $(ls -la "$HOSTDIR" 2>&1)"
	! grep -qF " $HOSTDIR " /proc/self/mountinfo || fail "something is mounted on $HOSTDIR"
}

# ---- CVE-2021-30465: mount destinations through symlinks -------------------
#
# The attack: a path component of a mount destination is (or becomes, in a
# race) a symlink to somewhere outside the rootfs - "/../../../<host path>"
# or an absolute host path. A runtime that checks the resolved path and then
# mounts by path again follows the swapped symlink and mounts (or creates the
# missing directories) on the host.
# rustlet: every destination is resolved inside the rootfs by openat2
# (RESOLVE_IN_ROOT: "..", absolute symlinks and absolute targets stay in the
# root), missing components are created one by one in their already
# resolved parent, and the mount is made on the resolved O_PATH fd
# (/proc/self/fd/N), so nothing is looked up by name a second time.

@test "CVE-2021-30465: destinations through ../ and absolute symlinks land inside the rootfs" {
	ln -s "/../../../../../../../..$HOSTDIR" "$BUNDLE/rootfs/evil1"
	ln -s "$HOSTDIR" "$BUNDLE/rootfs/evil2"
	# the target exists in the rootfs too (as /etc would)
	mkdir -p "$BUNDLE/rootfs$HOSTDIR"
	mkdir "$BUNDLE/src"
	echo inside >"$BUNDLE/src/file"
	add_mount '{"destination":"/evil1/a","type":"tmpfs","source":"tmpfs"}'
	add_mount "{\"destination\":\"/evil2/b\",\"type\":\"bind\",\"source\":\"$BUNDLE/src\",\"options\":[\"bind\"]}"
	run_payload mounts
	assert_success
	# inside the container, HOSTDIR is a path of the rootfs
	assert_match "^$HOSTDIR/a tmpfs "
	assert_match "^$HOSTDIR/b "
	run_payload read "$HOSTDIR/b/file"
	assert_success
	assert_equal "$output" inside
	[[ -d "$BUNDLE/rootfs$HOSTDIR/a" ]]
	host_untouched
}

# The same with a dangling target (only the host has it): rustlet creates
# missing components only inside their resolved parent and refuses to
# create through a symlink; what counts is that the host is untouched.
@test "CVE-2021-30465: a destination through a symlink dangling in the rootfs does not reach the host" {
	ln -s "$HOSTDIR" "$BUNDLE/rootfs/evil"
	add_mount '{"destination":"/evil/a/b","type":"tmpfs","source":"tmpfs"}'
	run_payload mounts
	if [[ $status -eq 0 ]]; then
		assert_match "^$HOSTDIR/a/b tmpfs "
	fi
	host_untouched
}

# The race of the advisory: container A shares a volume with container B and
# keeps swapping a directory of it with a symlink to a host path while B is
# created, again and again, with a tmpfs mounted below that directory.
@test "CVE-2021-30465: a container racing symlink swaps in a shared volume cannot redirect another's mounts" {
	local vol=$BATS_TEST_TMPDIR/vol b2=$BATS_TEST_TMPDIR/bundle2 i ok=0
	mkdir -p "$vol/d"
	ln -s "$HOSTDIR" "$vol/l"
	add_mount "{\"destination\":\"/vol\",\"type\":\"bind\",\"source\":\"$vol\",\"options\":[\"rbind\"]}"
	cp -a "$BUNDLE" "$b2"
	jq '.mounts += [{"destination":"/vol/d/x","type":"tmpfs","source":"tmpfs"}] | .process.args = ["true"]' \
		"$b2/config.json" >"$b2/c" && mv "$b2/c" "$b2/config.json"
	set_args sh -c 'cd /vol; while :; do mv d t; mv l d; mv d l; mv t d; done'
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	for i in $(seq 1 40); do
		if rt run --bundle "$b2" "$CID-b$i" </dev/null >/dev/null 2>&1; then ok=$((ok + 1)); fi
		rt delete --force "$CID-b$i" >/dev/null 2>&1 || true
	done
	echo "# $ok of 40 containers started" >&3
	host_untouched
}

# ---- CVE-2019-16884 / CVE-2019-19921: a fake or covered /proc --------------
#
# The attack: the image makes /proc a symlink (so the proc mount lands
# elsewhere and /proc is the image's own files), or makes another mount's
# destination a symlink into /proc (a volume then covers procfs). A runtime
# that then writes LSM labels, sysctls or oom_score_adj through the
# container's /proc writes into the image's files instead, and the
# container runs unconfined.
# rustlet: the proc mount is resolved inside the root like any other; a
# mount whose destination the rootfs's symlinks redirect into a procfs is
# refused; and no runtime write goes through the container's /proc: the LSM
# labels through a fresh procfs instance of the init, the sysctls through a
# private procfs attached nowhere (openat2 RESOLVE_BENEATH|NO_SYMLINKS|
# NO_XDEV), oom_score_adj before the pivot through the runtime's own /proc.

@test "CVE-2019-16884: /proc as a symlink out of the rootfs: procfs still lands inside" {
	rmdir "$BUNDLE/rootfs/proc"
	ln -s "/../../../../../../..$HOSTDIR" "$BUNDLE/rootfs/proc"
	set_args cve-probe statfs /proc/self/attr
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	if [[ $status -eq 0 ]]; then
		# the container's /proc is a real procfs (PROC_SUPER_MAGIC)
		assert_line f_type=0x9fa0
	fi
	host_untouched
}

@test "CVE-2019-19921: a volume whose destination the image redirects into /proc is refused" {
	ln -s /proc/sys "$BUNDLE/rootfs/data"
	mkdir "$BUNDLE/vol"
	add_mount "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$BUNDLE/vol\",\"options\":[\"bind\"]}"
	set_args cve-probe statfs /proc/sys
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	if [[ $status -eq 0 ]]; then
		assert_line f_type=0x9fa0
	elif is_rustlet; then
		assert_match 'mounts\[[0-9]+\] \(bind on /data\): the destination resolves into procfs through a symlink of the rootfs' "$stderr"
	fi
	host_untouched
}

# fake_proc: the config covers /proc with a directory of regular files named
# like the procfs files the runtime writes.
fake_proc() {
	local f=$BUNDLE/fakeproc
	mkdir -p "$f/self/attr" "$f/sys/net/ipv4" "$f/sys/kernel"
	echo 0 >"$f/self/oom_score_adj"
	echo 0 >"$f/sys/net/ipv4/ip_forward"
	echo 0 >"$f/self/attr/exec"
	add_mount "{\"destination\":\"/proc\",\"type\":\"bind\",\"source\":\"$f\",\"options\":[\"rbind\"]}"
}

@test "CVE-2019-19921: with /proc covered by a volume, sysctl and oomScoreAdj still reach the real procfs" {
	fake_proc
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .process.oomScoreAdj = 7'
	set_args sleep 60
	rt_bg create --bundle "$BUNDLE" "$CID"
	if [[ $status -ne 0 ]]; then
		# refusing the config is a defence too (runc: "must be mounted on ordinary directory")
		skip_if_runc "runc 1.1.5 refuses any non-procfs mount on /proc (its CVE-2019-19921 check): nothing to write through"
		fail "create failed: $stderr"
	fi
	pid=$(state_field "$CID" .pid)
	assert_equal "$(cat "/proc/$pid/oom_score_adj")" 7
	assert_equal "$(nsenter --net="/proc/$pid/ns/net" cat /proc/sys/net/ipv4/ip_forward)" 1
	# the fake files were not written
	assert_equal "$(cat "$BUNDLE/fakeproc/self/oom_score_adj")" 0
	assert_equal "$(cat "$BUNDLE/fakeproc/sys/net/ipv4/ip_forward")" 0
	assert_equal "$(cat "$BUNDLE/fakeproc/self/attr/exec")" 0
}

@test "CVE-2019-16884: the SELinux exec label is written to the real procfs when /proc is covered" {
	[[ -e /sys/fs/selinux/enforce ]] || skip "SELinux is not enabled on this host (no /sys/fs/selinux): no exec label is written"
	fake_proc
	label=$(cat /proc/self/attr/current)
	update_config '.process.selinuxLabel = $l' --arg l "$label"
	set_args sleep 60
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	pid=$(state_field "$CID" .pid)
	assert_equal "$(tr -d '\0' <"/proc/$pid/attr/current")" "$label"
	assert_equal "$(cat "$BUNDLE/fakeproc/self/attr/exec")" 0
}

# ---- CVE-2025-52881: procfs writes redirected to another procfs file -------
#
# The attack: a volume (shared with, and filled by, another container) covers
# /proc/sys, and in it net/ipv4/ip_forward is a symlink to another procfs
# file (here, harmlessly, the runtime's own /proc/self/oom_score_adj; in the
# advisory /proc/sys/kernel/core_pattern or /proc/sysrq-trigger). A runtime
# writing the sysctl by path writes that file instead.
# rustlet: sysctls go through a procfs instance of its own that no mount of
# the container can cover, opened with openat2 RESOLVE_BENEATH|
# RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV.

@test "CVE-2025-52881: a sysctl redirected by a symlink in a volume over /proc/sys writes the real sysctl" {
	local vol=$BATS_TEST_TMPDIR/procsys
	mkdir -p "$vol/net/ipv4"
	ln -s /proc/self/oom_score_adj "$vol/net/ipv4/ip_forward"
	add_mount "{\"destination\":\"/proc/sys\",\"type\":\"bind\",\"source\":\"$vol\",\"options\":[\"rbind\"]}"
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .process.oomScoreAdj = 5'
	set_args cve-probe statfs /
	rt_bg create --bundle "$BUNDLE" "$CID"
	if [[ $status -ne 0 ]]; then
		skip_if_runc "runc 1.1.5 refuses non-procfs mounts below /proc (its CVE-2019-19921 check): nothing to write through"
		fail "create failed: $stderr"
	fi
	pid=$(state_field "$CID" .pid)
	# the write did not land in the runtime's oom_score_adj (5 stays 5)...
	assert_equal "$(cat "/proc/$pid/oom_score_adj")" 5
	# ...but in the container's real sysctl
	assert_equal "$(nsenter --net="/proc/$pid/ns/net" cat /proc/sys/net/ipv4/ip_forward)" 1
	[[ -L "$vol/net/ipv4/ip_forward" ]]
}

# ---- CVE-2025-52565: /dev/console redirected -------------------------------
#
# The attack: with process.terminal, the runtime bind-mounts the pty onto
# /dev/console. If the image's /dev/console is a symlink to a procfs file
# (core_pattern), a path-based bind mounts over (or opens) that file instead,
# before maskedPaths/readonlyPaths protect /proc: the container gets a
# writable way to the host's core_pattern.
# rustlet: /dev/console is opened inside the root without following
# symlinks and must be a regular file or a character device (else create
# fails); the pty peer is taken from the master (TIOCGPTPEER) and checked to
# be a pty, and the bind is made between those two fds.

@test "CVE-2025-52565: a /dev/console that is a symlink to a procfs file is refused" {
	local sock=$BATS_TEST_TMPDIR/console.sock before
	before=$(cat /proc/sys/kernel/core_pattern)
	# the image's own /dev (no tmpfs on /dev), with the attacker's console
	update_config '.mounts |= map(select(.destination != "/dev")) | .process.terminal = true'
	ln -s pts/ptmx "$BUNDLE/rootfs/dev/ptmx"
	mknod -m 666 "$BUNDLE/rootfs/dev/null" c 1 3
	mkdir -p "$BUNDLE/rootfs/dev/pts"
	ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/console"
	set_args cve-probe stdio
	"$RECVTTY" "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>/dev/null 3>&- &
	KEEP_PIDS+=($!)
	wait_for test -S "$sock"
	rt_bg create --console-socket "$sock" --bundle "$BUNDLE" "$CID"
	if [[ $status -eq 0 ]]; then
		rt start "$CID" </dev/null >/dev/null 2>&1
		wait_for grep -q '^console=' "$BATS_TEST_TMPDIR/tty.out"
		run cat "$BATS_TEST_TMPDIR/tty.out"
		# stdio and /dev/console are the pty (devpts major 136), nothing else
		assert_match '^console=char 136:'
		assert_match '^fd1=char 136:'
	elif is_rustlet; then
		assert_match 'process.terminal: /dev/console' "$stderr"
	fi
	assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$before"
}
