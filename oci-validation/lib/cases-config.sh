# lib/cases-config.sh - cases whose container runs the checker: one config per
# clause group; the checker verifies from inside what the config asked for.
# shellcheck shell=bash

DEFCAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'

# the config every case starts from (ociVersion 1.0.2: crun 1.8.1 rejects >= 1.2.0);
# with SHAPE=generator reshaped like runtime-tools' generator (lib/cases-generator.sh)
base_config() {
	if [ "${SHAPE:-}" = generator ]; then base_config_minimal | generator_shape; else base_config_minimal; fi
}
base_config_minimal() {
	jq -n --arg id "$ID" --argjson caps "$DEFCAPS" '{
	  ociVersion: "1.0.2",
	  process: {
	    terminal: false, consoleSize: {height: 24, width: 80},
	    user: {uid: 0, gid: 0},
	    args: ["/oci-validation/checker"],
	    env: ["PATH=/bin:/usr/bin", "OCIV_CASE=\($id)", "WITH_SPACE=a b=c"],
	    cwd: "/",
	    capabilities: {bounding: $caps, effective: $caps, permitted: $caps},
	    rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
	    noNewPrivileges: true
	  },
	  root: {path: "rootfs", readonly: false},
	  hostname: "ociv",
	  annotations: {"org.opencontainers.ociv.case": $id},
	  mounts: [
	    {destination: "/proc", type: "proc", source: "proc"},
	    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
	    {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]},
	    {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]}
	  ],
	  linux: {
	    namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}],
	    cgroupsPath: "/ociv/\($id)",
	    maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware", "/proc/ociv-absent"],
	    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	  }
	}'
}

CGMOUNT='{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime"]}'
CGMOUNT_RO='{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}'

case_basic() {
	new_bundle
	write_config '.'
	run_checker_case '{"checkDefaultFilesystems": true}'
}
register basic case_basic "base config: namespaces, default mounts and devices, /dev symlinks, masked/readonly paths, caps, env"

case_process_user() {
	new_bundle
	write_config '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20, 1000], umask: 63}
	  | .process.cwd = "/tmp/ociv-cwd"
	  | .process.args += ["--", "an arg with spaces", ""]
	  | .process.capabilities = {bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_RESOURCE"],
	       effective: ["CAP_KILL"], permitted: ["CAP_KILL", "CAP_CHOWN"], inheritable: ["CAP_KILL"], ambient: ["CAP_KILL"]}
	  | .process.rlimits = [{type: "RLIMIT_NOFILE", soft: 512, hard: 768}, {type: "RLIMIT_CORE", soft: 0, hard: 18446744073709551615},
	       {type: "RLIMIT_MSGQUEUE", soft: 4096, hard: 8192}, {type: "RLIMIT_NPROC", soft: 300, hard: 400}]
	  | .process.oomScoreAdj = 123
	  | .process.noNewPrivileges = true'
	run_checker_case
	t '! grep -q "create failed" "$TAP"' config.md#115 "requesting CAP_SYS_RESOURCE, which this host cannot grant, did not fail the container"
}
register process-user case_process_user "process: user/groups/umask, cwd created, args, caps sets, rlimits, oomScoreAdj, noNewPrivileges"

case_process_scheduler() {
	new_bundle
	write_config '.process.scheduler = {policy: "SCHED_BATCH", nice: 7}'
	run_checker_case
}
register process-scheduler case_process_scheduler "process.scheduler (SCHED_BATCH, nice)" "config.md#118"

case_process_ioprio() {
	new_bundle
	write_config '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 6}'
	run_checker_case
}
register process-ioprio case_process_ioprio "process.ioPriority" "config.md#119 config.md#120"

case_process_cpuaffinity() {
	if [ "$(nproc --all)" -lt 2 ]; then case_skip "host has one CPU: affinity cannot be distinguished"; return; fi
	new_bundle
	write_config '.process.execCPUAffinity = {initial: "1", final: "0"}'
	run_checker_case
}
register process-cpuaffinity case_process_cpuaffinity "process.execCPUAffinity" "runtime.md#42"

case_root_readonly() {
	new_bundle
	write_config '.root.readonly = true | .linux.rootfsPropagation = "private"'
	run_checker_case
}
register root-readonly case_root_readonly "root.readonly and rootfsPropagation private"

case_ns_new() {
	new_bundle
	write_config '.linux.namespaces += [{type: "cgroup"}] | .mounts += ['"$CGMOUNT_RO"']'
	run_checker_case
	t '! grep -q "create failed" "$TAP"' config-linux.md#3 "pid, network, ipc, uts, mount and cgroup namespaces supported"
}
register ns-new case_ns_new "new pid/net/ipc/uts/mount/cgroup namespaces"

case_ns_inherit() {
	new_bundle
	write_config '.linux.namespaces = [{type: "mount"}] | .mounts |= map(select(.destination != "/dev/mqueue" and .destination != "/sys")) | .hostname = null | del(.hostname)'
	run_checker_case
}
register ns-inherit case_ns_inherit "namespaces not listed are inherited from the runtime"

# persistent namespaces made by the driver, to be joined by path
make_ns_files() {
	mkdir -p "$CASEDIR/ns"
	mount -t tmpfs -o mode=755 ociv-ns "$CASEDIR/ns" && mount --make-private "$CASEDIR/ns"
	touch "$CASEDIR/ns/net" "$CASEDIR/ns/uts" "$CASEDIR/ns/ipc"
	unshare --net="$CASEDIR/ns/net" --uts="$CASEDIR/ns/uts" --ipc="$CASEDIR/ns/ipc" true
}

case_ns_path() {
	make_ns_files || { t_fail config-linux.md#5 "driver could not create namespace files"; return; }
	new_bundle
	# no hostname: it would have to be set in a namespace the container does not own
	write_config 'del(.hostname) | .linux.namespaces = [{type: "pid"}, {type: "mount"}, {type: "network", path: ($d + "/net")}, {type: "uts", path: ($d + "/uts")}, {type: "ipc", path: ($d + "/ipc")}]' --arg d "$CASEDIR/ns"
	run_checker_case "$(jq -n --argjson n "$(stat -L -c %i "$CASEDIR/ns/net")" --argjson u "$(stat -L -c %i "$CASEDIR/ns/uts")" \
		--argjson i "$(stat -L -c %i "$CASEDIR/ns/ipc")" '{nsPath: {network: $n, uts: $u, ipc: $i}}')"
	rt delete --force "$ID" >/dev/null 2>&1
	# runtime.md#50: the namespaces were not created by the container: they must survive delete
	t "nsenter --net=$CASEDIR/ns/net true" runtime.md#50 "joined network namespace still usable after delete"
}
register ns-path case_ns_path "join existing network/uts/ipc namespaces by path"

# runtime-tools' validation: a uts namespace made with unshare, joined by
# path, with the generator's hostname: the name is set in that namespace
case_ns_path_hostname() {
	make_ns_files || { t_fail config-linux.md#5 "driver could not create namespace files"; return; }
	new_bundle
	write_config '.hostname = "ociv-joined" | .linux.namespaces = [{type: "pid"}, {type: "mount"}, {type: "uts", path: ($d + "/uts")}]' --arg d "$CASEDIR/ns"
	run_checker_case "$(jq -n --argjson u "$(stat -L -c %i "$CASEDIR/ns/uts")" '{nsPath: {uts: $u}}')"
	rt delete --force "$ID" >/dev/null 2>&1
	t '[ "$(nsenter --uts=$CASEDIR/ns/uts hostname)" = ociv-joined ]' config-linux.md#5 "hostname set in the joined uts namespace"
}
register ns-path-hostname case_ns_path_hostname "join a uts namespace by path, with hostname" "config-linux.md#5"

case_ns_user() {
	if [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" = 0 ]; then case_skip "user namespaces disabled on this host"; return; fi
	new_bundle copy
	write_config '.linux.namespaces += [{type: "user"}]
	  | .linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
	  | .linux.gidMappings = [{containerID: 0, hostID: 300000, size: 65536}]
	  | .process.user = {uid: 1, gid: 2}'
	chmod 755 "$B" "$CASEDIR"
	run_checker_case
	t '[ "$(stat -c %u:%g "$B/rootfs/bin/busybox")" = 0:0 ]' config-linux.md#13 "rootfs ownership not changed to realize the mapping"
	t '! grep -q "create failed" "$TAP"' config-linux.md#3 "user namespace supported"
}
register ns-user case_ns_user "user namespace with uid/gid mappings" "config-linux.md#10 config-linux.md#11 config-linux.md#12"

case_ns_time() {
	[ -e /proc/self/ns/time ] || { case_skip "kernel without time namespaces"; return; }
	new_bundle
	write_config '.linux.namespaces += [{type: "time"}] | .linux.timeOffsets = {monotonic: {secs: 86400, nanosecs: 5000}, boottime: {secs: 3600, nanosecs: 0}}'
	run_checker_case
	t '! grep -q "create failed" "$TAP"' config-linux.md#3 "time namespace supported"
}
register ns-time case_ns_time "time namespace with monotonic/boottime offsets" "runtime.md#37"

case_mounts_options() {
	new_bundle
	mkdir -p "$CASEDIR/bindsrc" && echo hello >"$CASEDIR/bindsrc/file"
	write_config '.mounts += [
	  {destination: "/m/ro", type: "tmpfs", source: "tmpfs", options: ["ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "sync", "dirsync"]},
	  {destination: "/m/rw", type: "tmpfs", source: "tmpfs", options: ["rw", "suid", "dev", "exec", "atime", "diratime", "async", "relatime"]},
	  {destination: "/m/strict", type: "tmpfs", source: "tmpfs", options: ["norelatime", "nostrictatime", "strictatime", "nolazytime"]},
	  {destination: "/m/order", type: "tmpfs", source: "tmpfs"},
	  {destination: "/m/order/inner", type: "tmpfs", source: "tmpfs"},
	  {destination: "/m/bind", type: "bind", source: $src, options: ["bind", "ro"]}
	]' --arg src "$CASEDIR/bindsrc"
	run_checker_case '{"expect": [{"clause": "config.md#23", "path": "/m/bind/file", "content": "hello\n"}]}'
}
register mounts-options case_mounts_options "mount options of config.md's table, order, bind" "config.md#21 config.md#22 config.md#23 config.md#25 config.md#26 config.md#27 config.md#28 config.md#32 config.md#33 config.md#34 config.md#35 config.md#37 config.md#38 config.md#39 config.md#40 config.md#47 config.md#57 config.md#68 config.md#72 config.md#73 config.md#75"

case_mounts_options_misc() {
	new_bundle
	write_config '.mounts += [
	  {destination: "/m/misc", type: "tmpfs", source: "tmpfs", options: ["lazytime", "iversion", "noiversion", "silent", "loud", "nosymfollow"]},
	  {destination: "/m/symf", type: "tmpfs", source: "tmpfs", options: ["nosymfollow", "symfollow"]},
	  {destination: "/m/defaults", type: "tmpfs", source: "tmpfs", options: ["defaults"]}]'
	run_checker_case
}
register mounts-options-misc case_mounts_options_misc "mount options lazytime, iversion, silent/loud, (no)symfollow, defaults" "config.md#24 config.md#29 config.md#30 config.md#31 config.md#36 config.md#41 config.md#70 config.md#74"

case_mounts_relative() {
	new_bundle
	write_config '.mounts += [{destination: "m/relative", type: "tmpfs", source: "tmpfs", options: ["nodev"]}]'
	run_checker_case
}
register mounts-relative case_mounts_relative "a relative mount destination is taken relative to /" "config.md#14"

case_rootfs_propagation() {
	new_bundle
	write_config '.linux.rootfsPropagation = $p' --arg p "$1"
	run_checker_case
}
case_rootfs_slave() { case_rootfs_propagation rslave; }
case_rootfs_shared() { case_rootfs_propagation rshared; }
register rootfs-rslave case_rootfs_slave "linux.rootfsPropagation rslave"
register rootfs-rshared case_rootfs_shared "linux.rootfsPropagation rshared"
# the four values config-linux.md names (the r- forms above are runc's)
case_rootfs_unbindable() { case_rootfs_propagation unbindable; }
case_rootfs_private() { case_rootfs_propagation private; }
register rootfs-unbindable case_rootfs_unbindable "linux.rootfsPropagation unbindable (the rootfs is still bind-mounted before the pivot)"
register rootfs-private case_rootfs_private "linux.rootfsPropagation private"

# a bind source with a submount, for recursive options
make_rsrc() {
	mkdir -p "$CASEDIR/rsrc/sub" && echo top >"$CASEDIR/rsrc/file"
	mount -t tmpfs -o mode=755 ociv-sub "$CASEDIR/rsrc/sub" && echo sub >"$CASEDIR/rsrc/sub/file"
}

case_mounts_recursive() {
	new_bundle
	make_rsrc
	write_config '.mounts += [
	  {destination: "/r/a", type: "bind", source: $src, options: ["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnosymfollow"]},
	  {destination: "/r/b", type: "bind", source: $src, options: ["rbind", "rrw", "rsuid", "rdev", "rexec", "rsymfollow"]},
	  {destination: "/r/plain", type: "bind", source: $src, options: ["bind"]}
	]' --arg src "$CASEDIR/rsrc"
	run_checker_case '{"expect": [
	  {"clause": "config.md#44", "path": "/r/a/sub", "mountpoint": true},
	  {"clause": "config.md#44", "path": "/r/a/sub/file", "content": "sub\n"},
	  {"clause": "config.md#23", "path": "/r/plain/sub", "mountpoint": false}]}'
}
register mounts-recursive case_mounts_recursive "rbind and the recursive (r*) mount options on a submount" "config.md#44 config.md#55 config.md#56 config.md#60 config.md#61"

case_mounts_recursive_atime() {
	new_bundle
	make_rsrc
	write_config '.mounts += [
	  {destination: "/r/c", type: "bind", source: $src, options: ["rbind", "rnoatime", "rnodiratime"]},
	  {destination: "/r/d", type: "bind", source: $src, options: ["rbind", "ratime", "rdiratime", "rrelatime"]},
	  {destination: "/r/e", type: "bind", source: $src, options: ["rbind", "rnorelatime", "rnostrictatime", "rstrictatime"]}
	]' --arg src "$CASEDIR/rsrc"
	run_checker_case
}
register mounts-recursive-atime case_mounts_recursive_atime "recursive atime options (rnoatime, rrelatime, rstrictatime...) on a submount" "config.md#43 config.md#46 config.md#50 config.md#51 config.md#53 config.md#54 config.md#59 config.md#64"

case_mounts_propagation() {
	new_bundle
	make_rsrc
	mount --bind "$CASEDIR/rsrc" "$CASEDIR/rsrc" && mount --make-rshared "$CASEDIR/rsrc"
	write_config '.mounts += [
	  {destination: "/p/shared", type: "bind", source: $src, options: ["bind", "shared"]},
	  {destination: "/p/slave", type: "bind", source: $src, options: ["bind", "slave"]},
	  {destination: "/p/private", type: "bind", source: $src, options: ["bind", "private"]},
	  {destination: "/p/unbindable", type: "bind", source: $src, options: ["bind", "unbindable"]},
	  {destination: "/p/rshared", type: "bind", source: $src, options: ["rbind", "rshared"]},
	  {destination: "/p/rslave", type: "bind", source: $src, options: ["rbind", "rslave"]},
	  {destination: "/p/rprivate", type: "bind", source: $src, options: ["rbind", "rprivate"]},
	  {destination: "/p/runbindable", type: "bind", source: $src, options: ["rbind", "runbindable"]}
	]' --arg src "$CASEDIR/rsrc"
	run_checker_case
}
register mounts-propagation case_mounts_propagation "propagation options (shared/slave/private/unbindable, recursive) and rootfsPropagation rslave" "config.md#42 config.md#58 config.md#62 config.md#63 config.md#67 config.md#69 config.md#71 config.md#76"

case_mounts_idmap() {
	new_bundle
	mkdir -p "$CASEDIR/idsrc" && chown 0:0 "$CASEDIR/idsrc"
	write_config '.mounts += [{destination: "/idm", type: "bind", source: $src, options: ["bind", "idmap"],
	    uidMappings: [{containerID: 0, hostID: 1234, size: 1}], gidMappings: [{containerID: 0, hostID: 4321, size: 1}]},
	  {destination: "/ridm", type: "bind", source: $src, options: ["rbind", "ridmap"],
	    uidMappings: [{containerID: 0, hostID: 2345, size: 1}], gidMappings: [{containerID: 0, hostID: 5432, size: 1}]}]' --arg src "$CASEDIR/idsrc"
	run_checker_case '{"expect": [{"clause": "config.md#79", "path": "/idm", "uid": 1234, "gid": 4321},
	  {"clause": "config.md#85", "path": "/ridm", "uid": 2345, "gid": 5432}]}'
}
register mounts-idmap case_mounts_idmap "idmap bind mount with its own uid/gid mappings" "config.md#77 config.md#79 config.md#83 config.md#85"

case_devices() {
	new_bundle
	write_config '.linux.devices = [
	    {path: "/dev/ociv-c", type: "c", major: 1, minor: 3, fileMode: 416, uid: 1, gid: 2},
	    {path: "/dev/ociv-b", type: "b", major: 7, minor: 0, fileMode: 384, uid: 0, gid: 0},
	    {path: "/dev/ociv-u", type: "u", major: 1, minor: 5, fileMode: 438},
	    {path: "/dev/ociv-p", type: "p", fileMode: 420},
	    {path: "/dev/sub/ociv-nested", type: "c", major: 1, minor: 7}]
	  | .linux.resources.devices = [
	    {allow: false, access: "rwm"},
	    {allow: true, type: "b", major: 7, minor: 0, access: "rwm"},
	    {allow: false, type: "b", major: 7, minor: 0, access: "w"}]'
	run_checker_case '{"deviceAccess": [{"path": "/dev/ociv-b", "mode": "r", "allowed": true}, {"path": "/dev/ociv-b", "mode": "w", "allowed": false}]}'
}
register devices case_devices "linux.devices (c/b/u/p, mode, owner) and device cgroup rules in order" "config-linux.md#14 config-linux.md#42"

case_sysctl() {
	new_bundle
	write_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "12345678", "fs.mqueue.msg_max": "20", "kernel.domainname": "ociv.example"}
	  | .domainname = "ociv.example"'
	run_checker_case
}
register sysctl case_sysctl "linux.sysctl (net, ipc, uts keys) and domainname"

case_personality() {
	new_bundle
	write_config '.linux.personality = {domain: "LINUX32"}'
	run_checker_case
}
register personality case_personality "linux.personality LINUX32" "config-linux.md#112"

case_cgroups() {
	new_bundle
	write_config '.linux.namespaces += [{type: "cgroup"}] | .mounts += ['"$CGMOUNT"']
	  | .linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 64}
	  | .linux.resources.cpu = {shares: 512, quota: 50000, period: 100000}'
	after_create_hook() {
		local pid d ok=1 n=0
		pid=$(state_of "$ID" | jq -r .pid)
		for d in $(cg_dirs "ociv/$ID"); do
			n=$((n + 1))
			grep -qx "$pid" "$d/cgroup.procs" || ok=0
		done
		[ $n -gt 0 ] && [ $ok = 1 ] && t_ok config-linux.md#31 "process is in cgroupsPath /ociv/$ID below the cgroup mount ($n hierarchies)" ||
			t_fail config-linux.md#31 "process $pid not in cgroupsPath /ociv/$ID in every hierarchy ($n found)"
	}
	run_checker_case
}
register cgroups case_cgroups "cgroupsPath placement and memory/pids/cpu limits seen through a cgroup namespace"

case_cgroups_pids_zero() {
	new_bundle
	write_config '.linux.namespaces += [{type: "cgroup"}] | .mounts += ['"$CGMOUNT"'] | .linux.resources.pids = {limit: 0}'
	run_checker_case
}
register cgroups-pids-zero case_cgroups_pids_zero "pids limit 0 is a real limit (config-linux.md PIDs note)" "config-linux.md#59"

case_seccomp() {
	new_bundle
	write_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	  syscalls: [{names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 33},
	             {names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 34, args: [{index: 0, value: 4660, op: "SCMP_CMP_EQ"}]}]}'
	run_checker_case
}
register seccomp case_seccomp "seccomp: errno rules with errnoRet and an argument filter" "config-linux.md#90 config-linux.md#98 config-linux.md#102 config-linux.md#104"

# The profile opencontainers runtime-tools' generator puts in its default
# config: Docker's from before faccessat2, clone3, openat2 and close_range
# (default SCMP_ACT_ERRNO), with noNewPrivileges false as generated. The
# container must start and run unchanged: nothing the runtime does before
# execve may depend on a syscall the profile does not list.
case_seccomp_legacy() {
	new_bundle
	write_config '.process.noNewPrivileges = false | .linux.seccomp = $p[0]' \
		--slurpfile p "$HERE/lib/seccomp-2019.json"
	run_checker_case
}
register seccomp-legacy case_seccomp_legacy "seccomp: a generator-style 2019 profile (default SCMP_ACT_ERRNO, no syscalls newer than 2019)" "config-linux.md#90"

case_memory_policy() {
	new_bundle
	write_config '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0"}'
	run_checker_case
}
register memory-policy case_memory_policy "linux.memoryPolicy" "runtime.md#37"

case_netdevices() {
	if ! ip link add ociv0 type veth peer name ociv1 2>/dev/null; then case_skip "cannot create a veth interface on this host"; return; fi
	ip addr add 10.199.0.1/24 dev ociv0
	new_bundle
	write_config '.linux.netDevices = {ociv0: {name: "eth9"}}'
	run_checker_case '{"netAddr": {"eth9": "10.199.0.1"}}'
	ip link del ociv0 2>/dev/null; ip link del ociv1 2>/dev/null
}
register netdevices case_netdevices "linux.netDevices: move a host interface in, renamed, up, addresses kept" "config-linux.md#21 config-linux.md#25 config-linux.md#26"

case_config_immutable() {
	new_bundle
	write_config '.hostname = "before"'
	after_create_hook() {
		jq '.hostname = "after" | .process.args = ["/bin/false"]' "$B/config.json" >"$B/config.json.new" && mv "$B/config.json.new" "$B/config.json"
	}
	run_checker_case
	t '! grep -q "^not ok" "$TAP"' runtime.md#13 "hostname and args edited in config.json after create did not reach the container"
}
register config-immutable case_config_immutable "changes to config.json after create have no effect"

# an unknown property (object, array, number, null values) at every level
# of config.json: top level, root, process and its user, capabilities,
# rlimits[] and consoleSize, mounts[], hooks and a hook, linux, namespaces[],
# resources and its memory, pids and devices[], devices[], seccomp, its
# syscalls[] and args[]; an unknown hook kind; unknown annotation keys
UNKNOWN_JQ='def x: . + {"x-ociv-unknown": {a: [1, {b: null}], c: "d"}, "x-ociv-num": 1.5e300, "x-ociv-null": null};
  x | .root |= x | .process |= x | .process.user |= x | .process.capabilities |= x
  | .process.rlimits |= map(x) | .process.consoleSize |= x | .mounts |= map(x)
  | .hooks = ({prestart: [({path: "/bin/true", args: ["true"]} | x)], "x-ociv-kind": [{path: "/bin/false"}]} | x)
  | .linux |= x | .linux.namespaces |= map(x)
  | .linux.resources = ({memory: ({limit: 268435456} | x), pids: ({limit: 1000} | x),
      devices: [({allow: true, access: "rwm"} | x)]} | x)
  | .linux.devices = [({path: "/dev/ociv-null", type: "c", major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0} | x)]
  | .linux.seccomp = ({defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
      syscalls: [({names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 33, args: [({index: 0, value: 0, op: "SCMP_CMP_GE"} | x)]} | x)]} | x)
  | .annotations["com.example.ociv.unknown-key"] = "v" | .annotations["org.opencontainers.ociv.unknown"] = "w"'

case_unknown_properties() {
	new_bundle
	write_config "$UNKNOWN_JQ"
	run_checker_case
	local ok='! grep -q "^not ok" "$TAP"'
	t "$ok" config.md#173 "unknown properties at every level (top, root, process, user, capabilities, rlimits, consoleSize, mounts, hooks, linux, namespaces, resources, devices, seccomp, syscalls, args) ignored"
	t "$ok" config.md#171 "unknown annotation keys handled like any unknown property"
	t "$ok" config.md#165 "annotations given as a key-value map of strings accepted"
}
register unknown-properties case_unknown_properties "unknown properties at every level and annotation keys are ignored" "config.md#173"

# what jq cannot write: inside an unknown property, a duplicate key and a
# string with an escaped NUL are the property's business, not the runtime's
case_unknown_properties_raw() {
	new_bundle
	mkdir -p "$CASEDIR/out"
	write_config '.process.args = ["/bin/sh", "-c", "echo ran >/out/ran"]
	  | .mounts += [{destination: "/out", type: "bind", source: $out, options: ["rbind", "rw"]}]
	  | .process["x-ociv-raw"] = {k: 1}' --arg out "$CASEDIR/out"
	sed -i '0,/{/s//{"x-ociv-dup": 1, "x-ociv-dup": {"s": "a\\u0000b"}, "x-ociv-nul": "\\u0000", /; s/"k": 1/"k": 1, "k": [2]/' "$B/config.json"
	if ! rt create --bundle "$B" "$ID" >/dev/null 2>"$CASEDIR/create.err" </dev/null; then
		t_fail config.md#173 "create refused unknown properties with a duplicate key or an escaped NUL: $(tail -c 300 "$CASEDIR/create.err" | tr '\n' ' ')"
		return
	fi
	t_ok config.md#173 "create accepts unknown properties holding a duplicate key and an escaped NUL"
	t 'rt start "$ID"' runtime.md#30 "start succeeds"
	t 'wait_status $ID stopped 50 && [ "$(cat "$CASEDIR/out/ran")" = ran ]' runtime.md#42 "the program ran"
}
register unknown-properties-raw case_unknown_properties_raw "unknown properties holding duplicate keys and escaped NULs are ignored"

case_apparmor() {
	if [ ! -d /sys/kernel/security/apparmor ]; then case_skip "no AppArmor on this host"; return; fi
	new_bundle
	write_config '.process.apparmorProfile = "unconfined"'
	run_checker_case
}
register apparmor case_apparmor "process.apparmorProfile"

case_intelrdt() {
	if ! grep -q resctrl /proc/mounts; then case_skip "no resctrl filesystem on this host"; return; fi
	new_bundle
	write_config '.linux.intelRdt = {closID: "/"}'
	run_checker_case
}
register intelrdt case_intelrdt "linux.intelRdt"
