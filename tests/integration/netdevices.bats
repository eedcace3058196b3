#!/usr/bin/env bats
# linux.netDevices (config-linux.md "Network Devices"): host interfaces moved
# into the container's network namespace, renamed, permanent global
# addresses kept, set up.
#
# The host's network is never touched: each test makes a private network
# namespace (unshare --net=FILE, a bind mount inside this tier's private mount
# namespace, removed in teardown), creates a veth pair there, and runs the
# runtime inside it (nsenter --net=FILE), so "the host" is that namespace.
# (No dummy interfaces here: the kernel has no dummy driver; veth works.)
load helpers

setup() {
	rl_setup
	skip_if_runc "runc 1.1.5 has no linux.netDevices (runc 1.3 added them)"
	requires ip nsenter unshare
	NETNS=$BATS_TEST_TMPDIR/netns
	touch "$NETNS"
	unshare --net="$NETNS" true || skip "cannot make a persistent network namespace (unshare --net=FILE)"
	innet ip link add v0 type veth peer name v1 || skip "cannot create a veth pair"
	innet ip addr add 10.199.0.1/24 dev v0
	innet ip -6 addr add 2001:db8::1/64 dev v0 nodad
	# not kept: a link-scope address and one with a finite lifetime
	innet ip addr add 169.254.7.7/16 dev v0 scope link
	innet ip addr add 10.199.9.9/24 dev v0 valid_lft 1000 preferred_lft 1000
	update_config '.linux.namespaces |= (map(select(.type != "network")) + [{type: "network"}])'
}

teardown() {
	rl_teardown
	umount "$NETNS" 2>/dev/null || true
}

innet() { nsenter --net="$NETNS" "$@"; }

# rt_net ARGS...: the runtime, run inside the private network namespace.
rt_net() {
	nsenter --net="$NETNS" timeout --kill-after=5 "$RL_CALL_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" 3>&-
}

# run_sh SCRIPT: run a shell script in the container (foreground, in $NETNS).
run_sh() {
	set_args sh -c "$1"
	run --separate-stderr rt_net run --bundle "$BUNDLE" "$CID" </dev/null
}

@test "netDevices: moved in, renamed, addresses kept, up; gone from the runtime's namespace" {
	update_config '.linux.netDevices = {v0: {name: "eth9"}}'
	run_sh 'ip -o link show dev eth9; ip -o addr show dev eth9; ip -o link show dev v0 || echo no-v0'
	assert_success
	assert_match '^[0-9]+: eth9[:@].*[<,]UP[,>]'
	assert_match 'eth9 +inet 10\.199\.0\.1/24 '
	assert_match 'eth9 +inet6 2001:db8::1/64 '
	refute_match '169\.254\.7\.7'
	refute_match '10\.199\.9\.9'
	assert_line no-v0
	# virtual devices die with the container's namespace (config-linux.md);
	# the peer went with it
	run innet ip link show v0
	assert_failure
	run innet ip link show v1
	assert_failure
}

@test "netDevices: the device is there before linux.sysctl is applied" {
	update_config '.linux.netDevices = {v0: {name: "eth9"}}
		| .linux.sysctl = {"net.ipv4.conf.eth9.forwarding": "1"}'
	run_sh 'cat /proc/sys/net/ipv4/conf/eth9/forwarding'
	assert_success
	assert_line 1
}

@test "netDevices: without a name the host name is kept; a %d template is filled by the kernel" {
	innet ip link add w0 type veth peer name w1
	update_config '.linux.netDevices = {v0: {}, w0: {name: "net%d"}}'
	run_sh 'ip -o link show dev v0; ip -o link show dev net0'
	assert_success
	assert_match '^[0-9]+: v0[:@]'
	assert_match '^[0-9]+: net0[:@]'
}

@test "netDevices: a missing interface fails create and moves nothing" {
	update_config '.linux.netDevices = {v0: {name: "eth9"}, "rl-nosuch0": {}}'
	run_sh 'true'
	assert_failure
	assert_match 'linux.netDevices\["rl-nosuch0"\]: no interface rl-nosuch0 in the runtime.s network namespace: No such device' "$stderr"
	# v0 is still ours, with its address
	run innet ip -o addr show dev v0
	assert_success
	assert_match 'inet 10\.199\.0\.1/24'
	[[ -z "$(ls -A "$ROOT")" ]] || fail "container state left: $(ls -A "$ROOT")"
}

@test "netDevices: two devices cannot take the same name; a network namespace is required" {
	innet ip link add w0 type veth peer name w1
	update_config '.linux.netDevices = {v0: {name: "eth9"}, w0: {name: "eth9"}}'
	run_sh 'true'
	assert_failure
	assert_match 'is also the name of linux.netDevices' "$stderr"
	update_config '.linux.netDevices = {v0: {}} | .linux.namespaces |= map(select(.type != "network"))'
	run_sh 'true'
	assert_failure
	assert_match 'linux.netDevices: moving network devices needs a "network" namespace' "$stderr"
	run innet ip link show v0
	assert_success
}

@test "netDevices: the network namespace joined by path must not be the runtime's own" {
	update_config '.linux.netDevices = {v0: {}}
		| .linux.namespaces |= (map(select(.type != "network")) + [{type: "network", path: $p}])' --arg p "$NETNS"
	run_sh 'true'
	assert_failure
	assert_match "network namespace is the runtime's own" "$stderr"
}

@test "netDevices: into a network namespace owned by the container's user namespace, and with one joined by path (slow path)" {
	d=$BATS_TEST_TMPDIR
	while [[ "$d" != / ]]; do chmod a+x "$d"; d=$(dirname "$d"); done
	update_config '.linux.netDevices = {v0: {name: "eth9"}}
		| .linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	run_sh 'ip -o addr show dev eth9'
	assert_success
	assert_match 'eth9 +inet 10\.199\.0\.1/24 '
	# a user namespace joined by path takes stage 1 (init.c), which forks
	# the init after making the new network namespace
	innet ip link add w0 type veth peer name w1
	innet ip addr add 10.199.5.1/24 dev w0
	unshare --user --map-root-user sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	KEEP_PIDS+=($!)
	wait_for test -e "/proc/$!/ns/user"
	wait_for eval '[[ "$(readlink /proc/'"$!"'/ns/user)" != "$(readlink /proc/self/ns/user)" ]]'
	update_config '.linux.netDevices = {w0: {name: "eth8"}}
		| del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= (map(select(.type != "user")) + [{type: "user", path: $p}])
		| .mounts |= map(if .options then .options |= map(select(startswith("gid=") | not)) else . end)' --arg p "/proc/$!/ns/user"
	# (that namespace maps only root: devpts cannot take gid=5)
	run_sh 'ip -o addr show dev eth8'
	assert_success
	assert_match 'eth8 +inet 10\.199\.5\.1/24 '
}
