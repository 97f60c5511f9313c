#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# husk check: every problem of a bundle, each with the JSON path of its field,
# without creating anything; the JSON report matches schema/check-schema.json;
# exit 0 exactly when the bundle would start.

load helpers
load rootless-helpers

setup() {
	husk_setup
	make_bundle
}

teardown() {
	husk_teardown
	rootless_user_teardown
}

# check_json [ARGS...]: `husk check --format json` on $BUNDLE into $REPORT,
# validated against the schema; $status is husk's exit code (0 exactly
# when the report says ok).  Global options go in the array CHECK_GLOBALS.
check_json() {
	run husk "${CHECK_GLOBALS[@]}" check --bundle "$BUNDLE" --format json "$@"
	report_validate
}

# report_validate: $output (a report, with husk's exit code in $status)
# into $REPORT, validated against the schema; $status stays husk's.
report_validate() {
	local rc=$status
	REPORT=$BATS_TEST_TMPDIR/report.json
	printf '%s\n' "$output" >"$REPORT"
	run python3 "$REPO/tests/schema-check.py" check "$REPORT"
	[ "$status" -eq 0 ] || fail "report does not match schema/check-schema.json: $output"
	[ "$rc" -eq "$(jq -r 'if .ok then 0 else 1 end' "$REPORT")" ] ||
		fail "exit code $rc does not match the report: $(cat "$REPORT")"
	status=$rc
}

# assert_trace_creates_nothing TRACE: not one syscall in an strace -f log
# that makes or changes anything outside the process, and one process.
assert_trace_creates_nothing() {
	[ -s "$1" ] || fail "strace wrote nothing"
	# (the memfd of the self re-exec guard is no file anywhere)
	run grep -E '(^| )(mkdir|mkdirat|mknod|mknodat|mount|umount2|open_tree|fsopen|fsmount|move_mount|mount_setattr|unshare|setns|clone|clone3|fork|vfork|kill|rename|renameat2|unlink|unlinkat|rmdir|symlink|symlinkat|link|linkat)\(|O_CREAT|O_WRONLY|O_RDWR' "$1"
	assert_failure
	# It forked nothing, so no process of it can be left.
	[ "$(awk '{print $1}' "$1" | sort -u | wc -l)" -eq 1 ] || fail "more than one process in the trace"
}

# has_problem SEVERITY PATH WORD: the report lists a problem at PATH whose
# message holds WORD.
has_problem() {
	jq -e --arg s "$1" --arg p "$2" --arg w "$3" \
		'any(.problems[]; .severity == $s and .path == $p and (.message | contains($w)))' \
		"$REPORT" >/dev/null || fail "no $1 at \`$2\` mentioning \`$3\` in: $(cat "$REPORT")"
}

@test "check: the template bundle is fine, exit 0, and it does start" {
	run husk check --bundle "$BUNDLE"
	assert_success
	assert_output --partial "ok:"
	check_json
	[ "$status" -eq 0 ]
	jq -e '.ok == true and .errors == 0' "$REPORT"
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
}

@test "check: creates nothing: no state, cgroup, mount or process (syscall trace)" {
	# A bundle with something for every check to look at: a bind mount, a
	# namespace path, resources and a seccomp filter.
	update_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["rbind"]}]
		| .linux.namespaces |= map(select(.type != "ipc"))
		| .linux.namespaces += [{"type": "ipc", "path": "/proc/self/ns/ipc"}]
		| .linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 10
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}
		| .hooks = {"prestart": [{"path": "/bin/true"}], "startContainer": [{"path": "/bin/sh"}]}'
	local before after trace=$BATS_TEST_TMPDIR/trace
	before=$(awk '{print $5}' /proc/self/mountinfo | sort)
	run strace -f -qq -o "$trace" "$HUSK" --root "$STATE_ROOT" check --bundle "$BUNDLE"
	assert_success
	# mount_setattr is only probed when a mount asks for idmap: not here.
	assert_trace_creates_nothing "$trace"
	[ ! -e "$STATE_ROOT" ] || fail "check made the state root $STATE_ROOT"
	after=$(awk '{print $5}' /proc/self/mountinfo | sort)
	[ "$before" = "$after" ] || fail "mounts changed"
}

@test "check: malformed config: invalid JSON, a wrong type, missing file or bundle" {
	echo '{"ociVersion": ' >"$BUNDLE/bad.json"
	check_json --config bad.json
	[ "$status" -eq 1 ]
	has_problem error "" "invalid JSON"
	update_config '.linux.resources.memory.limit = "1g"'
	check_json
	[ "$status" -eq 1 ]
	has_problem error linux.resources.memory.limit "expected an integer, got a string"
	check_json --config nothere.json
	[ "$status" -eq 1 ]
	has_problem error "" "nothere.json"
	run husk check --bundle "$BATS_TEST_TMPDIR/no-bundle" --format json
	[ "$status" -eq 1 ]
	jq -e '.ok == false and .problems[0].path == "" and (.problems[0].message | contains("no-bundle"))' <<<"$output"
}

@test "check: every broken spec rule is listed, not just the first" {
	update_config '.process.cwd = "relative"
		| .process.env += ["NOEQUALS"]
		| .linux.namespaces += [{"type": "ipc"}]
		| .linux.maskedPaths += ["not/absolute"]
		| .linux.namespaces |= map(select(.type != "uts")) | .hostname = "h"
		| .linux.timeOffsets = {"monotonic": {"secs": 1}}
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1}
		| .mounts += [{"destination": "/m", "type": "bind", "source": "/tmp", "options": ["bind"],
			"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]'
	check_json
	[ "$status" -eq 1 ]
	has_problem error process.cwd "not an absolute path"
	has_problem error "process.env[$(jq '.process.env | length - 1' "$BUNDLE/config.json")]" "KEY=value"
	has_problem error "linux.maskedPaths[$(jq '.linux.maskedPaths | length - 1' "$BUNDLE/config.json")]" "not an absolute path"
	has_problem error hostname "requires a uts namespace"
	has_problem error linux.timeOffsets "requires a time namespace"
	has_problem error linux.seccomp.defaultErrnoRet "only valid with"
	has_problem error "mounts[$(jq '.mounts | length - 1' "$BUNDLE/config.json")]" "given together"
	jq -e '[.problems[] | select(.path | test("^linux.namespaces\\[[0-9]+\\].type$"))] | length == 1' "$REPORT"
	# The mount's uidMappings also need idmapped mounts, which an old
	# kernel (or HUSK_KERNEL_COMPAT) lacks: one more error there.
	local want=8
	version_at_least 5.12 || want=9
	jq -e --argjson n "$want" '.errors == $n' "$REPORT" || fail "expected $want errors: $(cat "$REPORT")"
	# create stops at the first of them, with the same words.
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'process.cwd: "relative" is not an absolute path'
	assert_no_leftovers "$ID"
}

@test "check: every malformed section is listed; create stops at the first" {
	# Type errors in five sections: each is reported, in document order.
	update_config '.root.path = 3 | .process.cwd = 5 | .hooks = {"prestart": [{"path": 7}]}
		| .linux.namespaces = "x" | .linux.resources.memory.limit = "1g"'
	check_json
	[ "$status" -eq 1 ]
	has_problem error root.path "expected a string, got an integer"
	has_problem error process.cwd "expected a string, got an integer"
	has_problem error "hooks.prestart[0].path" "expected a string, got an integer"
	has_problem error linux.namespaces "expected an array, got a string"
	has_problem error linux.resources.memory.limit "expected an integer, got a string"
	jq -e '.errors == 5' "$REPORT" || fail "expected 5 errors: $(cat "$REPORT")"
	jq -e '[.problems[].path] == ["root.path", "process.cwd", "hooks.prestart[0].path",
		"linux.namespaces", "linux.resources.memory.limit"]' "$REPORT" ||
		fail "not in document order: $(cat "$REPORT")"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "root.path: expected a string, got an integer"
	assert_no_leftovers "$ID"
}

@test "check: every bad field inside one section is listed, not just the first" {
	# Several bad fields in process, in one mount and one resource each:
	# wrong types and a value out of range.
	update_config '.process.args = 5 | .process.cwd = 7 | .process.terminal = "yes"
		| .process.user = {"uid": "root", "gid": -1}
		| .mounts[0].destination = 4 | .mounts[2].type = []
		| .linux.resources.memory = {"limit": "1g", "swap": true}
		| .linux.namespaces[0].type = 3'
	check_json
	[ "$status" -eq 1 ]
	has_problem error "mounts[0].destination" "expected a string, got an integer"
	has_problem error "mounts[2].type" "expected a string, got an array"
	has_problem error process.terminal "expected a boolean, got a string"
	has_problem error process.cwd "expected a string, got an integer"
	has_problem error process.args "expected an array, got an integer"
	has_problem error process.user.uid "expected an integer, got a string"
	has_problem error process.user.gid "-1 is out of range"
	has_problem error "linux.namespaces[0].type" "expected a string, got an integer"
	has_problem error linux.resources.memory.limit "expected an integer, got a string"
	has_problem error linux.resources.memory.swap "expected an integer, got a boolean"
	# one problem each: a bad required field is not also "missing"
	jq -e '.errors == 10 and .warnings == 0' "$REPORT" || fail "expected 10 errors: $(cat "$REPORT")"
	run husk check --bundle "$BUNDLE"
	assert_failure 1
	assert_line 'error: process.args: expected an array, got an integer'
	assert_line 'error: process.cwd: expected a string, got an integer'
	assert_line '10 error(s), 0 warning(s): the bundle would not start'
	# create still stops at the first, with the same words, and leaves nothing.
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "mounts[0].destination: expected a string, got an integer"
	refute_output --partial "process.args"
	assert_no_leftovers "$ID"
}

@test "check: the issue's example, process.args and process.cwd of the wrong type" {
	update_config '.process.args = 5 | .process.cwd = 7'
	check_json
	[ "$status" -eq 1 ]
	has_problem error process.args "expected an array, got an integer"
	has_problem error process.cwd "expected a string, got an integer"
	jq -e '.errors == 2' "$REPORT" || fail "expected 2 errors: $(cat "$REPORT")"
	# fixed, the bundle is fine again
	update_config '.process.args = ["/bin/true"] | .process.cwd = "/"'
	check_json
	[ "$status" -eq 0 ] || fail "still failing: $(cat "$REPORT")"
}

@test "check: each bad element of a list of strings is a problem at its own index" {
	update_config '.process.args = [1, "/bin/true", 2] | .process.env += [true]
		| .linux.maskedPaths = ["/proc/kcore", {}] | .process.user.additionalGids = [5, "x"]
		| .annotations = {"ok": "yes", "bad": 1}'
	check_json
	[ "$status" -eq 1 ]
	has_problem error "process.args[0]" "expected a string, got an integer"
	has_problem error "process.args[2]" "expected a string, got an integer"
	local env_last
	env_last=$(jq '.process.env | length - 1' "$BUNDLE/config.json")
	has_problem error "process.env[$env_last]" "expected a string, got a boolean"
	has_problem error "linux.maskedPaths[1]" "expected a string, got an object"
	has_problem error "process.user.additionalGids[1]" "expected an integer, got a string"
	has_problem error annotations.bad "expected a string, got an integer"
	# one problem per bad element, none for the whole field or the good ones
	jq -e '.errors == 6' "$REPORT" || fail "expected 6 errors: $(cat "$REPORT")"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "process.env[$env_last]: expected a string, got a boolean"
	assert_no_leftovers "$ID"
}

@test "check: an unknown name (policy, capability, namespace, seccomp action...) is a problem at its path, and the parse goes on" {
	update_config '.process.scheduler = {"policy": "SCHED_NOPE", "flags": ["SCHED_FLAG_NOPE"]}
		| .process.capabilities.bounding += ["NOT_A_CAP"]
		| .process.ioPriority = {"class": "IOPRIO_CLASS_NOPE", "priority": 9}
		| .process.rlimits = [{"type": "RLIMIT_NOPE", "soft": 1, "hard": 1},
			{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024}]
		| .linux.namespaces[1].type = "nope"
		| .linux.rootfsPropagation = "sideways"
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_NOPE", "architectures": ["SCMP_ARCH_NOPE"],
			"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
				"args": [{"index": 9, "value": 1, "op": "SCMP_CMP_NOPE"}]},
				{"names": ["rmdir"], "action": "SCMP_ACT_NADA"}]}
		| .linux.personality = {"domain": "LINUX_NOPE"}
		| .linux.memoryPolicy = {"mode": "MPOL_NOPE"}
		| .linux.devices = [{"type": "x", "path": "dev/rel"}]
		| .linux.resources.devices = [{"allow": true, "type": "x", "access": "z"}]'
	check_json
	[ "$status" -eq 1 ]
	local bounding_last
	bounding_last=$(jq '.process.capabilities.bounding | length - 1' "$BUNDLE/config.json")
	has_problem error process.scheduler.policy 'unknown scheduler policy "SCHED_NOPE"'
	has_problem error "process.scheduler.flags[0]" 'unknown scheduler flag "SCHED_FLAG_NOPE"'
	has_problem error "process.capabilities.bounding[$bounding_last]" 'unknown capability "NOT_A_CAP"'
	has_problem error process.ioPriority.class 'unknown I/O priority class'
	has_problem error process.ioPriority.priority "9 is out of range"
	has_problem error "process.rlimits[0].type" 'unknown rlimit type "RLIMIT_NOPE"'
	has_problem error "linux.namespaces[1].type" 'unknown namespace type "nope"'
	has_problem error linux.rootfsPropagation 'unknown rootfs propagation "sideways"'
	has_problem error linux.seccomp.defaultAction 'unknown seccomp action "SCMP_ACT_NOPE"'
	has_problem error "linux.seccomp.architectures[0]" 'unknown seccomp architecture'
	has_problem error "linux.seccomp.syscalls[0].args[0].index" "9 is out of range"
	has_problem error "linux.seccomp.syscalls[0].args[0].op" 'unknown seccomp operator'
	has_problem error "linux.seccomp.syscalls[1].action" 'unknown seccomp action "SCMP_ACT_NADA"'
	has_problem error linux.personality.domain 'unknown personality domain'
	has_problem error linux.memoryPolicy.mode 'unknown memory policy mode'
	# after an unknown type, the rest of the element is still read
	has_problem error "linux.devices[0].type" 'unknown device type "x"'
	has_problem error "linux.devices[0].path" '"dev/rel" is not an absolute path'
	has_problem error "linux.resources.devices[0].type" 'unknown device type "x"'
	has_problem error "linux.resources.devices[0].access" '"z" is not a combination of r, w and m'
	jq -e '.errors == 19' "$REPORT" || fail "expected 19 errors: $(cat "$REPORT")"
	# create stops at the first, with the same words as before, and leaves nothing
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'process.rlimits[0].type: unknown rlimit type "RLIMIT_NOPE"'
	refute_output --partial "capabilities"
	assert_no_leftovers "$ID"
}

@test "check: the spec rules and host checks run beside bad fields, each problem once at its path" {
	# Bad values in some fields; broken rules and host problems in others.
	update_config '.process.args = ["/bin/no-such-program"] | .process.env += [5]
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 5},
			{"type": 5, "soft": 1, "hard": 1}]
		| .process.user.uid = "root"
		| .linux.namespaces |= map(select(.type != "uts" and .type != "ipc"))
		| .linux.namespaces += [{"type": "ipc", "path": "/no/such/ns"}]
		| .hostname = 5 | .domainname = "d"
		| .mounts[0].destination = 4
		| .mounts += [{"destination": "/m", "type": "bind", "source": "/no/such/src", "options": ["bind"]}]
		| .linux.maskedPaths += ["relative", 7]
		| .linux.resources.memory.limit = "1g"
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}]}
		| .hooks = {"prestart": [{"path": "/no/such/hook"}, {"path": 5}]}'
	check_json
	[ "$status" -eq 1 ]
	local env_last masked_last ns_last mount_last
	env_last=$(jq '.process.env | length - 1' "$BUNDLE/config.json")
	masked_last=$(jq '.linux.maskedPaths | length - 1' "$BUNDLE/config.json")
	ns_last=$(jq '.linux.namespaces | length - 1' "$BUNDLE/config.json")
	mount_last=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
	# the parse: wrong types and an unknown name
	has_problem error "process.env[$env_last]" "expected a string, got an integer"
	has_problem error "process.rlimits[1].type" "expected a string, got an integer"
	has_problem error process.user.uid "expected an integer, got a string"
	has_problem error hostname "expected a string, got an integer"
	has_problem error "mounts[0].destination" "expected a string, got an integer"
	has_problem error "linux.maskedPaths[$masked_last]" "expected a string, got an integer"
	has_problem error linux.resources.memory.limit "expected an integer, got a string"
	has_problem error "linux.seccomp.syscalls[0].action" 'unknown seccomp action "SCMP_ACT_NOPE"'
	has_problem error "hooks.prestart[1].path" "expected a string, got an integer"
	# the spec's rules, on the fields that did parse
	has_problem error "process.rlimits[0]" "soft limit 10 is above the hard limit 5"
	has_problem error domainname "requires a uts namespace"
	has_problem error "linux.maskedPaths[$((masked_last - 1))]" '"relative" is not an absolute path'
	# the host: the program, a mount source, a namespace path, a hook
	has_problem error "process.args[0]" "not an executable file in the rootfs"
	has_problem error "mounts[$mount_last].source" "/no/such/src"
	has_problem error "linux.namespaces[$ns_last].path" "/no/such/ns"
	has_problem error "hooks.prestart[0].path" "/no/such/hook"
	# and nothing more: no rule or host check repeats a bad field (no
	# "must not be empty", "is not an absolute path" or "duplicate" about
	# a placeholder, no cgroup or seccomp verdict on a half-read section)
	jq -e '.errors == 16 and .warnings == 0' "$REPORT" || fail "expected 16 errors: $(cat "$REPORT")"
	# the host checks that now run beside the bad fields create nothing
	local trace=$BATS_TEST_TMPDIR/trace
	run strace -f -qq -o "$trace" "$HUSK" --root "$STATE_ROOT" check --bundle "$BUNDLE"
	assert_failure 1
	assert_trace_creates_nothing "$trace"
	[ ! -e "$STATE_ROOT" ] || fail "check made the state root $STATE_ROOT"
	# create stops at the first, with the same words, and leaves nothing
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "mounts[0].destination: expected a string, got an integer"
	refute_output --partial "process"
	assert_no_leftovers "$ID"
}

@test "check: a rule or host check whose input had a bad value is skipped, not repeated" {
	# Each field here is read by a rule or a host check too.
	update_config '.root.path = 5 | .process.cwd = 7 | .process.args = [1]
		| .linux.namespaces[0].type = "nope"
		| .hooks = {"poststop": [{"path": "relative"}]}
		| .linux.uidMappings = [{"containerID": "0", "hostID": 1000, "size": 1},
			{"containerID": 1, "size": 1}]
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [{"names": 5, "action": "SCMP_ACT_ERRNO"}]}'
	check_json
	[ "$status" -eq 1 ]
	has_problem error root.path "expected a string, got an integer"
	has_problem error process.cwd "expected a string, got an integer"
	has_problem error "process.args[0]" "expected a string, got an integer"
	has_problem error "linux.namespaces[0].type" 'unknown namespace type "nope"'
	has_problem error "hooks.poststop[0].path" '"relative" is not an absolute path'
	has_problem error "linux.uidMappings[0].containerID" "expected an integer, got a string"
	has_problem error "linux.uidMappings[1].hostID" "required but missing"
	has_problem error "linux.seccomp.syscalls[0].names" "expected an array, got an integer"
	# not "root.path: must not be empty" or "No such file", nor
	# "uidMappings[1].size: must be at least 1" (it was never read), nor
	# "names: must name at least one syscall", nor
	# "process.args: must name the program", "process.cwd: not an absolute
	# path", a "requires a user namespace" that depends on which
	# namespaces there are, or a hook that cannot be found
	jq -e '.errors == 8' "$REPORT" || fail "expected 8 errors: $(cat "$REPORT")"
	run husk check --bundle "$BUNDLE"
	assert_failure 1
	assert_line "error: root.path: expected a string, got an integer"
	assert_line '8 error(s), 0 warning(s): the bundle would not start'
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "root.path: expected a string, got an integer"
	assert_no_leftovers "$ID"
}

@test "check: a missing required string or number is a problem and the rest of its object is still read" {
	update_config 'del(.process.cwd) | .process.args = [3, "/bin/true"] | .process.terminal = 1
		| .process.consoleSize = {"height": 3}
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": "x"}]
		| .linux.devices = [{"major": 1, "minor": 2, "fileMode": "x"}]
		| del(.mounts[1].destination) | .mounts[1].type = 5
		| .hooks = {"prestart": [{"timeout": 0}]}
		| .linux.namespaces[0] = {"path": 7}
		| .root = 5'
	check_json
	[ "$status" -eq 1 ]
	has_problem error process.cwd "required but missing"
	has_problem error "process.args[0]" "expected a string, got an integer"
	has_problem error process.terminal "expected a boolean, got an integer"
	has_problem error process.consoleSize.width "required but missing"
	has_problem error "process.rlimits[0].hard" "required but missing"
	has_problem error "process.rlimits[0].soft" "expected an integer, got a string"
	has_problem error "linux.devices[0].type" "required but missing"
	has_problem error "linux.devices[0].path" "required but missing"
	has_problem error "linux.devices[0].fileMode" "expected an integer, got a string"
	has_problem error "mounts[1].destination" "required but missing"
	has_problem error "mounts[1].type" "expected a string, got an integer"
	has_problem error "hooks.prestart[0].path" "required but missing"
	has_problem error "hooks.prestart[0].timeout" "out of range"
	has_problem error "linux.namespaces[0].type" "required but missing"
	has_problem error "linux.namespaces[0].path" "expected a string, got an integer"
	has_problem error root "expected an object, got an integer"
	# nothing about the placeholders: not "root.path: required", not
	# "must not be empty", "not an absolute path" or "unknown namespace type"
	jq -e '.errors == 16' "$REPORT" || fail "expected 16 errors: $(cat "$REPORT")"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "root: expected an object, got an integer"
	assert_no_leftovers "$ID"
}

@test "check: any one field of another type: no crash, each problem once, none about other fields, none hidden" {
	# A config that uses most sections, so that the rules and host checks
	# running beside a bad field have something to look at.
	update_config '.mounts += [{"destination": "/m", "type": "bind", "source": "/tmp", "options": ["rbind"]}]
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 10, "hard": 10}]
		| .process.scheduler = {"policy": "SCHED_OTHER"}
		| .process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 1}
		| .process.user.additionalGids = [1, 2]
		| .hooks = {"prestart": [{"path": "/bin/true", "args": ["true"], "timeout": 5}],
			"startContainer": [{"path": "/bin/true"}]}
		| .linux.namespaces |= map(select(.type != "ipc"))
		| .linux.namespaces += [{"type": "ipc", "path": "/proc/self/ns/ipc"}]
		| .linux.devices = [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229}]
		| .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 10},
			"devices": [{"allow": false, "access": "rwm"}],
			"hugepageLimits": [{"pageSize": "2MB", "limit": 0}]}
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
			"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
				"args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}
		| .linux.personality = {"domain": "LINUX"} | .linux.sysctl = {"kernel.domainname": "x"}
		| .annotations = {"a": "b"}'
	run python3 "$REPO/tests/check-mutate.py" "$HUSK" "$BUNDLE"
	assert_success
	assert_output --regexp '^[0-9]{3,} variants, 0 violations \([1-9][0-9]* bad fields kept in sight\)$'
	assert_no_leftovers "$ID"
}

@test "check: the rootfs must exist" {
	update_config '.root.path = "no-such-rootfs"'
	check_json
	[ "$status" -eq 1 ]
	has_problem error root.path "no-such-rootfs"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
}

@test "check: process.args[0] must be an executable inside the rootfs" {
	set_args no-such-program
	check_json
	[ "$status" -eq 1 ]
	has_problem error "process.args[0]" "no-such-program"
	# A file that is not executable, named by path.
	set_args /etc/passwd
	check_json
	[ "$status" -eq 1 ]
	has_problem error "process.args[0]" "not an executable file"
	# jq exists on the host but not in the busybox rootfs: a symlink to it
	# resolves inside the rootfs (resolve_in_root), absolute or by "..".
	[ -x /usr/bin/jq ] && [ ! -e "$BUNDLE/rootfs/usr/bin/jq" ] || fail "test needs host-only /usr/bin/jq"
	ln -s /usr/bin/jq "$BUNDLE/rootfs/bin/abs-escape"
	ln -s ../../../../../../../../usr/bin/jq "$BUNDLE/rootfs/bin/dotdot-escape"
	set_args abs-escape
	check_json
	[ "$status" -eq 1 ]
	has_problem error "process.args[0]" "abs-escape"
	set_args /bin/dotdot-escape
	check_json
	[ "$status" -eq 1 ]
	has_problem error "process.args[0]" "dotdot-escape"
	# Found along the process's own PATH, and by a path relative to cwd.
	update_config '.process.env = ["PATH=/nowhere:/bin"] | .process.cwd = "/bin"'
	set_args sh
	check_json
	[ "$status" -eq 0 ]
	set_args ./sh
	check_json
	[ "$status" -eq 0 ]
	update_config '.process.env = ["PATH=/nowhere"]'
	set_args sh
	check_json
	[ "$status" -eq 1 ]
	has_problem error "process.args[0]" "PATH /nowhere"
}

@test "check: mounts: missing bind source, missing type, idmap on a non-bind mount" {
	update_config '.mounts += [
		{"destination": "/a", "type": "bind", "source": "/no/such/source", "options": ["rbind"]},
		{"destination": "/b", "source": "none"},
		{"destination": "/c", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]},
		{"destination": "/d", "type": "bind", "source": "relative-src", "options": ["bind"]}]'
	local n
	n=$(jq '.mounts | length' "$BUNDLE/config.json")
	check_json
	[ "$status" -eq 1 ]
	has_problem error "mounts[$((n - 4))].source" "/no/such/source"
	has_problem error "mounts[$((n - 3))].type" "missing"
	has_problem error "mounts[$((n - 2))].options" "bind mounts only"
	# A relative source is the bundle's.
	has_problem error "mounts[$((n - 1))].source" "$BUNDLE/relative-src"
	mkdir "$BUNDLE/relative-src"
	check_json
	jq -e --arg p "mounts[$((n - 1))].source" 'all(.problems[]; .path != $p)' "$REPORT"
}

@test "check: namespace paths must exist and be namespaces of their type" {
	update_config '.linux.namespaces += [{"type": "ipc", "path": "/proc/self/ns/nope"},
		{"type": "network", "path": "/proc/self/ns/mnt"}]'
	local n
	n=$(jq '.linux.namespaces | length' "$BUNDLE/config.json")
	check_json
	[ "$status" -eq 1 ]
	has_problem error "linux.namespaces[$((n - 2))].path" "/proc/self/ns/nope"
	has_problem error "linux.namespaces[$((n - 1))].path" "not a network namespace"
}

@test "check: a resource no mounted controller serves is a warning; the bundle still starts" {
	grep -qE '^rdma[[:space:]]+[0-9]+[[:space:]]+[0-9]+[[:space:]]+1' /proc/cgroups &&
		skip "this host has the rdma controller enabled"
	grep -qw rdma /sys/fs/cgroup/unified/cgroup.controllers /sys/fs/cgroup/cgroup.controllers 2>/dev/null &&
		skip "this host's cgroup2 offers rdma"
	update_config '.linux.resources.rdma = {"mlx5_0": {"hcaHandles": 2}}'
	check_json
	[ "$status" -eq 0 ]
	has_problem warning linux.resources.rdma "rdma controller is not mounted"
	jq -e '.ok == true and .warnings == 1' "$REPORT"
	run husk check --bundle "$BUNDLE"
	assert_success
	assert_output --partial "warning: linux.resources.rdma: ignored"
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output --partial "linux.resources.rdma: ignored"
}

@test "check: the seccomp profile must compile and its listener exist" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"listenerPath": "'"$BATS_TEST_TMPDIR"'/no.sock",
		"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY"}]}'
	check_json
	[ "$status" -eq 1 ]
	if version_at_least 5.0; then
		has_problem error "linux.seccomp.syscalls[1].action" "sendmsg"
	else
		has_problem error "linux.seccomp.syscalls[1].action" "seccomp user notification (Linux 5.0)"
	fi
	has_problem error linux.seccomp.listenerPath "no.sock"
	touch "$BATS_TEST_TMPDIR/no.sock"
	check_json
	has_problem error linux.seccomp.listenerPath "not a unix socket"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_no_leftovers "$ID"
}

@test "check: each hook path must be an executable file where the hook runs" {
	local noexec=$BATS_TEST_TMPDIR/noexec-hook
	: >"$noexec"
	chmod 0644 "$noexec"
	# Good ones: host /bin/true; startContainer resolves in the rootfs (busybox /bin/sh).
	update_config '.hooks = {
		"prestart": [{"path": "/bin/true"}, {"path": "/no/such/hook"}],
		"createRuntime": [{"path": "'"$noexec"'"}],
		"createContainer": [{"path": "/bin/true"}],
		"poststop": [{"path": "/tmp"}],
		"startContainer": [{"path": "/bin/sh"}, {"path": "/usr/bin/jq"}]}'
	[ -x /usr/bin/jq ] && [ ! -e "$BUNDLE/rootfs/usr/bin/jq" ] || fail "test needs host-only /usr/bin/jq"
	check_json
	[ "$status" -eq 1 ]
	has_problem error "hooks.prestart[1].path" "No such file or directory"
	has_problem error "hooks.createRuntime[0].path" "not executable"
	has_problem error "hooks.poststop[0].path" "not a regular file"
	# A host file, but startContainer runs in the container: not there.
	has_problem error "hooks.startContainer[1].path" "not an executable file in the rootfs"
	jq -e '.errors == 4' "$REPORT" || fail "expected 4 errors: $(cat "$REPORT")"
	# create agrees: the missing prestart hook fails it, leaving nothing.
	update_config 'del(.hooks.createRuntime, .hooks.poststop, .hooks.startContainer)'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "/no/such/hook"
	assert_no_leftovers "$ID"
	update_config '.hooks.prestart |= .[:1]'
	check_json
	[ "$status" -eq 0 ]
}

@test "check: a unified key for a controller cgroup v1 serves here is an error, as in create" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] &&
		skip "this host is cgroup v2: every controller is in the unified hierarchy"
	[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] ||
		skip "no cgroup2 at /sys/fs/cgroup/unified: covered by \"needs cgroup v2\" already"
	[ -d /sys/fs/cgroup/pids ] || skip "no v1 pids hierarchy here"
	update_config '.linux.resources.unified = {"pids.max": "10", "cgroup.max.depth": "5"}'
	check_json
	[ "$status" -eq 1 ]
	has_problem error linux.resources.unified.pids.max "uses cgroup v1 for that controller"
	# the core cgroup.* files need no controller
	jq -e 'all(.problems[]; .path != "linux.resources.unified.cgroup.max.depth")' "$REPORT"
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.resources.unified.pids.max: needs cgroup v2"
	assert_no_leftovers "$ID"
}

# v2_parent_with_process CONTROLLER: a cgroup in the unified hierarchy that
# holds a process and has not enabled CONTROLLER for its children; sets P
# (its path below the hierarchy) and UNI (the hierarchy).
v2_parent_with_process() {
	UNI=/sys/fs/cgroup
	[ "$(stat -f -c %T $UNI)" = cgroup2fs ] || UNI=/sys/fs/cgroup/unified
	[ "$(stat -f -c %T $UNI 2>/dev/null)" = cgroup2fs ] || skip "no cgroup2 hierarchy here"
	grep -qw "$1" "$UNI/cgroup.controllers" ||
		skip "the cgroup2 root here does not offer the $1 controller"
	P=/husk-check-$BATS_TEST_NUMBER-$$
	mkdir "$UNI$P"
	sleep 1000 &
	SLEEPER=$!
	echo "$SLEEPER" >"$UNI$P/cgroup.procs"
}

v2_parent_cleanup() {
	if [ -n "${SLEEPER:-}" ]; then
		kill "$SLEEPER"
		wait "$SLEEPER" 2>/dev/null || true
	fi
	SLEEPER=
	[ -z "${P:-}" ] || rmdir "$UNI$P"
	P=
}

@test "check: a cgroup v2 controller its parent cannot enable (it holds processes) is an error" {
	# On a pure v2 host pids; on a hybrid one what only cgroup2 has (hugetlb).
	local ctrl=pids
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || ctrl=hugetlb
	[ $ctrl = pids ] || [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	v2_parent_with_process $ctrl
	if [ $ctrl = pids ]; then
		update_config '.linux.cgroupsPath = "'"$P/ctr"'" | .linux.resources.pids = {"limit": 10}'
		field=linux.resources.pids
	else
		update_config '.linux.cgroupsPath = "'"$P/ctr"'"
			| .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 2097152}]'
		field=linux.resources.hugepageLimits
	fi
	local before
	before=$(cat "$UNI$P/cgroup.subtree_control")
	check_json
	local st=$status
	# check changed nothing: no leaf, the parent's controllers as they were
	[ ! -e "$UNI$P/ctr" ] || { v2_parent_cleanup; fail "check created $UNI$P/ctr"; }
	[ "$(cat "$UNI$P/cgroup.subtree_control")" = "$before" ] ||
		{ v2_parent_cleanup; fail "check changed $UNI$P/cgroup.subtree_control"; }
	run husk run --bundle "$BUNDLE" "$ID"
	local run_status=$status run_output=$output want="enable $ctrl in $UNI$P/cgroup.subtree_control"
	husk delete --force "$ID" 2>/dev/null || true
	v2_parent_cleanup
	[ "$st" -eq 1 ] || fail "check passed: $(cat "$REPORT")"
	has_problem error $field "has processes of its own"
	# create meets the same wall (EBUSY from cgroup.subtree_control)
	[ "$run_status" -ne 0 ] || fail "run succeeded"
	[[ "$run_output" == *"$want"* ]] ||
		fail "run failed otherwise: $run_output"
	assert_no_leftovers "$ID"
	# Without the process the parent can enable it: the bundle would start.
	v2_parent_with_process $ctrl
	kill "$SLEEPER"
	wait "$SLEEPER" 2>/dev/null || true
	SLEEPER=
	check_json
	v2_parent_cleanup
	[ "$status" -eq 0 ] || fail "check failed without the process: $(cat "$REPORT")"
}

# in_v2_view CMD...: CMD in a private mount namespace where /sys/fs/cgroup
# is this host's cgroup2 hierarchy itself, as on a pure cgroup v2 host; the
# host's own cgroup mounts stay as they are.
in_v2_view() {
	unshare -m --propagation private sh -c \
		'mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"' sh "$@"
}

@test "check: a controller the resources need that the cgroup v2 root lacks is an error, as in create" {
	local uni=/sys/fs/cgroup ctrl field want=() fields=() upd=.
	[ "$(stat -f -c %T $uni)" = cgroup2fs ] || uni=/sys/fs/cgroup/unified
	[ "$(stat -f -c %T $uni 2>/dev/null)" = cgroup2fs ] || skip "no cgroup2 hierarchy here"
	# On a hybrid host the controllers bound to v1 are not available at
	# the v2 root; on a pure v2 host only those the kernel lacks.
	# (in the order create enables them)
	for ctrl in memory:linux.resources.memory:'.linux.resources.memory = {"limit": 67108864}' \
		cpu:linux.resources.cpu:'.linux.resources.cpu = {"shares": 512}' \
		pids:linux.resources.pids:'.linux.resources.pids = {"limit": 10}' \
		io:linux.resources.blockIO:'.linux.resources.blockIO = {"weight": 500}'; do
		grep -qw "${ctrl%%:*}" "$uni/cgroup.controllers" && continue
		want+=("${ctrl%%:*}")
		field=${ctrl#*:}
		fields+=("${field%%:*}")
		upd+=" | ${field#*:}"
	done
	[ ${#want[@]} -gt 0 ] || skip "pids, memory, cpu and io are all available at $uni/"
	update_config "$upd"
	REPORT=$BATS_TEST_TMPDIR/report.json
	run in_v2_view "$HUSK" --root "$STATE_ROOT" check --bundle "$BUNDLE" --format json
	report_validate
	[ "$status" -eq 1 ]
	for i in "${!want[@]}"; do
		has_problem error "${fields[$i]}" "the ${want[$i]} controller is not available in /sys/fs/cgroup/"
	done
	jq -e --argjson n ${#want[@]} '.errors == $n' "$REPORT" || fail "expected ${#want[@]} errors: $(cat "$REPORT")"
	[ ! -e "$STATE_ROOT" ] || fail "check made the state root $STATE_ROOT"
	[ -z "$(cgroup_dirs_of check)" ] || fail "a cgroup named check: $(cgroup_dirs_of check)"
	# create, seeing the same hierarchy, stops at the first of them
	run in_v2_view "$HUSK" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "the ${want[0]} controller is not available in /sys/fs/cgroup/"
	assert_no_leftovers "$ID"
}

@test "check: text output: one line per problem, a summary, exit 1; usage errors" {
	update_config '.process.cwd = "rel" | .root.path = "gone"'
	run husk check --bundle "$BUNDLE"
	assert_failure 1
	assert_line 'error: process.cwd: "rel" is not an absolute path'
	assert_line --partial 'error: root.path: `gone`:'
	assert_line '2 error(s), 0 warning(s): the bundle would not start'
	run husk check --bundle "$BUNDLE" --format yaml
	assert_failure 1
	assert_output --partial "--format: expected text or json"
	run husk check --bundle "$BUNDLE" extra-operand
	assert_failure 1
	run husk check --help
	assert_success
	assert_output --partial "--format text|json"
}

@test "check: an idmap mount needs a kernel with idmapped mounts (Linux 5.12)" {
	mkdir -p "$BUNDLE/vol"
	update_config '.mounts += [{"destination": "/idm", "type": "bind", "source": "vol",
		"options": ["bind", "idmap"],
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
		"gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]'
	local n compat=$HUSK_TESTS_BIN/kernel-compat
	n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
	[ -x "$compat" ] || fail "no $compat: run \`make check\` first"
	# As on Linux 5.10 (tests/kernel-compat: mount_setattr is ENOSYS there).
	REPORT=$BATS_TEST_TMPDIR/report.json
	run "$compat" 5.10 -- "${HUSK_REAL:-$HUSK}" check --bundle "$BUNDLE" --format json
	assert_failure 1
	printf '%s\n' "$output" >"$REPORT"
	has_problem error "mounts[$n].options" "no idmapped mounts"
	# On the kernel husk runs on here, when it has them, that problem is not reported.
	version_at_least 5.12 || skip "husk runs with Linux $(husk_kernel)'s interfaces: no idmapped mounts"
	check_json
	jq -e --arg p "mounts[$n].options" 'all(.problems[]; .path != $p)' "$REPORT" ||
		fail "idmapped mounts reported missing on Linux $(husk_kernel): $(cat "$REPORT")"
}

@test "check: --systemd-cgroup: linux.cgroupsPath must be slice:prefix:name, as create says" {
	update_config '.linux.cgroupsPath = "not-the-systemd-form" | .root.path = "gone"'
	CHECK_GLOBALS=(--systemd-cgroup)
	check_json
	[ "$status" -eq 1 ]
	has_problem error linux.cgroupsPath "the systemd driver expects slice:prefix:name"
	has_problem error root.path "gone"
	jq -e '.errors == 2' "$REPORT" || fail "expected 2 errors: $(cat "$REPORT")"
	# beside a bad field elsewhere, the cgroup is still decided
	update_config '.linux.namespaces[0].type = "nope" | .process.cwd = 7'
	check_json
	has_problem error linux.cgroupsPath "the systemd driver expects slice:prefix:name"
	has_problem error "linux.namespaces[0].type" 'unknown namespace type "nope"'
	jq -e '.errors == 4' "$REPORT" || fail "expected 4 errors: $(cat "$REPORT")"
	update_config '.linux.namespaces[0].type = "pid" | .process.cwd = "/"'
	# The cgroupfs driver takes the same text as a path: no problem there.
	CHECK_GLOBALS=()
	check_json
	has_problem error root.path "gone"
	jq -e '.errors == 1' "$REPORT" || fail "expected only root.path: $(cat "$REPORT")"
	# create refuses it in the same words, and leaves nothing.
	update_config '.root.path = "rootfs"'
	run husk --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.cgroupsPath: \`not-the-systemd-form\`: the systemd driver expects slice:prefix:name"
	assert_no_leftovers "$ID"
	update_config '.linux.cgroupsPath = "husk:ctr"'
	CHECK_GLOBALS=(--systemd-cgroup)
	check_json
	has_problem error linux.cgroupsPath "slice:prefix:name"
	update_config '.linux.cgroupsPath = "nota-slice:husk:ctr"'
	check_json
	has_problem error linux.cgroupsPath "is not a slice name"
	# The right form: the only question left is whether systemd answers.
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'"'
	check_json
	jq -e 'all(.problems[]; (.message | contains("slice") | not))' "$REPORT" ||
		fail "a well-formed path reported: $(cat "$REPORT")"
	if [ -S /run/systemd/private ]; then
		[ "$status" -eq 0 ] || fail "systemd runs here, yet: $(cat "$REPORT")"
	else
		# no systemd on this host: check says so, and create fails alike
		[ "$status" -eq 1 ]
		has_problem error linux.cgroupsPath "systemd: connect to the system bus"
		run husk --systemd-cgroup run --bundle "$BUNDLE" "$ID"
		assert_failure
		assert_output --partial "systemd: connect to the system bus"
		assert_no_leftovers "$ID"
	fi
}

# rl_check [GLOBAL...]: `husk check --format json` as the rootless user on
# $RL_BUNDLE, under strace, into $REPORT (validated); $TRACE is the trace.
rl_check() {
	TRACE=$RL_BUNDLE.trace
	echo "$TRACE" >>"$ROOTLESS_HOME/.husk-test-dirs"
	rm -f "$TRACE"
	run as_user strace -f -qq -o "$TRACE" "$ROOTLESS_HUSK" "$@" check --bundle "$RL_BUNDLE" --format json
	[ "$status" -le 1 ] || fail "husk check as $ROOTLESS_USER: $output"
	report_validate
}

@test "check: rootless, resources with no writable cgroup name the field, as create does; nothing made" {
	rootless_user_setup
	[ -n "$(find /sys/fs/cgroup -maxdepth 2 -user "$ROOTLESS_UID" 2>/dev/null)" ] &&
		skip "the user owns a cgroup here (delegation): such a bundle would start"
	rootless_make_bundle
	# Without resources the container stays in the user's cgroup: fine.
	rl_check
	[ "$status" -eq 0 ] || fail "a rootless bundle without resources fails check: $(cat "$REPORT")"
	run husk_as_user run --bundle "$RL_BUNDLE" "$ID"
	assert_success
	CONFIG=$RL_BUNDLE/config.json update_config '.linux.resources.memory = {"limit": 67108864}
		| .linux.resources.pids = {"limit": 10} | .root.path = "gone"'
	chown "$ROOTLESS_UID" "$RL_BUNDLE/config.json"
	local before
	before=$(find "$ROOTLESS_XDG" | sort)
	rl_check
	[ "$status" -eq 1 ]
	# the field create names first, with create's words, and the other problem too
	has_problem error linux.resources.memory.limit "cannot be applied without root"
	has_problem error linux.resources.memory.limit "Permission denied"
	has_problem error root.path "gone"
	jq -e '.errors == 2' "$REPORT" || fail "expected 2 errors: $(cat "$REPORT")"
	assert_trace_creates_nothing "$TRACE"
	[ "$(find "$ROOTLESS_XDG" | sort)" = "$before" ] || fail "check wrote to $ROOTLESS_XDG"
	[ -z "$(cgroup_dirs_of check)" ] || fail "a cgroup named check: $(cgroup_dirs_of check)"
	CONFIG=$RL_BUNDLE/config.json update_config '.root.path = "rootfs"'
	chown "$ROOTLESS_UID" "$RL_BUNDLE/config.json"
	run husk_as_user run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.resources.memory.limit: cannot be applied without root"
	# --rootless false: create does not fall back, it fails at the cgroup
	rl_check --rootless false
	[ "$status" -eq 1 ]
	has_problem error linux.cgroupsPath "Permission denied"
	run husk_as_user --rootless false run --bundle "$RL_BUNDLE" "$ID"
	assert_failure
	assert_output --partial "cgroups: create"
	assert_output --partial "Permission denied"
	[ ! -e "$ROOTLESS_XDG/husk/$ID" ] || fail "state of $ID left"
}
