#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The state root is trusted with every container's pid and cgroups: one that
# is a symlink, owned by another user or writable by group/others is refused
# by every command; ids, bundles and roots that are long, hold control
# characters or go through symlinks are refused clearly or handled safely.

load helpers

setup() {
	husk_setup
	make_bundle
	set_args sleep 100
}

# refused_root DIR WHY: create, state, list and delete all refuse DIR.
refused_root() {
	local dir=$1 why=$2 cmd
	run husk_bin --root "$dir" create --bundle "$BUNDLE" "$ID" </dev/null
	assert_failure
	assert_output --partial "state root \`$dir\`"
	assert_output --partial "$why"
	for cmd in "state $ID" "list" "delete --force $ID" "kill $ID"; do
		# shellcheck disable=SC2086
		run husk_bin --root "$dir" $cmd
		assert_failure
		assert_output --partial "$why"
	done
	[ -z "$(cgroup_dirs_of "$ID")" ] || fail "cgroups made: $(cgroup_dirs_of "$ID")"
}

@test "state root: a symlink is refused, and nothing is made behind it" {
	mkdir -m 0700 "$BATS_TEST_TMPDIR/real"
	ln -s real "$BATS_TEST_TMPDIR/link"
	refused_root "$BATS_TEST_TMPDIR/link" "is a symbolic link"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/real")" ] || fail "made $(ls -A "$BATS_TEST_TMPDIR/real")"
}

@test "state root: one owned by another user is refused" {
	mkdir -m 0700 "$BATS_TEST_TMPDIR/other"
	chown 4321:4321 "$BATS_TEST_TMPDIR/other"
	refused_root "$BATS_TEST_TMPDIR/other" "is owned by uid 4321"
}

@test "state root: group- or world-writable is refused" {
	mkdir -m 0770 "$BATS_TEST_TMPDIR/grp"
	chmod 0770 "$BATS_TEST_TMPDIR/grp"
	refused_root "$BATS_TEST_TMPDIR/grp" "writable by its group or by others (mode 0770)"
	mkdir "$BATS_TEST_TMPDIR/world"
	chmod 1777 "$BATS_TEST_TMPDIR/world"
	refused_root "$BATS_TEST_TMPDIR/world" "(mode 1777)"
}

@test "state root: a planted container in a refused root is never acted on" {
	# another user's root holding a "container" whose pid is ours
	mkdir -m 0700 -p "$BATS_TEST_TMPDIR/evil/$ID"
	sleep 100 &
	local victim=$!
	jq -n --arg id "$ID" --argjson pid "$victim" \
		'{ociVersion: "1.3.0", id: $id, status: "running", pid: $pid, bundle: "/"}' \
		>"$BATS_TEST_TMPDIR/evil/$ID/state.json"
	chown -R 4321 "$BATS_TEST_TMPDIR/evil"
	run husk_bin --root "$BATS_TEST_TMPDIR/evil" kill "$ID" KILL
	assert_failure
	run husk_bin --root "$BATS_TEST_TMPDIR/evil" delete --force "$ID"
	assert_failure
	pid_alive "$victim" || fail "the planted pid was killed"
	kill "$victim"
	[ -d "$BATS_TEST_TMPDIR/evil/$ID" ] || fail "the planted state was removed"
}

@test "state root: one owned by the invoking non-root user, or by root, is accepted" {
	local dir=$BATS_TEST_TMPDIR/mine
	mkdir -m 0755 "$dir"
	chown 4321:4321 "$dir"
	make_traversable "$BATS_TEST_TMPDIR"
	run setpriv --reuid=4321 --regid=4321 --clear-groups "$HUSK" --root "$dir" list -q
	assert_success
	run setpriv --reuid=4322 --regid=4322 --clear-groups "$HUSK" --root "$dir" list -q
	assert_failure
	assert_output --partial "is owned by uid 4321, not by us (uid 4322) or root"
	# a root-owned root (mode 0755) is fine for a reader
	mkdir -m 0755 "$BATS_TEST_TMPDIR/rootowned"
	run setpriv --reuid=4321 --regid=4321 --clear-groups "$HUSK" --root "$BATS_TEST_TMPDIR/rootowned" list -q
	assert_success
}

@test "state root: a new root is made 0700 with its parents; a mode 0755 one is kept" {
	husk_bin --root "$BATS_TEST_TMPDIR/a/b/root" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 ||
		fail "create failed"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/a/b/root")" = 700 ]
	husk_bin --root "$BATS_TEST_TMPDIR/a/b/root" delete --force "$ID"
	mkdir -m 0755 "$BATS_TEST_TMPDIR/open"
	husk_bin --root "$BATS_TEST_TMPDIR/open" list -q
	assert_no_leftovers "$ID"
}
