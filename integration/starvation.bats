#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Starvation and bad input: a full state root, a low RLIMIT_NOFILE, a pids
# cgroup with no room for husk's children, and ids, bundles and --root
# values that are long, hold control characters or go through symlinks.
# Each gets a clear error (or works), never a half-written state.json,
# and leaves nothing behind.

load helpers

setup() {
	husk_setup
	make_bundle
	set_args sleep 1000
}

teardown() {
	[ -z "${PIDS_CG:-}" ] || rmdir "$PIDS_CG" 2>/dev/null || true
	husk_teardown
}

# husk's argv with no shell in between: under HUSK_KERNEL_COMPAT, $HUSK is
# a /bin/sh script, and a shell cannot start with a tiny RLIMIT_NOFILE, so
# the wrapper program is called directly.
husk_argv() {
	if [ -n "${HUSK_REAL:-}" ]; then
		HUSK_ARGV=("$HUSK_TESTS_BIN/kernel-compat" "$HUSK_KERNEL_COMPAT" -- "$HUSK_REAL")
	else
		HUSK_ARGV=("$HUSK")
	fi
}

# every state.json under ROOT parses and names its id
assert_states_whole() {
	local f
	for f in "$1"/*/state.json; do
		[ -e "$f" ] || continue
		jq -e '.id and .status' "$f" >/dev/null || fail "corrupt $f: $(cat "$f")"
	done
}

@test "starvation: a state root on a full tmpfs: a clear ENOSPC error, no state, no cgroup" {
	local root=$BATS_TEST_TMPDIR/full
	mkdir -m 0700 "$root"
	mount -t tmpfs -o size=64k,mode=0700 husk-full "$root"
	# a container made while there was room, then the disk fills up
	husk_bin --root "$root" create --bundle "$BUNDLE" "$ID-old" </dev/null >/dev/null 2>&1 ||
		fail "create with room failed"
	dd if=/dev/zero of="$root/filler" bs=4k 2>/dev/null || true
	[ "$(df --output=avail "$root" | tail -n 1)" -eq 0 ] || fail "tmpfs not full: $(df "$root")"
	run husk_bin --root "$root" create --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	assert_output --partial "No space left on device"
	[ ! -e "$root/$ID" ] || fail "state dir left: $(ls -la "$root/$ID")"
	[ -z "$(cgroup_dirs_of "$ID")" ] || fail "cgroups left: $(cgroup_dirs_of "$ID")"
	# the old container's state is whole and still usable
	assert_states_whole "$root"
	run husk_bin --root "$root" start "$ID-old"
	# start may fail to record "running", but the state stays whole and true
	assert_states_whole "$root"
	[ "$(husk_bin --root "$root" state "$ID-old" | jq -r .status)" = running ]
	run husk_bin --root "$root" list --format json
	assert_success
	husk_bin --root "$root" delete --force "$ID-old"
	[ ! -e "$root/$ID-old" ]
	assert_no_leftovers "$ID-old"
	umount "$root"
}

@test "starvation: RLIMIT_NOFILE 20: create works or fails clearly; nothing half-made" {
	local n
	husk_argv
	for n in 8 12 16 20; do
		run prlimit --nofile=$n -- "${HUSK_ARGV[@]}" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null
		if [ "$status" -ne 0 ]; then
			assert_output --regexp '^husk: .*(Too many open files|Bad file descriptor)'
			[ ! -e "$STATE_ROOT/$ID" ] || fail "nofile=$n: state dir left after failed create"
			[ -z "$(cgroup_dirs_of "$ID")" ] || fail "nofile=$n: cgroups left"
		else
			[ "$(state_field "$ID" status)" = created ] || fail "nofile=$n"
			run prlimit --nofile=$n -- "${HUSK_ARGV[@]}" --root "$STATE_ROOT" start "$ID"
			assert_success
			run prlimit --nofile=$n -- "${HUSK_ARGV[@]}" --root "$STATE_ROOT" delete --force "$ID"
			assert_success
		fi
		assert_states_whole "$STATE_ROOT"
		assert_no_leftovers "$ID"
	done
}

@test "starvation: a pids cgroup with no room for husk's children: a clear error, nothing left" {
	local base
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		base=/sys/fs/cgroup
	else
		base=/sys/fs/cgroup/pids
	fi
	[ -w "$base" ] && [ -e "$base/cgroup.procs" ] || skip "no writable pids cgroup at $base"
	PIDS_CG=$base/husk-test-$ID
	mkdir "$PIDS_CG"
	# room for husk itself only
	echo 1 >"$PIDS_CG/pids.max"
	run sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --root "$3" create --bundle "$4" "$5" </dev/null' \
		sh "$PIDS_CG" "$HUSK" "$STATE_ROOT" "$BUNDLE" "$ID"
	assert_failure
	assert_output --regexp '^husk: .*(clone|fork).*Resource temporarily unavailable'
	[ ! -e "$STATE_ROOT/$ID" ] || fail "state dir left: $(ls -A "$STATE_ROOT/$ID")"
	[ -z "$(cgroup_dirs_of "$ID")" ] || fail "cgroups left: $(cgroup_dirs_of "$ID")"
	husk create --bundle "$BUNDLE" "$ID" >/dev/null
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "bad input: ids that are long, hold control characters, slashes or dots are refused before anything is made" {
	local bad
	for bad in "$(printf 'a%.0s' $(seq 1025))" $'a\nb' $'a\tb' $'a\033[2Jb' 'a/b' '../x' '.hidden' ''; do
		run husk create --bundle "$BUNDLE" "$bad"
		assert_failure
		assert_output --regexp 'container id'
		run husk state "$bad"
		assert_failure
		run husk delete --force "$bad"
		assert_failure
	done
	[ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ] || fail "made: $(ls -A "$STATE_ROOT")"
	# control characters are shown escaped, never sent to the terminal
	run husk create --bundle "$BUNDLE" $'a\033[2Jb\nc'
	assert_failure
	assert_output --partial 'invalid container id `a\x1b[2Jb\nc`'
	# the longest id a filesystem name can hold works end to end
	local long
	long=$(printf 'x%.0s' $(seq 250))
	husk create --bundle "$BUNDLE" "$long" >/dev/null
	[ "$(state_field "$long" status)" = created ]
	husk delete --force "$long"
	# one too long for a directory name: a clear error, nothing left
	long=$(printf 'y%.0s' $(seq 300))
	run husk create --bundle "$BUNDLE" "$long"
	assert_failure
	assert_output --partial "File name too long"
	[ -z "$(ls -A "$STATE_ROOT" 2>/dev/null)" ] || fail "made: $(ls -A "$STATE_ROOT")"
	[ -z "$(cgroup_dirs_of "$long")" ] || fail "cgroups left for the long id"
}

@test "bad input: bundles with newlines, a long path or symlinks are handled" {
	local odd=$BATS_TEST_TMPDIR/$'odd\nbundle\tdir'
	mv "$BUNDLE" "$odd"
	husk create --bundle "$odd" "$ID" >/dev/null
	[ "$(state_field "$ID" bundle)" = "$odd" ] || fail "bundle: $(husk state "$ID")"
	run husk list --format json
	assert_success
	[ "$(jq -r '.[0].bundle' <<<"$output")" = "$odd" ]
	husk delete --force "$ID"
	# through a symlink: the state names the real directory
	ln -s "$odd" "$BATS_TEST_TMPDIR/link"
	husk create --bundle "$BATS_TEST_TMPDIR/link" "$ID" >/dev/null
	[ "$(state_field "$ID" bundle)" = "$odd" ]
	husk delete --force "$ID"
	# longer than PATH_MAX: a clear error
	run husk create --bundle "/$(printf 'd%.0s' $(seq 5000))" "$ID"
	assert_failure
	assert_output --regexp '^husk: bundle .*(File name too long|No such file)'
	assert_no_leftovers "$ID" "$odd"
}

@test "bad input: --root long, with control characters, or through a symlinked parent" {
	run husk_bin --root "/$(printf 'r%.0s' $(seq 5000))" create --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	assert_output --partial "File name too long"
	# a newline in --root is only a name: it works, and is shown escaped in JSON
	local odd=$BATS_TEST_TMPDIR/$'root\nwith\x01ctl'
	husk_bin --root "$odd" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null
	[ "$(stat -c %a "$odd")" = 700 ]
	husk_bin --root "$odd" list --format json | jq -e ".[0].id == \"$ID\"" >/dev/null
	husk_bin --root "$odd" delete --force "$ID"
	# a symlink above the root is followed; the root itself must not be one
	mkdir -m 0700 "$BATS_TEST_TMPDIR/real"
	ln -s real "$BATS_TEST_TMPDIR/up"
	husk_bin --root "$BATS_TEST_TMPDIR/up/r" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null
	[ -d "$BATS_TEST_TMPDIR/real/r/$ID" ]
	husk_bin --root "$BATS_TEST_TMPDIR/up/r" delete --force "$ID"
	assert_no_leftovers "$ID"
}
