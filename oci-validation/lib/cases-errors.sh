# lib/cases-errors.sh - invalid bundles and configs: create MUST generate an
# error and MUST NOT create a container (runtime.md#39, #28).
# shellcheck shell=bash

# bad_create CLAUSE DESC: create of $B must fail and leave nothing behind
bad_create() {
	local clause=$1 desc=$2
	if rt create --bundle "$B" "$ID" >"$CASEDIR/create.out" 2>"$CASEDIR/create.err" </dev/null; then
		t_fail "$clause" "create accepted $desc"
		rt start "$ID" >/dev/null 2>&1
	else
		t_ok "$clause" "create rejected $desc"
		t '! rt state "$ID"' runtime.md#39 "no container exists after the rejected create"
		t '[ -z "$(cg_dirs ociv/$ID)" ]' runtime.md#28 "the rejected create left no cgroup"
	fi
}

# error_case NAME CLAUSE DESC JQFILTER [jq args]: register a bad-config case
error_case() {
	local name=$1 clause=$2 desc=$3 filter=$4; shift 4
	local args=""
	[ $# -gt 0 ] && args=$(printf '%q ' "$@")
	eval "case_err_${name//-/_}() { new_bundle; write_config $(printf '%q' "$filter") $args; bad_create $clause $(printf '%q' "$desc"); }"
	register "err-$name" "case_err_${name//-/_}" "error: $desc"
}

case_err_invalid_json() { new_bundle; echo '{"ociVersion": "1.0.2", "process": {' >"$B/config.json"; bad_create runtime.md#11 "a config.json that is not JSON"; }
register err-invalid-json case_err_invalid_json "error: config.json is not valid JSON"
case_err_no_config() { new_bundle; rm -f "$B/config.json"; bad_create bundle.md#1 "a bundle without config.json"; }
register err-no-config case_err_no_config "error: bundle without config.json"

error_case no-ociversion config.md#1 "a config without ociVersion" 'del(.ociVersion)'
error_case bad-ociversion config.md#1 "an ociVersion that is not SemVer" '.ociVersion = "one.two"'
error_case no-root config.md#4 "a config without root" 'del(.root)'
error_case no-root-path config.md#5 "root without path" '.root = {readonly: false}'
error_case root-missing config.md#8 "a root.path that does not exist" '.root.path = "no-such-rootfs"'
error_case no-cwd config.md#102 "process without cwd" 'del(.process.cwd)'
error_case relative-cwd config.md#103 "a relative process.cwd" '.process.cwd = "tmp"'
error_case empty-args config.md#104 "an empty process.args" '.process.args = []'
error_case no-user config.md#122 "process without user" 'del(.process.user)'
error_case rlimit-dup config.md#113 "duplicated rlimit types" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100, hard: 100}, {type: "RLIMIT_NOFILE", soft: 200, hard: 200}]'
error_case rlimit-unknown config.md#107 "an rlimit type with no kernel interface" '.process.rlimits += [{type: "RLIMIT_OCIV_BOGUS", soft: 1, hard: 1}]'
error_case rlimit-no-soft config.md#109 "an rlimit without soft" '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 100}]'
error_case rlimit-no-type config.md#106 "an rlimit without type" '.process.rlimits = [{soft: 1, hard: 1}]'
error_case rlimit-no-hard config.md#111 "an rlimit without hard" '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 100}]'
error_case mount-no-dest config.md#12 "a mount without destination" '.mounts += [{type: "tmpfs", source: "tmpfs"}]'
error_case ns-dup config-linux.md#9 "duplicated namespace types" '.linux.namespaces += [{type: "uts"}]'
error_case ns-bogus config.md#174 "an unknown namespace type" '.linux.namespaces += [{type: "ociv-bogus"}]'
error_case ns-no-type config-linux.md#2 "a namespace without type" '.linux.namespaces += [{path: "/proc/self/ns/uts"}]'
error_case ns-relative-path config-linux.md#4 "a relative namespace path" '.linux.namespaces |= map(if .type == "uts" then .path = "proc/self/ns/uts" else . end)'
error_case uidmap-no-size config-linux.md#12 "a uid mapping without size" '.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 200000}] | .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
error_case device-no-type config-linux.md#15 "a device without type" '.linux.devices = [{path: "/dev/ociv-x", major: 1, minor: 3}]'
error_case device-no-path config-linux.md#16 "a device without path" '.linux.devices = [{type: "c", major: 1, minor: 3}]'
error_case device-no-major config-linux.md#18 "a char device without major/minor" '.linux.devices = [{path: "/dev/ociv-x", type: "c"}]'
error_case device-mismatch config-linux.md#17 "a device whose path holds a different file" '.linux.devices = [{path: "/bin/busybox", type: "c", major: 1, minor: 3}]'
error_case devcgroup-no-allow config-linux.md#43 "a device cgroup rule without allow" '.linux.resources.devices = [{access: "rwm"}]'
error_case hook-relative config.md#126 "a hook with a relative path" '.hooks = {prestart: [{path: "bin/true"}]}'
error_case hook-no-path config.md#125 "a hook without path" '.hooks = {prestart: [{args: ["true"]}]}'
error_case hook-timeout-zero config.md#127 "a hook timeout of 0" '.hooks = {prestart: [{path: "/bin/true", timeout: 0}]}'
error_case hook-missing config.md#128 "a prestart hook path that does not resolve in the runtime namespace" '.hooks = {prestart: [{path: "/ociv/no/such/hook"}]}'
error_case annotation-empty-key config.md#167 "an annotation with an empty key" '.annotations[""] = "x"'
error_case annotation-value-type config.md#172 "an annotation value that is not a string" '.annotations["org.ociv.n"] = 1'
error_case seccomp-no-default config-linux.md#90 "seccomp without defaultAction" '.linux.seccomp = {syscalls: [{names: ["getppid"], action: "SCMP_ACT_ERRNO"}]}'
error_case seccomp-kill-errno config-linux.md#101 "errnoRet on an action without errno (SCMP_ACT_KILL)" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["getppid"], action: "SCMP_ACT_KILL", errnoRet: 5}]}'
error_case seccomp-default-errno config-linux.md#91 "defaultErrnoRet with defaultAction SCMP_ACT_LOG" '.linux.seccomp = {defaultAction: "SCMP_ACT_LOG", defaultErrnoRet: 5, syscalls: [{names: ["getppid"], action: "SCMP_ACT_ALLOW"}]}'
error_case seccomp-empty-names config-linux.md#99 "a seccomp rule with no names" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: [], action: "SCMP_ACT_ERRNO"}]}'
error_case seccomp-no-action config-linux.md#100 "a seccomp rule without action" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["getppid"]}]}'
error_case seccomp-arg-no-op config-linux.md#104 "a seccomp argument without op" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["personality"], action: "SCMP_ACT_ERRNO", args: [{index: 0, value: 1}]}]}'
error_case seccomp-fd-no-listener config-linux.md#97 "listenerMetadata without listenerPath" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerMetadata: "x", syscalls: [{names: ["getppid"], action: "SCMP_ACT_ERRNO"}]}'
error_case seccomp-listener-unreachable config-linux.md#95 "a seccomp listenerPath nobody listens on" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/tmp/ociv-no-listener.sock", syscalls: [{names: ["getppid"], action: "SCMP_ACT_NOTIFY"}]}'
error_case idmap-no-userns config.md#81 "an idmap mount without mappings or user namespace" '.mounts += [{destination: "/idm", type: "bind", source: "/tmp", options: ["bind", "idmap"]}]'
error_case ridmap-no-userns config.md#87 "an ridmap mount without mappings or user namespace" '.mounts += [{destination: "/idm", type: "bind", source: "/tmp", options: ["rbind", "ridmap"]}]'
error_case mount-uidmap-only config.md#94 "a mount with uidMappings but no gidMappings" '.mounts += [{destination: "/idm", type: "bind", source: "/tmp", options: ["bind", "idmap"], uidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
error_case mount-gidmap-only config.md#97 "a mount with gidMappings but no uidMappings" '.mounts += [{destination: "/idm", type: "bind", source: "/tmp", options: ["bind", "idmap"], gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
error_case seccomp-arg-no-value config-linux.md#103 "a seccomp argument without value" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["personality"], action: "SCMP_ACT_ERRNO", args: [{index: 0, op: "SCMP_CMP_EQ"}]}]}'
error_case mempolicy-no-mode config-linux.md#89 "a memoryPolicy without mode" '.linux.memoryPolicy = {nodes: "0"}'
error_case unified-bogus config-linux.md#63 "linux.resources.unified naming a controller that is not present" '.linux.resources.unified = {"ocivbogus.max": "1"}'
error_case intelrdt-no-resctrl config-linux.md#66 "intelRdt without a mounted resctrl filesystem" '.linux.intelRdt = {closID: "ociv"}'
error_case netdev-missing config-linux.md#22 "a netDevices entry naming no existing interface" '.linux.netDevices = {"ociv-none0": {}}'
error_case masked-relative config-linux.md#110 "a relative maskedPaths entry" '.linux.maskedPaths += ["proc/kcore"]'
error_case readonly-relative config-linux.md#111 "a relative readonlyPaths entry" '.linux.readonlyPaths += ["proc/sys"]'
error_case personality-no-domain config-linux.md#112 "a personality without domain" '.linux.personality = {flags: []}'
error_case scheduler-no-policy config.md#118 "a scheduler without policy" '.process.scheduler = {nice: 1}'
error_case ioprio-no-class config.md#119 "an ioPriority without class" '.process.ioPriority = {priority: 1}'

case_err_ns_wrong_type() {
	make_ns_files || { t_fail config-linux.md#6 "driver could not create namespace files"; return; }
	new_bundle
	write_config '.linux.namespaces |= map(if .type == "ipc" then .path = $p else . end)' --arg p "$CASEDIR/ns/net"
	bad_create config-linux.md#6 "an ipc namespace path that is a network namespace"
}
register err-ns-wrong-type case_err_ns_wrong_type "error: namespace path of the wrong type"

case_err_no_process() {
	new_bundle
	write_config 'del(.process)'
	if rt create --bundle "$B" "$ID" >"$CASEDIR/create.out" 2>"$CASEDIR/create.err" </dev/null; then
		t '! rt start "$ID"' runtime.md#43 "start fails when process was not set"
	else
		t_ok runtime.md#43 "create refused a config without process (start could not succeed)"
	fi
	t_ok config.md#98 "process is required when start is called"
}
register err-no-process case_err_no_process "error: start without process"
