#!/usr/bin/env bats
# pause / resume: the cgroup freezer.
load helpers

count() { wc -l <"$CTR_OUT"; }
count_gt() { (($(count) > $1)); }

@test "pause stops the processes, state says paused, resume continues" {
	# a counter: one line every 50 ms
	set_args sh -c 'while :; do echo tick; usleep 50000; done'
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	wait_for count_gt 1
	run rt pause "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .status)" paused
	# count from the moment the kernel says frozen (a write in flight when
	# pause returned would otherwise land in the window)
	wait_for is_frozen "$CID"
	local a b
	a=$(count)
	sleep 0.4
	b=$(count)
	assert_equal "$b" "$a"
	run rt resume "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .status)" running
	wait_for count_gt "$b"
}

@test "pause on a stopped container and resume on a running one fail" {
	start_payload sleep 1000
	run rt resume "$CID"
	assert_failure
	assert_match 'not paused' "$output"
	run rt kill "$CID" KILL
	wait_status "$CID" stopped
	run rt pause "$CID"
	assert_failure
	assert_match 'not running' "$output"
}

@test "a paused container can be deleted with --force" {
	start_payload sleep 1000
	run rt pause "$CID"
	assert_success
	run rt delete --force "$CID"
	assert_success
}

@test "paused before start: state and list say paused, start is refused, resume gives created" {
	set_args sh -c 'echo started; exec sleep 1000'
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run rt pause "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .status)" paused
	run rt list --format json
	assert_success
	assert_equal "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .status' <<<"$output")" paused
	run --separate-stderr rt start "$CID"
	assert_failure
	assert_match 'cannot start a container in the paused state' "$stderr"
	assert_equal "$(state_field "$CID" .status)" paused
	! grep -q started "$CTR_OUT" || fail "the process ran while paused"
	run rt resume "$CID"
	assert_success
	assert_equal "$(state_field "$CID" .status)" created
	! grep -q started "$CTR_OUT" || fail "resume started the process"
	run rt start "$CID"
	assert_success
	wait_output started
	assert_equal "$(state_field "$CID" .status)" running
}

@test "paused before start: delete needs --force, exec is refused, kill KILL stops it" {
	set_args sh -c 'echo started; exec sleep 1000'
	rt_bg create --bundle "$BUNDLE" "$CID"
	assert_success
	run rt pause "$CID"
	assert_success
	run --separate-stderr rt delete "$CID"
	assert_failure
	assert_match 'not stopped: paused' "$stderr"
	run --separate-stderr rt exec "$CID" true
	assert_failure
	assert_match 'paused' "$stderr"
	run rt kill "$CID" KILL
	assert_success
	wait_status "$CID" stopped
	run rt delete "$CID"
	assert_success
}

@test "kill KILL of a paused running container stops it (the freezer is thawed)" {
	start_payload sleep 1000
	run rt pause "$CID"
	assert_success
	run rt kill "$CID" KILL
	assert_success
	wait_status "$CID" stopped
}
