#!/usr/bin/env bats
# root, mounts, devices, maskedPaths, readonlyPaths.
load helpers

# add_mount JSON: append one entry to .mounts.
add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

# mount_line DEST: the payload's "mounts" line for DEST (last one wins).
mount_line() {
	grep -E "^$1 " <<<"$output" | tail -n1
}

teardown() {
	if [[ -n "${HOST_SUBMOUNT:-}" ]]; then umount -l "$HOST_SUBMOUNT" 2>/dev/null || true; fi
	rl_teardown
}

@test "root.readonly: writes fail with EROFS" {
	run_payload write /x data
	assert_failure 1
	assert_line error=EROFS
	run_payload mounts
	assert_match '^/ [^ ]+ ro,'
}

@test "root.readonly false: the rootfs is writable" {
	update_config '.root.readonly = false'
	run_payload write /x data
	assert_success
	assert_equal "$(cat "$BUNDLE/rootfs/x")" data
}

@test "root.path absolute" {
	update_config '.root.path = $p' --arg p "$BUNDLE/rootfs"
	run_payload stat /bin/rl-payload
	assert_success
	assert_line type=file
}

@test "root.path relative to the bundle, bundle given relative" {
	mv "$BUNDLE/rootfs" "$BUNDLE/other"
	update_config '.root.path = "other"'
	cd "$BATS_TEST_TMPDIR"
	set_args rl-payload stat /bin/rl-payload
	run --separate-stderr rt run --bundle bundle "$CID" </dev/null
	assert_success
	assert_line type=file
}

@test "rootfsPropagation private and slave" {
	# slave of a private mount is private: this tier runs in a private mount ns.
	for p in private:private 'slave:(slave|private)'; do
		update_config '.linux.rootfsPropagation = $p' --arg p "${p%%:*}"
		run_payload mounts
		assert_success
		assert_match "^/ [^ ]+ [^ ]+ ${p##*:}\$" "$(mount_line /)"
	done
}

@test "rootfsPropagation shared" {
	skip_if_runc "runc 1.1.5 leaves / private after pivot_root with rootfsPropagation shared (observed here)"
	update_config '.linux.rootfsPropagation = "shared"'
	run_payload mounts
	assert_success
	assert_match "^/ [^ ]+ [^ ]+ shared\$" "$(mount_line /)"
}

@test "rootfsPropagation unbindable and runbindable: the rootfs is still bind-mounted, / is unbindable" {
	skip_if_runc "runc 1.1.5 leaves / private with rootfsPropagation unbindable (observed here)"
	# the bundle lives on a mount of its own here (the runner's tmpdir may
	# be anywhere); a shared parent is what runtime-tools' bundles see
	mkdir -p "$BATS_TEST_TMPDIR/host"
	mount -t tmpfs tmpfs "$BATS_TEST_TMPDIR/host"
	HOST_SUBMOUNT=$BATS_TEST_TMPDIR/host # teardown unmounts it
	mount --make-shared "$BATS_TEST_TMPDIR/host"
	cp -a "$BUNDLE" "$BATS_TEST_TMPDIR/host/bundle"
	local b=$BATS_TEST_TMPDIR/host/bundle p
	for p in unbindable runbindable; do
		jq '.linux.rootfsPropagation = $p | .process.args = ["rl-payload", "mounts"]' --arg p "$p" \
			"$BUNDLE/config.json" >"$b/config.json"
		run --separate-stderr rt run --bundle "$b" "$CID" </dev/null
		assert_success
		assert_match "^/ [^ ]+ [^ ]+ unbindable\$" "$(mount_line /)"
	done
}

@test "paths are cleaned as runc does: mount destination /test//test, device path with a trailing /" {
	update_config '.root.readonly = false | .mounts += [{destination: "/test//test", type: "tmpfs", source: "tmpfs"}]
		| .linux.devices = [{path: "/dev/mynull/", type: "c", major: 1, minor: 3, fileMode: 438}]'
	run_payload mounts
	assert_success
	assert_match '^/test/test tmpfs ' "$(mount_line /test/test)"
	run_payload stat /dev/mynull
	assert_success
	assert_line type=char
}

@test "rootfsPropagation unbindable and runbindable (applied after the rootfs bind)" {
	skip_if_runc "runc 1.1.5 makes / unbindable before binding the rootfs onto itself: EINVAL (observed here)"
	for p in unbindable runbindable; do
		update_config '.linux.rootfsPropagation = $p' --arg p "$p"
		run_payload mounts
		assert_success
		assert_match "^/ [^ ]+ [^ ]+ unbindable\$" "$(mount_line /)"
	done
	# recursive: the mounts below / too (bound before it became unbindable)
	assert_match "^/proc [^ ]+ [^ ]+ unbindable\$" "$(mount_line /proc)"
	# with a terminal: /dev/console is bound from devpts before that
	if command -v script >/dev/null; then
		update_config '.process.terminal = true'
		set_args rl-payload mounts
		run timeout 30 script -qec "$RUNTIME --root $ROOT run --bundle $BUNDLE $CID" /dev/null </dev/null
		assert_success
		output=${output//$'\r'/}
		assert_match "^/dev/console [^ ]+ [^ ]+ unbindable\$" "$(mount_line /dev/console)"
	fi
}

@test "default mounts: proc, sysfs, tmpfs /dev, devpts, shm, mqueue, cgroup" {
	run_payload mounts
	assert_success
	assert_match '^/proc proc '
	assert_match '^/sys sysfs '
	assert_match '^/dev tmpfs '
	assert_match '^/dev/pts devpts '
	assert_match '^/dev/shm tmpfs '
	assert_match '^/dev/mqueue mqueue '
	assert_match '^/sys/fs/cgroup(/[^ ]+)? (cgroup|cgroup2|tmpfs) '
	# flags of the default config are visible
	assert_match '^/sys sysfs [^ ]*\bro\b[^ ]*\bnosuid\b[^ ]*\bnodev\b[^ ]*\bnoexec\b'
}

@test "a bind mount, read-write and read-only" {
	mkdir "$BATS_TEST_TMPDIR/src"
	echo hello >"$BATS_TEST_TMPDIR/src/file"
	add_mount '{"destination":"/mnt/rw","type":"bind","source":"'"$BATS_TEST_TMPDIR/src"'","options":["bind"]}'
	add_mount '{"destination":"/mnt/ro","type":"bind","source":"'"$BATS_TEST_TMPDIR/src"'","options":["bind","ro"]}'
	run_payload read /mnt/ro/file
	assert_success
	assert_equal "$output" hello
	run_payload write /mnt/ro/new x
	assert_failure 1
	assert_line error=EROFS
	run_payload write /mnt/rw/new x
	assert_success
	assert_equal "$(cat "$BATS_TEST_TMPDIR/src/new")" x
	run_payload mounts
	assert_match '^/mnt/ro [^ ]+ ro,' "$(mount_line /mnt/ro)"
	assert_match '^/mnt/rw [^ ]+ rw,' "$(mount_line /mnt/rw)"
}

@test "bind of a single file" {
	echo content >"$BATS_TEST_TMPDIR/f"
	add_mount '{"destination":"/etc/bound","type":"bind","source":"'"$BATS_TEST_TMPDIR/f"'","options":["bind","ro"]}'
	run_payload read /etc/bound
	assert_success
	assert_equal "$output" content
}

@test "rbind brings submounts, bind does not" {
	mkdir -p "$BATS_TEST_TMPDIR/src/sub"
	mount -t tmpfs -o size=1m rl-sub "$BATS_TEST_TMPDIR/src/sub"
	HOST_SUBMOUNT=$BATS_TEST_TMPDIR/src/sub
	echo inner >"$BATS_TEST_TMPDIR/src/sub/file"
	add_mount '{"destination":"/mnt/r","type":"bind","source":"'"$BATS_TEST_TMPDIR/src"'","options":["rbind"]}'
	add_mount '{"destination":"/mnt/b","type":"bind","source":"'"$BATS_TEST_TMPDIR/src"'","options":["bind"]}'
	run_payload read /mnt/r/sub/file
	assert_success
	assert_equal "$output" inner
	run_payload read /mnt/b/sub/file
	assert_failure 1
	assert_line error=ENOENT
}

@test "tmpfs with size, mode and nosuid,nodev,noexec" {
	add_mount '{"destination":"/mnt/t","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","noexec","size=1m","mode=1770"]}'
	run_payload mounts
	assert_success
	l=$(mount_line /mnt/t)
	assert_match '^/mnt/t tmpfs ' "$l"
	assert_match '\bnosuid\b' "$l"
	assert_match '\bnodev\b' "$l"
	assert_match '\bnoexec\b' "$l"
	assert_match '\bsize=1024k\b' "$l"
	assert_match '\bmode=1770\b' "$l"
}

@test "tmpfs with tmpcopyup starts with a copy of what was below" {
	mkdir -p "$BUNDLE/rootfs/mnt/c/sub"
	echo below >"$BUNDLE/rootfs/mnt/c/sub/file"
	chown 1000:1001 "$BUNDLE/rootfs/mnt/c/sub/file"
	chmod 0604 "$BUNDLE/rootfs/mnt/c/sub/file"
	ln -s sub/file "$BUNDLE/rootfs/mnt/c/link"
	add_mount '{"destination":"/mnt/c","type":"tmpfs","source":"tmpfs","options":["nosuid","tmpcopyup","mode=755"]}'
	run_payload mounts
	assert_success
	assert_match '^/mnt/c tmpfs ' "$(mount_line /mnt/c)"
	refute_match 'tmpcopyup' "$(mount_line /mnt/c)"
	run_payload read /mnt/c/sub/file
	assert_success
	assert_equal "$output" below
	run_payload stat /mnt/c/sub/file
	assert_line mode=0604
	assert_line uid=1000
	assert_line gid=1001
	run_payload stat /mnt/c/link
	assert_line target=sub/file
	# the copy is the tmpfs's: writing there leaves the rootfs alone
	run_payload write /mnt/c/sub/new data
	assert_success
	[[ ! -e "$BUNDLE/rootfs/mnt/c/sub/new" ]] || fail "the write went to the rootfs"
}

@test "proc, sysfs, mqueue and devpts mounted at extra places" {
	update_config '.root.readonly = false'
	add_mount '{"destination":"/mnt/proc","type":"proc","source":"proc"}'
	add_mount '{"destination":"/mnt/mq","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]}'
	run_payload mounts
	assert_success
	assert_match '^/mnt/proc proc '
	assert_match '^/mnt/mq mqueue '
}

@test "a cgroup mount" {
	run_payload mounts
	assert_success
	assert_match '^/sys/fs/cgroup'
	run_payload cat-cgroup cgroup.procs
	assert_success
}

@test "overlay with lowerdir, upperdir and workdir" {
	requires overlay
	d=$BATS_TEST_TMPDIR
	mkdir "$d/lower" "$d/upper" "$d/work"
	echo from-lower >"$d/lower/l"
	add_mount '{"destination":"/mnt/ov","type":"overlay","source":"overlay","options":["lowerdir='"$d/lower"'","upperdir='"$d/upper"'","workdir='"$d/work"'"]}'
	run_payload read /mnt/ov/l
	assert_success
	assert_equal "$output" from-lower
	run_payload write /mnt/ov/new written
	assert_success
	assert_equal "$(cat "$d/upper/new")" written
	[[ ! -e "$d/lower/new" ]]
}

@test "mount propagation options are applied" {
	mkdir "$BATS_TEST_TMPDIR/src"
	add_mount '{"destination":"/mnt/sh","type":"bind","source":"'"$BATS_TEST_TMPDIR/src"'","options":["rbind","rshared"]}'
	add_mount '{"destination":"/mnt/pr","type":"bind","source":"'"$BATS_TEST_TMPDIR/src"'","options":["rbind","rprivate"]}'
	add_mount '{"destination":"/mnt/ub","type":"bind","source":"'"$BATS_TEST_TMPDIR/src"'","options":["rbind","runbindable"]}'
	run_payload mounts
	assert_success
	assert_match ' shared$' "$(mount_line /mnt/sh)"
	assert_match ' private$' "$(mount_line /mnt/pr)"
	assert_match ' unbindable$' "$(mount_line /mnt/ub)"
}

@test "a mount destination that is a symlink out of the rootfs stays inside" {
	update_config '.root.readonly = false'
	host=$BATS_TEST_TMPDIR/host-sensitive
	mkdir "$host"
	echo keep >"$host/file"
	ln -s "$host" "$BUNDLE/rootfs/etc/x"
	add_mount '{"destination":"/etc/x","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	set_args sh -c 'echo planted > /etc/x/planted; rl-payload mounts'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	# Either refused or mounted inside the rootfs; never on the host path.
	[[ ! -e "$host/planted" ]]
	assert_equal "$(ls "$host")" file
	assert_equal "$(cat "$host/file")" keep
	! grep -qF " $host " /proc/self/mountinfo
}

@test "default devices with their numbers and mode 0666" {
	assert_default_devices
}

@test "default /dev symlinks" {
	for l in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 \
		stderr:/proc/self/fd/2 ptmx:pts/ptmx; do
		run_payload stat "/dev/${l%%:*}"
		assert_success
		assert_line type=symlink
		assert_line "target=${l#*:}"
	done
}

@test "/dev/null is writable and /dev/zero readable" {
	run_payload write /dev/null x
	assert_success
}

@test "linux.devices creates a device node with mode, uid and gid" {
	update_config '.linux.devices = [{path: "/dev/rl-dev", type: "c", major: 1, minor: 3, fileMode: 432, uid: 1000, gid: 1001}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]'
	run_payload stat /dev/rl-dev
	assert_success
	assert_line type=char
	assert_line rdev=1:3
	assert_line mode=0660
	assert_line uid=1000
	assert_line gid=1001
}

@test "maskedPaths: a masked file reads empty, a masked dir is empty" {
	mkdir "$BUNDLE/rootfs/etc/secretdir"
	echo s >"$BUNDLE/rootfs/etc/secretdir/inside"
	echo s >"$BUNDLE/rootfs/etc/secret"
	update_config '.linux.maskedPaths += ["/etc/secret", "/etc/secretdir", "/does/not/exist"]'
	run_payload read /etc/secret
	assert_success
	assert_equal "$output" ""
	run_payload ls /etc/secretdir
	assert_success
	assert_equal "$output" ""
}

@test "readonlyPaths: writes give EROFS" {
	update_config '.root.readonly = false | .linux.readonlyPaths += ["/etc"]'
	run_payload write /etc/new x
	assert_failure 1
	assert_line error=EROFS
	run_payload write /tmp-new x
	assert_success
	run_payload write /proc/sys/kernel/hostname x
	assert_failure 1
	assert_line error=EROFS
}
