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
	remove_admin_parent
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

# The tests below run on the host itself (v1 hierarchies plus, on a hybrid
# host, the unified one): a parent that exists in some hierarchies only.

# Every cgroup hierarchy mounted under /sys/fs/cgroup, one directory a line.
all_hierarchies() {
	local d
	for d in /sys/fs/cgroup/*/; do
		[ -L "${d%/}" ] && continue
		[ -f "$d/cgroup.procs" ] && echo "${d%/}"
	done
	return 0
}

# make_admin_parent: what an admin made by hand, /$ADMIN_TOP in the cpu
# hierarchy only, with cpu.shares 777 and, where the kernel has real-time
# group scheduling and the root has room, a real-time budget of 10000 us.
make_admin_parent() {
	ADMIN_TOP=$ID-X
	ADMIN_CPU=$(readlink -f /sys/fs/cgroup/cpu)/$ADMIN_TOP
	ADMIN_RT=
	mkdir "$ADMIN_CPU"
	echo 777 >"$ADMIN_CPU/cpu.shares"
	if [ -f "$ADMIN_CPU/cpu.rt_runtime_us" ] &&
		echo 10000 >"$ADMIN_CPU/cpu.rt_runtime_us" 2>/dev/null; then
		ADMIN_RT=10000
	fi
}

# The admin's parent is still there in cpu, as the admin left it.
assert_admin_parent_kept() {
	[ -d "$ADMIN_CPU" ] || fail "husk removed $ADMIN_CPU, which it did not make"
	[ "$(cat "$ADMIN_CPU/cpu.shares")" = 777 ] ||
		fail "$ADMIN_CPU/cpu.shares is $(cat "$ADMIN_CPU/cpu.shares"), not the admin's 777"
	if [ -n "$ADMIN_RT" ]; then
		[ "$(cat "$ADMIN_CPU/cpu.rt_runtime_us")" = "$ADMIN_RT" ] ||
			fail "$ADMIN_CPU/cpu.rt_runtime_us is $(cat "$ADMIN_CPU/cpu.rt_runtime_us"), not the admin's $ADMIN_RT"
	fi
	[ -z "$(ls -d "$ADMIN_CPU"/*/ 2>/dev/null)" ] || fail "left below $ADMIN_CPU: $(ls -d "$ADMIN_CPU"/*/)"
}

# /$ADMIN_TOP is gone from every hierarchy where husk made it: all of them
# but the admin's in cpu, when make_admin_parent made one.
assert_husk_parents_gone() {
	local d left=
	for d in $(all_hierarchies); do
		[ "$d/$ADMIN_TOP" = "${ADMIN_CPU:-}" ] && continue
		[ ! -e "$d/$ADMIN_TOP" ] || left+="$d/$ADMIN_TOP "
	done
	[ -z "$left" ] || fail "parents husk made were left: $left"
}

remove_admin_parent() {
	[ -n "${ADMIN_TOP:-}" ] || return 0
	local d
	for d in $(all_hierarchies); do
		[ -d "$d/$ADMIN_TOP" ] || continue
		find "$d/$ADMIN_TOP" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null || true
		rmdir "$d/$ADMIN_TOP" 2>/dev/null || true
	done
}

@test "cgroups v1: a parent an admin made in the cpu hierarchy only survives delete; the ones husk made go" {
	make_admin_parent
	update_config ".linux.cgroupsPath = \"/$ADMIN_TOP/$ID\""
	set_args sleep 300
	husk run -d --bundle "$BUNDLE" "$ID"
	# husk made the parent in every other hierarchy, the leaf in all
	local d cpu_ctrls
	for d in $(all_hierarchies); do
		[ -d "$d/$ADMIN_TOP/$ID" ] || fail "no $d/$ADMIN_TOP/$ID"
	done
	cp "$STATE_ROOT/$ID/state.json" "$BATS_TEST_TMPDIR/state.json"
	husk delete --force "$ID"
	assert_admin_parent_kept
	assert_husk_parents_gone
	assert_no_leftovers "$ID"
	# the state file said so per hierarchy: the leaf alone in cpu, both elsewhere
	cpu_ctrls=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ {print $2}' /proc/self/cgroup)
	jq -e --arg cpu "$cpu_ctrls" '.husk.cgroup_owned | .[$cpu] == 1 and .memory == 2' \
		"$BATS_TEST_TMPDIR/state.json" || fail "state: $(jq -c .husk "$BATS_TEST_TMPDIR/state.json")"
}

@test "cgroups v1: a create that fails after its cgroups were made removes only what it made" {
	make_admin_parent
	# cpuset.cpus is written after every directory is made; the kernel
	# refuses a cpu this machine does not have
	update_config ".linux.cgroupsPath = \"/$ADMIN_TOP/$ID\"
		| .linux.resources.cpu = {\"cpus\": \"4095\"}"
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.resources.cpu.cpus'
	assert_admin_parent_kept
	assert_husk_parents_gone
	assert_no_leftovers "$ID"
}

@test "cgroups v1: a state file from before per-hierarchy records (one depth for all) still removes the parents husk made" {
	ADMIN_TOP=$ID-X
	update_config ".linux.cgroupsPath = \"/$ADMIN_TOP/$ID\""
	set_args sleep 300
	husk run -d --bundle "$BUNDLE" "$ID"
	# what an older husk wrote: cgroup_owned_depth alone
	local st=$STATE_ROOT/$ID/state.json
	jq -e '.husk.cgroup_owned_depth == 2' "$st"
	jq -c 'del(.husk.cgroup_owned)' "$st" >"$st.old" && mv "$st.old" "$st"
	husk delete --force "$ID"
	assert_husk_parents_gone
	assert_no_leftovers "$ID"
}

@test "cgroups v1: a create that fails part way down one hierarchy removes the parents it made there" {
	ADMIN_TOP=$ID-X
	# cpu.shares is a file in the cpu hierarchy: the walk there makes
	# /$ADMIN_TOP, then fails; every other hierarchy takes the name as a cgroup
	update_config ".linux.cgroupsPath = \"/$ADMIN_TOP/cpu.shares/$ID\""
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "cgroups: open $(readlink -f /sys/fs/cgroup/cpu)/$ADMIN_TOP/cpu.shares/$ID: Not a directory"
	assert_husk_parents_gone
	assert_no_leftovers "$ID"
}

@test "cgroups v1: create killed after making its cgroups: delete --force keeps the admin's parent, removes husk's" {
	command -v strace >/dev/null || fail "strace is missing (scripts/install-deps.sh installs it)"
	local killat=$HUSK_TESTS_BIN/killat trace=$BATS_TEST_TMPDIR/trace n
	[ -x "$killat" ] || fail "$killat missing: build it with make check"
	make_admin_parent
	update_config ".linux.cgroupsPath = \"/$ADMIN_TOP/$ID\""
	set_args sleep 300
	# the number of the last syscall that makes one of the container's
	# cgroups (strace without -f counts husk's own, as killat does)
	strace -o "$trace" "$HUSK" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" \
		</dev/null >/dev/null 2>&1
	husk delete --force "$ID"
	assert_admin_parent_kept
	n=$(grep -v '^+++\|^---' "$trace" | grep -nE "^mkdir(at)?\(.*\"[^\"]*$ID\"" | tail -n 1 | cut -d: -f1)
	[ -n "$n" ] || fail "create made no cgroup: $(grep -c . "$trace") syscalls traced"
	# killed just after it: only the intent recorded before is in state.json
	"$killat" -n $((n + 1)) "$HUSK" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" \
		</dev/null >/dev/null 2>&1 || true
	[ -d "$ADMIN_CPU/$ID" ] || fail "the kill came before the cgroup in cpu was made"
	husk delete --force "$ID"
	assert_admin_parent_kept
	assert_husk_parents_gone
	assert_no_leftovers "$ID"
}
