#!/usr/bin/env bats
# SIGKILL of rustlet at each step of create (by step, not by time:
# RUSTLET_TEST_KILL_AT=N in builds configured with -DRUSTLET_TEST_HOOKS=ON),
# then `delete --force` must leave no process, cgroup, state, mount or fd.
load helpers

# fds_on PATH: fds (as /proc/PID/fd/N) open on PATH or below it.
fds_on() {
	find /proc/[0-9]*/fd -lname "$1*" 2>/dev/null || true
}

@test "kill -9 at every step of create, then delete --force leaves nothing" {
	is_rustlet || skip "RUSTLET_TEST_KILL_AT is rustlet's"
	update_config '.linux.resources.pids = {limit: 50}'
	set_args rl-payload sleep 100
	local n id steps=0 left
	for ((n = 1; n < 40; n++)); do
		id=$CID-k$n
		status=0
		RUSTLET_TEST_KILL_AT=$n rt create --pid-file "$BATS_TEST_TMPDIR/pid" \
			--bundle "$BUNDLE" "$id" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR" || status=$?
		if ((status == 0)); then
			# past the last step: a normal create
			((n > 1)) || skip "this build has no RUSTLET_TEST_HOOKS (configure with -DRUSTLET_TEST_HOOKS=ON)"
			run rt delete --force "$id"
			assert_success
			break
		fi
		assert_equal "$status" 137
		steps=$n
		run rt delete --force "$id"
		assert_success
		[[ ! -e "$ROOT/$id" ]] || fail "step $n: state left in $ROOT/$id"
		left=$(procs_in_rootfs)
		for ((i = 0; i < 40 && ${#left}; i++)); do sleep 0.05; left=$(procs_in_rootfs); done
		[[ -z "$left" ]] || fail "step $n: processes left: $left"
		left=$(cgroup_dirs "$id")
		for ((i = 0; i < 40 && ${#left}; i++)); do sleep 0.05; left=$(cgroup_dirs "$id"); done
		[[ -z "$left" ]] || fail "step $n: cgroups left: $left"
		left=$(awk -v b="$BUNDLE" 'index($5, b) == 1 { print $5 }' /proc/self/mountinfo)
		[[ -z "$left" ]] || fail "step $n: mounts left: $left"
		left=$(fds_on "$ROOT/$id")
		[[ -z "$left" ]] || fail "step $n: fds left on $ROOT/$id in: $left"
	done
	echo "# killed at $steps steps, each cleaned up by delete --force" >&3
	((steps >= 10)) || fail "only $steps steps"
}
