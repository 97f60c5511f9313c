#!/usr/bin/env bats
# cgroup v1 alone: this host is hybrid (v1 controllers plus cgroup2 at
# /sys/fs/cgroup/unified); in a private mount namespace without the cgroup2
# mount, husk sees the layout of a pure v1 host.  Nothing changes outside
# that namespace.

load helpers

setup() {
	husk_setup
	make_bundle
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		skip "pure cgroup v2 host: no v1 hierarchies to test"
	fi
}

teardown() {
	husk_teardown
}

# in_v1 SCRIPT: run SCRIPT with bash in a mount namespace whose only cgroup
# mounts are the v1 ones.
in_v1() {
	run unshare -m --propagation private bash -c "
		set -e
		if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
		! grep -q ' cgroup2 ' /proc/self/mountinfo
		$1"
}

@test "cgroups v1 only: limits are written, the init is in every hierarchy, pause freezes, delete removes" {
	update_config '.process.args = ["sleep", "1000"]
		| .linux.resources.memory = {"limit": 33554432}
		| .linux.resources.pids = {"limit": 42}
		| .linux.resources.cpu = {"shares": 512}'
	in_v1 "
		'$HUSK' --root '$STATE_ROOT' run -d --bundle '$BUNDLE' '$ID' </dev/null >/dev/null 2>&1
		cat /sys/fs/cgroup/memory/husk/'$ID'/memory.limit_in_bytes
		cat /sys/fs/cgroup/pids/husk/'$ID'/pids.max
		cat /sys/fs/cgroup/cpu/husk/'$ID'/cpu.shares
		pid=\$('$HUSK' --root '$STATE_ROOT' state '$ID' | jq .pid)
		grep -c \"husk/$ID\" /proc/\$pid/cgroup
		'$HUSK' --root '$STATE_ROOT' pause '$ID'
		cat /sys/fs/cgroup/freezer/husk/'$ID'/freezer.state
		'$HUSK' --root '$STATE_ROOT' state '$ID' | jq -r .status
		'$HUSK' --root '$STATE_ROOT' delete -f '$ID'
		test ! -e /sys/fs/cgroup/memory/husk/'$ID' && echo gone"
	assert_success
	assert_line --index 0 33554432
	assert_line --index 1 42
	assert_line --index 2 512
	# every v1 hierarchy the host has, and no unified one
	local want
	want=$(awk -F: '$2 != ""' /proc/self/cgroup | wc -l)
	assert_line --index 3 "$want"
	assert_line --index 4 FROZEN
	assert_line --index 5 paused
	assert_line --index 6 gone
	assert_no_leftovers "$ID"
}

@test "cgroups v1 only: a memory hog is OOM-killed (exit 137)" {
	update_config '.process.args = ["sh", "-c", "x=a; while :; do x=$x$x; done"]
		| .linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	in_v1 "
		'$HUSK' --root '$STATE_ROOT' run --bundle '$BUNDLE' '$ID' </dev/null >/dev/null 2>&1 || echo status=\$?"
	assert_success
	assert_output status=137
	assert_no_leftovers "$ID"
}
