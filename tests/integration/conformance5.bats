#!/usr/bin/env bats
# Issue 12, section 2: unknown properties anywhere in config.json and unknown
# annotation keys never cause an error (config.md, Extensibility: runtimes
# MUST ignore unknown properties). Every test here also passes with
# RUNTIME=/usr/sbin/runc or skips with the reason. (kill of a created
# container: lifecycle.bats.)
load helpers

# x: an unknown property of every JSON type, added to an object
UNKNOWN_DEF='def x: . + {"x-rl-unknown": {a: [1, {b: null}], c: "d"}, "x-rl-num": 1.5e300, "x-rl-null": null, "x-rl-list": [true]};'

@test "unknown properties at every level of config.json are ignored" {
	update_config "$UNKNOWN_DEF"'
	  x | .root |= x | .process |= x | .process.user |= x | .process.capabilities |= x
	  | .process.rlimits |= map(x) | .mounts |= map(x)
	  | .hooks = ({prestart: [({path: "/bin/true", args: ["true"]} | x)], createRuntime: [({path: "/bin/true"} | x)],
	      poststop: [({path: "/bin/true"} | x)], "x-rl-kind": [{path: "/bin/false"}]} | x)
	  | .linux |= x | .linux.namespaces |= map(x)
	  | .linux.resources = ({memory: ({limit: 268435456} | x), pids: ({limit: 1000} | x), cpu: ({shares: 512} | x),
	      devices: [({allow: false, access: "rwm"} | x), ({allow: true, type: "c", major: 1, minor: 3, access: "rwm"} | x)]} | x)
	  | .linux.devices = [({path: "/dev/rl-null", type: "c", major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0} | x)]
	  | .linux.seccomp = ({defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
	      syscalls: [({names: ["getppid"], action: "SCMP_ACT_ERRNO", errnoRet: 33,
	        args: [({index: 0, value: 0, op: "SCMP_CMP_GE"} | x)]} | x)]} | x)
	  | .annotations = {"com.example.rl.unknown-key": "v", "org.opencontainers.rl.unknown": "w"}'
	run_payload stat /dev/rl-null
	assert_success
	assert_line type=char
	run_payload hostname
	assert_success
}

@test "a duplicate key or an escaped NUL inside an unknown property is ignored" {
	set_args rl-payload args
	update_config '.process["x-rl-raw"] = {k: 1}'
	sed -i '0,/{/s//{"x-rl-dup": 1, "x-rl-dup": {"s": "a\\u0000b"}, "x-rl-nul": "\\u0000", /; s/"k": 1/"k": 1, "k": [2]/' "$BUNDLE/config.json"
	grep -q '"x-rl-dup": 1, "x-rl-dup"' "$BUNDLE/config.json"
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_success
	assert_line argv[1]=args
}

@test "a duplicate key in a known property or an annotation is still refused" {
	skip_if_runc "runc lets the last duplicate win (Go's encoding/json)"
	sed -i '0,/{/s//{"hostname": "a", "hostname": "b", /' "$BUNDLE/config.json"
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_match 'hostname: duplicate key "hostname"' "$stderr"
	cp "$RL_TEMPLATE/config.json" "$BUNDLE/config.json"
	sed -i '0,/{/s//{"annotations": {"k": "a", "k": "b"}, /' "$BUNDLE/config.json"
	next_cid
	run --separate-stderr rt run --bundle "$BUNDLE" "$CID" </dev/null
	assert_failure
	assert_match 'annotations.k: duplicate key "k"' "$stderr"
}
