#!/usr/bin/env bats
# The init's own steps (runtime/init.c, runtime/container.c): what the
# container finds set up for it, and create's errors.

load helpers

setup() {
	husk_setup
	make_bundle
}

teardown() {
	husk_teardown
}

@test "init: lo is up in a new network namespace" {
	add_namespace network
	run_in_container cat /sys/class/net/lo/flags
	assert_success
	# IFF_UP is bit 0
	(( output & 1 )) || fail "lo flags $output: not up"
}

@test "init: a missing executable fails create, names it, leaves nothing" {
	set_args nosuchcmd
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'process.args: executable `nosuchcmd` not found in $PATH'
	assert_no_leftovers "$ID"
}

@test "init: HOME comes from /etc/passwd, else /" {
	run_in_container sh -c 'echo $HOME'
	assert_success
	local want
	want=$(awk -F: '$3 == 0 {print $6; exit}' "$BUNDLE/rootfs/etc/passwd" 2>/dev/null)
	assert_output "${want:-/}"
	update_config '.process.env += ["HOME=/somewhere"]'
	run_in_container sh -c 'echo $HOME'
	assert_output /somewhere
}

@test "init: a memory limit too small to start says so, and leaves nothing" {
	update_config '.linux.resources.memory = {"limit": 8192}'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.resources.memory.limit: 8192 bytes is too small to start the container'
	assert_no_leftovers "$ID"
}

@test "init: the cgroup namespace is rooted at the container's cgroup" {
	add_namespace cgroup
	run_in_container cat /proc/self/cgroup
	assert_success
	# every hierarchy shows the container's own cgroup as its root
	local bad
	bad=$(echo "$output" | awk -F: '$3 != "/"')
	[ -z "$bad" ] || fail "not rooted at the container's cgroup: $bad"
}

@test "init: joining a user namespace by path creates the others inside it" {
	unshare -U sleep 100 &
	local holder=$!
	sleep 0.2
	echo "0 200000 65536" >"/proc/$holder/uid_map"
	echo "0 200000 65536" >"/proc/$holder/gid_map"
	remove_namespace pid
	add_namespace user "/proc/$holder/ns/user"
	# The container's root (host uid 200000) walks to the rootfs by path,
	# as with runc: the test's private directories must let it through.
	local d=$BUNDLE
	while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	local want
	want=$(readlink "/proc/$holder/ns/user")
	run_in_container sh -c 'cat /proc/self/uid_map; readlink /proc/self/ns/user'
	kill "$holder"
	assert_success
	assert_line --index 0 --regexp '^ +0 +200000 +65536$'
	assert_line --index 1 "$want"
}

@test "init: the state root is created with its parents" {
	local root=$BATS_TEST_TMPDIR/deep/er/root
	update_config '.process.args = ["true"]'
	run husk_bin --root "$root" run --bundle "$BUNDLE" "$ID"
	assert_success
	[ -d "$root" ]
	[ "$(stat -c %a "$root")" = 700 ]
}

@test "init: no fd of husk reaches the container, besides stdio" {
	run_in_container ls /proc/self/fd
	assert_success
	# 0 1 2, and the fd ls itself opened for the directory
	[ "$(echo "$output" | wc -l)" -le 4 ] || fail "fds: $output"
}

@test "init: without openat2 (Linux 5.5) in-root resolution takes the walk" {
	command -v strace >/dev/null || skip "strace is not installed"
	kernel_at_least 5.6 "openat2 for the first run"
	set_args true
	run strace -f -e trace=openat2 -o "$BATS_TEST_TMPDIR/with" \
		"${HUSK_REAL:-$HUSK}" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID-a"
	assert_success
	grep -q RESOLVE_IN_ROOT "$BATS_TEST_TMPDIR/with" || fail "openat2(RESOLVE_IN_ROOT) not used where the kernel has it"
	run strace -f -e trace=openat2 -o "$BATS_TEST_TMPDIR/without" \
		"$HUSK_TESTS_BIN/kernel-compat" 5.5 -- "${HUSK_REAL:-$HUSK}" --root "$STATE_ROOT" \
		run --bundle "$BUNDLE" "$ID-b"
	assert_success
	! grep -q RESOLVE_IN_ROOT "$BATS_TEST_TMPDIR/without" || fail "openat2(RESOLVE_IN_ROOT) tried on a kernel without openat2"
}

@test "init: each kernel interface is tried once, and --debug says which path runs" {
	set_args true
	run "$HUSK_TESTS_BIN/kernel-compat" 5.5 -- "${HUSK_REAL:-$HUSK}" --debug --root "$STATE_ROOT" \
		run --bundle "$BUNDLE" "$ID"
	assert_success
	assert_output --partial 'kernel: openat2 (Linux 5.6): missing, using the component-by-component walk'
	assert_output --partial 'kernel: mount_setattr (Linux 5.12): missing, using bind-remounts'
	# once per process: the parent and the init each log at most once
	[ "$(grep -c 'kernel: openat2' <<<"$output")" -le 2 ] || fail "openat2 probed more than once per process"
}
