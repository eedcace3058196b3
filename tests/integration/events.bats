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

# expand_list "0-2,5": one number per line
expand_list() {
	local part a b
	tr ',' '\n' <<<"$1" | while read -r part; do
		[[ -n "$part" ]] || continue
		a=${part%-*} b=${part#*-}
		seq "$a" "$b"
	done
}

@test "events --stats: cpu, cpuset, memory and raw memory.stat are the cgroup files" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {limit: 67108864}
		| .linux.resources.cpu = {quota: 20000, period: 100000}'
	# burn cpu for a moment (throttled by the quota), then stay idle so the
	# figures hold still while they are compared
	set_args sh -c 'timeout 1 sh -c "while :; do :; done"; echo idle; exec sleep 1000'
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	wait_output idle
	local d=.data acct cpu cs mem
	acct=$(container_cgroup_dir "$CID" cpuacct)
	cpu=$(container_cgroup_dir "$CID" cpu)
	cs=$(container_cgroup_dir "$CID" cpuset)
	mem=$(container_cgroup_dir "$CID" memory)
	# not a fixed sleep: under load the exec of sleep and the quota's last
	# periods can take longer than any guess
	wait_for settled "$acct/cpuacct.usage" "$cpu/cpu.stat" "$mem/memory.stat"
	run --separate-stderr rt events --stats "$CID"
	assert_success
	# cpu: usage and throttling
	assert_equal "$(jq -r $d.cpu.usage.total <<<"$output")" "$(cat "$acct/cpuacct.usage")"
	assert_equal "$(jq -r "$d.cpu.usage.percpu | join(\" \")" <<<"$output")" \
		"$(xargs <"$acct/cpuacct.usage_percpu")"
	if is_runc; then
		# runc 1.1 reads cpuacct.stat (USER_HZ ticks); rustlet the ns files
		local hz
		hz=$(getconf CLK_TCK)
		assert_equal "$(jq -r $d.cpu.usage.user <<<"$output")" \
			"$(awk -v hz="$hz" '$1 == "user" { print $2 * (1000000000 / hz) }' "$acct/cpuacct.stat")"
	else
		assert_equal "$(jq -r $d.cpu.usage.user <<<"$output")" "$(cat "$acct/cpuacct.usage_user")"
		assert_equal "$(jq -r $d.cpu.usage.kernel <<<"$output")" "$(cat "$acct/cpuacct.usage_sys")"
	fi
	local periods
	periods=$(awk '$1 == "nr_periods" { print $2 }' "$cpu/cpu.stat")
	((periods > 0)) || fail "no cpu periods in $cpu/cpu.stat"
	assert_equal "$(jq -r $d.cpu.throttling.periods <<<"$output")" "$periods"
	assert_equal "$(jq -r $d.cpu.throttling.throttledPeriods <<<"$output")" \
		"$(awk '$1 == "nr_throttled" { print $2 }' "$cpu/cpu.stat")"
	assert_equal "$(jq -r $d.cpu.throttling.throttledTime <<<"$output")" \
		"$(awk '$1 == "throttled_time" { print $2 }' "$cpu/cpu.stat")"
	# cpuset
	assert_equal "$(jq -r "$d.cpuset.cpus | join(\" \")" <<<"$output")" \
		"$(expand_list "$(cat "$cs/cpuset.cpus")" | xargs)"
	assert_equal "$(jq -r "$d.cpuset.mems | join(\" \")" <<<"$output")" \
		"$(expand_list "$(cat "$cs/cpuset.mems")" | xargs)"
	assert_equal "$(jq -r $d.cpuset.sched_load_balance <<<"$output")" \
		"$(cat "$cs/cpuset.sched_load_balance")"
	# memory: limits, and raw = memory.stat key by key
	assert_equal "$(jq -r $d.memory.usage.limit <<<"$output")" 67108864
	# (jq 1.6 rounds integers above 2^53: read those from the text)
	assert_equal "$(grep -o '"kernel":{"limit":[0-9]*' <<<"$output" | grep -o '[0-9]*$')" \
		"$(cat "$mem/memory.kmem.limit_in_bytes")"
	assert_equal "$(jq -r "$d.memory.raw | keys[]" <<<"$output" | sort)" \
		"$(awk '{ print $1 }' "$mem/memory.stat" | sort)"
	assert_equal "$(jq -r "$d.memory.raw | to_entries[] | select(.value < 1e15) | \"\(.key) \(.value)\"" <<<"$output" | sort)" \
		"$(awk 'length($2) < 16' "$mem/memory.stat" | sort)"
	assert_equal "$(jq -r $d.memory.raw.hierarchical_memory_limit <<<"$output")" 67108864
}

@test "events --stats: blkio figures are the container's blkio files" {
	requires cgroup_v1
	[[ -d /sys/fs/cgroup/blkio ]] || skip "no cgroup v1 blkio hierarchy"
	# write through to the disk from inside the container
	update_config '.root.readonly = false'
	set_args sh -c 'dd if=/dev/zero of=/tmp/blk bs=64k count=8 conv=fsync 2>&1; exec sleep 1000'
	rt_bg run -d --bundle "$BUNDLE" "$CID"
	assert_success
	wait_output records
	local blk f want got
	blk=$(container_cgroup_dir "$CID" blkio)
	wait_for settled "$blk"/blkio.*_recursive
	run --separate-stderr rt events --stats "$CID"
	assert_success
	# the CFQ files when they have data (old kernels), else the throttle ones
	for f in io_service_bytes io_serviced; do
		if grep -q '^[0-9]' "$blk/blkio.${f}_recursive" 2>/dev/null; then
			want=$(grep '^[0-9]' "$blk/blkio.${f}_recursive")
		else
			want=$(grep '^[0-9]' "$blk/blkio.throttle.${f}_recursive")
		fi
		[[ -n "$want" ]] || fail "no $f lines in $blk"
		[[ $f == io_service_bytes ]] && key=ioServiceBytesRecursive || key=ioServicedRecursive
		got=$(jq -r ".data.blkio.$key[] | \"\(.major // 0):\(.minor // 0) \(.op) \(.value // 0)\"" <<<"$output")
		assert_equal "$got" "$want"
	done
	# the writes are in there
	w=$(jq '[.data.blkio.ioServiceBytesRecursive[] | select(.op == "Write") | .value // 0] | add' <<<"$output")
	((w >= 524288)) || fail "only $w bytes written: $output"
}

@test "events --stats: hugetlb sizes and figures are the cgroup's hugetlb files" {
	start_payload sleep 1000
	local pid dir="" p
	pid=$(state_field "$CID" .pid)
	p=$(awk -F: '$2 ~ /(^|,)hugetlb(,|$)/ { print $3 }' "/proc/$pid/cgroup")
	[[ -n "$p" ]] && dir=/sys/fs/cgroup/hugetlb$p
	if [[ -z "$dir" ]] || ! ls "$dir"/hugetlb.*.usage_in_bytes >/dev/null 2>&1; then
		dir=$(container_cgroup_dir "$CID" unified)
		ls "$dir"/hugetlb.*.current >/dev/null 2>&1 ||
			skip "the container's cgroups have no hugetlb files (no v1 hugetlb hierarchy; hugetlb not enabled in cgroup2)"
	fi
	run --separate-stderr rt events --stats "$CID"
	assert_success
	local sizes
	sizes=$(ls "$dir" | sed -n 's/^hugetlb\.\([0-9]*[KMG]B\)\.\(usage_in_bytes\|current\)$/\1/p' | sort)
	assert_equal "$(jq -r '.data.hugetlb | keys[]' <<<"$output" | sort)" "$sizes"
	for s in $sizes; do
		f=$dir/hugetlb.$s.usage_in_bytes
		[[ -f $f ]] || f=$dir/hugetlb.$s.current
		assert_equal "$(jq -r ".data.hugetlb[\"$s\"].usage // 0" <<<"$output")" "$(cat "$f")"
	done
}
