#!/usr/bin/env bats
# Bad configs, concurrency and crash recovery: each leaves nothing behind
# (the teardown asserts: no state dir, no cgroup, no process, no mount).
load helpers

# create_fails: create must exit 1 and leave no container.
create_fails() {
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure 1
	run rt state "$CID"
	assert_failure 1
	[[ ! -e "$ROOT/$CID" ]]
	[[ -z "$(cgroup_dirs "$CID")" ]]
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	create_fails
	if is_rustlet; then assert_match 'config.json' "$(cat "$CTR_ERR")"; fi
}

@test "config.json that is not JSON" {
	echo '{"ociVersion": "1.0.2", ' >"$BUNDLE/config.json"
	create_fails
	if is_rustlet; then assert_match 'config.json' "$(cat "$CTR_ERR")"; fi
}

@test "a field of the wrong type" {
	update_config '.process.args = "rl-payload"'
	create_fails
	if is_rustlet; then assert_match 'process.args' "$(cat "$CTR_ERR")"; fi
}

@test "a number where a string is expected" {
	update_config '.process.cwd = 5'
	create_fails
	if is_rustlet; then assert_match 'process.cwd' "$(cat "$CTR_ERR")"; fi
}

@test "sysctl kernel.hostname together with hostname (as runc and crun, refused)" {
	update_config '.hostname = "box" | .linux.namespaces |= (map(select(.type != "uts")) + [{type: "uts"}]) | .linux.sysctl = {"kernel.hostname": "other"}'
	create_fails
	assert_match 'kernel.hostname' "$(cat "$CTR_ERR")"
}

@test "missing process" {
	update_config 'del(.process)'
	create_fails
	if is_rustlet; then assert_match 'process' "$(cat "$CTR_ERR")"; fi
}

@test "empty process.args" {
	update_config '.process.args = []'
	create_fails
	if is_rustlet; then assert_match 'process.args' "$(cat "$CTR_ERR")"; fi
}

@test "unknown namespace type" {
	update_config '.linux.namespaces += [{type: "bogus"}]'
	create_fails
	if is_rustlet; then assert_match 'linux.namespaces' "$(cat "$CTR_ERR")"; fi
}

@test "relative cwd" {
	update_config '.process.cwd = "relative"'
	create_fails
	if is_rustlet; then assert_match 'process.cwd' "$(cat "$CTR_ERR")"; fi
}

@test "args[0] that does not exist" {
	set_args /bin/no-such-program
	create_fails
	if is_rustlet; then assert_match 'no-such-program' "$(cat "$CTR_ERR")"; fi
}

@test "args[0] that is not executable" {
	update_config '.root.readonly = false'
	echo 'not a program' >"$BUNDLE/rootfs/bin/not-exec"
	chmod 644 "$BUNDLE/rootfs/bin/not-exec"
	set_args /bin/not-exec
	create_fails
}

@test "a rootfs that does not exist" {
	update_config '.root.path = "no-such-rootfs"'
	create_fails
	if is_rustlet; then assert_match 'root.path|no-such-rootfs' "$(cat "$CTR_ERR")"; fi
}

@test "a mount with a source that does not exist" {
	update_config '.mounts += [{destination: "/mnt/x", type: "bind", source: "/no/such/source", options: ["bind"]}]'
	set_args rl-payload exit 0
	create_fails
	if is_rustlet; then assert_match 'mounts\[[0-9]+\]' "$(cat "$CTR_ERR")"; fi
}

@test "an invalid container id" {
	set_args rl-payload exit 0
	run rt create --bundle "$BUNDLE" "../escape" </dev/null
	assert_failure 1
	[[ ! -e "$BATS_TEST_TMPDIR/escape" ]]
	run rt create --bundle "$BUNDLE" "" </dev/null
	assert_failure
}

# refused REGEX: create fails with exit 1, leaves nothing (create_fails and
# the teardown), and rustlet's message (which names the config path) matches
# REGEX.
refused() {
	: >"$CTR_ERR"
	create_fails
	if is_rustlet; then
		assert_match "$1" "$(cat "$CTR_ERR")"
	fi
}

@test "duplicate keys in one object: refused, naming the key and both places" {
	# Go's encoding/json lets the last one win, so runc takes either silently
	skip_if_runc "runc 1.1 accepts duplicate keys (the last one wins)"
	update_config '.hostname = "dup-b"'
	sed -i '1a\  "hostname": "dup-a",' "$BUNDLE/config.json"
	local l1 l2
	l1=$(grep -n '"hostname"' "$BUNDLE/config.json" | sed -n 1p | cut -d: -f1)
	l2=$(grep -n '"hostname"' "$BUNDLE/config.json" | sed -n 2p | cut -d: -f1)
	refused "hostname: duplicate key \"hostname\" .*at line $l1, column 3 and line $l2, column 3"
	# nested too: the path names the object
	cp "$RL_TEMPLATE/config.json" "$BUNDLE/config.json"
	update_config '.process.user = {uid: 0, gid: 0}'
	sed -i 's/^\( *\)"uid": 0,/&\n\1"uid": 1000,/' "$BUNDLE/config.json"
	refused 'process\.user\.uid: duplicate key "uid"'
}

@test "a string with an escaped NUL is refused wherever it is" {
	local f
	for f in '.process.args[0] = "/bin/true\u0000/../../x"' \
		'.process.env += ["A=b\u0000c"]' \
		'.hostname = "a\u0000b"' \
		'.process.cwd = "/\u0000tmp"' \
		'.mounts += [{destination: "/mnt\u0000x", type: "tmpfs", source: "tmpfs"}]' \
		'.hooks.prestart = [{path: "/bin/true\u0000x"}]'; do
		cp "$RL_TEMPLATE/config.json" "$BUNDLE/config.json"
		update_config "$f"
		if is_runc && [[ $f == *hostname* || $f == *mounts* || $f == *hooks* || $f == *cwd* ]]; then
			continue # runc 1.1 passes these to the kernel cut at the NUL, or fails late
		fi
		local want=${f%% *}
		want=${want#.}
		want=${want//[/\\[}
		want=${want//]/\\]}
		[[ $f == *+=* ]] && want="$want\\[[0-9]+\\]"
		[[ $f == *prestart* ]] && want='hooks\.prestart\[0\]\.path'
		[[ $f == *mounts* ]] && want='mounts\[[0-9]+\]\.destination'
		refused "$want: string with an escaped NUL \(\\\\u0000\) at line [0-9]+, column [0-9]+"
	done
}

@test "a process.env entry without '=' is refused" {
	# runc 1.1 refuses it too, from the container's init: invalid environment variable
	update_config '.process.env += ["NOEQUALS"]'
	refused "process\.env\[[0-9]+\] \"NOEQUALS\": not NAME=VALUE \(no '='\)"
	update_config '.process.env[-1] = "=value"'
	refused 'process\.env\[[0-9]+\] "=value": not NAME=VALUE \(empty name\)'
}

@test "a linux.devices path outside /dev is refused, nothing is made" {
	skip_if_runc "runc 1.1 makes the node wherever the path says (here /etc/evil in the rootfs)"
	update_config '.root.readonly = false | .linux.devices = [{path: "/etc/evil", type: "c", major: 1, minor: 3}]'
	refused 'linux\.devices\[0\]\.path "/etc/evil": must be below /dev'
	[[ ! -e $BUNDLE/rootfs/etc/evil ]]
	update_config '.linux.devices[0].path = "/dev/../etc/evil"'
	refused 'linux\.devices\[0\]\.path "/dev/\.\./etc/evil": must be below /dev'
	[[ ! -e $BUNDLE/rootfs/etc/evil ]]
}

@test "a memory limit of 1 byte names the field and the OOM kill, leaves no cgroup" {
	[[ -d /sys/fs/cgroup/memory ]] || grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
		skip "no memory controller"
	# runc 1.1 writes the limit with the process inside: EBUSY, "unable to
	# set memory limit to 1 (current usage: ...)"; rustlet writes it into the
	# empty cgroup, which the kernel accepts, and its init is OOM-killed
	update_config '.linux.resources.memory = {limit: 1}'
	set_args rl-payload exit 0
	create_fails
	if is_rustlet; then
		assert_match 'linux\.resources\.memory\.limit \(1 bytes\): the kernel.s OOM killer killed the container.s process before it was ready \(oom_kill [1-9][0-9]* in the memory cgroup\)' "$(cat "$CTR_ERR")"
		refute_match "sync: the other side" "$(cat "$CTR_ERR")"
	fi
}

@test "a cgroupsPath with .. components is refused, no cgroup is made" {
	skip_if_runc "runc 1.1 resolves .. lexically inside the cgroup root (/a/../b is /b)"
	EXTRA_CGROUP_PATTERNS+=("rlx-$CID")
	local p
	for p in "/rlx-$CID-a/../rlx-$CID-b" "rlx-$CID-a/../../rlx-$CID-b" "/rlx-$CID/.." ".."; do
		update_config '.linux.cgroupsPath = $p' --arg p "$p"
		refused "linux\.cgroupsPath \"${p//./\\.}\": \"\.\.\" components are not allowed"
		[[ -z "$(cgroup_dirs "rlx-$CID")" ]]
	done
	# a name that merely contains dots is fine
	update_config '.linux.cgroupsPath = $p' --arg p "/rlx-$CID..x"
	set_args rl-payload exit 0
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
}

@test "create without an id fails with usage" {
	run rt create --bundle "$BUNDLE" </dev/null
	assert_failure 1
}

@test "20 containers created, started and deleted in parallel" {
	set_args rl-payload sleep 0.2
	one() { # ID
		rt create --bundle "$BUNDLE" "$1" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err.$1" &&
			rt start "$1" 2>>"$BATS_TEST_TMPDIR/err.$1" &&
			wait_status "$1" stopped 2>>"$BATS_TEST_TMPDIR/err.$1" &&
			rt delete "$1" 2>>"$BATS_TEST_TMPDIR/err.$1"
	}
	pids=()
	for i in $(seq 1 20); do
		one "$CID-$i" &
		pids+=($!)
	done
	failed=0
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { failed=$((failed + 1)); cat "$BATS_TEST_TMPDIR/err.$CID-$((i + 1))" >&2; }
	done
	assert_equal "$failed" 0
	assert_equal "$(ls -A "$ROOT")" ""
	assert_equal "$(cgroup_dirs "$CID")" ""
}

@test "kill -9 of the runtime during create, then delete --force cleans up" {
	skip_if_runc "runc 1.1.5 has no state.json before the createRuntime hooks ran: delete --force says 'does not exist' and leaves the cgroups and runc init behind"
	H=$BATS_TEST_TMPDIR/hook
	mkdir "$H"
	update_config '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", $s]}]' \
		--arg s "echo \$\$ > $H/pid; exec sleep 100"
	set_args rl-payload exit 0
	"$RUNTIME" --root "$ROOT" create --bundle "$BUNDLE" "$CID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR" 3>&- &
	rpid=$!
	wait_for test -s "$H/pid"
	hook=$(cat "$H/pid")
	KEEP_PIDS+=("$hook")
	kill -9 "$rpid"
	wait "$rpid" || true
	kill -9 "$hook" 2>/dev/null || true
	run rt delete --force "$CID"
	assert_success
	[[ ! -e "$ROOT/$CID" ]]
	wait_for eval '[[ -z "$(cgroup_dirs "$CID")" ]]'
	wait_for eval '[[ -z "$(procs_in_rootfs)" ]]'
}
