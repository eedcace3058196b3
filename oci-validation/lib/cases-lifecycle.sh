# lib/cases-lifecycle.sh - runtime.md: state, lifecycle, operations, hooks.
# shellcheck shell=bash

LOOP_SH='echo started >>/out/started; trap "echo USR1 >/out/sig; exit 0" USR1; while :; do sleep 0.1; done'

# a bundle running a shell that marks its start in /out and exits on SIGUSR1
loop_bundle() {
	new_bundle
	mkdir -p "$CASEDIR/out"
	write_config '.process.args = ["/bin/sh", "-c", $sh] | .mounts += [{destination: "/out", type: "bind", source: $out, options: ["rbind", "rw"]}]
	  | .annotations = {"org.ociv.a": "1", "com.example.b": "two"}' --arg sh "$LOOP_SH" --arg out "$CASEDIR/out"
}

create_ok() {
	rt create --bundle "$B" "$1" >/dev/null 2>"$CASEDIR/create.err" </dev/null
}

# check_state ID STATUS: the state JSON is complete and consistent
check_state() {
	local id=$1 want=$2 st
	st=$(state_of "$id")
	echo "$st" >"$CASEDIR/state.$want.json"
	t '[ -n "$st" ]' runtime.md#33 "state of a $want container is returned"
	t 'jq -e ".ociVersion | type == \"string\" and test(\"^[0-9]+\\\\.[0-9]+\\\\.[0-9]+\")" <<<"$st"' runtime.md#2 "state.ociVersion is a SemVer string ($(jq -c .ociVersion <<<"$st" 2>/dev/null))"
	t 'jq -e ".id == \"$id\"" <<<"$st"' runtime.md#3 "state.id is $id"
	t 'jq -e ".status == \"$want\"" <<<"$st"' runtime.md#5 "state.status is $want (got $(jq -c .status <<<"$st" 2>/dev/null))"
	t 'jq -e ".bundle == \"$B\"" <<<"$st"' runtime.md#8 "state.bundle is the absolute bundle path (got $(jq -c .bundle <<<"$st" 2>/dev/null))"
	if [ "$want" = created ] || [ "$want" = running ]; then
		t 'jq -e "(.pid | type == \"number\") and .pid > 0" <<<"$st" && kill -0 $(jq .pid <<<"$st")' runtime.md#7 "state.pid is the live container process when $want"
	fi
	t 'jq -e "(.annotations // {}) == {\"org.ociv.a\": \"1\", \"com.example.b\": \"two\"}" <<<"$st"' runtime.md#33 "state.annotations are the config's annotations"
	t 'jq -e ".status|IN(\"creating\",\"created\",\"running\",\"stopped\")" <<<"$st"' runtime.md#6 "status is one of the defined states when a defined state applies"
	# state-schema.json: required fields, types, status enum, pid >= 0
	t 'jq -e "(.ociVersion|type==\"string\") and (.id|type==\"string\") and (.bundle|type==\"string\") and (.status|IN(\"creating\",\"created\",\"running\",\"stopped\")) and ((.pid // 0)|type==\"number\" and . >= 0) and ((.annotations // {})|type==\"object\")" <<<"$st"' runtime.md#9 "state JSON adheres to state-schema.json"
}

case_lifecycle() {
	local pid
	loop_bundle
	if ! create_ok "$ID"; then t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err")"; return; fi
	t_ok runtime.md#36 "create succeeded"
	t_ok runtime.md#1 "the creator can operate on the container it created (create, then state/start/kill/delete below)"
	check_state "$ID" created
	pid=$(state_of "$ID" | jq -r .pid)
	sleep 0.3
	t '[ ! -e "$CASEDIR/out/started" ]' runtime.md#38 "process.args not run before start"
	t '[ ! -e "$CASEDIR/out/started" ]' runtime.md#12 "user-specified program not run at create"
	t '! rt create --bundle "$B" "$ID" </dev/null' runtime.md#35 "create with an ID already in use fails"
	t '[ "$(status_of $ID)" = created ] && [ "$(state_of $ID | jq -r .pid)" = "$pid" ]' runtime.md#4 "the existing container is untouched by the duplicate create"
	t 'rt start "$ID" >"$CASEDIR/start.out" 2>"$CASEDIR/start.err"' runtime.md#30 "start of a created container succeeds"
	t 'wait_status $ID running 50' runtime.md#42 "start runs the program: status becomes running"
	t 'for i in $(seq 50); do [ -e "$CASEDIR/out/started" ] && break; sleep 0.1; done; [ "$(wc -l <"$CASEDIR/out/started")" = 1 ]' runtime.md#22 "the user program ran exactly once after start"
	check_state "$ID" running
	t '[ "$(state_of $ID | jq -r .pid)" = "$pid" ]' runtime.md#7 "pid is unchanged from created to running"
	t '! rt start "$ID"' runtime.md#41 "start on a running container fails"
	t '[ "$(status_of $ID)" = running ] && [ "$(wc -l <"$CASEDIR/out/started")" = 1 ]' runtime.md#41 "a second start has no effect on the container"
	t '! rt delete "$ID"' runtime.md#48 "delete (without force) of a running container fails"
	t '[ "$(status_of $ID)" = running ] && kill -0 $pid' runtime.md#48 "the failed delete left the container running"
	t 'rt kill "$ID" USR1 || rt kill "$ID" 10' runtime.md#46 "kill ID USR1 succeeds on a running container"
	t 'for i in $(seq 50); do [ -e "$CASEDIR/out/sig" ] && break; sleep 0.1; done; grep -q USR1 "$CASEDIR/out/sig"' runtime.md#46 "the signal reached the container process"
	t 'wait_status $ID stopped 50' runtime.md#5 "status becomes stopped when the process exits"
	check_state "$ID" stopped
	t '! rt start "$ID"' runtime.md#41 "start on a stopped container fails"
	t '[ "$(status_of $ID)" = stopped ] && [ "$(wc -l <"$CASEDIR/out/started")" = 1 ]' runtime.md#41 "start on a stopped container has no effect"
	t '! rt kill "$ID" KILL' runtime.md#45 "kill on a stopped container fails"
	t '[ "$(status_of $ID)" = stopped ]' runtime.md#45 "kill on a stopped container has no effect"
	t 'rt delete "$ID"' runtime.md#48 "delete of a stopped container succeeds"
	t '! rt state "$ID"' runtime.md#32 "state of a deleted container fails"
	t '[ -z "$(cg_dirs ociv/$ID)" ]' runtime.md#49 "delete removed the container's cgroups"
	t '! kill -0 $pid 2>/dev/null || grep -q "^[0-9]* (.*) Z" /proc/$pid/stat' runtime.md#49 "no container process remains (or only a zombie awaiting its reaper)"
	t '[ -e "$CASEDIR/out/started" ] && [ -d "$B/rootfs/bin" ]' runtime.md#50 "resources not created by the container (bind source, rootfs) survive delete"
	t '[ -z "$(grep -F "$B/rootfs" /proc/self/mountinfo)" ]' runtime.md#25 "no container mount is left in the runtime's mount namespace"
}
register lifecycle case_lifecycle "create/start/kill/delete, state JSON at each status, invalid transitions"

case_delete_created() {
	loop_bundle
	create_ok "$ID" || { t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err")"; return; }
	t '! rt delete "$ID"' runtime.md#48 "delete (without force) of a created container fails"
	t '[ "$(status_of $ID)" = created ]' runtime.md#48 "the failed delete left the container created"
}
register delete-created case_delete_created "delete of a created (not stopped) container fails and has no effect"

case_kill_created() {
	loop_bundle
	create_ok "$ID" || { t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err")"; return; }
	t 'rt kill "$ID" KILL || rt kill "$ID" 9' runtime.md#45 "kill of a created container succeeds"
	t 'wait_status $ID stopped 50' runtime.md#46 "the signal reached the created container's process: it is stopped"
	t '[ ! -e "$CASEDIR/out/started" ]' runtime.md#38 "the user program never ran"
	t 'rt delete "$ID"' runtime.md#48 "delete after kill succeeds"
}
register kill-created case_kill_created "kill on a created container"

# kill SIG of a created container whose process is pid 1 of a new pid
# namespace: the kernel drops a signal such a process has no handler for,
# so the runtime's waiting init must act on it as the program's default
# action would: TERM and HUP end the container before the program runs
case_kill_created_term() {
	local sig
	for sig in TERM HUP; do
		ID="ociv-kill-created-$sig"
		loop_bundle
		create_ok "$ID" || { t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err")"; return; }
		t 'rt kill "$ID" $sig' runtime.md#46 "kill $sig of a created container (pid 1 of its pid namespace) succeeds"
		t 'wait_status $ID stopped 50' runtime.md#46 "SIG$sig reached the created container's process: it is stopped"
		t '! rt start "$ID"' runtime.md#41 "start after the $sig fails: the container has stopped"
		t '[ ! -e "$CASEDIR/out/started" ]' runtime.md#38 "the user program never ran after the $sig"
		t 'rt delete "$ID"' runtime.md#48 "delete after kill $sig succeeds"
		# (a container the signal did not stop must not outlive its turn)
		rt delete --force "$ID" >/dev/null 2>&1
		rm_cgroup_tree "ociv/$ID"
		rm -rf "$CASEDIR/out" "$B"
	done
}
register kill-created-term case_kill_created_term "kill TERM and HUP of a created container (pid 1 of a pid namespace) end it"

# a signal ignored by default (WINCH) changes nothing: the container stays
# created and its program runs on start
case_kill_created_ignored() {
	loop_bundle
	create_ok "$ID" || { t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err")"; return; }
	t 'rt kill "$ID" WINCH' runtime.md#46 "kill WINCH of a created container succeeds"
	sleep 0.3
	t '[ "$(status_of $ID)" = created ]' runtime.md#46 "a signal ignored by default leaves the container created"
	t 'rt start "$ID"' runtime.md#30 "start after the WINCH succeeds"
	t 'for i in $(seq 50); do [ -e "$CASEDIR/out/started" ] && break; sleep 0.1; done; [ -e "$CASEDIR/out/started" ]' runtime.md#42 "the user program runs"
	t 'rt kill "$ID" USR1' runtime.md#46 "kill USR1 of the running container succeeds"
	t 'wait_status $ID stopped 50' runtime.md#5 "the program's USR1 trap ended it"
}
register kill-created-ignored case_kill_created_ignored "kill WINCH of a created container: still created, start runs the program"

case_missing_id() {
	loop_bundle
	t '! rt state' runtime.md#31 "state without an ID fails"
	t '! rt start' runtime.md#40 "start without an ID fails"
	t '! rt kill' runtime.md#44 "kill without an ID fails"
	t '! rt delete' runtime.md#47 "delete without an ID fails"
	t '! (cd "$B" && rt create </dev/null)' runtime.md#34 "create without an ID fails"
	t '! rt state ociv-does-not-exist' runtime.md#32 "state of an unknown container fails"
	t '! rt start ociv-does-not-exist' runtime.md#41 "start of an unknown container fails"
	t '! rt kill ociv-does-not-exist KILL' runtime.md#45 "kill of an unknown container fails"
	t '[ -z "$(ls -A "$ROOTDIR")" ]' runtime.md#28 "failed operations left no state behind"
}
register missing-id case_missing_id "operations without an ID, or with an unknown one, fail"

case_bad_id() {
	loop_bundle
	t '! rt create --bundle "$B" "../ociv-escape" </dev/null' runtime.md#35 "create with an invalid ID (../ociv-escape) fails"
	t '[ ! -e "$ROOTDIR/../ociv-escape" ] && [ -z "$(ls -A "$ROOTDIR")" ]' runtime.md#35 "no container was created for the invalid ID"
	rt delete --force ../ociv-escape >/dev/null 2>&1
	rm -rf "$ROOTDIR/../ociv-escape"
}
register bad-id case_bad_id "an invalid container ID is rejected"

# --- hooks -----------------------------------------------------------------------
HOOK_SH='name=$1; dir=$2
cat >"$dir/$name.state"
echo "$name" >>"$dir/order"
readlink /proc/self/ns/mnt >"$dir/$name.mntns" 2>/dev/null
[ "$3" = fail ] && exit 3
exit 0'

# hook_bundle FAILING_HOOK: all six hook kinds (two prestart, two poststop), one may fail
hook_bundle() {
	local fail=${1:-none} H
	new_bundle
	H=$CASEDIR/hooks
	mkdir -p "$H" && chmod 777 "$H"
	printf '%s\n' "$HOOK_SH" >"$H/hook.sh"
	write_config '
	  def hook($n; $p): {path: "/bin/sh", args: (["sh", $p, $n, $h] + (if $n == $fail then ["fail"] else [] end)), env: ["PATH=/bin:/usr/bin"], timeout: 10};
	  .process.args = ["/bin/sh", "-c", "echo process >>" + $h + "/order; exec sleep 1"]
	  | .mounts += [{destination: $h, type: "bind", source: $h, options: ["rbind", "rw"]}]
	  | .annotations = {"org.ociv.a": "1", "com.example.b": "two"}
	  | .hooks = {
	      prestart: [hook("prestart1"; $h + "/hook.sh"), hook("prestart2"; $h + "/hook.sh")],
	      createRuntime: [hook("createRuntime"; $h + "/hook.sh")],
	      createContainer: [hook("createContainer"; $h + "/hook.sh")],
	      startContainer: [hook("startContainer"; $h + "/hook.sh")],
	      poststart: [hook("poststart"; $h + "/hook.sh")],
	      poststop: [hook("poststop1"; $h + "/hook.sh"), hook("poststop2"; $h + "/hook.sh")]
	    }' --arg h "$H" --arg fail "$fail"
	HK=$H
}

# before A B: hook A ran, and before hook B
before() { local a b; a=$(grep -nx "$1" "$HK/order" | cut -d: -f1); b=$(grep -nx "$2" "$HK/order" | cut -d: -f1); [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; }
order() { grep -v '^process$' "$HK/order" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }

case_hooks() {
	local pid cmnt mymnt
	hook_bundle none
	mymnt=$(readlink /proc/self/ns/mnt)
	if ! create_ok "$ID"; then t_fail runtime.md#36 "create with hooks failed: $(tail -c 300 "$CASEDIR/create.err")"; return; fi
	pid=$(state_of "$ID" | jq -r .pid)
	cmnt=$(readlink /proc/$pid/ns/mnt)
	t '[ "$(order)" = "prestart1 prestart2 createRuntime createContainer" ]' config.md#145 "create ran prestart, createRuntime, createContainer in order (got: $(order))"
	t '[ -e $HK/prestart1.state ]' runtime.md#14 "prestart hooks invoked"
	t '[ -e $HK/createRuntime.state ]' runtime.md#16 "createRuntime hooks invoked"
	t '[ -e $HK/createContainer.state ]' runtime.md#18 "createContainer hooks invoked"
	t 'before prestart1 prestart2' config.md#143 "hooks of one kind called in the listed order"
	t 'before prestart2 createRuntime' config.md#146 "prestart before createRuntime"
	t 'before createRuntime createContainer' config.md#153 "createContainer after createRuntime"
	t '[ ! -e $HK/startContainer.state ] && ! grep -q process $HK/order' runtime.md#12 "neither startContainer nor the program ran during create"
	t '[ "$(cat $HK/prestart1.mntns)" = "$mymnt" ]' config.md#148 "prestart executed in the runtime namespace"
	t '[ "$(cat $HK/createRuntime.mntns)" = "$mymnt" ]' config.md#151 "createRuntime executed in the runtime namespace"
	t '[ "$(cat $HK/createContainer.mntns)" = "$cmnt" ]' config.md#155 "createContainer executed in the container (mount) namespace"
	t 'jq -e ".id == \"$ID\" and .bundle == \"$B\" and (.pid > 0) and (.ociVersion|type==\"string\")" $HK/prestart1.state' config.md#144 "prestart got the state on stdin"
	t 'jq -e ".id == \"$ID\" and .pid == $pid" $HK/createRuntime.state' config.md#144 "createRuntime got the state on stdin (pid as seen by the runtime)"
	t 'jq -e ".id == \"$ID\" and .bundle == \"$B\"" $HK/createContainer.state' config.md#144 "createContainer got the state on stdin"
	# lifecycle steps 3-5 come after step 2 (the environment created):
	# state "created" ("creating" is step 2 itself)
	local k
	for k in prestart1 createRuntime createContainer; do
		t 'jq -e ".status == \"created\"" $HK/'$k'.state' runtime.md#5 "$k got status created (lifecycle: after step 2; got $(jq -c .status $HK/$k.state 2>/dev/null))"
	done
	if ! rt start "$ID" >"$CASEDIR/start.out" 2>"$CASEDIR/start.err"; then
		t_fail runtime.md#42 "start failed: $(tail -c 300 "$CASEDIR/start.err")"
	fi
	t '[ -e $HK/poststart.state ]' config.md#159 "poststart hook done when start returns"
	t '[ -e $HK/startContainer.state ]' runtime.md#20 "startContainer hooks invoked"
	t '[ -e $HK/poststart.state ]' runtime.md#23 "poststart hooks invoked"
	t 'for i in $(seq 30); do grep -q process $HK/order && break; sleep 0.1; done; grep -n . $HK/order | grep -q "startContainer" && [ "$(grep -n startContainer $HK/order | cut -d: -f1)" -lt "$(grep -n process $HK/order | cut -d: -f1)" ]' config.md#156 "startContainer before the user program"
	t '[ "$(cat $HK/startContainer.mntns)" = "$cmnt" ]' config.md#158 "startContainer executed in the container namespace"
	t '[ "$(cat $HK/poststart.mntns)" = "$mymnt" ]' config.md#161 "poststart executed in the runtime namespace"
	t 'jq -e ".id == \"$ID\" and .status == \"running\"" $HK/poststart.state' config.md#144 "poststart got the state (running) on stdin"
	t 'jq -e ".id == \"$ID\"" $HK/startContainer.state' config.md#144 "startContainer got the state on stdin"
	wait_status "$ID" stopped 50
	t '[ ! -e $HK/poststop1.state ]' config.md#162 "poststop not called before delete"
	t 'rt delete "$ID"' runtime.md#48 "delete succeeds"
	t '[ -e $HK/poststop1.state ] && [ -e $HK/poststop2.state ]' config.md#162 "poststop hooks done when delete returns"
	t '[ -e $HK/poststop1.state ]' runtime.md#26 "poststop hooks invoked"
	t '[ "$(cat $HK/poststop1.mntns)" = "$mymnt" ]' config.md#164 "poststop executed in the runtime namespace"
	t 'jq -e ".id == \"$ID\" and .bundle == \"$B\"" $HK/poststop1.state' config.md#144 "poststop got the state on stdin"
	t 'before poststop1 poststop2' config.md#143 "poststop hooks called in the listed order"
	t '[ "$(order)" = "prestart1 prestart2 createRuntime createContainer startContainer poststart poststop1 poststop2" ]' config.md#143 "complete hook order (got: $(order))"
}
# alias FROM TO...: repeat the result of clause FROM's checks under other ids
# (config.md states several hook rules twice: in the list and in each section)
alias_clause() {
	local from=$1 to res; shift
	res=ok
	grep -q "^not ok - $from " "$TAP" && res="not ok"
	grep -q "^\(not \)\{0,1\}ok - $from " "$TAP" || return 0
	for to in "$@"; do tap "$res - $to same check as $from"; done
}
case_hooks_full() {
	case_hooks
	alias_clause config.md#148 config.md#129
	alias_clause config.md#151 config.md#134
	alias_clause config.md#155 config.md#136
	alias_clause config.md#158 config.md#138
	alias_clause config.md#161 config.md#140
	alias_clause config.md#164 config.md#142
	# the hooks ran, so their paths resolved where the spec says they must
	# (/bin/sh exists in both namespaces: where it was resolved is not observable)
	alias_clause runtime.md#14 config.md#128 config.md#147
	alias_clause runtime.md#16 config.md#133 config.md#150
	alias_clause runtime.md#18 config.md#135 config.md#154 config.md#137
	alias_clause runtime.md#20 config.md#157
	alias_clause runtime.md#23 config.md#139 config.md#160
	alias_clause runtime.md#26 config.md#141 config.md#163
	alias_clause config.md#145 config.md#149 config.md#152
}
register hooks case_hooks_full "all hook kinds: order, timing, namespace, state on stdin"

# hook_fail_create KIND CLAUSE: a failing create-time hook aborts create
hook_fail_create() {
	hook_bundle "$1"
	t '! create_ok "$ID"' "$2" "create fails when a $1 hook fails"
	t '! grep -q process $HK/order 2>/dev/null' "$2" "the user program did not run"
	t '[ "$(status_of $ID)" != created ] && [ "$(status_of $ID)" != running ]' "$2" "the container was stopped"
	t '! rt state "$ID" || [ "$(status_of $ID)" = stopped ]' runtime.md#28 "create failed: no container left (or only a stopped one)"
	rt delete --force "$ID" >/dev/null 2>&1
	t '[ -e $HK/poststop1.state ]' "$2" "lifecycle continued at step 12: poststop hooks ran"
	t '[ -z "$(cg_dirs ociv/$ID)" ]' runtime.md#28 "no cgroup left by the failed create"
}
case_hook_fail_prestart() { hook_fail_create prestart1 runtime.md#15; }
case_hook_fail_createruntime() { hook_fail_create createRuntime runtime.md#17; }
case_hook_fail_createcontainer() { hook_fail_create createContainer runtime.md#19; }
register hook-fail-prestart case_hook_fail_prestart "failing prestart hook: error, container stopped, poststop runs"
register hook-fail-createruntime case_hook_fail_createruntime "failing createRuntime hook: error, container stopped, poststop runs"
register hook-fail-createcontainer case_hook_fail_createcontainer "failing createContainer hook: error, container stopped, poststop runs"

case_hook_fail_startcontainer() {
	hook_bundle startContainer
	create_ok "$ID" || { t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err")"; return; }
	t '! rt start "$ID"' runtime.md#21 "start fails when a startContainer hook fails"
	sleep 0.3
	t '! grep -q process $HK/order' runtime.md#21 "the user program did not run"
	t '[ "$(status_of $ID)" != running ] && [ "$(status_of $ID)" != created ]' runtime.md#21 "the container was stopped"
	rt delete --force "$ID" >/dev/null 2>&1
	t '[ -e $HK/poststop1.state ]' runtime.md#21 "lifecycle continued at step 12: poststop hooks ran"
}
register hook-fail-startcontainer case_hook_fail_startcontainer "failing startContainer hook: start fails, program not run"

case_hook_fail_poststart() {
	hook_bundle poststart
	create_ok "$ID" || { t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err")"; return; }
	t '! rt start "$ID"' runtime.md#24 "start fails when a poststart hook fails"
	t 'wait_status $ID stopped 30 || ! rt state $ID' runtime.md#24 "the container was stopped"
	rt delete --force "$ID" >/dev/null 2>&1
	t '[ -e $HK/poststop1.state ]' runtime.md#24 "lifecycle continued at step 12: poststop hooks ran"
}
register hook-fail-poststart case_hook_fail_poststart "failing poststart hook: start fails, container stopped"

case_hook_fail_poststop() {
	hook_bundle poststop1
	create_ok "$ID" || { t_fail runtime.md#36 "create failed: $(tail -c 300 "$CASEDIR/create.err")"; return; }
	rt start "$ID" >/dev/null 2>&1
	wait_status "$ID" stopped 50
	t 'rt delete "$ID"' runtime.md#27 "delete succeeds although a poststop hook failed (warning only)"
	t '[ -e $HK/poststop2.state ]' runtime.md#27 "the remaining poststop hooks ran"
	t '[ -e $HK/poststop2.state ]' runtime.md#29 "the warning did not change the flow"
	t '! rt state "$ID"' runtime.md#27 "the container is gone"
}
register hook-fail-poststop case_hook_fail_poststop "failing poststop hook: only a warning"
