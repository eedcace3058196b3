#!/bin/bash
# The engine suite inside its private pid/net/mount/cgroup namespaces (started
# by tests/engines/run; we are pid 1 here). Sets up images and the registry,
# then for each engine: start it, run its scenarios, stop it.
set -uo pipefail
here=$RL_ENGINES_DIR
. "$here/lib.bash"
. "$here/setup.bash"

# Private /run (podman's /run/libpod and /run/netns, the runtimes' default
# state roots /run/rustlet, /run/crun, /run/runc, iptables' lock) and /var/run.
mount -t tmpfs -o mode=755 tmpfs /run
ip link set lo up
# conmon writes an "oom" file into its working directory
cd "$S" || exit 1
# crun 1.8 refuses hybrid hosts whose cgroup2 lists controllers (machine.md):
# hide them from it, in our mount namespace only.
u=/sys/fs/cgroup/unified/cgroup.controllers
# (cgroupfs files have size 0: read it)
if [[ $(basename "$RUNTIME") == crun && -n $(cat "$u" 2>/dev/null) ]]; then
	: >"$S/empty" && mount --bind "$S/empty" "$u"
fi
export TMPDIR=$S/tmp XDG_RUNTIME_DIR=$S/xdg HOME=$S/home
mkdir -p "$TMPDIR" "$XDG_RUNTIME_DIR" "$HOME"
export RL_SCENARIO_TIMEOUT=${ENGINES_SCENARIO_TIMEOUT:-90}

passed=0 failed=0 skipped=0
skips=()
daemons=()
# Stop every daemon we started (by pid), newest first.
stop_daemons() {
	local i pid
	for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
		pid=${daemons[$i]}
		kill -TERM "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	daemons=()
}
trap 'stop_daemons' EXIT
trap 'exit 143' TERM INT

# verdict ENGINE NAME RC SECONDS LOG
verdict() {
	local what="$1 $2" rc=$3 t=$4 log=$5
	case $rc in
	0) passed=$((passed + 1)); printf 'ok   %-34s %3ss\n' "$what" "$t" ;;
	77) skipped=$((skipped + 1))
		local why; why=$(cat "$S/skip" 2>/dev/null)
		skips+=("$what: $why")
		printf 'skip %-34s (%s)\n' "$what" "$why" ;;
	*) failed=$((failed + 1))
		local how="exit $rc"
		((rc == 124 || rc == 137)) && how="timed out after ${RL_SCENARIO_TIMEOUT}s"
		printf 'FAIL %-34s %3ss (%s; log %s)\n' "$what" "$t" "$how" "$(basename "$log")"
		tail -n 12 "$log" | sed 's/^/     | /'
		touch "$log.failed" ;;
	esac
}

# scenario ENGINE NAME: run sc_ENGINE_NAME (NAME with - as _) in a fresh
# bash under timeout, then remove whatever containers it left.
scenario() {
	local engine=$1 name=$2 fn log t0 rc=0
	fn=sc_${engine}_${name//-/_}
	log=$S/logs/$engine-$name.log
	rm -f "$S/skip"
	t0=$SECONDS
	# The Debian image is packed once debootstrap is done, outside the
	# scenario's time limit; the scenario skips if there is none.
	[[ $name != debian ]] || prepare_debian >/dev/null 2>&1 || true
	RL_SCENARIO=$name RL_SKIP_FILE=$S/skip RL_ENGINE=$engine \
		timeout -k 5 "$RL_SCENARIO_TIMEOUT" bash -c \
		'set -euo pipefail; . "$RL_ENGINES_DIR/lib.bash"; . "$RL_ENGINES_DIR/setup.bash"
		 . "$RL_ENGINES_DIR/$RL_ENGINE.bash"; '"$fn" </dev/null >"$log" 2>&1 || rc=$?
	verdict "$engine" "$name" "$rc" $((SECONDS - t0)) "$log"
	timeout -k 5 60 bash -c '. "$RL_ENGINES_DIR/lib.bash"; . "$RL_ENGINES_DIR/'"$engine"'.bash"; '"${engine}_reset" \
		>>"$log" 2>&1 </dev/null || echo "     (cleaning up after $engine $name failed, see its log)"
}

start=$SECONDS
echo "# setup: busybox image, registry"
if ! setup_images_and_registry >"$S/logs/setup.log" 2>&1; then
	tail -n 20 "$S/logs/setup.log"
	touch "$S/logs/setup.log.failed"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "# setup took $((SECONDS - start))s"

for engine in $RL_ENGINES; do
	(
		# the registry is the parent's; this subshell stops only its engine
		daemons=()
		trap stop_daemons EXIT
		. "$here/$engine.bash"
		t0=$SECONDS
		echo "# $engine: starting"
		if ! "${engine}_start" >"$S/logs/$engine-daemon-start.log" 2>&1; then
			tail -n 20 "$S/logs/$engine-daemon-start.log"
			touch "$S/logs/$engine-daemon-start.log.failed"
			echo "FAIL $engine start"
			echo "$passed $((failed + 1)) $skipped" >"$S/counts.$engine"
			exit 0
		fi
		for name in "${SCENARIOS[@]}"; do
			# --only: just these (and the pull the others need)
			[[ -z $RL_ONLY || $name == pull || " $RL_ONLY " == *" $name "* ]] || continue
			scenario "$engine" "$name"
		done
		stop_daemons
		echo "# $engine: $((SECONDS - t0))s"
		echo "$passed $failed $skipped" >"$S/counts.$engine"
		printf '%s\n' "${skips[@]}" >"$S/skips.$engine"
	)
done
# The cgroups the engines made beneath ours (their parents stay when the
# containers are gone): docker's /docker, podman's /libpod_parent,
# containerd's /<namespace>. Empty by now; removed deepest first.
remove_engine_cgroups() {
	local h n
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		for n in docker libpod_parent "${CONTAINERD_NAMESPACE:-rl-engines}"; do
			[[ -d $h$n && -f $h$n/cgroup.procs ]] || continue
			find "$h$n" -depth -type d -exec rmdir {} + 2>/dev/null ||
				echo "# could not remove every cgroup below $h$n"
		done
	done
}
stop_daemons
remove_engine_cgroups

p=0 f=0 s=0
for engine in $RL_ENGINES; do
	read -r a b c <"$S/counts.$engine" || { a=0 b=1 c=0; }
	p=$((p + a)) f=$((f + b)) s=$((s + c))
done
echo "# took $((SECONDS - start))s"
if ((s)); then
	echo "# skipped:"
	cat "$S"/skips.* 2>/dev/null | sed '/^$/d; s/^/#   /'
fi
echo "$p passed, $f failed, $s skipped"
((f == 0))
