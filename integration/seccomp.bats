#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.seccomp: every action, observed from inside the container.

load helpers

setup() {
	husk_setup
	make_bundle
	# a private cache: the tests must exercise the compiler, and a stale
	# entry from another build must not hide a bug
	export HUSK_SECCOMP_CACHE=$BATS_TEST_TMPDIR/seccomp-cache
}

# seccomp_rule DEFAULT_ACTION RULE_JSON...: linux.seccomp with these rules.
seccomp_rules() {
	local def=$1
	shift
	local rules
	rules=$(printf '%s\n' "$@" | jq -s .)
	update_config ".linux.seccomp = {\"defaultAction\": \"$def\",
		\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],
		\"syscalls\": $rules}"
}

strerror() {
	python3 -c "import os, sys; print(os.strerror(int(sys.argv[1])))" "$1"
}

# mkdir comes from busybox; it calls mkdir(2) (the x86_64 glibc build) or
# mkdirat(2), so the rules name both.
MKDIR='"names": ["mkdir", "mkdirat"]'

@test "seccomp: SCMP_ACT_ERRNO with errnoRet fails the syscall with that errno" {
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 18}"
	run_in_container sh -c 'mkdir /tmp/d; echo rc=$?; echo still running'
	assert_success
	assert_output --partial "$(strerror 18)"
	assert_output --partial "rc=1"
	assert_output --partial "still running"
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet is EPERM" {
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_ERRNO\"}"
	run_in_container mkdir /tmp/d
	assert_failure
	assert_output --partial "$(strerror 1)"
}

@test "seccomp: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet, podman's allow list minus mkdir" {
	local profile
	profile=$(jq '.linux.seccomp
		| .syscalls |= map(.names |= map(select(. != "mkdir" and . != "mkdirat"))
				   | select(.names | length > 0))
		| .defaultErrnoRet = 18' "$CLIENT_FIXTURES/podman-config-run-d.json")
	[ "$(jq -r .defaultAction <<<"$profile")" = SCMP_ACT_ERRNO ]
	update_config ".linux.seccomp = $profile"
	run_in_container sh -c 'echo hello; mkdir /tmp/d'
	assert_failure
	assert_output --partial hello
	assert_output --partial "$(strerror 18)"
}

@test "seccomp: podman's default profile as podman sends it" {
	update_config ".linux.seccomp = $(jq .linux.seccomp "$CLIENT_FIXTURES/podman-config-run-d.json")"
	run_in_container sh -c 'mkdir /tmp/d && echo made && grep -E "^(Seccomp|Seccomp_filters):" /proc/self/status'
	assert_success
	assert_line made
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	# tests/kernel-compat's own filter is stacked under ours when it runs husk
	local filters=1
	[ -z "${HUSK_KERNEL_COMPAT:-}" ] || filters=2
	assert_line --regexp "^Seccomp_filters:[[:space:]]+$filters\$"
}

@test "seccomp: SCMP_ACT_KILL, KILL_PROCESS, KILL_THREAD end the process by SIGSYS" {
	local act
	for act in SCMP_ACT_KILL SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL_THREAD; do
		seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"$act\"}"
		run_in_container mkdir /tmp/d
		# killed by signal 31 (SIGSYS): 128 + 31, as runc reports it
		[ "$status" -eq 159 ] || fail "$act: exit status $status, expected 159 (SIGSYS); $output"
	done
	# and a syscall the rule does not name is untouched
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_KILL\"}"
	run_in_container sh -c 'echo alive'
	assert_success
	assert_output alive
}

@test "seccomp: SCMP_ACT_TRAP delivers SIGSYS" {
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_TRAP\"}"
	run_in_container mkdir /tmp/d
	[ "$status" -eq 159 ] || fail "exit status $status, expected 159 (SIGSYS); $output"
}

@test "seccomp: SCMP_ACT_LOG lets the syscall through and logs it" {
	grep -qw log /proc/sys/kernel/seccomp/actions_logged ||
		skip "kernel.seccomp.actions_logged has no 'log'"
	local marker=/tmp/seclog-$$-$RANDOM
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_LOG\"}"
	local before
	before=$(dmesg | grep -c 'type=1326' || true)
	run_in_container sh -c "mkdir $marker && test -d $marker && echo made"
	assert_success
	assert_output made
	local after
	after=$(dmesg | grep -c 'type=1326' || true)
	[ "$after" -gt "$before" ] || fail "no seccomp audit record (type=1326) in dmesg"
	dmesg | grep 'type=1326' | tail -n $((after - before)) | grep -q 'comm="mkdir"' ||
		fail "the new seccomp records do not name mkdir"
}

@test "seccomp: argument conditions (AND on one rule; same index twice = separate rules)" {
	# chmod(path, mode): arg 1
	seccomp_rules SCMP_ACT_ALLOW '{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18,
		"args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"}]}'
	run_in_container sh -c 'touch /tmp/f; chmod 700 /tmp/f; echo rc700=$?; chmod 755 /tmp/f; echo rc755=$?'
	assert_output --partial rc700=1
	assert_output --partial rc755=0
	assert_output --partial "$(strerror 18)"

	# MASKED_EQ: (mode & 0700) == 0700
	seccomp_rules SCMP_ACT_ALLOW '{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18,
		"args": [{"index": 1, "value": 448, "valueTwo": 448, "op": "SCMP_CMP_MASKED_EQ"}]}'
	run_in_container sh -c 'touch /tmp/f; chmod 755 /tmp/f; echo rc755=$?; chmod 555 /tmp/f; echo rc555=$?'
	assert_output --partial rc755=1
	assert_output --partial rc555=0

	# two args, two indexes: AND
	seccomp_rules SCMP_ACT_ALLOW '{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18,
		"args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"},
			 {"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}'
	run_in_container sh -c 'touch /tmp/f; chmod 700 /tmp/f; echo rc700=$?'
	# the path pointer is never 0: the AND never holds
	assert_output --partial rc700=0

	# two args on the same index: runc makes them separate rules (OR)
	seccomp_rules SCMP_ACT_ALLOW '{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18,
		"args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"},
			 {"index": 1, "value": 493, "op": "SCMP_CMP_EQ"}]}'
	run_in_container sh -c 'touch /tmp/f; chmod 700 /tmp/f; echo rc700=$?; chmod 755 /tmp/f; echo rc755=$?; chmod 555 /tmp/f; echo rc555=$?'
	assert_output --partial rc700=1
	assert_output --partial rc755=1
	assert_output --partial rc555=0
}

@test "seccomp: unknown syscall names are skipped, the rest of the rule applies" {
	seccomp_rules SCMP_ACT_ALLOW '{"names": ["no_such_syscall_at_all", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}'
	run_in_container mkdir /tmp/d
	assert_failure
	assert_output --partial "$(strerror 18)"
}

@test "seccomp: flags TSYNC, LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV are accepted and the filter holds" {
	kernel_at_least 5.19 "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 18}"
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
		"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	run_in_container mkdir /tmp/d
	assert_failure
	assert_output --partial "$(strerror 18)"
}

@test "seccomp: errnoRet on an action without errno is an error naming the field" {
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}"
	run_in_container true
	assert_failure
	assert_output --partial "errnoRet"
	assert_output --partial "syscalls[0]"
}

@test "seccomp: the compiled filter is cached and the cache gives the same filter" {
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 18}"
	run_in_container mkdir /tmp/d
	assert_failure
	assert_output --partial "$(strerror 18)"
	[ "$(find "$HUSK_SECCOMP_CACHE" -type f | wc -l)" -eq 1 ] || fail "no cache entry"
	# what a store killed before its rename leaves goes at the next miss;
	# a live writer's temporary file stays
	touch "$HUSK_SECCOMP_CACHE/.deadbeef.2147483646.tmp" "$HUSK_SECCOMP_CACHE/.cafe.$$.tmp"
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 17}"
	run_in_container mkdir /tmp/d
	[ ! -e "$HUSK_SECCOMP_CACHE/.deadbeef.2147483646.tmp" ] || fail "stale temporary file kept"
	[ -e "$HUSK_SECCOMP_CACHE/.cafe.$$.tmp" ] || fail "a live writer's file removed"
	rm -f "$HUSK_SECCOMP_CACHE"/.*.tmp "$HUSK_SECCOMP_CACHE"/*
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 18}"
	run_in_container mkdir /tmp/d
	# second start: from the cache, same behaviour
	run_in_container mkdir /tmp/d
	assert_failure
	assert_output --partial "$(strerror 18)"
	# a different profile is a different entry, and is not served the old one
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}"
	run_in_container mkdir /tmp/d
	assert_failure
	assert_output --partial "$(strerror 13)"
	[ "$(find "$HUSK_SECCOMP_CACHE" -type f | wc -l)" -eq 2 ]
	# a corrupted entry is ignored (compiled again), never trusted
	local f
	for f in "$HUSK_SECCOMP_CACHE"/*; do
		printf 'garbage' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
	done
	run_in_container mkdir /tmp/d
	assert_failure
	assert_output --partial "$(strerror 13)"
}

# ---- SCMP_ACT_NOTIFY: tests/seccomp-listener answers ----

start_listener() {
	LISTENER_SOCK=$BATS_TEST_TMPDIR/l.sock
	LISTENER_OUT=$BATS_TEST_TMPDIR/listener
	mkdir -p "$LISTENER_OUT"
	[ -x "$HUSK_TESTS_BIN/seccomp-listener" ] || fail "no $HUSK_TESTS_BIN/seccomp-listener: make check"
	"$HUSK_TESTS_BIN/seccomp-listener" "$LISTENER_SOCK" "$LISTENER_OUT" "$@" \
		>"$LISTENER_OUT/log" 2>&1 || fail "seccomp-listener did not start: $(cat "$LISTENER_OUT/log")"
}

notify_config() {
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_NOTIFY\"}"
	update_config ".linux.seccomp.listenerPath = \"$LISTENER_SOCK\"
		| .linux.seccomp.listenerMetadata = \"meta \\\"quoted\\\" data\""
}

@test "seccomp: SCMP_ACT_NOTIFY: the listener answers success, mkdir 'succeeds' without a directory" {
	kernel_at_least 5.0 "seccomp user notification"
	start_listener success
	notify_config
	run_in_container sh -c 'mkdir /tmp/n && echo made; test -d /tmp/n || echo absent'
	assert_success
	assert_line made
	assert_line absent
	[ ! -s "$LISTENER_OUT/error" ] || fail "listener: $(cat "$LISTENER_OUT/error")"
	grep -qx -E 'mkdir|mkdirat' "$LISTENER_OUT/syscalls"
	# the container process state document of the runtime-spec
	local st=$LISTENER_OUT/state.json
	jq -e . "$st" >/dev/null || fail "not JSON: $(cat "$st")"
	jq -e '.ociVersion | startswith("1.")' "$st"
	jq -e '.fds == ["seccompFd"]' "$st"
	jq -e '.pid > 0' "$st"
	# the process is the container's init: its pid as the host sees it
	jq -e '.pid == .state.pid' "$st" || fail "pid $(jq .pid "$st"), init $(jq .state.pid "$st")"
	jq -e '.metadata == "meta \"quoted\" data"' "$st"
	[ "$(jq -r .state.id "$st")" = "$ID" ]
	[ "$(jq -r .state.bundle "$st")" = "$BUNDLE" ]
}

@test "seccomp: SCMP_ACT_NOTIFY: the listener answers an errno" {
	kernel_at_least 5.0 "seccomp user notification"
	start_listener errno:18
	notify_config
	run_in_container mkdir /tmp/n
	assert_failure
	assert_output --partial "$(strerror 18)"
	[ ! -s "$LISTENER_OUT/error" ] || fail "listener: $(cat "$LISTENER_OUT/error")"
}

@test "seccomp: SCMP_ACT_NOTIFY without listenerPath is refused" {
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_NOTIFY\"}"
	run_in_container true
	assert_failure
	assert_output --partial listenerPath
}

@test "seccomp: SCMP_ACT_NOTIFY on a kernel without user notification fails naming the rule" {
	seccomp_rules SCMP_ACT_ALLOW "{$MKDIR, \"action\": \"SCMP_ACT_NOTIFY\"}"
	update_config ".linux.seccomp.listenerPath = \"$BATS_TEST_TMPDIR/nobody.sock\""
	run "$HUSK_TESTS_BIN/kernel-compat" 4.20 -- "${HUSK_REAL:-$HUSK}" --root "$STATE_ROOT" \
		run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'syscalls[0].action: SCMP_ACT_NOTIFY needs seccomp user notification (Linux 5.0)'
	assert_no_leftovers "$ID"
}

@test "seccomp: SCMP_ACT_NOTIFY with nobody listening fails the start with a clear error" {
	kernel_at_least 5.0 "seccomp user notification"
	LISTENER_SOCK=$BATS_TEST_TMPDIR/nobody.sock
	notify_config
	run_in_container true
	assert_failure
	assert_output --partial "nobody.sock"
}
