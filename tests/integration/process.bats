#!/usr/bin/env bats
# The process object: args, env, cwd, user, rlimits, oomScoreAdj, nnp, caps.
load helpers

@test "args[0] is looked up in the PATH of process.env" {
	run_payload args one 'two words'
	assert_success
	assert_line argc=4
	assert_line argv[0]=rl-payload
	assert_line argv[1]=args
	assert_line 'argv[3]=two words'
}

@test "args[0] as an absolute path" {
	set_args /bin/rl-payload args
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line argv[0]=/bin/rl-payload
}

@test "args[0] not found in PATH fails create" {
	update_config '.process.env = ["PATH=/usr/bin"]'
	run_payload args
	assert_failure
	[[ $status -ne 0 ]]
}

@test "args[0] missing: the error has Go's errno wording engines map to 127" {
	# Docker and podman match "no such file or directory" (lower case, as
	# runc writes it) to exit 127, "permission denied" to 126
	set_args /no/such/binary
	run --separate-stderr rt --log-format json --log "$BATS_TEST_TMPDIR/log.json" \
		run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	msg=$(jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log.json" | tail -n1)
	assert_match '"/no/such/binary".*: no such file or directory$' "$msg"
	set_args /etc/passwd
	run --separate-stderr rt --log-format json --log "$BATS_TEST_TMPDIR/log2.json" \
		run --bundle "$BUNDLE" "$CID-2" </dev/null
	assert_failure
	msg=$(jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log2.json" | tail -n1)
	assert_match '"/etc/passwd".*: permission denied$' "$msg"
}

@test "env is passed as given" {
	update_config '.process.env += ["FOO=bar", "EMPTY=", "WITH_EQ=a=b"]'
	run_payload env
	assert_success
	assert_line FOO=bar
	assert_line EMPTY=
	assert_line WITH_EQ=a=b
	assert_line 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
}

@test "env without HOME: HOME from the container's /etc/passwd, else /" {
	# runc does this and Docker relies on it (docker run -u 1000 gets the
	# user's home directory as HOME)
	echo 'user:x:1000:1000::/home/user:/bin/sh' >>"$BUNDLE/rootfs/etc/passwd"
	update_config '.process.env = ["PATH=/bin"]'
	run_payload env
	assert_success
	assert_line HOME=/root
	update_config '.process.user = {uid: 1000, gid: 1000}'
	run_payload env
	assert_line HOME=/home/user
	update_config '.process.user = {uid: 4321, gid: 4321}'
	run_payload env
	assert_line HOME=/
	# a HOME given is kept
	update_config '.process.env = ["PATH=/bin", "HOME=/given"]'
	run_payload env
	assert_line HOME=/given
	refute_line HOME=/
}

@test "env without PATH: args[0] with a slash still runs" {
	update_config '.process.env = ["A=1"]'
	set_args /bin/rl-payload env
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line A=1
}

@test "cwd is set" {
	update_config '.process.cwd = "/tmp"'
	run_payload cwd
	assert_success
	assert_line cwd=/tmp
}

@test "a missing cwd is created" {
	update_config '.root.readonly = false | .process.cwd = "/new/dir"'
	run_payload cwd
	assert_success
	assert_line cwd=/new/dir
	[[ -d "$BUNDLE/rootfs/new/dir" ]]
}

@test "a missing cwd is created on a read-only root too (as runc), for a non-root user" {
	update_config '.root.readonly = true | .process.cwd = "/new/dir" | .process.user = {uid: 1000, gid: 1000}'
	run_payload cwd
	assert_success
	assert_line cwd=/new/dir
	[[ -d "$BUNDLE/rootfs/new/dir" ]]
}

@test "user uid, gid, umask and additionalGids" {
	update_config '.process.user = {uid: 1000, gid: 1001, umask: 63, additionalGids: [10, 20]}'
	run_payload ids
	assert_success
	assert_line uid=1000
	assert_line euid=1000
	assert_line gid=1001
	assert_line egid=1001
	assert_line umask=0077
	assert_match '^groups=(.*,)?10(,.*)?$'
	assert_match '^groups=(.*,)?20(,.*)?$'
}

@test "default umask is 0022" {
	run_payload ids
	assert_success
	assert_line umask=0022
}

@test "rlimits: the default RLIMIT_NOFILE 1024/1024" {
	run_payload rlimits
	assert_success
	assert_line RLIMIT_NOFILE=1024:1024
}

@test "rlimits: several limits and unlimited" {
	update_config '.process.rlimits = [
		{type: "RLIMIT_NOFILE", soft: 512, hard: 1000},
		{type: "RLIMIT_CORE", soft: "UNLIMITED", hard: "UNLIMITED"},
		{type: "RLIMIT_NPROC", soft: 300, hard: 400},
		{type: "RLIMIT_MSGQUEUE", soft: 4096, hard: 8192}]'
	set_args rl-payload rlimits
	# jq would print 2^64-1 as a float: write the literal by hand.
	sed -i 's/"UNLIMITED"/18446744073709551615/g' "$BUNDLE/config.json"
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line RLIMIT_NOFILE=512:1000
	assert_line RLIMIT_CORE=unlimited:unlimited
	assert_line RLIMIT_NPROC=300:400
	assert_line RLIMIT_MSGQUEUE=4096:8192
}

@test "rlimits: raising a hard limit without CAP_SYS_RESOURCE fails" {
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	if (((0x$bnd >> 24) & 1)); then
		skip "this host has CAP_SYS_RESOURCE: raising the limit would succeed"
	fi
	hard=$(ulimit -Hn)
	[[ "$hard" != unlimited ]] || skip "RLIMIT_NOFILE hard limit is unlimited here"
	update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: ($h + 1), hard: ($h + 1)}]' --argjson h "$hard"
	run_payload rlimits
	assert_failure 1
	if is_rustlet; then assert_match 'RLIMIT_NOFILE|rlimits' "$stderr"; fi
}

@test "an unknown rlimit type fails" {
	update_config '.process.rlimits = [{type: "RLIMIT_BOGUS", soft: 1, hard: 1}]'
	run_payload rlimits
	assert_failure 1
}

@test "oomScoreAdj" {
	update_config '.process.oomScoreAdj = 123'
	run_payload oom
	assert_success
	assert_line oom_score_adj=123
}

@test "oomScoreAdj with a user namespace" {
	# the value is set before the init drops into the container's user
	# namespace's credentials: raising it needs no capability there
	d=$BATS_TEST_TMPDIR
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	update_config '.process.oomScoreAdj = 9
		| .linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
	run_payload oom
	assert_success
	assert_line oom_score_adj=9
}

@test "noNewPrivileges true and false" {
	run_payload nnp
	assert_success
	assert_line nnp=1
	update_config '.process.noNewPrivileges = false'
	run_payload nnp
	assert_success
	assert_line nnp=0
}

@test "the default capabilities from spec" {
	run_payload caps
	assert_success
	# CAP_KILL(5), CAP_NET_BIND_SERVICE(10), CAP_AUDIT_WRITE(29)
	assert_line bnd=0000000020000420
	assert_line eff=0000000020000420
	assert_line prm=0000000020000420
	assert_line inh=0000000000000000
}

@test "custom capability sets" {
	update_config '.process.capabilities = {
		bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
		effective: ["CAP_CHOWN", "CAP_KILL"],
		permitted: ["CAP_CHOWN", "CAP_KILL"],
		inheritable: ["CAP_KILL"]}'
	run_payload caps
	assert_success
	assert_line bnd=00000000000000a1
	assert_line prm=0000000000000021
	# For uid 0 the kernel sets effective = permitted at execve.
	assert_line eff=0000000000000021
	assert_line inh=0000000000000020
	assert_line amb=0000000000000000
}

@test "ambient capabilities for a non-root user" {
	update_config '.process.user = {uid: 1000, gid: 1000}
		| .process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"],
		   permitted: ["CAP_KILL"], inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"]}'
	run_payload caps
	assert_success
	assert_line amb=0000000000000020
	assert_line eff=0000000000000020
}

@test "an unknown capability name fails" {
	update_config '.process.capabilities.bounding += ["CAP_BOGUS"]'
	run_payload caps
	if is_runc; then
		# runc 1.1.5 only warns about unknown capabilities.
		assert_success
	else
		assert_failure 1
		if is_rustlet; then assert_match 'CAP_BOGUS' "$stderr"; fi
	fi
}
