# lib/common.sh - the driver's machinery: tools, checker build, rootfs,
# private namespaces and cgroupfs, runtime calls, TAP, bookkeeping.
# shellcheck shell=bash

CASES=()        # case ids, in run order
declare -A CASE_FN CASE_DESC CASE_CLAUSES

# register NAME FUNCTION DESCRIPTION [CLAUSES]
# CLAUSES: the clause ids the case's checker checks; reported as "not ok"
# when the container cannot be created or started, so that the failure is
# attributed to the clauses the case exists for
register() { CASES+=("$1"); CASE_FN[$1]=$2; CASE_DESC[$1]=$3; CASE_CLAUSES[$1]=${4:-}; }

not_checked() {
	local cl
	for cl in ${CASE_CLAUSES[$CASE]:-}; do t_fail "$cl" "not checked: $1"; done
}

CACHE=${XDG_CACHE_HOME:-/tmp}/oci-validation
CHECKER=$CACHE/checker
BASEROOTFS=$CACHE/rootfs

require_tools() {
	local t missing=()
	for t in jq gcc readelf busybox unshare nsenter timeout mount umount realpath sha256sum ip; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "run: missing tools: ${missing[*]}" >&2
		echo "     (Debian: apt-get install jq gcc busybox-static util-linux coreutils iproute2)" >&2
		exit 2
	fi
	if ! file_is_static "$(command -v busybox)"; then
		echo "run: $(command -v busybox) is not statically linked; install busybox-static" >&2
		exit 2
	fi
}

file_is_static() { ! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q "program interpreter"; }

build_checker() {
	local src=$HERE/checker sum
	mkdir -p "$CACHE"
	sum=$(cat "$src"/*.c "$src"/*.h | sha256sum | cut -c1-16)
	if [ ! -x "$CHECKER" ] || [ "$(cat "$CHECKER.sum" 2>/dev/null)" != "$sum" ]; then
		echo "building checker into $CHECKER"
		gcc -static -O2 -Wall -o "$CHECKER.tmp" "$src"/*.c 2>"$CACHE/checker-build.log" || {
			echo "run: checker build failed, see $CACHE/checker-build.log" >&2; return 1; }
		mv "$CHECKER.tmp" "$CHECKER" && echo "$sum" >"$CHECKER.sum"
	fi
}

build_rootfs() {
	[ -x "$BASEROOTFS/bin/sh" ] && return 0
	echo "preparing busybox rootfs in $BASEROOTFS"
	rm -rf "$BASEROOTFS.tmp"
	mkdir -p "$BASEROOTFS.tmp"/{bin,dev,proc,sys,tmp,etc,root,oci-validation} &&
	cp "$(command -v busybox)" "$BASEROOTFS.tmp/bin/busybox" &&
	chroot "$BASEROOTFS.tmp" /bin/busybox --install -s /bin &&
	chmod 1777 "$BASEROOTFS.tmp/tmp" &&
	echo "root:x:0:0:root:/root:/bin/sh" >"$BASEROOTFS.tmp/etc/passwd" &&
	echo "root:x:0:" >"$BASEROOTFS.tmp/etc/group" &&
	mv "$BASEROOTFS.tmp" "$BASEROOTFS"
}

# --- inside the private namespaces -------------------------------------------
setup_inner() {
	local line mp fstype sopts
	WORK=$(mktemp -d /tmp/ociv.XXXXXX)
	mount -t tmpfs -o mode=755 ociv-work "$WORK" || return 1
	# shared (inside our private mount namespace): bind mounts of bundle dirs
	# then have peers, so that slave/shared propagation is observable
	mount --make-shared "$WORK"
	ROOTDIR=$WORK/state
	cp -a "$BASEROOTFS" "$WORK/rootfs" || return 1
	mkdir -p "$ROOTDIR" "$WORK/cases"
	[ -n "$RESULTS" ] || RESULTS=$(mktemp -d /tmp/ociv-results.XXXXXX)
	# remount every cgroup hierarchy so that our own cgroup is its root
	while read -r mp fstype sopts; do
		umount -l "$mp" && mount -t "$fstype" -o "$sopts" "$fstype" "$mp" ||
			{ echo "run: cannot remount $mp ($fstype $sopts)" >&2; return 1; }
	done < <(awk '{ for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup" || $(i+1) == "cgroup2") print $5, $(i+1), $(i+3) }' /proc/self/mountinfo)
	CGMODE=v1
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && CGMODE=v2
	if [ "$CGMODE" = v1 ] && [ -e /sys/fs/cgroup/unified/cgroup.controllers ]; then
		CGMODE=hybrid
		if [ "$UNIFIED" != keep ]; then
			# crun refuses a hybrid host whose cgroup2 lists controllers, and
			# on this kind of host they come and go (hugetlb): show every
			# runtime the same plain v1 host instead (--cgroup-unified keep
			# to measure a runtime's hybrid support)
			umount -l /sys/fs/cgroup/unified
			CGMODE="v1 (cgroup2 hidden)"
		fi
	fi
	ip link set lo up 2>/dev/null
	HOSTCAPBND=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
	HOSTOOM=$(cat /proc/self/oom_score_adj)
	EXPECTED_LIST=""
	[ -n "$EXPECTED" ] && EXPECTED_LIST=$(grep -v '^[[:space:]]*#' "$EXPECTED" | awk 'NF {print $1}')
	echo "runtime: $RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -1))"
	echo "cgroups: $CGMODE; state root: $ROOTDIR; results: $RESULTS"
}

# the runtime, with a private state root and a timeout
rt() { timeout -k 5 "$TMO" "$RUNTIME" ${OCIV_RT_FLAGS:-} --root "$ROOTDIR" "$@"; }

# host namespace inodes as JSON
host_ns_json() {
	local t out="{"
	for t in pid net mnt ipc uts user cgroup time; do
		[ -e /proc/self/ns/$t ] && out+="\"$t\":$(stat -L -c %i /proc/self/ns/$t),"
	done
	echo "${out%,}}"
}

# --- TAP of one case ------------------------------------------------------------
tap() { echo "$*" >>"$TAP"; }
# t COND CLAUSE DESC...  (COND is a shell command; 0 = ok)
t() {
	local cond=$1 clause=$2; shift 2
	if eval "$cond" >/dev/null 2>&1; then tap "ok - $clause $*"; else tap "not ok - $clause $*"; fi
}
t_ok() { tap "ok - $1 ${*:2}"; }
t_fail() { tap "not ok - $1 ${*:2}"; }
t_skip() { tap "ok - $1 ${*:3} # SKIP $2"; }
case_skip() { echo "$1" >"$CASEDIR/skip"; }

# --- bundles -------------------------------------------------------------------
# new_bundle: fresh bundle dir $B with rootfs; config from base_config | jq FILTER
new_bundle() {
	B=$CASEDIR/bundle
	mkdir -p "$B"
	# hard links: fast, and no case writes to the rootfs files themselves;
	# `new_bundle copy` for cases where a runtime might chown them (user ns)
	# (hard links need the same filesystem: link from a copy on the work tmpfs)
	if [ "${1:-}" = copy ]; then cp -a "$BASEROOTFS" "$B/rootfs"; else cp -al "$WORK/rootfs" "$B/rootfs"; fi
	cp "$CHECKER" "$B/rootfs/oci-validation/checker"
}

# write_config FILTER [jq args...]: base config transformed by FILTER
write_config() {
	local filter=$1; shift
	# jq stores numbers as doubles: restore RLIM_INFINITY (2^64-1) exactly
	base_config | jq "$@" "$filter" | sed 's/18446744073709552000/18446744073709551615/g' >"$B/config.json"
	[ -s "$B/config.json" ] || t_fail runtime.md#36 "TEST BUG: config generation failed (jq filter $filter)"
}

# host.json for the checker: host namespace inodes and expectations
write_host() {
	local extra=${1:-}
	[ -n "$extra" ] || extra='{}'
	jq -n --argjson ns "$(host_ns_json)" --arg bnd "$HOSTCAPBND" --argjson oom "$HOSTOOM" \
		'{ns: $ns, capBnd: $bnd, oomScoreAdj: $oom}' | jq ". * $extra" >"$B/rootfs/oci-validation/host.json"
	cp "$B/config.json" "$B/rootfs/oci-validation/config.json"
}

# state_of ID: the state JSON (empty on error)
state_of() { rt state "$1" 2>/dev/null; }
status_of() { rt state "$1" 2>/dev/null | jq -r .status 2>/dev/null; }

# wait_status ID STATUS [tenths]: poll until the container has STATUS
wait_status() {
	local i n=${3:-100}
	for ((i = 0; i < n; i++)); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# run_checker_case [HOSTJSON]: create+start the bundle $B as container $ID
# running the checker; its TAP goes to the case TAP.
run_checker_case() {
	write_host "${1:-}"
	if ! rt create --bundle "$B" "$ID" >"$CASEDIR/checker.out" 2>"$CASEDIR/create.err" </dev/null; then
		t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err" | tr '\n' ' ')"
		not_checked "create failed"
		return 1
	fi
	after_create_hook
	if ! rt start "$ID" >"$CASEDIR/start.out" 2>"$CASEDIR/start.err"; then
		t_fail runtime.md#42 "start failed: $(tail -c 300 "$CASEDIR/start.err" | tr '\n' ' ')"
		not_checked "start failed"
		return 1
	fi
	if ! wait_status "$ID" stopped 150; then
		t_fail runtime.md#42 "checker did not finish within 15s"
	fi
	grep -E '^(ok|not ok) ' "$CASEDIR/checker.out" >>"$TAP"
	grep -q '^1\.\.[0-9]' "$CASEDIR/checker.out" ||
		t_fail runtime.md#42 "checker output incomplete (no TAP plan): $(head -c 300 "$CASEDIR/checker.out" | tr '\n' ' ')"
	t '! grep -q "^not ok" "$TAP"' runtime.md#10 "the container environment is the one config.json describes (all checks above)"
	return 0
}
after_create_hook() { :; }

# cgroup dirs of a cgroupsPath, in every hierarchy we can see
cg_dirs() {
	local d
	for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -e "$d/cgroup.procs" ] || [ -e "$d/tasks" ] || continue
		[ -d "$d/$1" ] && echo "${d%/}/$1"
	done
}

rm_cgroup_tree() {
	local d
	for d in $(cg_dirs "$1"); do
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
}

# --- running the cases -----------------------------------------------------------
cleanup_case() {
	local left
	rt delete --force "$ID" >/dev/null 2>&1
	# resources the container held must be gone (runtime.md#49)
	left=$(cg_dirs "ociv/$ID")
	if [ -n "$left" ] && [ ! -e "$CASEDIR/skip" ] && [ "${KEEP_CGROUP:-0}" = 0 ]; then
		t_fail runtime.md#49 "cgroup left behind after delete: $left"
	fi
	rm_cgroup_tree "ociv/$ID"
	rm -rf "${ROOTDIR:?}/$ID"
	umount -R "$CASEDIR" 2>/dev/null
	# unmount what the case mounted in its dir (propagation sources etc.)
	grep -F " $CASEDIR/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	[ -f "$CASEDIR/bundle/config.json" ] && cp "$CASEDIR/bundle/config.json" "$RESULTS/$(basename "$CASEDIR").config.json"
	rm -rf "$CASEDIR/bundle"
}

run_one() {
	local c=$1 start end res reason
	ID="ociv-$c"
	CASE=$c
	CASEDIR=$WORK/cases/$c
	TAP=$RESULTS/$c.tap
	mkdir -p "$CASEDIR"
	: >"$TAP"
	after_create_hook() { :; }
	KEEP_CGROUP=0
	start=$(date +%s%N)
	( "${CASE_FN[$c]}" ) >"$CASEDIR/case.log" 2>&1
	cleanup_case
	end=$(date +%s%N)
	for f in "$CASEDIR"/*.err "$CASEDIR"/*.out; do [ -e "$f" ] && cp "$f" "$RESULTS/$c.$(basename "$f")"; done
	if [ -e "$CASEDIR/skip" ]; then
		res=skip; reason=$(cat "$CASEDIR/skip")
	elif grep -q '^not ok' "$TAP"; then
		res=FAIL; reason=$(grep -m1 '^not ok' "$TAP" | sed 's/^not ok[ 0-9]*- //')
	elif ! grep -q '^ok' "$TAP"; then
		res=FAIL; reason="no checks ran (see $RESULTS/$c.case.log)"
	else
		res=pass; reason=""
	fi
	cp "$CASEDIR/case.log" "$RESULTS/$c.case.log" 2>/dev/null
	printf '%s\t%s\t%s\n' "$c" "$res" "$reason" >>"$RESULTS/results.tsv"
	printf '%-28s %-5s %4dms  %s\n' "$c" "$res" $(((end - start) / 1000000)) "$reason" | cut -c1-200
}

run_all() {
	local c t0 pass=0 fail=0 skipn=0 unexpected=0 expfail=0
	: >"$RESULTS/results.tsv"
	t0=$(date +%s)
	for c in "${CASES[@]}"; do
		[ -n "$ONLY" ] && ! [[ $c =~ $ONLY ]] && continue
		run_one "$c"
	done
	while IFS=$'\t' read -r c res _; do
		case $res in
		pass) pass=$((pass + 1)) ;;
		skip) skipn=$((skipn + 1)) ;;
		FAIL)
			fail=$((fail + 1))
			if grep -qxF -- "$c" <<<"$EXPECTED_LIST"; then expfail=$((expfail + 1)); else unexpected=$((unexpected + 1)); fi ;;
		esac
	done <"$RESULTS/results.tsv"
	for c in $(cg_dirs ociv); do rmdir "$c" 2>/dev/null; done
	echo "time: $(($(date +%s) - t0))s; results and logs in $RESULTS"
	[ -n "$EXPECTED" ] && echo "expected failures: $expfail of $fail failures are listed in $EXPECTED"
	cd / && umount -R "$WORK" 2>/dev/null; rmdir "$WORK" 2>/dev/null
	# With --expected-failures the closing line counts only the unexpected
	# failures as failed; the listed ones were reported on the line above.
	if [ -n "$EXPECTED" ]; then
		echo "$pass passed, $unexpected failed, $skipn skipped"
	else
		echo "$pass passed, $fail failed, $skipn skipped"
	fi
	[ "$unexpected" = 0 ]
}
