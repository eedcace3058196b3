#!/usr/bin/env bats
# `features`: the document parses, and what it claims works (and, for
# rustlet, what it reports as not enabled is refused with a clear error).
load helpers

setup() {
	rl_setup
	run --separate-stderr rt features
	assert_success
	FEATURES=$output
	jq -e . <<<"$FEATURES" >/dev/null
}

# feat JQ: a value of the features document.
feat() {
	jq -r "$1" <<<"$FEATURES"
}

@test "features: versions, hooks and the spec's required fields" {
	[[ -n "$(feat .ociVersionMin)" && "$(feat .ociVersionMin)" != null ]]
	[[ -n "$(feat .ociVersionMax)" && "$(feat .ociVersionMax)" != null ]]
	if is_rustlet; then
		assert_equal "$(feat .ociVersionMin)" 1.0.0
		assert_equal "$(feat .ociVersionMax)" 1.3.0
		assert_equal "$(feat '.hooks | sort | join(",")')" \
			createContainer,createRuntime,poststart,poststop,prestart,startContainer
		assert_equal "$(feat '.linux.seccomp.enabled')" true
	fi
}

@test "features: configs with ociVersionMin and ociVersionMax run" {
	local v
	for v in "$(feat .ociVersionMin)" "$(feat .ociVersionMax)"; do
		update_config '.ociVersion = $v' --arg v "$v"
		run_payload exit 0
		assert_success
	done
}

@test "features: every listed mount option works on a tmpfs" {
	local opts
	# bind/rbind/remount change what the mount is; tested in mounts.bats;
	# idmap/ridmap need a bind mount and mappings: tested in idmap.bats
	local skip='"bind", "rbind", "remount", "idmap", "ridmap"'
	# runc 1.1.5 lists "defaults" but passes it to the filesystem (EINVAL)
	is_runc && skip+=', "defaults"'
	opts=$(feat "[.mountOptions[] | select(. as \$o | [$skip] | index(\$o) | not)] | @json")
	update_config '.mounts += [$o | to_entries[] | {destination: "/mnt/\(.key)", type: "tmpfs", source: "tmpfs", options: [.value]}]' --argjson o "$opts"
	update_config '.root.readonly = false'
	run_payload exit 0
	assert_success
}

@test "features: every listed capability is accepted in every set" {
	local caps host
	requires capsh
	# only those the host's bounding set holds can be raised (machine.md:
	# CAP_SYS_RESOURCE is not); the others are still accepted in bounding
	host=$(capsh --decode="$(awk '/^CapBnd/ { print $2 }' /proc/self/status)" |
		sed 's/.*=//' | tr 'a-z' 'A-Z' | jq -R 'split(",")')
	caps=$(feat '.linux.capabilities | @json')
	update_config '.process.capabilities.bounding = $c' --argjson c "$caps"
	run_payload caps
	assert_success
	caps=$(jq -cn --argjson a "$caps" --argjson h "$host" '[$a[] | select(. as $x | $h | index($x))]')
	update_config '.process.capabilities = {bounding: $c, effective: $c, permitted: $c, inheritable: $c, ambient: $c}' --argjson c "$caps"
	run_payload caps
	assert_success
}

@test "features: every listed seccomp arch is recognised" {
	local a
	[[ "$(feat '.linux.seccomp.enabled')" == true ]] || skip "seccomp not enabled"
	for a in $(feat '.linux.seccomp.archs[]'); do
		update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: [$a]}' --arg a "$a"
		run_payload exit 0
		# other-endian archs cannot join an x86_64 filter (libseccomp), but
		# the name must be known
		refute_match 'unknown arch' "$stderr"
		if is_rustlet && [[ $status -ne 0 ]]; then
			assert_match 'cannot be combined with the native architecture' "$stderr"
		fi
	done
}

@test "features: every listed seccomp action and operator is accepted" {
	local actions ops archs
	[[ "$(feat '.linux.seccomp.enabled')" == true ]] || skip "seccomp not enabled"
	actions=$(feat '[.linux.seccomp.actions[] | select(. != "SCMP_ACT_ALLOW" and . != "SCMP_ACT_NOTIFY")] | @json')
	ops=$(feat '.linux.seccomp.operators | @json')
	archs='["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'
	# rules on syscalls the payload never makes
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: $archs,
		syscalls: ([$a[] | {names: ["kexec_load"], action: .}] + [$o[] | {names: ["acct"], action: "SCMP_ACT_ERRNO", args: [{index: 0, value: 1, valueTwo: 1, op: .}]}])}' \
		--argjson a "$actions" --argjson o "$ops" --argjson archs "$archs"
	run_payload exit 0
	assert_success
}

@test "features: supportedFlags work, knownFlags that are not supported are refused" {
	local f
	[[ "$(feat '.linux.seccomp.enabled')" == true ]] || skip "seccomp not enabled"
	for f in $(feat '.linux.seccomp.supportedFlags // [] | .[]'); do
		update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: [$f], syscalls: [{names: ["kexec_load"], action: "SCMP_ACT_ERRNO"}]}' --arg f "$f"
		run_payload exit 0
		assert_success
	done
	is_rustlet || return 0
	for f in $(feat '(.linux.seccomp.knownFlags - .linux.seccomp.supportedFlags) | .[]'); do
		update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: [$f]}' --arg f "$f"
		run_payload exit 0
		assert_failure
		assert_match "linux.seccomp.flags\[0\]: $f is not supported" "$stderr"
	done
}

@test "features: what is not enabled is refused (rustlet)" {
	is_rustlet || skip "checks rustlet's own refusals"
	if [[ "$(feat .linux.apparmor.enabled)" == false ]]; then
		update_config '.process.apparmorProfile = "unconfined-x"'
		run_payload exit 0
		assert_failure
		assert_match 'process.apparmorProfile: not supported' "$stderr"
		update_config 'del(.process.apparmorProfile)'
	fi
	if [[ "$(feat .linux.selinux.enabled)" == false ]]; then
		update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
		run_payload exit 0
		assert_failure
		assert_match 'process.selinuxLabel: not supported' "$stderr"
		update_config 'del(.process.selinuxLabel)'
	fi
	if [[ "$(feat .linux.mountExtensions.idmap.enabled)" == false ]]; then
		update_config '.mounts += [{destination: "/mnt", type: "bind", source: "/tmp", options: ["bind", "idmap"],
			uidMappings: [{containerID: 0, hostID: 1000, size: 1}], gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
		run_payload exit 0
		assert_failure
		assert_match 'mounts\[[0-9]+\].*(uidMappings: not supported|not supported by this kernel)' "$stderr"
	fi
	if [[ "$(feat .linux.cgroup.systemdUser)" == false ]]; then
		run --separate-stderr setpriv --reuid 65534 --regid 65534 --clear-groups \
			"$RUNTIME" --root "$BATS_TEST_TMPDIR" --systemd-cgroup list
		assert_failure
		assert_match 'systemd (is not running|user instance \(rootless\) is not supported)' "$stderr"
	fi
}

@test "features: listed namespaces are recognised" {
	local ns
	for ns in $(feat '.linux.namespaces[]'); do
		case "$ns" in
		mount | pid | network | uts | ipc | user | cgroup | time) ;;
		*) fail "unexpected namespace type $ns" ;;
		esac
	done
	# every listed type but user (needs id mappings) in one container
	update_config '.linux.namespaces = [$n[] | select(. != "user") | {type: .}]' \
		--argjson n "$(feat '.linux.namespaces | @json')"
	run_payload ns
	assert_success
}
