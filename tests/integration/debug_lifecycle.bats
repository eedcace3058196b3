#!/usr/bin/env bats
# --debug of start, kill and delete (issue 17): each command logs the state
# it read, the signal it sent and to which pid, the hooks it ran, the cgroup
# and state directory it removed; text lines carry a timestamp, JSON lines
# are valid JSON; mount targets are named by their path, not /proc/self/fd/N.
load helpers

setup() {
	rl_setup
	is_rustlet || skip "the debug log's wording is rustlet's"
	LOG=$BATS_TEST_TMPDIR/debug.log
	# host hooks that only succeed: their runs are what the log must show
	local h
	h=$(jq -cn '{path: "/bin/sh", args: ["sh", "-c", "cat >/dev/null"]}')
	update_config '.hooks.poststart = [$h] | .hooks.poststop = [$h]' --argjson h "$h"
	update_config '.linux.resources.pids = {limit: 50}'
}

# dbg ARGS...: the runtime with --debug --log $LOG (and $FORMAT if set)
dbg() {
	rt --debug --log "$LOG" ${FORMAT:+--log-format "$FORMAT"} "$@" </dev/null
}

# log_has TEXT: a line of $LOG contains TEXT (fixed string).
log_has() {
	grep -qF -- "$1" "$LOG" && return 0
	echo "no line with '$1' in the log:" >&2
	cat "$LOG" >&2
	return 1
}

@test "--debug: start, kill and delete log their operations, text lines with a timestamp" {
	create_payload sleep 100
	local pid ino
	pid=$(state_field "$CID" .pid)
	ino=$(stat -c %i "$ROOT/$CID/state.json")
	: >"$LOG"
	run dbg start "$CID"
	assert_success
	log_has "container $CID: locked $ROOT/$CID, read state.json: status created, init pid $pid"
	log_has "start $CID: open $ROOT/$CID/exec.fifo for reading: releases init pid $pid"
	log_has "start $CID: init pid $pid ran its execve"
	# running is the init alive without exec.fifo: start writes no state
	[[ $(stat -c %i "$ROOT/$CID/state.json") == "$ino" ]] || fail "start rewrote state.json"
	log_has "running hook poststart[0]: /bin/sh"
	log_has "hook poststart[0] (/bin/sh, pid "
	run dbg kill "$CID" KILL
	assert_success
	log_has "container $CID: locked $ROOT/$CID, read state.json: status running, init pid $pid"
	log_has "kill $CID: pidfd_send_signal(init pid $pid, 9 (SIGKILL)) = 0"
	wait_status "$CID" stopped
	run dbg delete "$CID"
	assert_success
	log_has "read state.json: status stopped, init pid $pid"
	log_has "delete $CID: 1 poststop hook(s)"
	log_has "running hook poststop[0]: /bin/sh"
	log_has "delete $CID: remove cgroup "
	log_has "cgroup: rmdir "
	log_has "delete $CID: remove the state directory $ROOT/$CID"
	log_has "delete $CID: removed $ROOT/$CID"
	[[ ! -e $ROOT/$CID ]] || fail "state directory left"
	# every line: "TIME rustlet[PID]: LEVEL: MSG" with RFC 3339 microseconds
	local bad
	bad=$(grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z rustlet\[[0-9]+\]: debug: ' "$LOG" || true)
	[[ -z $bad ]] || fail "lines without a timestamp or not debug: $bad"
	# the three commands wrote in order, and the timestamps do not go back
	cut -d" " -f1 "$LOG" | sort -c || fail "timestamps out of order"
}

@test "--debug --log-format json: start, kill --all and delete log valid JSON lines" {
	FORMAT=json
	create_payload sleep 100
	local pid
	pid=$(state_field "$CID" .pid)
	: >"$LOG"
	run dbg start "$CID"
	assert_success
	run dbg kill --all "$CID" KILL
	assert_success
	wait_status "$CID" stopped
	run dbg delete "$CID"
	assert_success
	# one JSON object per line, each with level, msg and time
	local n=0 line
	while IFS= read -r line; do
		jq -e 'type == "object" and .level == "debug" and (.msg | type == "string") and
			(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))' \
			<<<"$line" >/dev/null || fail "not a debug JSON line: $line"
		n=$((n + 1))
	done <"$LOG"
	((n >= 10)) || fail "only $n lines"
	msgs() { jq -r .msg "$LOG"; }
	run msgs
	assert_match "^container $CID: locked .*status created, init pid $pid "
	assert_match "^start $CID: init pid $pid ran its execve"
	assert_match "^kill $CID: signal 9 \(SIGKILL\) to every process in cgroup "
	# cgroup.kill where the unified hierarchy has it, else a kill per pid
	assert_match "^(cgroup write .*/cgroup\.kill \"1\"|cgroup: kill\($pid, 9\))"
	assert_match "^delete $CID: remove cgroup "
	assert_match "^hook poststop\[0\] \(/bin/sh, pid [0-9]+\): exited with status 0"
	assert_match "^delete $CID: removed $ROOT/$CID$"
}

@test "--debug: delete --force of a created container logs the SIGKILL of its init" {
	create_payload sleep 100
	local pid
	pid=$(state_field "$CID" .pid)
	: >"$LOG"
	run dbg delete --force "$CID"
	assert_success
	log_has "read state.json: status created, init pid $pid"
	log_has "delete $CID: SIGKILL to init pid $pid, waiting for it to exit"
	log_has "delete $CID: init pid $pid exited"
	log_has "delete $CID: removed $ROOT/$CID"
	# and again: nothing there any more, which --force accepts
	: >"$LOG"
	run dbg delete --force "$CID"
	assert_success
	log_has "delete --force $CID: no such container ($ROOT/$CID), nothing to do"
}

@test "--debug: create names mount targets by their path, not /proc/self/fd/N" {
	: >"$LOG"
	set_args rl-payload exit 0
	next_cid
	run dbg run --bundle "$BUNDLE" "$CID"
	assert_success
	if grep -E 'mount\(.*/proc/self/fd/' "$LOG"; then
		fail "a mount line names /proc/self/fd/N"
	fi
	grep -qE 'mount\(proc, /.*/proc \(fd [0-9]+\), proc, ' "$LOG" || {
		cat "$LOG" >&2
		fail "no mount line naming the proc mount's path"
	}
}

@test "--debug: create logs the session keyring and a copy-up's mknodat through the syscall table" {
	mkdir -p "$BUNDLE/rootfs/mnt/c"
	mkfifo -m 0640 "$BUNDLE/rootfs/mnt/c/fifo"
	update_config '.mounts += [{destination: "/mnt/c", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"]}]'
	: >"$LOG"
	set_args rl-payload exit 0
	next_cid
	run dbg run --bundle "$BUNDLE" "$CID"
	assert_success
	grep -qE "keyctl\(KEYCTL_JOIN_SESSION_KEYRING, _ses\.$CID\) = [0-9]+ \[[0-9]+us\]" "$LOG" || {
		cat "$LOG" >&2
		fail "no keyctl line for the session keyring"
	}
	grep -qE 'mknodat\(/.*/rootfs/mnt/c/fifo \(fd [0-9]+\), 010640, 0:0\) = 0 \[[0-9]+us\]' "$LOG" || {
		cat "$LOG" >&2
		fail "no mknodat line for the copied fifo"
	}
}

@test "--debug: create logs the namespaces, the id maps, the capability sets, the user and the seccomp load" {
	local d=$BATS_TEST_TMPDIR # the mapped root must reach the rootfs
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .mounts |= map(select(.type != "sysfs" and .type != "cgroup"))
		| .process.user = {uid: 0, gid: 0, additionalGids: [5, 6]}
		| .process.capabilities = {bounding: ["CAP_KILL", "CAP_CHOWN"], effective: ["CAP_KILL"],
			permitted: ["CAP_KILL"], inheritable: [], ambient: []}
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
			syscalls: [{names: ["swapon"], action: "SCMP_ACT_ERRNO"}]}'
	: >"$LOG"
	set_args rl-payload exit 0
	next_cid
	run dbg run --bundle "$BUNDLE" "$CID"
	assert_success
	grep -qE "clone3\(CLONE_PIDFD\|.*CLONE_NEWUSER.*, create: the container's init\) = [0-9]+ " "$LOG" || {
		cat "$LOG" >&2
		fail "no line for the init's clone3 with its namespaces"
	}
	grep -qE 'write\(/proc/[0-9]+/uid_map, "0 100000 65536' "$LOG" || {
		cat "$LOG" >&2
		fail "no line for the uid_map write"
	}
	grep -qE 'write\(/proc/[0-9]+/gid_map, "0 100000 65536' "$LOG" || fail "no line for the gid_map write"
	log_has "process.capabilities.bounding: cap_chown,cap_kill"
	log_has "process.capabilities.effective: cap_kill"
	log_has "process.capabilities.inheritable: none"
	log_has "process.user: uid 0, gid 0, 2 additional gids"
	grep -qE 'linux\.seccomp: load the filter: [0-9]+ BPF instructions, flags 0x' "$LOG" || {
		cat "$LOG" >&2
		fail "no line for the seccomp load"
	}
}
