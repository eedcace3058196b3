#!/usr/bin/env bats
# More of runc's command line (issue 17): each test also runs against runc
# (tests/integration/run --runtime /usr/sbin/runc parity2.bats).
load helpers

# orphan_ppids [RUN FLAGS...]: run, without a pid namespace, a shell that
# orphans a sleep; prints "ORPHAN_PPID INIT_PPID" (the sleep's parent after
# its own parent exited, and the init's parent: the runtime's run process).
orphan_ppids() {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'o=$( (sleep 30 >/dev/null 2>&1 & echo $!) ); sleep 1
		echo "$(grep PPid /proc/$o/status | cut -f2) $(grep PPid /proc/$$/status | cut -f2)"
		kill $o'
	next_cid
	run --separate-stderr rt run "$@" --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
}

@test "run: the foreground runtime is the subreaper of what the container orphans" {
	orphan_ppids
	read -r orphan init <<<"$output"
	assert_equal "$orphan" "$init"
}

@test "run --no-subreaper: orphans go to the caller's reaper, not the runtime" {
	orphan_ppids --no-subreaper
	read -r orphan init <<<"$output"
	[[ -n "$orphan" && -n "$init" ]] || fail "no ppids in: $output"
	[[ "$orphan" != "$init" ]] || fail "the orphan's parent is the runtime ($init)"
}

@test "--rootless takes true, false or auto (runc's spellings), --criu a path" {
	set_args true
	for v in true false auto AUTO 1 0 t F TRUE False; do
		next_cid
		run --separate-stderr rt --rootless "$v" run --bundle "$BUNDLE" "$CID" </dev/null
		assert_success
	done
	# the --flag=value and single-dash forms
	next_cid
	run --separate-stderr rt --rootless=false -criu=/usr/sbin/criu run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	next_cid
	run --separate-stderr rt -rootless auto --criu /nonexistent/criu run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
}

@test "--rootless with another value fails, naming the value" {
	set_args true
	next_cid
	run --separate-stderr rt --rootless maybe run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure 1
	assert_match 'maybe' "$stderr"
	[[ ! -e $ROOT/$CID ]] || fail "a container was left behind"
}

@test "features: the recursive mount options are listed, and work" {
	local o want=(rro rrw rnosuid rsuid rnodev rdev rnoexec rexec rnoatime ratime
		rnodiratime rdiratime rrelatime rnorelatime rstrictatime rnostrictatime
		rnosymfollow rsymfollow)
	run --separate-stderr rt features
	assert_success
	for o in "${want[@]}"; do
		jq -e --arg o "$o" '.mountOptions | index($o)' <<<"$output" >/dev/null ||
			fail "features does not list $o"
	done
	# rro on a bind of a tree with a mount below: the lower one is read-only too
	mkdir -p "$BATS_TEST_TMPDIR/src/sub"
	mount -t tmpfs tmpfs "$BATS_TEST_TMPDIR/src/sub"
	update_config '.mounts += [{destination: "/mnt", type: "bind", source: $s, options: ["rbind", "rro"]}]' \
		--arg s "$BATS_TEST_TMPDIR/src"
	set_args sh -c 'touch /mnt/sub/f 2>/dev/null && echo writable || echo read-only'
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	umount "$BATS_TEST_TMPDIR/src/sub"
	assert_success
	assert_equal "$output" read-only
}

@test "features: rdma and intelRdt say what rustlet implements, not what the host has" {
	is_rustlet || skip "runc 1.1.5 has no cgroup.rdma nor intelRdt in features"
	run --separate-stderr rt features
	assert_success
	assert_equal "$(jq -c .linux.cgroup.rdma <<<"$output")" true
	assert_equal "$(jq -c .linux.intelRdt <<<"$output")" '{"enabled":true,"schemata":true,"monitoring":true}'
}

@test "spec: the hostname is the runtime's own neutral name" {
	local d=$BATS_TEST_TMPDIR/specdir
	mkdir "$d"
	(cd "$d" && "$RUNTIME" spec)
	# runc writes "runc"; rustlet writes its own name, not runc's
	if is_rustlet; then want=rustlet; else want=runc; fi
	assert_equal "$(jq -r .hostname "$d/config.json")" "$want"
	# and a container from it sees it
	update_config '.hostname = $h' --arg h "$(jq -r .hostname "$d/config.json")"
	set_args hostname
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_equal "$output" "$want"
}

# Packaging: a release tarball (git archive, no .git) builds, names its
# version and commit without git, and `cmake --install` puts the bash
# completion where bash-completion looks.
@test "packaging: a git-archive tarball reports its commit; install ships the bash completion" {
	is_rustlet || skip "builds rustlet's own sources"
	requires git cmake
	local top src d c ver
	top=$(cd "$RL_TESTS_DIR/../.." && pwd)
	[[ -e $top/.git ]] || skip "not a git checkout"
	# the working tree as a commit (tracked files), without touching it
	c=$(git -C "$top" stash create)
	c=${c:-$(git -C "$top" rev-parse HEAD)}
	src=$BATS_TEST_TMPDIR/src d=$BATS_TEST_TMPDIR/dest
	mkdir "$src"
	git -C "$top" archive "$c" | tar -x -C "$src"
	[[ ! -e $src/.git ]]
	nice -n 10 cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DRUSTLET_TESTS=OFF >/dev/null
	nice -n 10 cmake --build "$src/build" -j2 --target rustlet >/dev/null
	run "$src/build/rustlet" --version
	assert_success
	ver=$(sed -n 's/^project(rustlet VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")
	assert_line "rustlet version $ver"
	assert_line "commit: ${c:0:12}"
	DESTDIR=$d cmake --install "$src/build" --prefix /usr/local >/dev/null
	cmp "$d/usr/local/share/bash-completion/completions/rustlet" "$top/completions/bash/rustlet"
	run bash -c "source '$d/usr/local/share/bash-completion/completions/rustlet' && complete -p rustlet"
	assert_success
	assert_match 'rustlet$'
}

@test "a missing rootfs, or a file as rootfs: the error names root.path and the path" {
	local r
	for r in no-such-rootfs file-rootfs; do
		: >"$BUNDLE/file-rootfs"
		update_config '.root.path = $r' --arg r "$r"
		set_args true
		next_cid
		run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
		assert_failure 1
		# runc 1.1.5 names a missing rootfs ("invalid rootfs: stat PATH"),
		# but not a file: "fork/exec /proc/self/exe: not a directory"
		if is_rustlet || [[ $r == no-such-rootfs ]]; then
			assert_match "$BUNDLE/$r" "$stderr"
		fi
		if is_rustlet; then
			assert_match "^rustlet: run $CID: root.path: " "$stderr"
			[[ $r == file-rootfs ]] && assert_match 'is not a directory' "$stderr"
			[[ $r == no-such-rootfs ]] && assert_match 'No such file or directory' "$stderr"
		fi
		[[ ! -e $ROOT/$CID ]] || fail "state left behind for $r"
	done
}
