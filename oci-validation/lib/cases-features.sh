# lib/cases-features.sh - features.md / features-linux.md: the Features
# structure (`RUNTIME features`), checked against what the runtime accepts.
# shellcheck shell=bash

FEATURE_KEYS='["ociVersionMin","ociVersionMax","hooks","mountOptions","linux","annotations","potentiallyUnsafeConfigAnnotations"]'

# features_json: the runtime's Features structure, or nothing
features_json() { rt features 2>/dev/null | jq -e 'type == "object"' >/dev/null 2>&1 && rt features 2>/dev/null; }

case_features() {
	local f min max
	f=$(features_json)
	if [ -z "$f" ]; then
		t_ok features.md#3 "runtime offers no features operation (providing one is optional: MAY)"
		return
	fi
	echo "$f" >"$CASEDIR/features.out"
	min=$(jq -r .ociVersionMin <<<"$f"); max=$(jq -r .ociVersionMax <<<"$f")
	t 'jq -e ".ociVersionMin | type == \"string\"" <<<"$f"' features.md#3 "ociVersionMin is a string ($min)"
	t 'jq -e ".ociVersionMax | type == \"string\"" <<<"$f"' features.md#5 "ociVersionMax is a string ($max)"
	t '[ "$(printf "%s\n%s\n" "${min%%-*}" "${max%%-*}" | sort -V | head -1)" = "${min%%-*}" ]' features.md#7 "ociVersionMax is not less than ociVersionMin"
	t 'jq -e --argjson k "$FEATURE_KEYS" "keys - \$k == []" <<<"$f"' features.md#8 "no properties beyond the spec's ($(jq -c --argjson k "$FEATURE_KEYS" 'keys - $k' <<<"$f"))"
	t 'jq -e "(.annotations // {}) | to_entries | all(.key != \"\" and (.value|type) == \"string\")" <<<"$f"' features.md#12 "annotations are a string map"
	t 'jq -e "[.. | select(. == \"\")] == []" <<<"$f"' features.md#2 "no empty strings standing in for null"
	local v
	for v in "$min" "$max"; do
		new_bundle
		write_config '.ociVersion = $v | .process.args = ["/bin/true"]' --arg v "$v"
		if rt create --bundle "$B" "$ID" >/dev/null 2>"$CASEDIR/create.err" </dev/null; then
			t_ok "$([ "$v" = "$min" ] && echo features.md#4 || echo features.md#6)" "config with ociVersion $v accepted"
		else
			t_fail "$([ "$v" = "$min" ] && echo features.md#4 || echo features.md#6)" "config with ociVersion $v rejected: $(tail -c 200 "$CASEDIR/create.err")"
		fi
		rt delete --force "$ID" >/dev/null 2>&1
		rm -rf "$B"
	done
}
register features case_features "features: structure, ociVersionMin/Max accepted"

# every listed mount option that needs no source or mappings, each on its own tmpfs
case_features_mount_options() {
	local f opts
	f=$(features_json)
	[ -n "$f" ] || { t_ok features.md#10 "runtime offers no features operation (optional)"; return; }
	opts=$(jq -c '[.mountOptions // [] | .[] | select(IN("bind","rbind","remount","idmap","ridmap","acl","noacl","mand","nomand","mode","size","nr_inodes","uid","gid") | not)]' <<<"$f")
	new_bundle
	write_config '.mounts += [$o | to_entries[] | {destination: ("/fo/" + (.key|tostring) + "-" + .value), type: "tmpfs", source: "tmpfs", options: [.value]}]' --argjson o "$opts"
	run_checker_case
	sed -i 's/^\(not \)\{0,1\}ok\( [0-9]*\)\{0,1\} - runtime.md#36 create failed/&/; s/^not ok\( [0-9]*\)\{0,1\} - runtime.md#36 create failed/not ok - features.md#10 create with every listed mount option failed/' "$TAP"
	t_ok features.md#10 "$(jq length <<<"$opts") listed mount options tried"
}
register features-mount-options case_features_mount_options "features: every listed mount option is recognized"

case_features_linux() {
	local f caps acts ops archs flags
	f=$(features_json)
	[ -n "$f" ] || { t_ok features-linux.md#1 "runtime offers no features operation (optional)"; return; }
	new_bundle
	# namespaces listed (except user/time/cgroup, which need more config) and all capabilities listed
	write_config '
	  .linux.namespaces = ([$f.linux.namespaces // [] | .[] | select(IN("user", "time") | not)] | map({type: .}))
	  | .process.capabilities.bounding = ($f.linux.capabilities // [])
	  | if ($f.linux.seccomp.enabled // false) then .linux.seccomp = {
	      defaultAction: "SCMP_ACT_ALLOW",
	      # one filter cannot mix byte orders (libseccomp): the x86 family only
	      architectures: [($f.linux.seccomp.archs // []) | .[] | select(IN("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"))],
	      flags: ($f.linux.seccomp.supportedFlags // []),
	      syscalls: (([($f.linux.seccomp.actions // []) | .[] | select(IN("SCMP_ACT_NOTIFY", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE") | not)]
	                 | to_entries | map({names: [["acct", "swapoff", "vhangup", "kexec_load", "syslog", "reboot", "swapon", "quotactl"][.key % 8]], action: .value}))
	                + [($f.linux.seccomp.operators // []) | .[] | {names: ["setdomainname"], action: "SCMP_ACT_ERRNO", args: [{index: 1, value: 99999, valueTwo: 99999, op: .}]}])
	    } else . end' --argjson f "$f"
	run_checker_case
	t_ok features-linux.md#1 "listed namespaces: $(jq -c '.linux.namespaces' <<<"$f")"
	t_ok features-linux.md#2 "$(jq '.linux.capabilities | length' <<<"$f") listed capabilities in the bounding set"
	if jq -e ".linux.seccomp.enabled" <<<"$f" >/dev/null; then
		t '! grep -q "^not ok.*create failed" "$TAP"' features-linux.md#3 "listed seccomp actions accepted"
		t '! grep -q "^not ok.*create failed" "$TAP"' features-linux.md#4 "listed seccomp operators accepted"
		t '! grep -q "^not ok.*create failed" "$TAP"' features-linux.md#5 "listed seccomp architectures of the x86 family accepted"
		t '! grep -q "^not ok.*create failed" "$TAP"' features-linux.md#7 "listed seccomp supportedFlags accepted"
	fi
}
register features-linux case_features_linux "features: listed namespaces, capabilities and seccomp actions/operators/archs/flags are accepted"
