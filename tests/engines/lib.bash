# Shared helpers of the engine suite (sourced by run and by every scenario).
#
# A scenario is a bash function named sc_ENGINE_NAME in ENGINE.bash. It runs
# in its own `timeout` process group with stdout+stderr in a log file; it
# passes when it returns 0, fails otherwise, and skips by calling `skip
# REASON` (exit 77). Helpers below fail loudly with what they expected.

# Fail the scenario with a message (goes to the scenario's log).
die() {
	echo "FAIL: $*" >&2
	exit 1
}

# Skip the scenario; the reason is printed next to the verdict.
skip() {
	echo "$*" >"$RL_SKIP_FILE"
	exit 77
}

# Echo a command before running it, so the log shows what was done.
x() {
	echo "+ $*" >&2
	"$@"
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[[ "$2" == "$3" ]] || die "$1: expected '$2', got '$3'"
}

# expect_match WHAT REGEX ACTUAL
expect_match() {
	[[ "$3" =~ $2 ]] || die "$1: expected to match /$2/, got '$3'"
}

# expect_rc EXPECTED CMD... : run CMD, check its exit code, keep its output in $out.
expect_rc() {
	local want=$1 rc=0
	shift
	echo "+ $*" >&2
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n' "$out" >&2
	[[ $rc == "$want" ]] || die "'$*' exited $rc, expected $want"
}

# retry SECONDS CMD...: run CMD every 0.2 s until it succeeds or time is up.
retry() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < end)) || { echo "retry: '$*' never succeeded" >&2; return 1; }
		sleep 0.2
	done
}

# A fresh name for a container of this scenario.
cname() {
	echo "rle-$RL_SCENARIO-$1"
}

# Inside the container, the pty created by `script` must be a tty:
# run CMD... under a pty and print its output with CR removed.
under_pty() {
	local cmd
	printf -v cmd '%q ' "$@"
	script -qec "$cmd" /dev/null </dev/null | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# The free TCP port for a published-port scenario (loopback in our netns).
free_port() {
	local p
	for p in $(seq 18080 18180); do
		(: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	return 1
}

# http_get PORT: the body busybox httpd serves at /.
http_get() {
	curl -sf --max-time 3 "http://127.0.0.1:$1/"
}

# The last JSON log line with level "error" as rustlet (and runc) write it.
runtime_error_msg() {
	jq -r 'select(.level == "error") | .msg' "$1" 2>/dev/null | tail -n1
}
