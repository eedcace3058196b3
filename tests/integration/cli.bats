#!/usr/bin/env bats
# Global flags, spec, list: the CLI contract shared with runc.
load helpers

@test "--version prints the version and the spec version" {
	run rt --version
	assert_success
	assert_match '^[a-z]+ version [0-9]'
	assert_match '^spec: [0-9]+\.[0-9]+\.[0-9]+'
	run "$RUNTIME" -v
	assert_success
	assert_match 'version [0-9]'
}

@test "--help and -h exit 0 and list the commands" {
	run rt --help
	assert_success
	for c in create start state kill delete run list spec; do
		assert_match "^ +$c\b"
	done
	run rt -h
	assert_success
}

@test "an unknown global flag exits 1 and prints usage" {
	run rt --no-such-flag list
	assert_failure 1
	assert_match '[Uu]sage'
	assert_match 'no-such-flag'
}

@test "an unknown command fails" {
	run rt no-such-command
	assert_failure
}

@test "spec writes config.json into --bundle and -b" {
	rm -f "$BUNDLE/config.json"
	run rt spec --bundle "$BUNDLE"
	assert_success
	jq -e '.ociVersion and .process.args and .root.path == "rootfs" and .linux.namespaces' "$BUNDLE/config.json"
	rm -f "$BUNDLE/config.json"
	run rt spec -b "$BUNDLE"
	assert_success
	[[ -f "$BUNDLE/config.json" ]]
}

@test "spec writes into the current directory by default" {
	mkdir "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	run rt spec
	assert_success
	jq -e .process "$BATS_TEST_TMPDIR/cwd/config.json"
}

@test "spec refuses to overwrite an existing config.json" {
	echo '{"keep": true}' >"$BUNDLE/config.json"
	run rt spec --bundle "$BUNDLE"
	assert_failure 1
	assert_match 'config.json'
	assert_equal "$(jq -c . "$BUNDLE/config.json")" '{"keep":true}'
}

@test "the default spec has the runc-compatible defaults" {
	rm -f "$BUNDLE/config.json"
	rt spec --bundle "$BUNDLE"
	c=$BUNDLE/config.json
	assert_equal "$(jq -r '.process.capabilities.bounding | sort | join(",")' "$c")" \
		CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE
	assert_equal "$(jq -r '[.linux.namespaces[].type] | sort | join(",")' "$c")" \
		ipc,mount,network,pid,uts
	assert_equal "$(jq -c '.process.rlimits' "$c")" '[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}]'
	assert_equal "$(jq -r '.process.noNewPrivileges' "$c")" true
	assert_equal "$(jq -r '.root.readonly' "$c")" true
}

@test "--root, --root=VALUE and --log-format=json forms are accepted" {
	run "$RUNTIME" --root="$ROOT" list
	assert_success
	run "$RUNTIME" --root "$ROOT" --log-format=json list
	assert_success
	run "$RUNTIME" "--root=$ROOT" "--log=$BATS_TEST_TMPDIR/log" list -q
	assert_success
}

@test "list: header, -q and --format json" {
	run rt list
	assert_success
	assert_match '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
	run rt list --format json
	assert_success
	jq -e '. == null or . == []' <<<"$output"

	start_payload sleep 100
	run rt list
	assert_success
	assert_match "^$CID +[0-9]+ +running +$BUNDLE "
	run rt list -q
	assert_success
	assert_equal "$output" "$CID"
	run rt list --format json
	assert_success
	jq -e --arg id "$CID" --arg b "$BUNDLE" \
		'length == 1 and .[0].id == $id and .[0].status == "running" and .[0].bundle == $b and (.[0].pid > 0) and (.[0].created | test("^[0-9]{4}-"))' \
		<<<"$output"
}

@test "--log FILE --log-format json writes JSON lines with level, msg and time on an error" {
	log=$BATS_TEST_TMPDIR/log.json
	run "$RUNTIME" --root "$ROOT" --log "$log" --log-format json state no-such-container
	assert_failure 1
	[[ -s "$log" ]]
	jq -e -s 'all(.level and .msg and .time) and any(.level == "error")' "$log"
	if is_rustlet; then
		jq -e -s 'any(.msg | test("no-such-container"))' "$log"
	fi
}

@test "--log FILE with the default text format" {
	log=$BATS_TEST_TMPDIR/log.txt
	run "$RUNTIME" --root "$ROOT" --log "$log" state no-such-container
	assert_failure 1
	assert_match 'error' "$(cat "$log")"
}

@test "--debug logs debug lines while creating a container" {
	log=$BATS_TEST_TMPDIR/debug.json
	set_args rl-payload exit 0
	run "$RUNTIME" --root "$ROOT" --debug --log "$log" --log-format json run --bundle "$BUNDLE" "$CID" </dev/null 3>&-
	assert_success
	jq -e -s 'any(.level == "debug")' "$log"
}

@test "--cgroup-manager disabled: no cgroup, the container stays in ours" {
	# what podman --cgroups=disabled passes (crun's option)
	skip_if_runc "runc has no --cgroup-manager"
	set_args rl-payload read /proc/self/cgroup
	run --separate-stderr rt --cgroup-manager disabled run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_equal "$output" "$(cat /proc/self/cgroup)"
	# the default (cgroupfs) puts it in a cgroup of its own
	run --separate-stderr rt --cgroup-manager cgroupfs run --bundle "$BUNDLE" "$CID-2" </dev/null
	assert_success
	[[ "$output" != "$(cat /proc/self/cgroup)" ]] || fail "no cgroup of its own"
	run --separate-stderr rt --cgroup-manager bogus state "$CID"
	assert_failure
	assert_match 'unknown manager "bogus"' "$stderr"
	if [[ ! -d /run/systemd/system ]]; then
		run --separate-stderr rt --cgroup-manager systemd state "$CID"
		assert_failure
		assert_match 'systemd is not running on this host' "$stderr"
	fi
}
