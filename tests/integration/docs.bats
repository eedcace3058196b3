#!/usr/bin/env bats
# Every flag the CLI accepts is documented in its man page. The flag names
# are read from the option tables of src/cli/*.c ({"name", 'x', CLI_...}),
# so a new flag without documentation fails here.

load helpers

# flags_of FILE: the long flag names in one command file's option tables
flags_of() {
	grep -oE '\{"[a-z][a-z-]*", ('"'"'.'"'"'|0), CLI_' "$RL_TESTS_DIR/../../src/cli/$1" |
		grep -oE '"[a-z-]+"' | tr -d '"' | sort -u
}

# documented PAGE FLAG...: each flag appears as \-\-flag in man/PAGE
documented() {
	local page=$RL_TESTS_DIR/../../man/$1 f missing=()
	shift
	for f in "$@"; do
		grep -qF -- "\\-\\-${f//-/\\-}" "$page" || missing+=("$f")
	done
	if ((${#missing[@]})); then
		echo "man/$(basename "$page") does not document: ${missing[*]}" >&2
		return 1
	fi
}

# cmd_checkpoint.c holds both commands' tables
restore_only='bundle|detach|pid-file|console-socket|no-subreaper|no-pivot|lsm-profile|lsm-mount-context'
checkpoint_only='parent-path|leave-running|pre-dump|status-fd|page-server'

@test "docs: every command's flags are in its man page" {
	is_rustlet || skip "checks rustlet's own sources and man pages"
	documented rustlet.8 $(flags_of main.c)
	documented rustlet-create.8 $(flags_of cmd_create.c | grep -vxE 'detach|keep|no-subreaper')
	documented rustlet-run.8 $(flags_of cmd_create.c)
	documented rustlet-exec.8 $(flags_of cmd_exec.c)
	documented rustlet-update.8 $(flags_of cmd_update.c)
	documented rustlet-events.8 $(flags_of cmd_events.c)
	documented rustlet-list.8 $(flags_of cmd_list.c)
	documented rustlet-ps.8 $(flags_of cmd_ps.c)
	documented rustlet-spec.8 $(flags_of cmd_spec.c)
	documented rustlet-checkpoint.8 $(flags_of cmd_checkpoint.c | grep -vxE "$restore_only")
	documented rustlet-restore.8 $(flags_of cmd_checkpoint.c | grep -vxE "$checkpoint_only")
	documented rustlet-kill.8 all
	documented rustlet-delete.8 force
}

# in_help CMD FLAG...: each flag appears as --flag in `rustlet CMD --help`
in_help() {
	local out f missing=()
	out=$("$RUNTIME" "$1" --help)
	shift
	for f in "$@"; do
		grep -qF -- "--$f" <<<"$out" || missing+=("$f")
	done
	if ((${#missing[@]})); then
		echo "rustlet ${1:-} --help does not list: ${missing[*]}" >&2
		return 1
	fi
}

@test "docs: every command's flags are in its --help" {
	is_rustlet || skip "checks rustlet's own option tables"
	in_help create $(flags_of cmd_create.c | grep -vxE 'detach|keep|no-subreaper')
	in_help run $(flags_of cmd_create.c)
	in_help exec $(flags_of cmd_exec.c)
	in_help update $(flags_of cmd_update.c)
	in_help events $(flags_of cmd_events.c)
	in_help list $(flags_of cmd_list.c)
	in_help ps $(flags_of cmd_ps.c)
	in_help spec $(flags_of cmd_spec.c)
	in_help checkpoint $(flags_of cmd_checkpoint.c | grep -vxE "$restore_only")
	in_help restore $(flags_of cmd_checkpoint.c | grep -vxE "$checkpoint_only")
	in_help kill all
	in_help delete force
}

@test "docs: every command has a man page" {
	is_rustlet || skip "checks rustlet's own man pages"
	local c
	for c in checkpoint create delete events exec features kill list pause ps restore resume run spec start state update; do
		[[ -f $RL_TESTS_DIR/../../man/rustlet-$c.8 ]] || fail "no man/rustlet-$c.8"
	done
}
