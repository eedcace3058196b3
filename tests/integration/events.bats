#!/usr/bin/env bats
# events: stats and OOM notifications.
load helpers

stats_lines_ge() { (($(grep -c '"type":"stats"' "$1") >= $2)); }

@test "events --stats: figures match the cgroup files" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50}'
	start_payload sleep 1000
	run --separate-stderr rt events --stats "$CID"
	assert_success
	assert_equal "$(jq -r .type <<<"$output")" stats
	assert_equal "$(jq -r .id <<<"$output")" "$CID"
	assert_equal "$(jq -r .data.memory.usage.limit <<<"$output")" 67108864
	assert_equal "$(jq -r .data.pids.limit <<<"$output")" 50
	assert_equal "$(jq -r .data.pids.current <<<"$output")" \
		"$(cat "$(container_cgroup_dir "$CID" pids)/pids.current")"
	local usage
	usage=$(jq -r .data.memory.usage.usage <<<"$output")
	((usage > 0)) || fail "memory usage $usage"
	((usage < 67108864)) || fail "memory usage $usage"
	(($(jq -r .data.cpu.usage.total <<<"$output") > 0)) || fail "no cpu usage: $output"
}

@test "events --interval prints stats until the container stops" {
	start_payload sleep 1000
	rt events --interval 100ms "$CID" >"$BATS_TEST_TMPDIR/ev.out" 2>&1 &
	local bg=$!
	KEEP_PIDS+=("$bg")
	wait_for stats_lines_ge "$BATS_TEST_TMPDIR/ev.out" 3
	rt kill "$CID" KILL
	# the stream ends with the container (runc keeps polling: not checked there)
	if is_rustlet; then wait "$bg"; fi
}

@test "events: an OOM kill produces an oom event" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {limit: 16777216, swap: 16777216}'
	start_payload sleep 1000
	rt events --interval 10s "$CID" >"$BATS_TEST_TMPDIR/ev.out" 2>&1 &
	local bg=$!
	KEEP_PIDS+=("$bg")
	wait_for grep -q '"type":"stats"' "$BATS_TEST_TMPDIR/ev.out"
	# eat memory inside the container until the OOM killer ends it
	run rt exec "$CID" sh -c 'x=a; while :; do x=$x$x$x$x; done'
	assert_failure
	wait_for grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/ev.out"
	assert_match "\"id\":\"$CID\"" "$(grep '"type":"oom"' "$BATS_TEST_TMPDIR/ev.out")"
}
