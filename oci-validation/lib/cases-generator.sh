# lib/cases-generator.sh - the checker cases once more, from a config shaped
# like the one opencontainers runtime-tools' generator writes (`oci-runtime-tool
# generate`, the base of its validation programs) instead of our minimal one:
# the full default profile. Third-party validation found what the minimal
# bundle hid (issue 12): every clause a checker case covers is then also
# checked from this shape (gen-<case>).
# shellcheck shell=bash

# generator_shape: stdin config -> the generator's default profile, keeping
# the case's id, args, env and cgroupsPath: all five capability sets, the
# RLIMIT_NOFILE rlimit, noNewPrivileges false, its hostname, its mount list
# (with /sys/fs/cgroup), its namespaces (pid network ipc uts mount),
# its maskedPaths and readonlyPaths, the deny-all device cgroup rule, and
# the 2019 seccomp profile (default SCMP_ACT_ERRNO). The device list is the
# runtime's default one (the generator lists none).
generator_shape() {
	jq --slurpfile sc "$HERE/lib/seccomp-2019.json" '
	  (.process.capabilities.bounding) as $caps
	  | .process.capabilities = {bounding: $caps, effective: $caps, inheritable: $caps, permitted: $caps, ambient: $caps}
	  | .process.rlimits = [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}]
	  | .process.noNewPrivileges = false
	  | .process.env += ["TERM=xterm"]
	  | .hostname = "mrsdalloway"
	  | .mounts = [
	      {destination: "/proc", type: "proc", source: "proc"},
	      {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	      {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
	      {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	      {destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]},
	      {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]},
	      {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}
	    ] + [.mounts[] | select(.destination | IN("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup") | not)]
	  | .linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}]
	  | .linux.maskedPaths = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	      "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"]
	  | .linux.readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	  | .linux.resources = {devices: [{allow: false, access: "rwm"}]}
	  | .linux.seccomp = $sc[0]'
}

# the checker, lifecycle, hook and error cases that run unchanged on the
# generator's shape (their own filter applies on top of it); left out:
# ns-inherit and ns-path (they list the namespaces themselves), cgroups and
# cgroups-pids-zero (they mount /sys/fs/cgroup themselves, next to the
# generator's read-only one), seccomp* (they set their own profile),
# memory-policy (the 2019 profile refuses get_mempolicy to the checker),
# unknown-properties-raw, apparmor and intelrdt (host-limited)
GEN_CASES="basic process-user process-scheduler process-ioprio process-cpuaffinity root-readonly ns-new ns-user ns-time
  mounts-options mounts-options-misc mounts-relative rootfs-rslave rootfs-private mounts-recursive mounts-propagation
  mounts-recursive-atime mounts-idmap devices sysctl personality unknown-properties
  lifecycle kill-created kill-created-term kill-created-ignored hooks hook-fail-prestart hook-fail-createruntime
  hook-fail-createcontainer hook-fail-startcontainer hook-fail-poststart hook-fail-poststop config-immutable
  missing-id"
# and every error case: a bad value must be refused from the full profile too
for c in "${CASES[@]}"; do [[ $c == err-* ]] && GEN_CASES+=" $c"; done

gen_case() { SHAPE=generator "${CASE_FN[${CASE#gen-}]}"; }
for c in $GEN_CASES; do
	register "gen-$c" gen_case "generator shape: ${CASE_DESC[$c]}" "${CASE_CLAUSES[$c]}"
done
