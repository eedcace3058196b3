#!/usr/bin/env bats
# Idmapped bind mounts: mounts[].uidMappings/gidMappings, options idmap and
# ridmap (config.md "mounts"). The owner a file shows inside, and the host
# owner of a file made inside, are read from both sides.
load helpers

setup() {
	rl_setup
	skip_if_runc "runc 1.1.5 has no idmapped mounts (runc 1.2 added them)"
	# idmapped mounts need mount_setattr(MOUNT_ATTR_IDMAP) (Linux 5.12)
	# and a source filesystem that supports them
	if is_rustlet && [[ "$("$RUNTIME" features | jq -r .linux.mountExtensions.idmap.enabled)" != true ]]; then
		skip "this kernel has no idmapped mounts (features: mountExtensions.idmap.enabled false)"
	fi
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$SRC"
	echo data >"$SRC/file"
	chown -R 1000:1000 "$SRC"
	# a mapped container root must reach the bundle and the source
	d=$BATS_TEST_TMPDIR
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
}

teardown() {
	if [[ -n "${SUBMOUNT:-}" ]]; then umount -l "$SUBMOUNT" 2>/dev/null || true; fi
	rl_teardown
}

# idmount OPTIONS_JSON [MAPPINGS]: mount $SRC at /m with these options and,
# unless MAPPINGS is "none", uid and gid mapping MAPPINGS (default: on-disk
# 1000 shows as 0).
idmount() {
	local maps=${2:-'[{containerID: 1000, hostID: 0, size: 1}]'}
	if [[ "$maps" == none ]]; then
		update_config '.mounts += [{destination: "/m", type: "bind", source: $s, options: $o}]' \
			--arg s "$SRC" --argjson o "$1"
	else
		update_config '.mounts += [{destination: "/m", type: "bind", source: $s, options: $o,
			uidMappings: '"$maps"', gidMappings: '"$maps"'}]' --arg s "$SRC" --argjson o "$1"
	fi
}

userns() { # HOSTID: a user namespace mapping container 0..65535 to HOSTID..
	# the mapped root cannot make the mount point in a rootfs owned by root
	mkdir -p "$BUNDLE/rootfs/m"
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: $h, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $h, size: 65536}]' --argjson h "$1"
}

@test "features: mountExtensions.idmap.enabled and the idmap/ridmap options" {
	skip_if_runc "runc 1.1.5 has no features command"
	run "$RUNTIME" features
	assert_success
	assert_equal "$(jq -r .linux.mountExtensions.idmap.enabled <<<"$output")" true
	assert_equal "$(jq -c '[.mountOptions[] | select(. == "idmap" or . == "ridmap")]' <<<"$output")" '["idmap","ridmap"]'
}

@test "idmap without a user namespace: on-disk 1000 shows as 0, files made inside land as 1000" {
	idmount '["bind", "idmap"]'
	run_payload stat /m/file
	assert_success
	assert_line uid=0
	assert_line gid=0
	run_payload write /m/new hello
	assert_success
	assert_equal "$(stat -c %u:%g "$SRC/new")" 1000:1000
	# the same directory without the mapping shows the real owner
	update_config '.mounts[-1] |= (del(.uidMappings, .gidMappings) | .options = ["bind"])'
	run_payload stat /m/file
	assert_success
	assert_line uid=1000
}

@test "idmap with a user namespace: the mount's own mappings are host ids" {
	userns 100000
	# on-disk 1000 -> host 100000 -> container root
	idmount '["bind", "idmap"]' '[{containerID: 1000, hostID: 100000, size: 1}]'
	run_payload stat /m/file
	assert_success
	assert_line uid=0
	assert_line gid=0
	run_payload write /m/new hello
	assert_success
	assert_equal "$(stat -c %u:%g "$SRC/new")" 1000:1000
}

@test "idmap without mappings takes the container's user namespace mappings" {
	userns 100000
	chown -R 0:0 "$SRC"
	idmount '["bind", "idmap"]' none
	run_payload stat /m/file
	assert_success
	assert_line uid=0
	assert_line gid=0
	run_payload write /m/new hello
	assert_success
	assert_equal "$(stat -c %u:%g "$SRC/new")" 0:0
	# without idmap the host's root is unmapped in the container
	update_config '.mounts[-1].options = ["bind"]'
	run_payload stat /m/file
	assert_success
	assert_line uid=65534
}

@test "ridmap maps a submount too, idmap on an rbind only the top mount" {
	(($(uname -r | awk -F. '{ print $1 * 100 + $2 }') >= 603)) ||
		skip "tmpfs (the submount) supports idmapped mounts from Linux 6.3 (kernel $(uname -r))"
	mkdir -p "$SRC/sub"
	mount -t tmpfs -o mode=755 rl-idmap-sub "$SRC/sub"
	SUBMOUNT=$SRC/sub
	echo sub >"$SRC/sub/file"
	chown -R 1000:1000 "$SRC/sub"
	grep -q " $SRC/sub .* - tmpfs " /proc/self/mountinfo || fail "no tmpfs submount"
	idmount '["rbind", "ridmap"]'
	run_payload stat /m/sub/file
	assert_success
	assert_line uid=0
	run_payload stat /m/file
	assert_success
	assert_line uid=0
	update_config '.mounts[-1].options = ["rbind", "idmap"]'
	run_payload stat /m/sub/file
	assert_success
	assert_line uid=1000
	run_payload stat /m/file
	assert_success
	assert_line uid=0
}

@test "idmap keeps the other options: ro" {
	idmount '["bind", "idmap", "ro"]'
	run_payload write /m/new hello
	assert_failure
	assert_line error=EROFS
	run_payload stat /m/file
	assert_success
	assert_line uid=0
}

@test "idmap of a filesystem without idmapped mounts (proc) fails naming the mount" {
	SRC=/proc/sys
	idmount '["bind", "idmap"]'
	run_payload stat /m
	assert_failure
	assert_match 'mounts\[[0-9]+\] \(idmapped bind /proc/sys on /m\): mount_setattr\(MOUNT_ATTR_IDMAP\) of /proc/sys \(proc filesystem.*Invalid argument' "$stderr"
}

@test "idmap errors: no mappings and no user namespace; not a bind mount" {
	idmount '["bind", "idmap"]' none
	run_payload stat /m
	assert_failure
	assert_match '"idmap" without uidMappings and gidMappings .* no user namespace' "$stderr"
	update_config '.mounts[-1] = {destination: "/m", type: "tmpfs", source: "tmpfs", options: ["idmap"],
		uidMappings: [{containerID: 0, hostID: 1000, size: 1}], gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}'
	run_payload stat /m
	assert_failure
	assert_match 'mounts\[[0-9]+\] \(tmpfs on /m\): idmapped mounts are supported on bind mounts only' "$stderr"
}
