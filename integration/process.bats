#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The process object: args, env, cwd, user, umask, rlimits, oomScoreAdj,
# noNewPrivileges, capabilities; and hostname/domainname.

load helpers

setup() {
	husk_setup
	make_bundle
}

@test "process: args are passed one by one, spaces and quotes intact" {
	run_in_container printf '[%s]\n' 'a b' '"c"' "d'e" '' '$HOME'
	assert_success
	assert_output "[a b]
[\"c\"]
[d'e]
[]
[\$HOME]"
}

@test "process: args[0] is looked up in the container's PATH" {
	update_config '.process.env = ["PATH=/usr/bin"]'
	# /usr/bin/env exists in the rootfs (a symlink to busybox), /usr/bin/ls does not.
	run_in_container env
	assert_success
	assert_line 'PATH=/usr/bin'
	run_in_container ls /
	assert_failure
	assert_output --partial 'ls'
	assert_no_leftovers "$ID"
}

@test "process: a program that does not exist fails with a message naming it" {
	run_in_container /no/such/program
	assert_failure
	assert_output --partial '/no/such/program'
	assert_no_leftovers "$ID"
}

@test "process: env is exactly the configured one (plus HOME), nothing from husk's environment" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar", "EMPTY=", "SPACES=a b  c"]'
	set_args env
	HUSK_LEAK_CHECK=leaked run husk run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_line 'FOO=bar'
	assert_line 'EMPTY='
	assert_line 'SPACES=a b  c'
	assert_line 'PATH=/bin'
	refute_output --partial 'HUSK_LEAK_CHECK'
	refute_output --partial 'BATS_'
}

@test "process: HOME comes from /etc/passwd when env has none" {
	update_config '.process.env = ["PATH=/bin"] | .process.user = {"uid": 1000, "gid": 1000}'
	run_in_container sh -c 'echo "$HOME"'
	assert_success
	assert_output /home/user
	update_config '.process.env = ["PATH=/bin", "HOME=/custom"]'
	run_in_container sh -c 'echo "$HOME"'
	assert_output /custom
}

@test "process: cwd" {
	update_config '.process.cwd = "/tmp"'
	run_in_container pwd
	assert_success
	assert_output /tmp
	update_config '.process.cwd = "/home/user/"'
	run_in_container pwd
	assert_output /home/user
}

@test "process: cwd through a symlink stays inside the rootfs" {
	ln -s /etc "$BUNDLE/rootfs/etc-link"
	update_config '.process.cwd = "/etc-link"'
	run_in_container sh -c 'ls passwd group'
	assert_success
	assert_output "group
passwd"
}

@test "process: user uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 100]}'
	run_in_container sh -c 'id -u; id -g; id -G'
	assert_success
	assert_line --index 0 1000
	assert_line --index 1 1000
	local groups
	groups=$(sed -n 3p <<<"$output" | tr ' ' '\n' | sort -n | tr '\n' ' ')
	assert_equal "$groups" "10 100 1000 "
	# And the real ids, not only the effective ones.
	run_in_container grep -E '^(Uid|Gid|Groups):' /proc/self/status
	assert_line --regexp '^Uid:\s+1000\s+1000\s+1000\s+1000$'
	assert_line --regexp '^Gid:\s+1000\s+1000\s+1000\s+1000$'
	assert_line --regexp '^Groups:\s+10 100 $|^Groups:\s+10 100 1000 $'
}

@test "process: a uid without a passwd entry, and no supplementary groups left from root" {
	update_config '.process.user = {"uid": 4242, "gid": 4343}'
	run_in_container sh -c 'id -u; id -g; grep ^Groups: /proc/self/status'
	assert_success
	assert_line --index 0 4242
	assert_line --index 1 4343
	assert_line --index 2 --regexp '^Groups:\s*$'
}

@test "process: umask" {
	update_config '.process.user.umask = 63'
	run_in_container sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
	assert_success
	assert_line --index 0 0077
	assert_line --index 1 600
	update_config '.process.user.umask = 18'
	run_in_container sh -c umask
	assert_output 0022
}

@test "process: rlimits are set, soft and hard" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 1234, "hard": 2345},
		{"type": "RLIMIT_NPROC", "soft": 500, "hard": 600},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
		{"type": "RLIMIT_STACK", "soft": 4194304, "hard": 8388608}]'
	run_in_container cat /proc/self/limits
	assert_success
	assert_line --regexp '^Max open files +1234 +2345 +files'
	assert_line --regexp '^Max processes +500 +600 +processes'
	assert_line --regexp '^Max core file size +0 +0 +bytes'
	assert_line --regexp '^Max stack size +4194304 +8388608 +bytes'
	run_in_container sh -c 'ulimit -n'
	assert_output 1234
}

@test "process: RLIMIT_NOFILE above the hard limit of husk itself" {
	has_cap 24 || skip "raising a hard limit needs CAP_SYS_RESOURCE, which this host's root lacks"
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 4096, "hard": 65536}]'
	set_args sh -c 'ulimit -n; ulimit -Hn'
	run bash -c "ulimit -Hn 2048; '$HUSK' --root '$STATE_ROOT' run --bundle '$BUNDLE' '$ID'"
	assert_success
	assert_line --index 0 4096
	assert_line --index 1 65536
}

@test "process: oomScoreAdj" {
	update_config '.process.oomScoreAdj = 500'
	run_in_container cat /proc/self/oom_score_adj
	assert_success
	assert_output 500
	update_config '.process.oomScoreAdj = 1000'
	run_in_container cat /proc/self/oom_score_adj
	assert_output 1000
	# Not set: inherited from husk.
	update_config 'del(.process.oomScoreAdj)'
	set_args cat /proc/self/oom_score_adj
	run bash -c "echo 123 >/proc/self/oom_score_adj; '$HUSK' --root '$STATE_ROOT' run --bundle '$BUNDLE' '$ID'"
	assert_success
	assert_output 123
}

@test "process: a negative oomScoreAdj" {
	has_cap 24 || skip "lowering oom_score_adj needs CAP_SYS_RESOURCE, which this host's root lacks"
	update_config '.process.oomScoreAdj = -500'
	run_in_container cat /proc/self/oom_score_adj
	assert_success
	assert_output -500
}

@test "process: noNewPrivileges" {
	update_config '.process.noNewPrivileges = true'
	run_in_container grep ^NoNewPrivs: /proc/self/status
	assert_success
	assert_output --regexp 'NoNewPrivs:\s+1'
	update_config '.process.noNewPrivileges = false'
	run_in_container grep ^NoNewPrivs: /proc/self/status
	assert_output --regexp 'NoNewPrivs:\s+0'
}

@test "process: capabilities sets are the configured ones" {
	# CAP_KILL(5) CAP_NET_BIND_SERVICE(10) CAP_AUDIT_WRITE(29) = 0x20000420
	update_config '.process.noNewPrivileges = true' 
	update_config '.process.capabilities = {
		"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_KILL"],
		"permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"inheritable": []}'
	run_in_container grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status
	assert_success
	assert_line --regexp '^CapInh:\s+0000000000000000$'
	assert_line --regexp '^CapPrm:\s+0000000000000420$'
	# uid 0 execs with effective = permitted (capabilities(7)), as with runc
	assert_line --regexp '^CapEff:\s+0000000000000420$'
	assert_line --regexp '^CapBnd:\s+0000000020000420$'
	assert_line --regexp '^CapAmb:\s+0000000000000000$'
}

@test "process: a non-root user keeps ambient capabilities" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_NET_BIND_SERVICE"], "effective": ["CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run_in_container grep -E '^Cap(Eff|Amb):' /proc/self/status
	assert_success
	assert_line --regexp '^CapEff:\s+0000000000000400$'
	assert_line --regexp '^CapAmb:\s+0000000000000400$'
}

@test "process: stdout and stderr stay apart" {
	set_args sh -c 'echo to-out; echo to-err >&2'
	husk run --bundle "$BUNDLE" "$ID" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" to-out
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" to-err
}

@test "process: hostname and domainname" {
	update_config '.hostname = "husk-host" | .domainname = "example.org"'
	run_in_container sh -c 'hostname; cat /proc/sys/kernel/domainname'
	assert_success
	assert_line --index 0 husk-host
	assert_line --index 1 example.org
	# The host's are untouched.
	[ "$(hostname)" != husk-host ]
}

@test "process: the process runs in the container's rootfs" {
	echo marker-$$ >"$BUNDLE/rootfs/marker"
	run_in_container cat /marker
	assert_success
	assert_output "marker-$$"
	run_in_container sh -c 'test -e /work/main || test -e /root/.bashrc || echo isolated'
	assert_output isolated
}

@test "process: no file descriptor of husk leaks into the container" {
	run_in_container sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
	assert_success
	# 0 1 2 and the one ls itself opens for the directory
	assert_output --regexp '^0 1 2 ([0-9]+ )?$'
}

@test "process: the container cannot gain privileges back" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_in_container sh -c 'touch /root/x 2>&1; echo done'
	assert_line --index 1 done
	assert_output --partial 'ermission denied'
}

@test "process: without a terminal the init leads a session of its own (as runc and crun), inside the container" {
	update_config '.process.terminal = false | .process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	# /proc/PID/stat field 6 is the session id, field 5 the process group
	[ "$(awk '{print $6}' "/proc/$pid/stat")" = "$pid" ] ||
		fail "session $(awk '{print $6}' "/proc/$pid/stat"), expected the init $pid"
	[ "$(awk '{print $5}' "/proc/$pid/stat")" = "$pid" ]
}
