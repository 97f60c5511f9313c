#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The runtime-spec's corner cases and what services and orchestrators
# expect of a runtime (issue 14): mount propagation, kill --all after the
# init is gone, process setup details, hook failures, and more.

load helpers

setup() {
	husk_setup
	make_bundle
}

teardown() {
	# a failed freezer test must not leave its frozen parent behind
	if [ -n "${ID:-}" ] && [ -d "/sys/fs/cgroup/freezer/$ID-parent" ]; then
		echo THAWED >"/sys/fs/cgroup/freezer/$ID-parent/freezer.state" || true
	fi
	# nor the one above the freezer root husk was shown, nor what is in it
	if [ -n "${ID:-}" ] && [ -d "/sys/fs/cgroup/freezer/$ID-outer" ]; then
		echo THAWED >"/sys/fs/cgroup/freezer/$ID-outer/freezer.state" || true
		husk_under_outer delete --force "$ID" || true
		rmdir "/sys/fs/cgroup/freezer/$ID-outer" || true
	fi
	husk_teardown
}

# add_caps CAP...: to every set of process.capabilities.
add_caps() {
	local c
	for c in "$@"; do
		update_config ".process.capabilities |= with_entries(.value += [\"$c\"])"
	done
}

# eventually CMD...: true once CMD succeeds, within 5 seconds.
eventually() {
	local n
	for ((n = 0; n < 100; n++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

pid_gone() {
	! pid_alive "$1"
}

# peer_group MOUNTINFO_LINE: the N of its shared:N, empty when not shared.
peer_group() {
	sed -n 's/.* shared:\([0-9]*\).*/\1/p' <<<"$1"
}

@test "propagation: an rshared volume under a shared root joins the host's peer group" {
	local vol=$BATS_TEST_TMPDIR/vol
	mkdir -p "$vol"
	mount --bind "$vol" "$vol"
	mount --make-shared "$vol"
	local host_group
	host_group=$(peer_group "$(awk -v d="$vol" '$5 == d' /proc/self/mountinfo)")
	[ -n "$host_group" ] || fail "the host's $vol is not shared"
	add_caps CAP_SYS_ADMIN
	update_config ".linux.rootfsPropagation = \"shared\"
		| .mounts += [{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$vol\",
			\"options\": [\"rbind\", \"rshared\"]}]"
	set_args sh -c 'mkdir -p /vol/inner && mount -t tmpfs inner /vol/inner && touch /vol/inner/made-inside && awk "\$5 == \"/vol\"" /proc/self/mountinfo; sleep 30'
	husk run -d --bundle "$BUNDLE" "$ID"
	local i line=
	for ((i = 0; i < 200; i++)); do
		line=$(grep ' /vol ' "$DETACHED_OUT" || true)
		[ -n "$line" ] && break
		sleep 0.05
	done
	[ -n "$line" ] || fail "the container printed no /vol mount: $(cat "$DETACHED_OUT")"
	# Inside: the host's own group (shared:M), not a group of its own that
	# is a slave of the host's (shared:N master:M).
	[ "$(peer_group "$line")" = "$host_group" ] || fail "inside: $line; host group $host_group"
	[[ $line != *master:* ]] || fail "inside, the volume is a slave: $line"
	# The mount made inside reached the host ...
	awk -v d="$vol/inner" '$5 == d' /proc/self/mountinfo | grep -q tmpfs ||
		fail "the mount made inside is not on the host"
	[ -e "$vol/inner/made-inside" ]
	# ... and one made on the host reaches the container.
	mkdir -p "$vol/from-host"
	mount -t tmpfs from-host "$vol/from-host"
	run husk exec "$ID" awk '$5 == "/vol/from-host" {print $9}' /proc/self/mountinfo
	assert_success
	assert_output tmpfs
	# The old root's detach did not propagate: the host's volume is intact.
	awk -v d="$vol" '$5 == d' /proc/self/mountinfo | grep -q . || fail "the host lost $vol"
	husk delete --force "$ID"
	umount "$vol/from-host" "$vol/inner" "$vol"
	assert_no_leftovers "$ID"
}

@test "process: a seccomp filter that denies getcwd does not break the cwd check" {
	local nnp
	# Without noNewPrivileges the filter is loaded early, while husk still
	# holds CAP_SYS_ADMIN; with it, last.  Either way the cwd check comes first.
	for nnp in false true; do
		update_config ".process.noNewPrivileges = $nnp | .process.cwd = \"/tmp\"
			| .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
				\"syscalls\": [{\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"
		run_in_container sh -c 'ls -d /proc/self/cwd/../tmp && readlink /proc/self/cwd'
		assert_success
		assert_line /tmp
		husk delete "$ID" 2>/dev/null || true
	done
	assert_no_leftovers "$ID"
}

@test "process: a process.cwd missing from the rootfs is created inside the root" {
	update_config '.process.cwd = "/made/for/cwd"'
	run_in_container sh -c 'pwd'
	assert_success
	assert_output /made/for/cwd
	[ -d "$BUNDLE/rootfs/made/for/cwd" ]
	assert_no_leftovers "$ID"
}

@test "process: creating a missing process.cwd never follows a link out of the root" {
	local outside=$BATS_TEST_TMPDIR/outside
	mkdir -p "$outside"
	ln -s "$outside" "$BUNDLE/rootfs/abs-link"
	ln -s ../../../../../../../../.. "$BUNDLE/rootfs/rel-link"
	update_config '.process.cwd = "/abs-link/sub"'
	run_in_container pwd
	assert_success
	assert_output "$outside/sub"
	[ ! -e "$outside/sub" ] || fail "created $outside/sub on the host"
	[ -d "$BUNDLE/rootfs/$outside/sub" ] || fail "not created inside the root"
	update_config '.process.cwd = "/rel-link/made-by-cwd"'
	run_in_container pwd
	assert_success
	[ ! -e /made-by-cwd ] || fail "created /made-by-cwd on the host"
	[ -d "$BUNDLE/rootfs/made-by-cwd" ] || fail "not created inside the root"
	assert_no_leftovers "$ID"
}

@test "process: a non-root process can reopen the stdio pipes husk passes" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'echo via-dev-stdout >/dev/stdout && echo via-proc >/proc/self/fd/1 && stat -c %u /proc/self/fd/1/ 2>/dev/null; stat -L -c "%u:%g" /proc/self/fd/1'
	# bats' `run` reads stdout through a pipe of ours (owned by root)
	run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_line via-dev-stdout
	assert_line via-proc
	assert_line 1000:1000
	assert_no_leftovers "$ID"
}

@test "process: a regular file as stdout keeps its host owner" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sh -c 'echo written'
	local out=$BATS_TEST_TMPDIR/out
	touch "$out"
	chmod 666 "$out"
	husk_bin --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID" >"$out"
	[ "$(cat "$out")" = written ]
	[ "$(stat -c %u "$out")" = 0 ] || fail "the host file now belongs to $(stat -c %u "$out")"
	assert_no_leftovers "$ID"
}

@test "process: socket activation, the fds as 3.. with LISTEN_FDS and LISTEN_PID naming the process" {
	local a=$BATS_TEST_TMPDIR/fd-a b=$BATS_TEST_TMPDIR/fd-b
	echo first >"$a"
	echo second >"$b"
	update_config '.process.env += ["LISTEN_PID=999", "LISTEN_FDS=7"]'
	set_args sh -c 'echo "fds=$LISTEN_FDS pid=$LISTEN_PID self=$$ names=$LISTEN_FDNAMES"; cat <&3; cat <&4; [ ! -e /proc/self/fd/5 ] && echo no-fd-5'
	LISTEN_FDS=2 LISTEN_PID=$$ LISTEN_FDNAMES=a:b run husk run --bundle "$BUNDLE" "$ID" 3<"$a" 4<"$b"
	assert_success
	assert_line "fds=2 pid=1 self=1 names=a:b"
	assert_line first
	assert_line second
	assert_line no-fd-5
	assert_no_leftovers "$ID"
}

@test "process: socket activation through systemd-socket-activate, without a pid namespace" {
	command -v systemd-socket-activate >/dev/null || fail "systemd-socket-activate missing (package systemd)"
	remove_namespace pid
	local sock=$BATS_TEST_TMPDIR/act.sock
	set_args sh -c '[ "$LISTEN_PID" = "$$" ] && [ "$LISTEN_FDS" = 1 ] && [ -S /proc/self/fd/3 ] && echo activated-$LISTEN_PID-$$'
	systemd-socket-activate -l "$sock" -- "$HUSK" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID" \
		>"$BATS_TEST_TMPDIR/act.out" 2>&1 &
	local activator=$! i
	for ((i = 0; i < 100; i++)); do [ -S "$sock" ] && break; sleep 0.05; done
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' "$sock"
	wait "$activator"
	run cat "$BATS_TEST_TMPDIR/act.out"
	assert_line --regexp '^activated-[0-9]+-[0-9]+$'
	local pids
	pids=$(grep '^activated-' <<<"$output")
	pids=${pids#activated-}
	[ "${pids%-*}" = "${pids#*-}" ]
	[ "${pids%-*}" != 1 ]
	assert_no_leftovers "$ID"
}

@test "exec: the process is in a process group of its own" {
	set_args sleep 30
	husk run -d --bundle "$BUNDLE" "$ID"
	run husk exec "$ID" sh -c 'echo $$ $(cut -d" " -f5 /proc/$$/stat)'
	assert_success
	local pid=${output% *} pgrp=${output#* }
	[ "$pgrp" != 0 ] || fail "getpgrp() is 0 inside the container"
	[ "$pid" = "$pgrp" ] || fail "pid $pid in process group $pgrp"
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "kill --all: after the init exited, what is left in its cgroup is signalled (a pod's shared pid namespace)" {
	# The first container owns the pid namespace, as a pod's pause does.
	set_args sleep 300
	husk run -d --bundle "$BUNDLE" "$ID"
	local pause_pid
	pause_pid=$(state_field "$ID" pid)
	# The second joins it; its init leaves a child behind and exits.
	local b2=$BATS_TEST_TMPDIR/b2
	make_bundle "$b2"
	CONFIG=$b2/config.json update_config "(.linux.namespaces |= map(select(.type != \"pid\")))
		| .linux.namespaces += [{\"type\": \"pid\", \"path\": \"/proc/$pause_pid/ns/pid\"}]
		| .process.args = [\"sh\", \"-c\", \"sleep 300 & echo started\"]"
	husk run -d --bundle "$b2" "$ID-2"
	wait_for_status "$ID-2" stopped
	local cg procs
	cg=$(cgroup_dirs_of "$ID-2" | head -1)
	[ -n "$cg" ] || fail "no cgroup for $ID-2"
	procs=$(cat "$cg/cgroup.procs")
	[ -n "$procs" ] || fail "the leftover sleep is not in $cg"
	run husk kill --all "$ID-2" KILL
	assert_success
	local i
	for ((i = 0; i < 300; i++)); do
		[ -z "$(cat "$cg/cgroup.procs")" ] && break
		sleep 0.01
	done
	[ -z "$(cat "$cg/cgroup.procs")" ] || fail "still in $cg: $(cat "$cg/cgroup.procs")"
	pid_alive "$pause_pid" || fail "the pid namespace's owner was killed too"
	# Without --all a stopped container is still an error.
	run husk kill "$ID-2" KILL
	assert_failure
	assert_output --partial "is not running"
	husk delete "$ID-2"
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
	assert_no_leftovers "$ID-2" "$b2"
}

# hooks_to_log KIND...: each hook appends its name to $BATS_TEST_TMPDIR/hooks.log.
hook_logging() {
	jq -cn --arg s "echo $1 >> $BATS_TEST_TMPDIR/hooks.log" '{"path": "/bin/sh", "args": ["sh", "-c", $s]}'
}

@test "hooks: a failing poststart hook destroys the container and runs the poststop hooks" {
	update_config ".hooks.poststart = [{\"path\": \"/bin/false\"}]
		| .hooks.poststop = [$(hook_logging poststop)]"
	set_args sleep 300
	husk create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run husk start "$ID"
	assert_failure
	assert_output --partial 'poststart hook #0 (/bin/false): exited with status 1'
	run husk state "$ID"
	assert_failure
	pid_alive "$pid" && fail "the container's process still runs"
	[ "$(cat "$BATS_TEST_TMPDIR/hooks.log")" = poststop ] || fail "poststop hooks: $(cat "$BATS_TEST_TMPDIR/hooks.log")"
	assert_no_leftovers "$ID"
}

@test "hooks: a failing startContainer hook destroys the container and runs the poststop hooks" {
	update_config ".hooks.startContainer = [{\"path\": \"/bin/false\"}]
		| .hooks.poststop = [$(hook_logging poststop)]"
	set_args sh -c 'echo ran > /ran'
	husk create --bundle "$BUNDLE" "$ID"
	run husk start "$ID"
	assert_failure
	assert_output --partial 'startContainer hook #0 (/bin/false): exited with status 1'
	[ ! -e "$BUNDLE/rootfs/ran" ] || fail "the process ran despite the failed hook"
	run husk state "$ID"
	assert_failure
	[ "$(cat "$BATS_TEST_TMPDIR/hooks.log")" = poststop ] || fail "poststop hooks: $(cat "$BATS_TEST_TMPDIR/hooks.log")"
	assert_no_leftovers "$ID"
	# run: the same, and one error only (nothing left for its own delete).
	: >"$BATS_TEST_TMPDIR/hooks.log"
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'startContainer hook #0'
	refute_output --partial 'does not exist'
	[ "$(cat "$BATS_TEST_TMPDIR/hooks.log")" = poststop ]
	assert_no_leftovers "$ID"
}

@test "hooks: a process whose exec fails after start leaves a stopped container for delete" {
	printf 'not a program\n' >"$BUNDLE/rootfs/bad-exe"
	chmod 755 "$BUNDLE/rootfs/bad-exe"
	set_args /bad-exe
	husk create --bundle "$BUNDLE" "$ID"
	run husk start "$ID"
	assert_failure
	assert_output --partial 'exec `/bad-exe`'
	[ "$(state_field "$ID" status)" = stopped ]
	husk delete "$ID"
	assert_no_leftovers "$ID"
}

@test "exec: --cgroup CTRL,CTRL:PATH on cgroup v1 places the process per controller" {
	[ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ] ||
		skip "no cgroup v1 memory and pids hierarchies on this host (a v1 test)"
	set_args sleep 300
	husk run -d --bundle "$BUNDLE" "$ID"
	local mem pids
	mem=$(cgroup_dirs_of "$ID" | grep '^/sys/fs/cgroup/memory/')
	pids=$(cgroup_dirs_of "$ID" | grep '^/sys/fs/cgroup/pids/')
	mkdir "$mem/sub" "$pids/sub" "$pids/other"
	run husk exec -d --pid-file "$BATS_TEST_TMPDIR/p" --cgroup memory,pids:sub "$ID" sleep 100
	assert_success
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/p")
	grep -E '^[0-9]+:memory:.*/sub$' "/proc/$pid/cgroup" || fail "$(cat "/proc/$pid/cgroup")"
	grep -E '^[0-9]+:pids:.*/sub$' "/proc/$pid/cgroup" || fail "$(cat "/proc/$pid/cgroup")"
	# The other hierarchies: the container's own cgroup.
	grep -E "^[0-9]+:freezer:.*/$ID\$" "/proc/$pid/cgroup" || fail "$(cat "/proc/$pid/cgroup")"
	kill -9 "$pid"
	run husk exec -d --pid-file "$BATS_TEST_TMPDIR/p2" --cgroup memory:sub --cgroup pids:other "$ID" sleep 100
	assert_success
	pid=$(cat "$BATS_TEST_TMPDIR/p2")
	grep -E '^[0-9]+:pids:.*/other$' "/proc/$pid/cgroup" || fail "$(cat "/proc/$pid/cgroup")"
	grep -E '^[0-9]+:memory:.*/sub$' "/proc/$pid/cgroup" || fail "$(cat "/proc/$pid/cgroup")"
	kill -9 "$pid"
	run husk exec --cgroup nosuchctrl,memory:sub "$ID" true
	assert_failure
	assert_output --partial 'no `nosuchctrl` controller'
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "mounts: a cgroup2 mount with an option cgroup2 does not know is an error" {
	local cgns
	for cgns in with without; do
		if [ $cgns = with ]; then add_namespace cgroup; else remove_namespace cgroup; fi
		update_config '.mounts |= map(select(.destination != "/sys/fs/cgroup"))
			| .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup2", "source": "cgroup",
				"options": ["nosuid", "noexec", "nodev", "no_such_cgroup2_option"]}]'
		run husk run --bundle "$BUNDLE" "$ID"
		assert_failure
		assert_output --partial 'option `no_such_cgroup2_option`: not a cgroup2 option'
		assert_no_leftovers "$ID"
		# The options it knows are accepted (checked with a cgroup
		# namespace: without one, a hybrid host's cgroup2 is bound from
		# /sys/fs/cgroup/unified, another matter).
		[ $cgns = with ] || continue
		update_config '.mounts[-1].options = ["nosuid", "noexec", "nodev", "nsdelegate"]'
		run_in_container sh -c 'grep " /sys/fs/cgroup " /proc/self/mountinfo'
		assert_success
		assert_output --partial cgroup2
		assert_no_leftovers "$ID"
	done
}

@test "mounts: type cgroup2 without a cgroup namespace binds our own cgroup from the host's cgroup2 hierarchy" {
	local v2root
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		v2root=/sys/fs/cgroup
	else
		v2root=$(awk '$9 == "cgroup2" && $5 ~ "^/sys/fs/cgroup/" {print $5; exit}' /proc/self/mountinfo)
		[ -n "$v2root" ] || skip "this host has no cgroup2 hierarchy under /sys/fs/cgroup"
	fi
	remove_namespace cgroup
	update_config '.mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup2", "source": "cgroup",
			"options": ["nosuid", "noexec", "nodev"]}]'
	# the mount's root (mountinfo field 4) is the container's own v2
	# cgroup, and its files are that hierarchy's (cgroup.procs lists it)
	run_in_container sh -c 'awk "\$5 == \"/sys/fs/cgroup\" {print \$4, \$9}" /proc/self/mountinfo; grep "^0::" /proc/self/cgroup; grep -c . /sys/fs/cgroup/cgroup.procs; cat /sys/fs/cgroup/cgroup.type 2>&1 | head -1'
	assert_success
	local own
	own=$(sed -n 's/^0:://p' <<<"$output")
	[ -n "$own" ] && [ "$own" != / ] || fail "no v2 cgroup of its own: $output"
	assert_line --index 0 "$own cgroup2"
	# the bound directory is the host's $v2root$own: a cgroup2 directory
	# with cgroup.type, which the v1 tmpfs root of a hybrid host lacks
	assert_line --index 3 domain
	assert_no_leftovers "$ID"
}

# notify_listener SOCKET OUT: a datagram socket that writes each message it
# receives, one a line, to OUT (what systemd or podman does with it).
notify_listener() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "w", buffering=1) as out:
    while True:
        try:
            m = s.recv(4096)
        except socket.timeout:
            break
        out.write(m.decode() + "\n")
        if m == b"STOP=1":
            break
' "$1" "$2" &
	NOTIFY_LISTENER=$!
	local i
	for ((i = 0; i < 100; i++)); do [ -S "$1" ] && return 0; sleep 0.05; done
	fail "the notify listener did not start"
}

@test "NOTIFY_SOCKET: the process notifies the socket husk was given, through a bind of that socket only" {
	local dir=$BATS_TEST_TMPDIR/notify out=$BATS_TEST_TMPDIR/notify.out
	mkdir -p "$dir"
	touch "$dir/not-for-the-container"
	notify_listener "$dir/notify.sock" "$out"
	# The host's python sends the datagrams, from inside the container.
	update_config '.mounts += [
		{"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
		{"destination": "/lib64", "type": "bind", "source": "/lib64", "options": ["rbind", "ro"]},
		{"destination": "/lib", "type": "bind", "source": "/lib", "options": ["rbind", "ro"]},
		{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]
		| .process.env += ["NOTIFY_SOCKET=/somewhere/else"]'
	set_args /usr/bin/python3 -c 'import os, socket; p = os.environ["NOTIFY_SOCKET"]; print(p, sorted(os.listdir(os.path.dirname(p)))); s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); [s.sendto(m, p) for m in (b"STATUS=starting", b"READY=1", b"STOP=1")]'
	NOTIFY_SOCKET=$dir/notify.sock run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output "/run/notify/notify.sock ['notify.sock']"
	wait "$NOTIFY_LISTENER"
	run cat "$out"
	assert_line STATUS=starting
	assert_line READY=1
	assert_no_leftovers "$ID"
}

@test "NOTIFY_SOCKET: without one, the process gets none and nothing is bound" {
	set_args sh -c 'echo "[$NOTIFY_SOCKET]"; [ ! -e /run/notify ] && echo none'
	run env -u NOTIFY_SOCKET "$HUSK" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output "[]
none"
	assert_no_leftovers "$ID"
}

@test "devices: in a user namespace a device under a new name is found by its numbers, bound nosuid,noexec" {
	skip_unless_ns user
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.devices = [{"path": "/dev/renamed-kmsg", "type": "c", "major": 1, "minor": 11},
			{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]'
	make_traversable "$BUNDLE/rootfs"
	[ ! -e /dev/renamed-kmsg ]
	run_in_container sh -c 'stat -c "%n %F %t:%T" /dev/renamed-kmsg; grep -E " /dev/(renamed-kmsg|kmsg) " /proc/self/mountinfo'
	assert_success
	assert_line '/dev/renamed-kmsg character special file 1:b'
	local m
	for m in /dev/renamed-kmsg /dev/kmsg; do
		local line
		line=$(grep " $m " <<<"$output") || fail "no mount on $m: $output"
		[[ $(awk '{print $6}' <<<"$line") == *nosuid* ]] || fail "$m: $line"
		[[ $(awk '{print $6}' <<<"$line") == *noexec* ]] || fail "$m: $line"
	done
	assert_no_leftovers "$ID"
	# Numbers no host node has: an error naming them.
	update_config '.linux.devices = [{"path": "/dev/nothing", "type": "c", "major": 1, "minor": 250}]'
	run_in_container true
	assert_failure
	assert_output --partial 'no node for device c 1:250 on the host'
	assert_no_leftovers "$ID"
}

# rt_skip: these need v1 real-time group scheduling (CONFIG_RT_GROUP_SCHED).
rt_skip() {
	[ -f /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] ||
		skip "no cgroup v1 cpu hierarchy with CONFIG_RT_GROUP_SCHED (cpu.rt_runtime_us) on this host"
}

# rt_budgets: "path runtime" for the cpu hierarchy's /husk and every
# directory of this test (what husk may raise and must give back).
rt_budgets() {
	local d
	for d in /sys/fs/cgroup/cpu/husk /sys/fs/cgroup/cpu/"$ID"*; do
		[ -f "$d/cpu.rt_runtime_us" ] && echo "$d $(cat "$d/cpu.rt_runtime_us")"
	done
	return 0
}

# sched_of PID: "rt_priority policy" from /proc/PID/stat (fields 40, 41).
sched_of() {
	cut -d' ' -f40,41 /proc/"$1"/stat
}

@test "cgroups v1: realtimeRuntime gets its budget from the parents, given back at delete" {
	rt_skip
	local before
	before=$(rt_budgets)
	update_config '.linux.resources.cpu = {"realtimePeriod": 1000000, "realtimeRuntime": 20000}
		| .process.scheduler = {"policy": "SCHED_FIFO", "priority": 5}'
	# 1: SCHED_FIFO
	run_in_container sh -c 'cut -d" " -f40,41 /proc/$$/stat'
	assert_success
	assert_output '5 1'
	assert_no_leftovers "$ID"
	[ "$(rt_budgets)" = "$before" ] || fail "real-time budgets left raised: $(rt_budgets), were: $before"
	# More than the host's root can give: an error naming the field.
	local root_rt
	root_rt=$(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us)
	update_config ".linux.resources.cpu = {\"realtimePeriod\": 1000000, \"realtimeRuntime\": $((root_rt + 1000))}"
	run_in_container true
	assert_failure
	assert_output --partial 'linux.resources.cpu.realtimeRuntime: '
	assert_output --partial 'more than the cpu hierarchy'
	assert_no_leftovers "$ID"
	[ "$(rt_budgets)" = "$before" ] || fail "real-time budgets left raised: $(rt_budgets), were: $before"
}

@test "cgroups v1: process.scheduler SCHED_FIFO/SCHED_RR alone gets a budget; two containers share a parent, which goes back to 0" {
	rt_skip
	# A parent the test made (husk did not), with no budget of its own.
	local parent=/sys/fs/cgroup/cpu/$ID-rt
	mkdir "$parent"
	[ "$(cat "$parent/cpu.rt_runtime_us")" = 0 ]
	local policy want=$(($(cat "$parent/cpu.rt_period_us") / 20)) pids=()
	for policy in SCHED_FIFO SCHED_RR; do
		update_config ".linux.cgroupsPath = \"/$ID-rt/$ID-$policy\"
			| .process.scheduler = {\"policy\": \"$policy\", \"priority\": 7}"
		set_args sleep 300
		husk run -d --bundle "$BUNDLE" "$ID-$policy"
		pids+=("$(state_field "$ID-$policy" pid)")
		[ "$(cat "$parent/$ID-$policy/cpu.rt_runtime_us")" = "$want" ] ||
			fail "$policy: the container's budget is $(cat "$parent/$ID-$policy/cpu.rt_runtime_us"), not $want"
	done
	# 1: SCHED_FIFO, 2: SCHED_RR
	[ "$(sched_of "${pids[0]}")" = "7 1" ] || fail "first: $(sched_of "${pids[0]}")"
	[ "$(sched_of "${pids[1]}")" = "7 2" ] || fail "second: $(sched_of "${pids[1]}")"
	# husk wrote down the parent's first value, to give back to
	[ "$(cat "/run/husk-cgroup-rt/%2F$ID-rt")" = 0 ] || fail "no record of the parent's first value"
	# the parent holds both (to the kernel's rounding of runtime/period)
	[ "$(cat "$parent/cpu.rt_runtime_us")" -ge $((2 * want - 1)) ] || fail "parent: $(cat "$parent/cpu.rt_runtime_us")"
	husk delete --force "$ID-SCHED_FIFO"
	# what the second still needs stays
	[ "$(cat "$parent/cpu.rt_runtime_us")" = "$want" ] || fail "parent after one delete: $(cat "$parent/cpu.rt_runtime_us")"
	husk delete --force "$ID-SCHED_RR"
	[ "$(cat "$parent/cpu.rt_runtime_us")" = 0 ] || fail "parent left raised: $(cat "$parent/cpu.rt_runtime_us")"
	# back to its first value, the parent's record is gone too
	[ ! -e "/run/husk-cgroup-rt/%2F$ID-rt" ] || fail "record left: /run/husk-cgroup-rt/%2F$ID-rt"
	rmdir "$parent"
	assert_no_leftovers "$ID-SCHED_FIFO"
	assert_no_leftovers "$ID-SCHED_RR"
}

@test "cgroups v1: process.scheduler SCHED_FIFO when the parents have no budget left: an error naming the field, nothing left" {
	rt_skip
	local before
	before=$(rt_budgets)
	# A sibling at the root takes every microsecond the root has left
	# (found by halving: the kernel refuses what does not fit).
	local hog=/sys/fs/cgroup/cpu/$ID-hog step v=0
	mkdir "$hog"
	for ((step = 1 << 20; step >= 1; step /= 2)); do
		echo $((v + step)) >"$hog/cpu.rt_runtime_us" 2>/dev/null && v=$((v + step))
	done
	update_config '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 5}'
	run_in_container true
	local out=$output st=$status
	echo 0 >"$hog/cpu.rt_runtime_us"
	rmdir "$hog"
	output=$out status=$st
	assert_failure
	assert_output --partial 'process.scheduler: SCHED_FIFO needs a real-time budget'
	assert_output --partial 'linux.resources.cpu.realtimeRuntime'
	assert_no_leftovers "$ID"
	[ "$(rt_budgets)" = "$before" ] || fail "real-time budgets left raised: $(rt_budgets), were: $before"
}

# rt_pair DIR: "runtime period" of a cpu cgroup.
rt_pair() {
	echo "$(cat "$1/cpu.rt_runtime_us") $(cat "$1/cpu.rt_period_us")"
}

@test "cgroups v1: update --cpu-rt-runtime/--cpu-rt-period gives a running container a budget from its parents, a SCHED_FIFO exec uses it, delete gives it back" {
	rt_skip
	local before root_rt had_record=
	before=$(rt_budgets)
	root_rt=$(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us)
	[ -e /run/husk-cgroup-rt/%2Fhusk ] && had_record=1
	set_args sleep 300
	husk run -d --bundle "$BUNDLE" "$ID"
	local pid leaf parent=/sys/fs/cgroup/cpu/husk
	pid=$(state_field "$ID" pid)
	leaf=/sys/fs/cgroup/cpu$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $3}' "/proc/$pid/cgroup")
	[ "$leaf" = "$parent/$ID" ] || fail "the container's cpu cgroup is $leaf"
	# An exec'd SCHED_FIFO process (CAP_SYS_NICE: the policy is its own to set).
	jq '.process | .args = ["sh", "-c", "cut -d\" \" -f40,41 /proc/$$/stat; i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; echo ran"]
		| .scheduler = {"policy": "SCHED_FIFO", "priority": 5}
		| .capabilities |= with_entries(.value += ["CAP_SYS_NICE"])' \
		"$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/fifo.json"
	# No budget yet: the kernel refuses SCHED_FIFO in the cgroup.
	[ "$(cat "$leaf/cpu.rt_runtime_us")" = 0 ]
	run husk exec --process "$BATS_TEST_TMPDIR/fifo.json" "$ID"
	assert_failure
	assert_output --partial 'process.scheduler: sched_setattr(SCHED_FIFO)'
	# A budget: the container's cgroup has it, its parent was raised for it
	# (to the kernel's rounding of runtime/period) and husk wrote down the
	# parent's first value to give back to.
	husk update --cpu-rt-runtime 30000 --cpu-rt-period 500000 "$ID"
	[ "$(rt_pair "$leaf")" = "30000 500000" ] || fail "the container's budget: $(rt_pair "$leaf")"
	[ "$(cat "$parent/cpu.rt_runtime_us")" -ge 59999 ] || fail "parent: $(rt_pair "$parent")"
	[ -e /run/husk-cgroup-rt/%2Fhusk ] || fail "no record of the parent's first value"
	# 1: SCHED_FIFO; it runs within its budget.
	run husk exec --process "$BATS_TEST_TMPDIR/fifo.json" "$ID"
	assert_success
	assert_output $'5 1\nran'
	# The period alone: the same runtime in a shorter period asks the
	# parent for more.
	husk update --cpu-rt-period 100000 "$ID"
	[ "$(rt_pair "$leaf")" = "30000 100000" ] || fail "the container's budget: $(rt_pair "$leaf")"
	[ "$(cat "$parent/cpu.rt_runtime_us")" -ge 299999 ] || fail "parent: $(rt_pair "$parent")"
	# Both smaller, then both larger: each write must fit on its own.
	husk update --cpu-rt-runtime 5000 --cpu-rt-period 10000 "$ID"
	[ "$(rt_pair "$leaf")" = "5000 10000" ] || fail "the container's budget: $(rt_pair "$leaf")"
	husk update --cpu-rt-runtime 40000 --cpu-rt-period 1000000 "$ID"
	[ "$(rt_pair "$leaf")" = "40000 1000000" ] || fail "the container's budget: $(rt_pair "$leaf")"
	run husk exec --process "$BATS_TEST_TMPDIR/fifo.json" "$ID"
	assert_success
	assert_output $'5 1\nran'
	# More than the hierarchy's root can give: an error naming the field,
	# the container's budget as it was, its parent not raised (another
	# husk's delete under /husk may lower it meanwhile, to no less than
	# what this container holds).
	local raised
	raised=$(cat "$parent/cpu.rt_runtime_us")
	run husk update --cpu-rt-runtime $((root_rt + 1000)) --cpu-rt-period 1000000 "$ID"
	assert_failure
	assert_output --partial 'linux.resources.cpu.realtimeRuntime: '
	assert_output --partial 'more than the cpu hierarchy'
	[ "$(rt_pair "$leaf")" = "40000 1000000" ] || fail "the container's budget changed: $(rt_pair "$leaf")"
	[ "$(cat "$parent/cpu.rt_runtime_us")" -le "$raised" ] || fail "parent raised by a failed update: $(rt_pair "$parent"), was: $raised"
	[ "$(cat "$parent/cpu.rt_runtime_us")" -ge 40000 ] || fail "parent below the container's budget: $(rt_pair "$parent")"
	# A runtime longer than its period.
	run husk update --cpu-rt-runtime 2000000 "$ID"
	assert_failure
	assert_output --partial 'linux.resources.cpu.realtimeRuntime: a real-time runtime of 2000000 us is more than its period of 1000000 us'
	[ "$(rt_pair "$leaf")" = "40000 1000000" ] || fail "the container's budget changed: $(rt_pair "$leaf")"
	# delete: the host's budgets as they were, and the record gone with
	# what it recorded.
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
	[ "$(rt_budgets)" = "$before" ] || fail "real-time budgets left raised: $(rt_budgets), were: $before"
	[ -n "$had_record" ] || [ ! -e /run/husk-cgroup-rt/%2Fhusk ] || fail "record left: /run/husk-cgroup-rt/%2Fhusk"
}

@test "delete --force: a container frozen by a parent's v1 freezer husk did not make leaves nothing, the parent stays frozen" {
	[ -d /sys/fs/cgroup/freezer ] ||
		skip "no cgroup v1 freezer hierarchy on this host (a v1 test)"
	# The parent freezer is someone else's, with a process of its own.
	local parent=/sys/fs/cgroup/freezer/$ID-parent
	mkdir "$parent"
	sleep 300 </dev/null >/dev/null 2>&1 3>&- &
	local other=$!
	echo "$other" >"$parent/cgroup.procs"
	update_config ".linux.cgroupsPath = \"/$ID-parent/$ID\""
	set_args sh -c 'sleep 300 & exec sleep 300'
	husk run -d --bundle "$BUNDLE" "$ID"
	local pid pids
	pid=$(state_field "$ID" pid)
	eventually test "$(grep -c . "$parent/$ID/cgroup.procs")" -eq 2 || fail "the container's processes never showed"
	pids=$(cat "$parent/$ID/cgroup.procs")
	echo FROZEN >"$parent/freezer.state"
	eventually grep -qx FROZEN "$parent/freezer.state" || fail "the parent never froze"
	# Without --force: refused, the container left whole.
	run husk delete "$ID"
	assert_failure
	husk state "$ID" >/dev/null
	# --force: the container's processes are gone, its cgroups too.
	husk delete --force "$ID"
	local p
	for p in $pids; do
		eventually pid_gone "$p" || fail "container process $p survived"
	done
	run husk state "$ID"
	assert_failure
	[ ! -e "$parent/$ID" ] || fail "the container's freezer cgroup is left"
	# The parent husk did not make is still there, still frozen, and so
	# is the process that is not the container's.
	[ "$(cat "$parent/freezer.state")" = FROZEN ] || fail "the parent was thawed: $(cat "$parent/freezer.state")"
	grep -qx "$other" "$parent/cgroup.procs" || fail "the other process left the parent"
	echo THAWED >"$parent/freezer.state"
	kill "$other"
	wait "$other" || true
	rmdir "$parent"
	local d
	for d in /sys/fs/cgroup/*/"$ID-parent"; do [ -d "$d" ] && fail "husk left $d"; done
	assert_no_leftovers "$ID"
}

# husk_under_outer ARG...: husk as it runs in a container on a v1 host: in
# a mount namespace of its own where the freezer hierarchy is a bind of
# the cgroup $ID-outer, so that husk takes $ID-outer for the root.
husk_under_outer() {
	unshare -m --propagation private sh -c 'mount --bind "$1" /sys/fs/cgroup/freezer && shift && exec "$@"' \
		sh "/sys/fs/cgroup/freezer/$ID-outer" "$HUSK" --root "$STATE_ROOT" "$@"
}

@test "delete --force: frozen by a freezer above the freezer root husk sees (husk in a container), an error naming why and the container whole; thawed, nothing left" {
	[ -d /sys/fs/cgroup/freezer ] ||
		skip "no cgroup v1 freezer hierarchy on this host (a v1 test)"
	local outer=/sys/fs/cgroup/freezer/$ID-outer
	mkdir "$outer"
	update_config ".linux.cgroupsPath = \"/$ID-p/$ID\""
	set_args sh -c 'sleep 300 & exec sleep 300'
	husk_under_outer run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 || fail "run: $(cat "$BATS_TEST_TMPDIR/run.out")"
	local leaf=$outer/$ID-p/$ID pids p pid
	# the container's own /sys/fs/cgroup has the freezer mounted once, not
	# once for the host's mount and again for the one over it
	pid=$(husk_under_outer state "$ID" | jq -r .pid)
	[ "$(awk '$5 == "/sys/fs/cgroup/freezer"' "/proc/$pid/mountinfo" | wc -l)" = 1 ] ||
		fail "the freezer mounted more than once in the container: $(grep /sys/fs/cgroup/freezer "/proc/$pid/mountinfo")"
	eventually test "$(grep -c . "$leaf/cgroup.procs")" -eq 2 || fail "the container's processes never showed in $leaf"
	pids=$(cat "$leaf/cgroup.procs")
	# Frozen from above what husk can see: there is no thawed cgroup in
	# its view of the hierarchy to move the processes into.
	echo FROZEN >"$outer/freezer.state"
	eventually grep -qx FROZEN "$outer/freezer.state" || fail "$ID-outer never froze"
	run husk_under_outer delete --force "$ID"
	assert_failure
	assert_output --partial "delete \`$ID\`: the container's processes are frozen by the freezer of a parent cgroup of \`/$ID-p/$ID\`"
	assert_output --partial "the freezer hierarchy's root as husk sees it, \`/sys/fs/cgroup/freezer\`, is FROZEN too (freezer.state)"
	assert_output --partial 'thaw it, then delete --force again'
	# The container whole: its state, its processes where they were, alive.
	[ -d "$STATE_ROOT/$ID" ] || fail "the state dir went with a failed delete"
	[ "$(cat "$leaf/cgroup.procs")" = "$pids" ] || fail "the processes moved: $(cat "$leaf/cgroup.procs"), were: $pids"
	for p in $pids; do
		pid_alive "$p" || fail "process $p was lost"
	done
	# Thawed, delete --force takes everything.
	echo THAWED >"$outer/freezer.state"
	husk_under_outer delete --force "$ID"
	for p in $pids; do
		eventually pid_gone "$p" || fail "container process $p survived"
	done
	[ ! -e "$outer/$ID-p" ] || fail "husk left $outer/$ID-p"
	local d
	for d in /sys/fs/cgroup/*/"$ID-p"; do [ -d "$d" ] && fail "husk left $d"; done
	rmdir "$outer"
	assert_no_leftovers "$ID"
}

@test "namespaces: without a mount namespace the container is chrooted in ours, and nothing is mounted" {
	remove_namespace mount
	update_config '.mounts = []'
	local before
	before=$(wc -l </proc/self/mountinfo)
	set_args sleep 300
	husk run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	[ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ] || fail "not in our mount namespace"
	[ "$(readlink "/proc/$pid/root")" = "$BUNDLE/rootfs" ] || fail "root: $(readlink "/proc/$pid/root")"
	[ "$(wc -l </proc/self/mountinfo)" = "$before" ] || fail "mounts were made on the host"
	touch "$BUNDLE/rootfs/only-in-this-rootfs"
	run husk exec "$ID" ls /only-in-this-rootfs
	assert_success
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
	# Mounts asked for would be made on the host: refused, naming the field.
	update_config '.mounts = [{"destination": "/proc", "type": "proc", "source": "proc"}]'
	run_in_container true
	assert_failure
	assert_output --partial 'mounts: not possible without a mount namespace'
	assert_no_leftovers "$ID"
	update_config '.mounts = [] | .root.readonly = true'
	run_in_container true
	assert_failure
	assert_output --partial 'root.readonly: not possible without a mount namespace'
	assert_no_leftovers "$ID"
}
