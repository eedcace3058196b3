#!/bin/bash
# Shared helpers for the integration tier. Loaded by every .bats file with
#   load helpers
# Run through tests/integration/run, which sets RUNTIME, RL_TEMPLATE (a bundle
# template: rootfs + config.json from `$RUNTIME spec`) and runs bats inside a
# cgroup namespace (tests/integration/cgns-exec).

bats_require_minimum_version 1.5.0

: "${RUNTIME:?RUNTIME must be set (use tests/integration/run)}"
: "${RL_TEMPLATE:?RL_TEMPLATE must be set (use tests/integration/run)}"
# Upper bound for one runtime call, on top of bats's per-test timeout.
: "${RL_CALL_TIMEOUT:=30}"
# Multiplies every poll bound of wait_for/wait_status (the VM tier's guest
# runs under TCG emulation, several times slower than the host).
: "${RL_WAIT_SCALE:=1}"

RUNTIME_NAME=$(basename "$RUNTIME")

is_runc() { [[ "$RUNTIME_NAME" == runc* ]]; }
is_rustlet() { [[ "$RUNTIME_NAME" == rustlet* ]]; }

# skip with a reason that names the runtime; never a silent pass.
skip_if_runc() { # REASON
	if is_runc; then skip "runc limitation: $*"; fi
}

# requires FEATURE...: skip the test (printing why) when something is missing.
requires() {
	local f
	for f in "$@"; do
		case "$f" in
		root) [[ $EUID -eq 0 ]] || skip "needs root" ;;
		cgroupns) [[ -e /proc/self/ns/cgroup ]] || skip "no cgroup namespaces" ;;
		timens) [[ -e /proc/self/ns/time ]] || skip "no time namespaces" ;;
		cgroup_v1) [[ -d /sys/fs/cgroup/memory ]] || skip "no cgroup v1 memory hierarchy" ;;
		cgroup_v2_only) [[ -f /sys/fs/cgroup/cgroup.controllers ]] || skip "host is not pure cgroup v2" ;;
		overlay) grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
			skip "no overlayfs" ;;
		*) command -v "$f" >/dev/null || skip "needs $f" ;;
		esac
	done
}

# RL_RUNTIME_FLAGS: global flags for every rt call, e.g. --systemd-cgroup
# (the VM tier runs the cgroup tests once more with the systemd driver).
read -ra RL_RUNTIME_FLAGS_A <<<"${RL_RUNTIME_FLAGS:-}"
systemd_driver() { [[ " ${RL_RUNTIME_FLAGS:-} " == *" --systemd-cgroup "* ]]; }

# rt ARGS...: run the runtime with the test's private state root.
rt() {
	timeout --kill-after=5 "$RL_CALL_TIMEOUT" "$RUNTIME" "${RL_RUNTIME_FLAGS_A[@]}" --root "$ROOT" "$@" 3>&-
}

# fail MESSAGE: end the test with a message.
fail() {
	echo "FAIL: $*" >&2
	return 1
}

# Assertions that print what they saw.
assert_success() {
	if [[ "$status" -ne 0 ]]; then
		echo "expected success, got status $status" >&2
		echo "output: $output" >&2
		[[ -n "${stderr:-}" ]] && echo "stderr: $stderr" >&2
		return 1
	fi
}
assert_failure() { # [STATUS]
	if [[ "$status" -eq 0 ]] || [[ -n "${1:-}" && "$status" -ne "$1" ]]; then
		echo "expected failure${1:+ with status $1}, got status $status" >&2
		echo "output: $output" >&2
		[[ -n "${stderr:-}" ]] && echo "stderr: $stderr" >&2
		return 1
	fi
}
# assert_line LINE: $output has a line equal to LINE.
assert_line() {
	if ! grep -qxF -- "$1" <<<"$output"; then
		echo "expected a line '$1' in output:" >&2
		echo "$output" >&2
		[[ -n "${stderr:-}" ]] && echo "stderr: $stderr" >&2
		return 1
	fi
}
refute_line() {
	if grep -qxF -- "$1" <<<"$output"; then
		echo "unexpected line '$1' in output:" >&2
		echo "$output" >&2
		return 1
	fi
}
# assert_match REGEX [TEXT]: TEXT (default $output) matches the ERE.
assert_match() {
	local text=${2-$output}
	if ! grep -qE -- "$1" <<<"$text"; then
		echo "expected a match for /$1/ in:" >&2
		echo "$text" >&2
		return 1
	fi
}
refute_match() {
	local text=${2-$output}
	if grep -qE -- "$1" <<<"$text"; then
		echo "unexpected match for /$1/ in:" >&2
		echo "$text" >&2
		return 1
	fi
}
assert_equal() { # ACTUAL EXPECTED
	if [[ "$1" != "$2" ]]; then
		echo "expected '$2', got '$1'" >&2
		return 1
	fi
}
# value KEY: the value of "KEY=value" in $output.
value() {
	sed -n "s/^$1=//p" <<<"$output" | head -n1
}

# update_config JQ_FILTER [jq args...]: edit the bundle's config.json.
update_config() {
	local f=$BUNDLE/config.json
	jq "${@:2}" "$1" "$f" >"$f.new" && mv "$f.new" "$f"
}

# set_args ARG...: set process.args.
set_args() {
	local a
	a=$(jq -cn '$ARGS.positional' --args -- "$@")
	update_config '.process.args = $a' --argjson a "$a"
}

# next_cid: call before each create/run. The first use of $CID in a test
# keeps it; once that container is gone, the next run gets a new id
# ($CID_BASE-2, -3, ...). Reusing an id lets a run see what the kernel
# frees lazily from the previous one (the session keyring `_ses.<id>` stays
# in /proc/keys until the key collector runs; issue 14). An id whose
# container still exists is kept, for the "already exists" tests.
next_cid() {
	if [[ -n ${RL_USED_IDS[$CID]:-} && ! -e $ROOT/$CID ]]; then
		RL_ID_N=$((RL_ID_N + 1))
		CID=$CID_BASE-$RL_ID_N
	fi
	RL_USED_IDS[$CID]=1
}

# run_payload ARGS...: run rl-payload ARGS in the foreground container $CID
# (a new id for each run, see next_cid); stdout in $output, stderr in
# $stderr, exit status in $status.
run_payload() {
	set_args rl-payload "$@"
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
}

# rt_bg ARGS...: run the runtime for a command that leaves a container behind
# (create, run -d): stdin is /dev/null, stdout and stderr are appended to
# $CTR_OUT / $CTR_ERR, which the container's process inherits (so bats's
# pipes are never held open). Sets $status, $output, $stderr for this call.
rt_bg() {
	local o e
	o=$(stat -c %s "$CTR_OUT") e=$(stat -c %s "$CTR_ERR")
	status=0
	rt "$@" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR" 3>&- || status=$?
	output=$(tail -c +$((o + 1)) "$CTR_OUT")
	stderr=$(tail -c +$((e + 1)) "$CTR_ERR")
}

# create_payload ARGS...: create (not start) container $CID running
# rl-payload (a new id once an earlier $CID is gone, see next_cid).
create_payload() {
	set_args rl-payload "$@"
	next_cid
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
}

# start_payload ARGS...: create and start container $CID running rl-payload.
start_payload() {
	create_payload "$@"
	run --separate-stderr rt start "$CID"
	assert_success
}

# ctr_output: everything the detached containers wrote to stdout so far.
ctr_output() { cat "$CTR_OUT"; }

# wait_output REGEX: poll until the detached container's stdout matches.
wait_output() {
	wait_for grep -qE -- "$1" "$CTR_OUT" && return 0
	# what the container said instead
	echo "container stdout: $(tail -c 2000 "$CTR_OUT")" >&2
	echo "container stderr: $(tail -c 2000 "$CTR_ERR")" >&2
	return 1
}

# state_field ID JQ: one field of `state ID`.
state_field() {
	rt state "$1" | jq -r "$2"
}

# wait_status ID STATUS: poll `state` until status is STATUS (max ~5s
# times RL_WAIT_SCALE).
wait_status() {
	local i s
	for ((i = 0; i < 100 * RL_WAIT_SCALE; i++)); do
		s=$(rt state "$1" 2>/dev/null | jq -r .status)
		[[ "$s" == "$2" ]] && return 0
		sleep 0.05
	done
	echo "container $1: status '$s', expected '$2'" >&2
	return 1
}

# wait_for COMMAND...: poll until COMMAND succeeds (max ~5s times
# RL_WAIT_SCALE).
wait_for() {
	local i
	for ((i = 0; i < 100 * RL_WAIT_SCALE; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# settled FILE...: the files read the same twice, 0.2 s apart: use with
# wait_for instead of a fixed sleep before comparing an idle container's
# figures (cpu periods, usage) with the runtime's.
settled() {
	local a
	a=$(cat "$@") || return 1
	sleep 0.2
	[[ "$(cat "$@")" == "$a" ]]
}

# cgroup_procs_count ID SUBSYS: processes in the container's cgroup.
cgroup_procs_count() {
	wc -l <"$(container_cgroup_dir "$1" "$2")/cgroup.procs"
}

# is_frozen ID: the kernel reports the container's cgroup frozen (v1
# freezer.state FROZEN, or v2 cgroup.events "frozen 1").
is_frozen() {
	local d
	if [[ -d /sys/fs/cgroup/freezer ]]; then
		d=$(container_cgroup_dir "$1" freezer)
		[[ "$(cat "$d/freezer.state")" == FROZEN ]]
	else
		d=$(container_cgroup_dir "$1" unified)
		grep -qx 'frozen 1' "$d/cgroup.events"
	fi
}

# cgroup_dirs PATTERN: cgroup directories (every hierarchy) whose name
# contains PATTERN. Inside cgns-exec, /sys/fs/cgroup/* is our own subtree.
cgroup_dirs() {
	# another test's cgroup may vanish during the walk: find then exits 1,
	# which is no reason to fail this test
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "*$1*" 2>/dev/null || true
}

# container_cgroup_dir ID SUBSYS: host-side cgroup directory of a running
# container in hierarchy SUBSYS (memory, pids, ... or "unified"); on a pure
# cgroup v2 host the one unified directory, whatever SUBSYS.
container_cgroup_dir() {
	local pid p
	pid=$(state_field "$1" .pid)
	if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
		return
	fi
	if [[ "$2" == unified ]]; then
		p=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	else
		p=$(awk -F: -v s="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == s) print $3 }' "/proc/$pid/cgroup")
	fi
	echo "/sys/fs/cgroup/$2$p"
}

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	[[ -e /proc/$1/status ]] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# in_rootfs PID: the process's root directory is the test bundle's rootfs
# (readlink of /proc/PID/root says "/" after pivot_root, so compare inodes).
in_rootfs() {
	[[ "$(stat -Lc %d:%i "/proc/$1/root" 2>/dev/null)" == "$(stat -c %d:%i "$BUNDLE/rootfs")" ]]
}

# procs_in_rootfs: host pids of live processes whose root is the bundle's rootfs.
procs_in_rootfs() {
	local want p
	want=$(stat -c %d:%i "$BUNDLE/rootfs" 2>/dev/null) || return 0
	for p in $(stat -Lc '%n %d:%i' /proc/[0-9]*/root 2>/dev/null |
		awk -v w="$want" '$2 == w { split($1, a, "/"); print a[3] }'); do
		pid_alive "$p" && echo "$p"
	done
	return 0
}

# rl_setup: fresh bundle, unique id, private state root.
rl_setup() {
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	ROOT=$BATS_TEST_TMPDIR/state
	CID=rl$$-${BATS_TEST_NUMBER}-$RANDOM
	CID_BASE=$CID RL_ID_N=1
	declare -gA RL_USED_IDS=()
	mkdir -p "$ROOT"
	CTR_OUT=$BATS_TEST_TMPDIR/ctr.out CTR_ERR=$BATS_TEST_TMPDIR/ctr.err
	: >"$CTR_OUT"
	: >"$CTR_ERR"
	cp -a "$RL_TEMPLATE" "$BUNDLE"
	EXTRA_CGROUP_PATTERNS=()
	KEEP_PIDS=()
}

# rl_cleanup_check: delete every container of the test, then assert that
# nothing is left behind: no state, no cgroup, no process, no mount.
rl_teardown() {
	local id errs=() i left pids=() pid
	[[ -n "${ROOT:-}" ]] || return 0
	for id in $(ls "$ROOT" 2>/dev/null) "$CID" "${!RL_USED_IDS[@]}"; do
		pid=$(rt state "$id" 2>/dev/null | jq -r '.pid // empty')
		[[ -n "$pid" && "$pid" != 0 ]] && pids+=("$pid")
		rt delete --force "$id" >/dev/null 2>&1 || true
	done
	for p in "${KEEP_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null || true
	done
	left=$(ls -A "$ROOT" 2>/dev/null)
	[[ -z "$left" ]] || errs+=("state left in $ROOT: $left")
	for ((i = 0; i < 40; i++)); do
		left=$(procs_in_rootfs; for pid in "${pids[@]}"; do pid_alive "$pid" && echo "$pid"; done)
		[[ -z "$left" ]] && break
		sleep 0.05
	done
	[[ -z "$left" ]] || errs+=("processes left in the container: $left")
	for ((i = 0; i < 40; i++)); do
		left=$(cgroup_dirs "${CID_BASE:-$CID}"; for p in "${EXTRA_CGROUP_PATTERNS[@]}"; do cgroup_dirs "$p"; done)
		[[ -z "$left" ]] && break
		sleep 0.05
	done
	[[ -z "$left" ]] || errs+=("cgroups left: $left")
	left=$(awk -v b="$BUNDLE" 'index($5, b) == 1 { print $5 }' /proc/self/mountinfo)
	[[ -z "$left" ]] || errs+=("mounts left: $left")
	if ((${#errs[@]})); then
		printf 'residue: %s\n' "${errs[@]}" >&2
		# Best effort so later tests are not disturbed.
		for p in $(procs_in_rootfs); do kill -9 "$p" 2>/dev/null; done
		awk -v b="$BUNDLE" 'index($5, b) == 1 { print $5 }' /proc/self/mountinfo |
			sort -r | xargs -r -n1 umount -l 2>/dev/null
		return 1
	fi
}

setup() { rl_setup; }
teardown() { rl_teardown; }

# assert_default_devices: the container sees null, zero, full, random,
# urandom and tty as character devices with their numbers and mode 0666.
assert_default_devices() {
	local d name maj min
	for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
		IFS=: read -r name maj min <<<"$d"
		run_payload stat "/dev/$name"
		assert_success
		assert_line type=char
		assert_line "rdev=$maj:$min"
		assert_line mode=0666
	done
}
