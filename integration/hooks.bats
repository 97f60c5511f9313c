#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# OCI hooks: the order of all six, where each runs, the state on stdin, args
# and env exactly as given, timeouts, and every failure path.

load helpers

setup() {
	husk_setup
	make_bundle
	LOG=$BUNDLE/rootfs/hooks.log
	: >"$LOG"
}

# hook_sh SCRIPT: a hook object running /bin/sh -c SCRIPT (as JSON).
hook_sh() {
	jq -cn --arg s "$1" '{"path": "/bin/sh", "args": ["sh", "-c", $s]}'
}

# set_hook KIND JSON...: hooks.KIND = [JSON...]
set_hook() {
	local kind=$1
	shift
	update_config ".hooks.$kind = $(printf '%s\n' "$@" | jq -s .)"
}

@test "hooks: all six run in the order of the lifecycle" {
	local kind
	for kind in prestart createRuntime createContainer poststart poststop; do
		# Resolved and run on the host side (createContainer: still before
		# pivot_root, so host paths resolve).
		set_hook "$kind" "$(hook_sh "echo $kind >> $LOG")"
	done
	# Resolved in the container: /hooks.log is $LOG seen from inside.
	set_hook startContainer "$(hook_sh 'echo startContainer >> /hooks.log')"
	update_config '.process.args = ["sleep", "1000"]'
	run husk create --bundle "$BUNDLE" "$ID"
	assert_success
	[ "$(cat "$LOG" | tr '\n' ' ')" = "prestart createRuntime createContainer " ] ||
		fail "after create: $(cat "$LOG")"
	run husk start "$ID"
	assert_success
	[ "$(cat "$LOG" | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart " ] ||
		fail "after start: $(cat "$LOG")"
	husk kill "$ID" KILL
	wait_for_status "$ID" stopped
	run husk delete "$ID"
	assert_success
	[ "$(cat "$LOG" | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart poststop " ] ||
		fail "after delete: $(cat "$LOG")"
	assert_no_leftovers "$ID"
}

@test "hooks: runtime-namespace hooks run on the host, container hooks in the container" {
	local ns=$BATS_TEST_TMPDIR/ns
	mkdir -p "$ns"
	set_hook createRuntime "$(hook_sh "readlink /proc/self/ns/mnt > $ns/createRuntime")"
	set_hook createContainer "$(hook_sh "readlink /proc/self/ns/mnt > $ns/createContainer; readlink /proc/self/ns/pid > $ns/createContainer.pid")"
	set_hook startContainer "$(hook_sh 'readlink /proc/self/ns/mnt > /ns.startContainer; test -e /bin/busybox && echo in-rootfs >> /ns.startContainer')"
	set_hook poststart "$(hook_sh "readlink /proc/self/ns/mnt > $ns/poststart")"
	update_config '.process.args = ["sleep", "1000"]'
	husk create --bundle "$BUNDLE" "$ID"
	husk start "$ID"
	local pid host_mnt
	pid=$(state_field "$ID" pid)
	host_mnt=$(readlink /proc/self/ns/mnt)
	[ "$(cat "$ns/createRuntime")" = "$host_mnt" ]
	[ "$(cat "$ns/poststart")" = "$host_mnt" ]
	[ "$(cat "$ns/createContainer")" = "$(readlink "/proc/$pid/ns/mnt")" ] ||
		fail "createContainer in $(cat "$ns/createContainer"), init in $(readlink "/proc/$pid/ns/mnt")"
	[ "$(cat "$ns/createContainer.pid")" = "$(readlink "/proc/$pid/ns/pid")" ]
	[ "$(head -1 "$BUNDLE/rootfs/ns.startContainer")" = "$(readlink "/proc/$pid/ns/mnt")" ]
	grep -qx in-rootfs "$BUNDLE/rootfs/ns.startContainer"
}

@test "hooks: the state arrives on stdin, with the status of each stage" {
	local st=$BATS_TEST_TMPDIR/st
	mkdir -p "$st"
	local kind
	for kind in prestart createRuntime createContainer poststart poststop; do
		set_hook "$kind" "$(hook_sh "cat > $st/$kind.json")"
	done
	set_hook startContainer "$(hook_sh 'cat > /startContainer.json')"
	update_config '.process.args = ["sleep", "1000"] | .annotations = {"org.example.key": "v1"}'
	husk create --bundle "$BUNDLE" "$ID"
	husk start "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	husk kill "$ID" KILL
	wait_for_status "$ID" stopped
	husk delete "$ID"
	cp "$BUNDLE/rootfs/startContainer.json" "$st/"
	for kind in prestart createRuntime createContainer startContainer poststart poststop; do
		local f=$st/$kind.json
		[ -s "$f" ] || fail "$kind: no state on stdin"
		jq -e --arg id "$ID" --arg b "$BUNDLE" --argjson pid "$pid" \
			'.id == $id and .bundle == $b and .pid == $pid
			 and (.ociVersion | startswith("1."))
			 and .annotations["org.example.key"] == "v1"' "$f" >/dev/null ||
			fail "$kind: bad state $(cat "$f")"
	done
	for kind in prestart createRuntime createContainer; do
		[ "$(jq -r .status "$st/$kind.json")" = creating ] || fail "$kind status: $(jq -r .status "$st/$kind.json")"
	done
	[ "$(jq -r .status "$st/startContainer.json")" = created ]
	[ "$(jq -r .status "$st/poststart.json")" = running ]
	[ "$(jq -r .status "$st/poststop.json")" = stopped ]
}

@test "hooks: args and env exactly as given, nothing inherited" {
	local out=$BATS_TEST_TMPDIR/out
	mkdir -p "$out"
	set_hook createRuntime \
		"$(jq -cn --arg d "$out" '{"path": "/bin/sh",
			"args": ["not-sh", "-c", "tr \"\\0\" \"|\" < /proc/$$/cmdline > \($d)/args; tr \"\\0\" \"\\n\" < /proc/$$/environ > \($d)/env", "one", "two words"],
			"env": ["FOO=bar", "EMPTY=", "WITH_EQ=a=b"]}')" \
		"$(jq -cn --arg d "$out" '{"path": "/bin/sh",
			"args": ["sh", "-c", "tr \"\\0\" \"\\n\" < /proc/$$/environ > \($d)/noenv; cat /proc/$$/cmdline | tr \"\\0\" \" \" > \($d)/cmdline"]}')" \
		"$(jq -cn --arg d "$out" '{"path": "/bin/true"}')"
	HUSK_LEAK=leak run husk create --bundle "$BUNDLE" "$ID"
	assert_success
	# argv[0] as given (not the path), the rest verbatim.
	[[ "$(cat "$out/args")" == "not-sh|-c|"*"|one|two words|" ]] || fail "args: $(cat "$out/args")"
	[ "$(sort "$out/env" | tr '\n' ' ')" = "EMPTY= FOO=bar WITH_EQ=a=b " ] || fail "env: $(cat "$out/env")"
	[ ! -s "$out/noenv" ] || fail "no env given, yet: $(cat "$out/noenv")"
}

@test "hooks: a hook that outlives its timeout is killed and create fails, leaving nothing" {
	set_hook createRuntime "$(jq -cn '{"path": "/bin/sleep", "args": ["sleep", "37.3"], "timeout": 1}')"
	local t0=$SECONDS
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	[ $((SECONDS - t0)) -lt 10 ] || fail "took $((SECONDS - t0)) s"
	assert_output --partial 'createRuntime hook #0 (/bin/sleep)'
	assert_output --partial 'timed out'
	! pgrep -fx 'sleep 37.3' >/dev/null || fail "the timed-out hook still runs"
	assert_no_leftovers "$ID"
	# Within its timeout a hook is fine.
	set_hook createRuntime "$(jq -cn '{"path": "/bin/sleep", "args": ["sleep", "0.2"], "timeout": 5}')"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_success
}

@test "hooks: a failing prestart, createRuntime or createContainer hook fails create, leaving nothing" {
	local kind
	for kind in prestart createRuntime createContainer; do
		make_bundle "$BATS_TEST_TMPDIR/b-$kind"
		CONFIG=$BATS_TEST_TMPDIR/b-$kind/config.json update_config \
			".hooks.$kind = [{\"path\": \"/bin/true\"}, {\"path\": \"/bin/false\"}]"
		run husk create --bundle "$BATS_TEST_TMPDIR/b-$kind" "$ID-$kind"
		assert_failure
		assert_output --partial "$kind hook #1 (/bin/false): exited with status 1"
		assert_no_leftovers "$ID-$kind" "$BATS_TEST_TMPDIR/b-$kind"
	done
	# A hook that cannot be executed at all.
	set_hook createRuntime '{"path": "/nonexistent/hook"}'
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'createRuntime hook #0 (/nonexistent/hook)'
	assert_output --partial 'No such file'
	assert_no_leftovers "$ID"
	# Killed by a signal.
	set_hook prestart "$(hook_sh 'kill -KILL $$')"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'prestart hook #0 (/bin/sh): killed by signal 9'
	assert_no_leftovers "$ID"
}

@test "hooks: a failing startContainer hook fails start and stops the container" {
	set_hook startContainer '{"path": "/bin/false"}'
	update_config '.process.args = ["sh", "-c", "echo ran > /ran"]'
	husk create --bundle "$BUNDLE" "$ID"
	run husk start "$ID"
	assert_failure
	assert_output --partial 'startContainer hook #0 (/bin/false): exited with status 1'
	[ ! -e "$BUNDLE/rootfs/ran" ] || fail "the process ran despite the failed hook"
	run husk state "$ID"
	if [ "$status" -eq 0 ]; then
		[ "$(jq -r .status <<<"$output")" = stopped ] || fail "status after failed start: $output"
		husk delete "$ID"
	fi
	assert_no_leftovers "$ID"
}

@test "hooks: a failing poststart hook fails start and stops the container" {
	set_hook poststart '{"path": "/bin/false"}'
	update_config '.process.args = ["sleep", "1000"]'
	husk create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run husk start "$ID"
	assert_failure
	assert_output --partial 'poststart hook #0 (/bin/false): exited with status 1'
	for ((i = 0; i < 300; i++)); do pid_alive "$pid" || break; sleep 0.01; done
	pid_alive "$pid" && fail "the container's process still runs"
	run husk state "$ID"
	if [ "$status" -eq 0 ]; then
		[ "$(jq -r .status <<<"$output")" = stopped ] || fail "status: $output"
		husk delete "$ID"
	fi
	assert_no_leftovers "$ID"
}

@test "hooks: a failing poststop hook is a warning; delete still succeeds" {
	set_hook poststop '{"path": "/bin/false"}' "$(hook_sh "echo second-ran >> $LOG")"
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output --partial 'poststop hook #0 (/bin/false)'
	grep -qx second-ran "$LOG" || fail "the hooks after a failed poststop must still run"
	assert_no_leftovers "$ID"
}

@test "hooks: run's own hooks and exit status go together" {
	set_hook poststart "$(hook_sh "echo poststart >> $LOG")"
	set_hook poststop "$(hook_sh "echo poststop >> $LOG")"
	update_config '.process.args = ["sh", "-c", "exit 4"]'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure 4
	[ "$(cat "$LOG" | tr '\n' ' ')" = "poststart poststop " ] || fail "$(cat "$LOG")"
	assert_no_leftovers "$ID"
}
