#!/usr/bin/env bats
# OCI hooks: order, state on stdin, namespaces, timeout, failures.
load helpers

setup() {
	rl_setup
	H=$BATS_TEST_TMPDIR/hooks
	mkdir -m 777 "$H"
	# The log dir is visible inside at /hooklog for startContainer.
	update_config '.mounts += [{destination: "/hooklog", type: "bind", source: $h, options: ["bind"]}]' --arg h "$H"
}

# hook NAME DIR [EXTRA]: a hook that logs its name, its stdin and its mount ns.
hook_json() {
	local script="echo $1 >> $2/order; cat > $2/$1.state; readlink /proc/self/ns/mnt > $2/$1.mnt; ${3:-true}"
	jq -cn --arg s "$script" '{path: "/bin/sh", args: ["sh", "-c", $s]}'
}

# add_hook KIND JSON
add_hook() {
	update_config '.hooks[$k] += [$h]' --arg k "$1" --argjson h "$2"
}

add_all_hooks() {
	local k
	for k in prestart createRuntime createContainer poststart poststop; do
		add_hook "$k" "$(hook_json "$k" "$H")"
	done
	# startContainer runs in the container: its path and files are in the rootfs.
	add_hook startContainer "$(hook_json startContainer /hooklog)"
}

@test "create runs prestart, createRuntime, createContainer in that order" {
	add_all_hooks
	create_payload exit 0
	assert_equal "$(head -n3 "$H/order" | tr '\n' ' ')" "prestart createRuntime createContainer "
	refute_match startContainer "$(cat "$H/order")"
}

@test "hooks run in order: prestart createRuntime createContainer startContainer poststart poststop" {
	skip_if_runc "runc 1.1.5 runs poststart hooks during create, before start (fixed in runc 1.2)"
	add_all_hooks
	create_payload exit 0
	assert_equal "$(cat "$H/order" | tr '\n' ' ')" "prestart createRuntime createContainer "
	run rt start "$CID"
	assert_success
	wait_status "$CID" stopped
	wait_for grep -q poststart "$H/order"
	run rt delete "$CID"
	assert_success
	assert_equal "$(cat "$H/order" | tr '\n' ' ')" \
		"prestart createRuntime createContainer startContainer poststart poststop "
}

@test "poststop runs on delete, after the other hooks" {
	add_all_hooks
	start_payload exit 0
	wait_status "$CID" stopped
	refute_match poststop "$(cat "$H/order")"
	run rt delete "$CID"
	assert_success
	assert_equal "$(tail -n1 "$H/order")" poststop
	assert_match startContainer "$(cat "$H/order")"
}

@test "hooks get the state JSON on stdin" {
	add_all_hooks
	create_payload sleep 100
	pid=$(state_field "$CID" .pid)
	for k in prestart createRuntime createContainer; do
		p=$pid
		# runc 1.1.5 gives createContainer hooks the pid as seen inside the
		# container's pid namespace (1); the spec says the host's.
		if is_runc && [[ $k == createContainer ]]; then p=1; fi
		# runtime.md's lifecycle: steps 3-5 come after the environment was
		# created (step 2): "created", as crun says; runc 1.1.5 "creating"
		st=created
		if is_runc; then st=creating; fi
		jq -e --arg id "$CID" --argjson pid "$p" --arg b "$BUNDLE" --arg st "$st" \
			'.id == $id and .pid == $pid and .status == $st and .bundle == $b and (.ociVersion | type == "string")' \
			"$H/$k.state" || fail "$k state: $(cat "$H/$k.state")"
	done
	rt start "$CID"
	wait_for grep -q poststart "$H/order"
	p=$pid
	if is_runc; then p=1; fi # as for createContainer above
	jq -e --arg id "$CID" --argjson pid "$p" '.id == $id and .pid == $pid' "$H/startContainer.state" ||
		fail "startContainer state: $(cat "$H/startContainer.state")"
	st=running
	if is_runc; then st=created; fi # runc 1.1.5 runs poststart during create
	jq -e --arg id "$CID" --argjson pid "$pid" --arg st "$st" '.id == $id and .pid == $pid and .status == $st' "$H/poststart.state" ||
		fail "poststart state: $(cat "$H/poststart.state")"
	rt delete --force "$CID"
	jq -e --arg id "$CID" '.id == $id and .status == "stopped"' "$H/poststop.state"
}

@test "createContainer and startContainer run in the container's mount namespace" {
	add_all_hooks
	create_payload sleep 100
	pid=$(state_field "$CID" .pid)
	rt start "$CID"
	wait_for grep -q poststart "$H/order"
	cmnt=$(readlink "/proc/$pid/ns/mnt")
	assert_equal "$(cat "$H/createContainer.mnt")" "$cmnt"
	assert_equal "$(cat "$H/startContainer.mnt")" "$cmnt"
	# prestart, createRuntime and poststart run in the runtime's namespace.
	for k in prestart createRuntime poststart; do
		assert_equal "$(cat "$H/$k.mnt")" "$(readlink /proc/self/ns/mnt)"
	done
}

@test "hook args and env are passed" {
	add_hook createRuntime '{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$0 $1 $HOOKVAR\" > '"$H"'/out", "a0", "a1"], "env": ["HOOKVAR=hv"]}'
	create_payload exit 0
	assert_equal "$(cat "$H/out")" "a0 a1 hv"
}

@test "a hook without env gets the runtime's environment; env [] an empty one" {
	add_hook prestart '{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$RL_HOOK_PROBE\" > '"$H"'/inherited"]}'
	add_hook poststop '{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$RL_HOOK_PROBE\" > '"$H"'/poststop"]}'
	add_hook createRuntime '{"path": "/bin/sh", "args": ["sh", "-c", "echo \"[$RL_HOOK_PROBE]\" > '"$H"'/empty"], "env": []}'
	set_args rl-payload exit 0
	RL_HOOK_PROBE=from-runtime rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	assert_equal "$(cat "$H/inherited")" from-runtime
	assert_equal "$(cat "$H/empty")" "[]"
	RL_HOOK_PROBE=from-delete run rt delete --force "$CID"
	assert_success
	assert_equal "$(cat "$H/poststop")" from-delete
}

@test "a hook that exceeds its timeout fails create and leaves nothing" {
	add_hook createRuntime '{"path": "/bin/sleep", "args": ["sleep", "10"], "timeout": 1}'
	set_args rl-payload exit 0
	SECONDS=0
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure 1
	((SECONDS < 8))
	run rt state "$CID"
	assert_failure 1
	[[ -z "$(cgroup_dirs "$CID")" ]]
}

@test "a failing prestart, createRuntime or createContainer hook fails create" {
	for k in prestart createRuntime createContainer; do
		rm -rf "$BUNDLE" && rl_setup
		add_hook "$k" '{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}'
		set_args rl-payload exit 0
		rt_bg create --bundle "$BUNDLE" "$CID"
		[[ $status -eq 1 ]] || fail "$k: create exited $status"
		run rt state "$CID"
		assert_failure 1
		[[ ! -e "$ROOT/$CID" ]]
		[[ -z "$(cgroup_dirs "$CID")" ]] || fail "$k: cgroup left: $(cgroup_dirs "$CID")"
		if is_rustlet; then assert_match "hooks.$k" "$(cat "$CTR_ERR")"; fi
	done
}

@test "a hook whose path does not exist fails create" {
	add_hook createRuntime '{"path": "/no/such/hook"}'
	set_args rl-payload exit 0
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_failure 1
	[[ ! -e "$ROOT/$CID" ]]
}

@test "a failing startContainer hook: the process never runs" {
	add_hook startContainer '{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}'
	create_payload write /hooklog/ran yes
	run rt start "$CID"
	wait_status "$CID" stopped
	[[ ! -e "$H/ran" ]]
}

@test "a failing startContainer hook fails start" {
	skip_if_runc "runc 1.1.5 start exits 0 when a startContainer hook fails (the hook runs in runc init after start returned)"
	add_hook startContainer '{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}'
	create_payload write /hooklog/ran yes
	run rt start "$CID"
	assert_failure 1
	wait_status "$CID" stopped
	[[ ! -e "$H/ran" ]]
}

@test "a failing poststart hook fails start and stops the container" {
	# runtime.md 1.3, lifecycle step 9: generate an error, stop the container
	skip_if_runc "runc 1.1.5 runs poststart hooks during create, not start"
	add_hook poststart '{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}'
	create_payload sleep 100
	run --separate-stderr rt start "$CID"
	assert_failure 1
	assert_match 'hooks.poststart\[0\]' "$stderr"
	wait_status "$CID" stopped
}

@test "a failing poststop hook: delete still succeeds" {
	add_hook poststop '{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}'
	start_payload exit 0
	wait_status "$CID" stopped
	run rt delete "$CID"
	assert_success
	run rt state "$CID"
	assert_failure 1
}
