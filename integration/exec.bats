#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# husk exec: namespaces and cgroup shared with the init, exit codes,
# --process documents from podman and containerd, --detach/--pid-file,
# --preserve-fds, the security settings, refusals.

load helpers

FIXTURES=

setup() {
	husk_setup
	make_bundle
	FIXTURES=$CLIENT_FIXTURES
	update_config '.process.args = ["sleep", "1000"]'
}

# start_container: run -d $ID from $BUNDLE and set INIT_PID.
start_container() {
	run husk run -d --bundle "$BUNDLE" "$ID"
	assert_success
	INIT_PID=$(state_field "$ID" pid)
	[ "$INIT_PID" -gt 0 ]
}

# process_doc FIXTURE JQ: an exec --process file from a client fixture,
# rewritten by JQ; prints its path.
process_doc() {
	local out=$BATS_TEST_TMPDIR/process-$RANDOM.json
	jq "$2" "$FIXTURES/$1" >"$out" || fail "jq on $1"
	echo "$out"
}

# The hex CapEff of the 14 capabilities podman and containerd grant.
CLIENT_CAPS=00000000a80425fb

@test "exec: the process joins every namespace of the init" {
	add_namespace cgroup
	if have_ns time; then add_namespace time; fi
	start_container
	local ns inside host
	for ns in pid net ipc uts mnt cgroup user time; do
		have_ns "$ns" || continue
		host=$(readlink "/proc/$INIT_PID/ns/$ns")
		run husk exec "$ID" readlink "/proc/self/ns/$ns"
		assert_success
		[ "$output" = "$host" ] || fail "$ns: exec in $output, init in $host"
	done
	# Inside the pid namespace: pid 1 is the init, we are someone else.
	run husk exec "$ID" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	[ "${lines[0]}" -gt 1 ]
	[ "${lines[1]}" = "sleep 1000 " ]
}

@test "exec: joins the container's user namespace" {
	skip_unless_ns user
	add_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	make_traversable "$BUNDLE/rootfs"
	start_container
	run husk exec "$ID" cat /proc/self/uid_map
	assert_success
	assert_output --regexp '^ +0 +100000 +65536$'
	run husk exec "$ID" readlink /proc/self/ns/user
	assert_success
	[ "$output" = "$(readlink "/proc/$INIT_PID/ns/user")" ] || fail "user ns differs: $output"
	# Root inside, an unmapped-for-the-host uid outside.
	run husk exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 100
	assert_success
	[ "$(stat -c %u "/proc/$(cat "$BATS_TEST_TMPDIR/p")")" = 100000 ]
}

@test "exec: joins the container's time namespace (its offsets apply)" {
	skip_unless_ns time
	add_namespace time
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0},
		"boottime": {"secs": 86400, "nanosecs": 0}}'
	start_container
	run husk exec "$ID" readlink /proc/self/ns/time
	assert_success
	[ "$output" = "$(readlink "/proc/$INIT_PID/ns/time")" ] || fail "time ns differs: $output"
	run husk exec "$ID" cut -d. -f1 /proc/uptime
	assert_success
	local host_up
	host_up=$(cut -d. -f1 /proc/uptime)
	[ "$output" -ge $((host_up + 86000)) ] || fail "uptime $output, host $host_up"
}

@test "exec: the process is in the container's cgroup" {
	start_container
	run husk exec -d --pid-file "$BATS_TEST_TMPDIR/p" "$ID" sleep 100
	assert_success
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/p")
	[ "$(cat "/proc/$pid/cgroup")" = "$(cat "/proc/$INIT_PID/cgroup")" ] ||
		fail "cgroup of exec: $(cat "/proc/$pid/cgroup") vs init: $(cat "/proc/$INIT_PID/cgroup")"
	kill -9 "$pid"
}

@test "exec: --cgroup puts the process in a sub-cgroup of the container" {
	start_container
	local d dirs
	dirs=$(cgroup_dirs_of "$ID")
	[ -n "$dirs" ] || fail "no cgroup directories for $ID"
	for d in $dirs; do
		mkdir "$d/sub"
		# A v1 cpuset starts empty: nobody could join it.
		if [ -f "$d/cpuset.cpus" ]; then
			cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
		fi
	done
	run husk exec -d --pid-file "$BATS_TEST_TMPDIR/p" --cgroup sub "$ID" sleep 100
	assert_success
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/p")
	# Every hierarchy: the container's own path with /sub appended.
	local n_sub n_all
	n_all=$(grep -c . "/proc/$INIT_PID/cgroup")
	n_sub=$(grep -c '/sub$' "/proc/$pid/cgroup")
	[ "$n_sub" -eq "$n_all" ] || fail "$(cat "/proc/$pid/cgroup")"
	kill -9 "$pid"
	while pid_alive "$pid"; do sleep 0.01; done
	for d in $dirs; do rmdir "$d/sub"; done
	run husk exec --cgroup ../escape "$ID" true
	assert_failure
	assert_output --partial 'below the container'
}

@test "exec: exit codes, and 128+N when killed by signal N" {
	start_container
	run husk exec "$ID" sh -c 'exit 42'
	assert_failure 42
	run husk exec "$ID" true
	assert_success
	run husk exec "$ID" sh -c 'kill -9 $$'
	assert_failure 137
	run husk exec "$ID" -- sh -c 'echo after-dashes'
	assert_success
	assert_output after-dashes
}

@test "exec: stdin, stdout and stderr are ours" {
	start_container
	run sh -c "echo from-stdin | '$HUSK' --root '$STATE_ROOT' exec '$ID' sh -c 'cat; echo to-stderr >&2'"
	assert_success
	assert_line from-stdin
	assert_line to-stderr
}

@test "exec: a missing executable is an error naming it" {
	start_container
	run husk exec "$ID" nosuch-binary
	assert_failure
	assert_output --partial nosuch-binary
	assert_output --partial 'not found'
	run husk exec -d "$ID" /bin/nosuch-path
	assert_failure
	assert_output --partial /bin/nosuch-path
}

@test "exec: --process documents from podman and containerd" {
	start_container
	local doc
	doc=$(process_doc podman-exec-process.json \
		'.args = ["sh", "-c", "echo hi-exec; grep -E \"^(CapEff|NoNewPrivs)\" /proc/self/status; echo $container"]')
	run husk exec --process "$doc" "$ID"
	assert_success
	assert_line hi-exec
	assert_line --regexp "^CapEff:[[:space:]]+$CLIENT_CAPS\$"
	assert_line --regexp '^NoNewPrivs:[[:space:]]+0$'
	assert_line podman

	doc=$(process_doc containerd-exec-process.json \
		'.args = ["sh", "-c", "echo hi-exec; grep -E \"^(CapEff|NoNewPrivs|Groups)\" /proc/self/status"]')
	run husk exec --process "$doc" --detach --pid-file "$BATS_TEST_TMPDIR/ctrd.pid" "$ID"
	assert_success
	[ "$(cat "$BATS_TEST_TMPDIR/ctrd.pid")" -gt 0 ]
	run husk exec --process "$doc" "$ID"
	assert_success
	assert_line --regexp "^CapEff:[[:space:]]+$CLIENT_CAPS\$"
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	assert_line --regexp '^Groups:[[:space:]]+0 ?$'
}

@test "exec: podman's tty --process document over a console socket" {
	local recv=$HUSK_TESTS_BIN/console-receiver sock=$BATS_TEST_TMPDIR/c.sock
	[ -x "$recv" ] || fail "no $recv"
	start_container
	local doc
	doc=$(process_doc podman-exec-process-tty.json '.args = ["sh"]')
	"$recv" -t 20 -m OK-5 "$sock" 'tty; echo OK-$((2+3)); exit 0' >"$BATS_TEST_TMPDIR/r.out" 2>&1 &
	local rpid=$!
	for ((i = 0; i < 500; i++)); do [ -S "$sock" ] && break; sleep 0.01; done
	run husk exec --pid-file "$BATS_TEST_TMPDIR/p" --process "$doc" --detach --tty --console-socket "$sock" "$ID"
	assert_success
	wait "$rpid" || fail "receiver: $(cat "$BATS_TEST_TMPDIR/r.out")"
	grep -Eq '^/dev/pts/[0-9]+' "$BATS_TEST_TMPDIR/r.out"
}

@test "exec: --detach returns at once, --pid-file holds the process's pid" {
	start_container
	local t0=$SECONDS
	run husk exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 30
	assert_success
	[ $((SECONDS - t0)) -lt 10 ]
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	pid_alive "$pid" || fail "pid $pid from the pid file is not alive"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$INIT_PID/ns/pid")" ]
	[ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink "/proc/$INIT_PID/ns/mnt")" ]
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 30 " ]
	kill -9 "$pid"
}

@test "exec: --preserve-fds passes exactly fds 3 .. 3+N-1" {
	start_container
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	echo five >"$BATS_TEST_TMPDIR/f5"
	run sh -c "'$HUSK' --root '$STATE_ROOT' exec --preserve-fds 2 '$ID' sh -c 'cat <&3; cat <&4; test -e /proc/self/fd/5 && echo leaked-5 || echo no-5' 3<'$BATS_TEST_TMPDIR/f3' 4<'$BATS_TEST_TMPDIR/f4' 5<'$BATS_TEST_TMPDIR/f5'"
	assert_success
	assert_line three
	assert_line four
	assert_line no-5
	run sh -c "'$HUSK' --root '$STATE_ROOT' exec '$ID' sh -c 'test -e /proc/self/fd/3 && echo leaked-3 || echo no-3' 3<'$BATS_TEST_TMPDIR/f3'"
	assert_success
	assert_output no-3
}

@test "exec: --user, --additional-gids, --env, --cwd" {
	update_config '.process.env += ["KEEP=kept", "OVER=old"]'
	start_container
	run husk exec --user 1000:1001 --additional-gids 5 --additional-gids 7 \
		--env OVER=new -e ADDED=yes --cwd /tmp "$ID" \
		sh -c 'id -u; id -g; grep ^Groups: /proc/self/status; echo $KEEP $OVER $ADDED; pwd'
	assert_success
	assert_line --index 0 1000
	assert_line --index 1 1001
	assert_line --regexp '^Groups:[[:space:]]+5 7 ?$'
	assert_line 'kept new yes'
	assert_line /tmp
	# The environment holds OVER once.
	run husk exec --env OVER=new "$ID" sh -c 'env | grep -c ^OVER='
	assert_output 1
}

@test "exec: --cap adds a capability, --no-new-privs sets NoNewPrivs" {
	update_config '.process.noNewPrivileges = false'
	start_container
	run husk exec "$ID" grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
	assert_success
	assert_line --regexp '^NoNewPrivs:[[:space:]]+0$'
	local base
	base=$(awk '/^CapEff/ {print $2}' <<<"$output")
	# CAP_SYS_ADMIN is bit 21.
	(( (0x$base >> 21) & 1 )) && skip "the template already grants CAP_SYS_ADMIN"
	run husk exec --cap CAP_SYS_ADMIN --no-new-privs "$ID" grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
	assert_success
	local eff bnd
	eff=$(awk '/^CapEff/ {print $2}' <<<"$output")
	bnd=$(awk '/^CapBnd/ {print $2}' <<<"$output")
	(( (0x$eff >> 21) & 1 )) || fail "CapEff $eff lacks CAP_SYS_ADMIN"
	(( (0x$bnd >> 21) & 1 )) || fail "CapBnd $bnd lacks CAP_SYS_ADMIN"
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	run husk exec --cap CAP_NOT_A_CAP "$ID" true
	assert_failure
	assert_output --partial CAP_NOT_A_CAP
}

@test "exec: the container's seccomp filter applies to the exec'd process" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_container
	run husk exec "$ID" sh -c 'grep ^Seccomp: /proc/self/status; mkdir /tmp/x && echo made || echo refused'
	assert_success
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_line refused
}

@test "exec: the container's own process settings are the base (rlimits, caps)" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}]'
	start_container
	run husk exec "$ID" sh -c 'ulimit -n; ulimit -Hn'
	assert_success
	assert_line --index 0 321
	assert_line --index 1 654
}

@test "exec: refused in a stopped container, with a clear message" {
	update_config '.process.args = ["true"]'
	husk create --bundle "$BUNDLE" "$ID"
	husk start "$ID"
	wait_for_status "$ID" stopped
	run husk exec "$ID" true
	assert_failure
	assert_output --partial stopped
	run husk exec nosuch-container true
	assert_failure
	assert_output --partial 'does not exist'
}

@test "exec: works in a created container" {
	husk create --bundle "$BUNDLE" "$ID"
	run husk exec "$ID" sh -c 'cat /proc/1/cmdline >/dev/null && echo in-created'
	assert_success
	assert_output in-created
	[ "$(state_field "$ID" status)" = created ]
}

@test "exec: refused in a paused container unless --ignore-paused" {
	start_container
	run husk pause "$ID"
	assert_success
	run husk exec "$ID" true
	assert_failure
	assert_output --partial paused
	run husk resume "$ID"
	assert_success
	run husk exec "$ID" echo resumed
	assert_success
	assert_output resumed
}

@test "exec: usage errors" {
	start_container
	run husk exec "$ID"
	assert_failure
	assert_output --partial 'no command'
	run husk exec
	assert_failure
	assert_output --partial 'missing container id'
	run husk exec --user bob "$ID" true
	assert_failure
	assert_output --partial 'numeric id'
	run husk exec --process "$BATS_TEST_TMPDIR/none.json" "$ID"
	assert_failure
	assert_output --partial none.json
}

@test "exec: nothing of exec is left once the container is deleted" {
	start_container
	run husk exec -d "$ID" sleep 100
	assert_success
	run husk exec "$ID" true
	assert_success
	run husk kill "$ID" KILL
	assert_success
	wait_for_status "$ID" stopped
	run husk delete "$ID"
	assert_success
	assert_no_leftovers "$ID"
}
