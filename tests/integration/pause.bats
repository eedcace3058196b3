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
