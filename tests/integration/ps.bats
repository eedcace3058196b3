#!/usr/bin/env bats
# ps: the container's processes.
load helpers

@test "ps --format json lists the init and an exec'd process" {
	start_payload sleep 1000
	local init p
	init=$(state_field "$CID" .pid)
	rt_bg exec -d --pid-file "$BATS_TEST_TMPDIR/e.pid" "$CID" rl-payload sleep 1000
	assert_success
	p=$(cat "$BATS_TEST_TMPDIR/e.pid")
	run rt ps --format json "$CID"
	assert_success
	assert_equal "$(jq -c 'sort' <<<"$output")" "$(jq -cn --argjson a "$init" --argjson b "$p" '[$a, $b] | sort')"
}

@test "ps (table) keeps the header and the container's lines" {
	start_payload sleep 1000
	local init
	init=$(state_field "$CID" .pid)
	run rt ps "$CID"
	assert_success
	assert_match '^UID +PID +PPID'
	[[ ${#lines[@]} -eq 2 ]] || fail "expected header + 1 line: $output"
	assert_equal "$(awk '{print $2}' <<<"${lines[1]}")" "$init"
	run rt ps "$CID" -o pid,comm
	assert_success
	assert_match "^ *$init +rl-payload"
}

@test "ps on a stopped container lists nothing" {
	start_payload exit 0
	wait_status "$CID" stopped
	run rt ps --format json "$CID"
	assert_success
	assert_equal "$output" null
}
