#!/usr/bin/env bats
# Issue 12, section 3: behaviour where runc and crun agree. Every test here
# also passes with RUNTIME=/usr/sbin/runc (tests/integration/run --runtime).
load helpers

add_mount() { # JSON
	update_config '.mounts += [$m]' --argjson m "$1"
}

# mount_line DEST: the payload's "mounts" line for DEST (last one wins).
mount_line() {
	grep -E "^$1 " <<<"$output" | tail -n1
}

@test "tmpfs: mode= in the options sets the mode of the mount's root" {
	# runc 1.1 chmods the root to the mountpoint's mode after mounting; 1.2
	# and crun put the mountpoint's mode first in the data, so mode= wins.
	if is_runc && [[ "$("$RUNTIME" --version)" == *"runc version 1.1."* ]]; then
		skip "runc 1.1 overrides mode= with the mountpoint's mode"
	fi
	mkdir -m 0711 "$BUNDLE/rootfs/mnt/m"
	add_mount '{"destination":"/mnt/m","type":"tmpfs","source":"tmpfs","options":["mode=0700"]}'
	run_payload stat /mnt/m
	assert_success
	assert_line type=dir
	assert_line mode=0700
}

@test "tmpfs: without mode=, the root keeps the mountpoint's mode" {
	mkdir "$BUNDLE/rootfs/mnt/m"
	chmod 0751 "$BUNDLE/rootfs/mnt/m"
	add_mount '{"destination":"/mnt/m","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	run_payload stat /mnt/m
	assert_success
	assert_line mode=0751
	# a sticky, world-writable mountpoint is kept as well
	chmod 1777 "$BUNDLE/rootfs/mnt/m"
	run_payload stat /mnt/m
	assert_success
	assert_line mode=1777
}

@test "tmpfs: a mountpoint that does not exist gets the tmpfs default 1777" {
	add_mount '{"destination":"/mnt/new","type":"tmpfs","source":"tmpfs"}'
	run_payload stat /mnt/new
	assert_success
	assert_line mode=1777
}

@test "no /dev mount: the default devices are still made" {
	update_config '.mounts |= map(select(.destination != "/dev"))'
	assert_default_devices
	run_payload write /dev/null x
	assert_success
}

@test "no /dev mount: /dev/fd, stdin, stdout, stderr and ptmx links are made" {
	update_config '.mounts |= map(select(.destination != "/dev"))'
	for l in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 \
		stderr:/proc/self/fd/2 ptmx:pts/ptmx; do
		run_payload stat "/dev/${l%%:*}"
		assert_success
		assert_line type=symlink
		assert_line "target=${l#*:}"
	done
}

@test "stdio: a non-root process.user can reopen /dev/stdout and /dev/stderr" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	# bats's pipes are root's, mode 0600: only a chown lets uid 1000 open them
	run_payload write /dev/stdout to-stdout
	assert_success
	assert_match to-stdout
	run_payload write /dev/stderr to-stderr
	assert_success
	assert_match to-stderr "$stderr"
}

@test "stdio: the pipes are chowned to the user's uid, /dev/null is left alone" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'stat -L -c "%u %g" /proc/self/fd/1 /proc/self/fd/2; stat -L -c "%t:%T %u" /proc/self/fd/0'
	next_cid
	# the owner it has now: another runtime run beside the tests may have
	# changed it (crun 1.x chowns /dev/null to a user namespace's root)
	local owner
	owner=$(stat -c %u /dev/null)
	[[ $owner != 1000 ]] || fail "/dev/null is uid 1000 before the test: cannot tell"
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	# the uid only: the group stays what it was (runc's rule)
	assert_equal "${lines[0]}" "1000 0"
	assert_equal "${lines[1]}" "1000 0"
	# runc hands a foreground container pipes of its own; rustlet passes
	# /dev/null through, and its owner stays as it was (the host's node)
	if is_rustlet; then assert_equal "${lines[2]}" "1:3 $owner"; fi
	assert_equal "$(stat -c %u /dev/null)" "$owner"
}

@test "stdio: exec --user 1000 can reopen /dev/stdout" {
	start_payload sleep 1000
	run --separate-stderr rt exec --user 1000:1000 "$CID" rl-payload write /dev/stdout exec-out </dev/null
	assert_success
	assert_match exec-out
}

@test "mount destination a dangling absolute symlink: created inside the rootfs" {
	ln -s /rl-made/here "$BUNDLE/rootfs/mnt/dl"
	add_mount '{"destination":"/mnt/dl","type":"tmpfs","source":"tmpfs"}'
	run_payload mounts
	assert_success
	assert_match '^/rl-made/here tmpfs ' "$(mount_line /rl-made/here)"
	[[ -d "$BUNDLE/rootfs/rl-made/here" ]]
	[[ ! -e /rl-made ]]
}

@test "mount destination a dangling relative symlink climbing out: stays in the rootfs" {
	ln -s ../../../../rl-rel/dir "$BUNDLE/rootfs/mnt/dl"
	add_mount '{"destination":"/mnt/dl","type":"tmpfs","source":"tmpfs"}'
	run_payload mounts
	assert_success
	assert_match '^/rl-rel/dir tmpfs ' "$(mount_line /rl-rel/dir)"
	[[ -d "$BUNDLE/rootfs/rl-rel/dir" ]]
	[[ ! -e /rl-rel ]]
	[[ ! -e "$BATS_TEST_TMPDIR/rl-rel" ]]
}
