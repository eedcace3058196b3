#!/usr/bin/env bats
# linux.seccomp: actions, errnoRet, argument filters, flags, and the
# SCMP_ACT_NOTIFY hand-over to an agent at listenerPath. The payload's
# `mkdir PATH [MODE]` and `chmod PATH MODE` make the raw syscalls.
load helpers

# seccomp JSON: set linux.seccomp (a jq expression).
seccomp() {
	update_config ".linux.seccomp = $1" "${@:2}"
}

# A writable /tmp so that allowed calls succeed.
writable_tmp() {
	update_config '.mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"]}]'
}

@test "SCMP_ACT_ERRNO without errnoRet: the syscall fails with EPERM" {
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO"}]}'
	run_payload mkdir /tmp/x
	assert_failure 1
	assert_line error=EPERM
}

@test "SCMP_ACT_ERRNO with errnoRet and several names" {
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["chmod", "mkdir", "no_such_syscall_xyz"], action: "SCMP_ACT_ERRNO", errnoRet: 18}]}'
	run_payload mkdir /tmp/x
	assert_failure 1
	assert_line error=EXDEV
	run_payload chmod /tmp 0700
	assert_failure 1
	assert_line error=EXDEV
}

@test "unrelated syscalls still work under a filter" {
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["chmod"], action: "SCMP_ACT_ERRNO"}]}'
	run_payload mkdir /tmp/x
	assert_success
	assert_line mkdir=ok
}

@test "SCMP_ACT_KILL kills the process with SIGSYS (exit 159)" {
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_KILL"}]}'
	run_payload mkdir /tmp/x
	assert_failure 159
	refute_line mkdir=ok
}

@test "SCMP_ACT_KILL_PROCESS kills the process with SIGSYS" {
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_KILL_PROCESS"}]}'
	run_payload mkdir /tmp/x
	assert_failure 159
}

@test "SCMP_ACT_TRAP delivers SIGSYS" {
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_TRAP"}]}'
	run_payload mkdir /tmp/x
	assert_failure 159
}

@test "SCMP_ACT_LOG allows the syscall" {
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_LOG"}]}'
	run_payload mkdir /tmp/x
	assert_success
	assert_line mkdir=ok
}

@test "SCMP_ACT_TRACE without a tracer fails the syscall with ENOSYS" {
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_TRACE"}]}'
	run_payload mkdir /tmp/x
	assert_failure 1
	assert_line error=ENOSYS
}

@test "args: only calls whose argument matches are blocked (SCMP_CMP_EQ)" {
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO", args: [{index: 1, value: 448, op: "SCMP_CMP_EQ"}]}]}'
	run_payload mkdir /tmp/a 0700
	assert_failure 1
	assert_line error=EPERM
	run_payload mkdir /tmp/b 0755
	assert_success
	assert_line mkdir=ok
}

@test "args: SCMP_CMP_MASKED_EQ and SCMP_CMP_GT" {
	writable_tmp
	# block modes with any group/other write bit; allow the rest
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO", args: [{index: 1, value: 18, valueTwo: 18, op: "SCMP_CMP_MASKED_EQ"}]}, {names: ["chmod"], action: "SCMP_ACT_ERRNO", errnoRet: 18, args: [{index: 1, value: 511, op: "SCMP_CMP_GT"}]}]}'
	run_payload mkdir /tmp/a 0777
	assert_failure 1
	assert_line error=EPERM
	run_payload mkdir /tmp/b 0755
	assert_success
	run_payload chmod /tmp 01777
	assert_failure 1
	assert_line error=EXDEV
	run_payload chmod /tmp 0777
	assert_success
}

@test "defaultAction SCMP_ACT_ERRNO with defaultErrnoRet (noNewPrivileges)" {
	writable_tmp
	# allow what a static binary needs to start and print; everything else,
	# mkdir included, fails with defaultErrnoRet
	update_config '.process.noNewPrivileges = true'
	seccomp '{defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 18, syscalls: [{names: ["execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "mprotect", "mmap", "munmap", "readlink", "readlinkat", "getrandom", "newfstatat", "fstat", "ioctl", "write", "writev", "exit", "exit_group", "uname", "getpid", "rt_sigaction", "rt_sigprocmask", "sendmsg", "close", "access", "faccessat", "faccessat2", "futex", "read", "openat", "lseek", "statx", "sysinfo", "fstatfs", "fcntl", "close_range", "getdents64", "nanosleep", "sched_yield", "tgkill", "gettid", "sigaltstack", "madvise", "clone", "clone3", "epoll_create1", "epoll_ctl", "epoll_pwait", "pipe2", "getppid", "dup3", "capget", "prctl", "rt_sigreturn", "setns", "mlock", "waitid"], action: "SCMP_ACT_ALLOW"}]}'
	run_payload mkdir /tmp/x
	assert_failure 1
	assert_line error=EXDEV
}

@test "noNewPrivileges: the filter is loaded after the runtime's own set-up" {
	writable_tmp
	# setresuid, capset, chdir and the exec fifo would all be blocked if the
	# filter were loaded early; with noNewPrivileges it goes in before execve
	update_config '.process.noNewPrivileges = true | .process.user = {uid: 1000, gid: 1000}'
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["setresuid", "setresgid", "setgroups", "capset", "chdir", "mkdir"], action: "SCMP_ACT_ERRNO"}]}'
	run_payload mkdir /tmp/x
	assert_failure 1
	assert_line error=EPERM
}

@test "architectures and flags are accepted" {
	skip_if_runc "runc 1.1.5 refuses every seccomp flag (\"seccomp flags are not yet supported by runc\")"
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"], syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO"}]}'
	run_payload mkdir /tmp/x
	assert_failure 1
	assert_line error=EPERM
}

@test "architectures without flags are accepted" {
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO"}]}'
	run_payload mkdir /tmp/x
	assert_failure 1
	assert_line error=EPERM
}

@test "SECCOMP_FILTER_FLAG_TSYNC is accepted" {
	skip_if_runc "runc 1.1.5 refuses every seccomp flag (\"seccomp flags are not yet supported by runc\")"
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_TSYNC"], syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO"}]}'
	run_payload mkdir /tmp/x
	assert_line error=EPERM
}

@test "an unknown action fails create and names the config path" {
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_FOO"}]}'
	run_payload mkdir /tmp/x
	assert_failure
	if is_rustlet; then assert_match 'linux.seccomp.syscalls\[0\].action: unknown action "SCMP_ACT_FOO"' "$stderr"; fi
}

@test "an unknown flag fails create" {
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_NOPE"]}'
	run_payload mkdir /tmp/x
	assert_failure
	if is_rustlet; then assert_match 'linux.seccomp.flags\[0\]: unknown flag' "$stderr"; fi
}

@test "errnoRet on an action without errno fails create" {
	skip_if_runc "runc 1.1.5 ignores errnoRet on actions that take no errno (the spec says fail)"
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_KILL", errnoRet: 1}]}'
	run_payload mkdir /tmp/x
	assert_failure
	assert_match 'does not take an errno' "$stderr"
}

@test "WAIT_KILLABLE_RECV: used when libseccomp and the kernel support it, else a clear error" {
	skip_if_runc "runc 1.1.5 does not know SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
	writable_tmp
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], syscalls: [{names: ["chmod"], action: "SCMP_ACT_ERRNO"}]}'
	run_payload mkdir /tmp/x
	if rt features | jq -e '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")' >/dev/null; then
		assert_success
	else
		assert_failure
		assert_match 'linux.seccomp.flags\[0\]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported' "$stderr"
	fi
}

# start_agent ERRNO: rl-seccomp-agent on $AGENT_SOCK, state in $AGENT_STATE.
start_agent() {
	[[ -x "${SECCOMP_AGENT:-}" ]] || skip "no rl-seccomp-agent (SECCOMP_AGENT)"
	AGENT_SOCK=$BATS_TEST_TMPDIR/agent.sock AGENT_STATE=$BATS_TEST_TMPDIR/agent.json
	AGENT_OUT=$BATS_TEST_TMPDIR/agent.out
	"$SECCOMP_AGENT" "$AGENT_SOCK" "$AGENT_STATE" "$1" >"$AGENT_OUT" 2>&1 3>&- </dev/null &
	KEEP_PIDS+=($!)
	wait_for grep -q listening "$AGENT_OUT"
}

notify_test() { # NNP
	writable_tmp
	start_agent 18
	update_config ".process.noNewPrivileges = $1"
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, listenerMetadata: "hello agent", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}' --arg p "$AGENT_SOCK"
	run_payload mkdir /tmp/x
	# the agent answered: EXDEV is its errno, not the kernel's
	assert_failure 1
	assert_line error=EXDEV
	grep -qx fds_received=1 "$AGENT_OUT"
	grep -q '^notified=' "$AGENT_OUT"
	run jq -r '[.ociVersion, (.fds | join(",")), .metadata, .state.id, (.pid > 0), (.state.pid == .pid), .state.status] | join(" ")' "$AGENT_STATE"
	assert_success
	assert_match "^1\.[0-9.]+(-[a-z0-9.]+)? seccompFd hello agent $CID true true (creating|created)$"
}

@test "SCMP_ACT_NOTIFY: the agent at listenerPath gets the fd and the state, and answers" {
	notify_test false
}

@test "SCMP_ACT_NOTIFY with noNewPrivileges (the filter is loaded right before execve)" {
	notify_test true
}

@test "SCMP_ACT_NOTIFY: no agent listening fails the container" {
	update_config '.process.noNewPrivileges = false'
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $p, syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}' --arg p "$BATS_TEST_TMPDIR/nobody.sock"
	run_payload mkdir /tmp/x
	assert_failure
	refute_line mkdir=ok
	if is_rustlet; then assert_match 'linux.seccomp.listenerPath: connect' "$stderr"; fi
}

# A Docker-style profile from 2019 (default SCMP_ACT_ERRNO, an allow list
# that ends at io_pgetevents: no rseq, clone3, close_range, openat2,
# faccessat2), as opencontainers runtime-tools' generator still writes.
old_profile() { # [EXTRA_RULES_JSON]
	update_config ".linux.seccomp = \$p[0] | .linux.seccomp.syscalls += ${1:-[]}" \
		--slurpfile p "$RL_TESTS_DIR/seccomp-2019.json"
}

@test "2019-era profile, noNewPrivileges false: the container starts; newer syscalls get ENOSYS" {
	[[ -x "$BUNDLE/rootfs/bin/rl-newsys" ]] || skip "no rl-newsys (tests/tools/newsys.c)"
	update_config '.process.noNewPrivileges = false'
	old_profile
	set_args rl-newsys raw
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line faccessat2=ENOSYS
	assert_line clone3=ENOSYS
	assert_line openat2=ENOSYS
	assert_line close_range=ENOSYS
}

@test "2019-era profile, noNewPrivileges true: newer syscalls get ENOSYS" {
	[[ -x "$BUNDLE/rootfs/bin/rl-newsys" ]] || skip "no rl-newsys (tests/tools/newsys.c)"
	update_config '.process.noNewPrivileges = true'
	old_profile
	set_args rl-newsys raw
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line faccessat2=ENOSYS
	assert_line clone3=ENOSYS
	assert_line openat2=ENOSYS
	assert_line close_range=ENOSYS
}

@test "2019-era profile: glibc's fallbacks work (faccessat AT_EACCESS, threads, posix_spawn, fork, busybox)" {
	[[ -x "$BUNDLE/rootfs/bin/rl-newsys" ]] || skip "no rl-newsys (tests/tools/newsys.c)"
	update_config '.process.noNewPrivileges = false'
	old_profile
	set_args rl-newsys libc
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line libc_faccessat=ok
	assert_line libc_thread=ok
	assert_line libc_spawn=ok
	assert_line libc_fork=ok
	set_args sh -c 'test -x /bin/busybox && echo test-x=ok; (echo forked=ok)'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line test-x=ok
	assert_line forked=ok
}

@test "2019-era profile plus clone3 with errnoRet: the explicit rule wins over the ENOSYS stub" {
	[[ -x "$BUNDLE/rootfs/bin/rl-newsys" ]] || skip "no rl-newsys (tests/tools/newsys.c)"
	update_config '.process.noNewPrivileges = false'
	old_profile '[{names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]'
	set_args rl-newsys raw
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line clone3=EPERM
	assert_line openat2=ENOSYS # still newer than the newest syscall named
	old_profile '[{names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line clone3=ENOSYS
}

@test "a syscall newer than the profile keeps a permissive default action (no ENOSYS stub)" {
	[[ -x "$BUNDLE/rootfs/bin/rl-newsys" ]] || skip "no rl-newsys (tests/tools/newsys.c)"
	seccomp '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO"}]}'
	set_args rl-newsys raw
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line faccessat2=ok
	assert_line close_range=ok
}

@test "a profile that refuses a syscall of the runtime's last steps: create names the step" {
	skip_if_runc "runc only reports the errno"
	update_config '.process.noNewPrivileges = false'
	update_config '.linux.seccomp = $p[0] | .linux.seccomp.syscalls[0].names -= ["capset"]' \
		--slurpfile p "$RL_TESTS_DIR/seccomp-2019.json"
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_match 'capset' "$stderr"
	assert_match 'under linux.seccomp' "$stderr"
	# a KILL default: the init dies without a word; create says where
	update_config '.linux.seccomp.defaultAction = "SCMP_ACT_KILL_PROCESS"'
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_match 'died at step "process.user and process.capabilities' "$stderr"
	assert_match 'SIGSYS' "$stderr"
}

@test "noNewPrivileges false with a filter: the early executable lookup checks the process's user" {
	[[ -x "$BUNDLE/rootfs/bin/rl-newsys" ]] || skip "no rl-newsys (tests/tools/newsys.c)"
	update_config '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}'
	old_profile
	cp "$BUNDLE/rootfs/bin/rl-newsys" "$BUNDLE/rootfs/bin/rootonly"
	chmod 0700 "$BUNDLE/rootfs/bin/rootonly"
	set_args rootonly true
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_match 'exec "rootonly": executable file not found in \$PATH|permission denied' "$stderr"
	chmod 0755 "$BUNDLE/rootfs/bin/rootonly"
	set_args rootonly raw
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line faccessat2=ENOSYS
}
