#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The state root is trusted with every container's pid and cgroups: one that
# is a symlink, owned by another user or writable by group/others is refused
# by every command, and so is one with a directory or symlink on the way to
# it that another user owns or (unless sticky, as /tmp) can write to; ids, bundles and roots that are long, hold control
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

@test "state root: a directory on the way owned by another user is refused, and nothing is made behind it" {
	mkdir -m 0755 "$BATS_TEST_TMPDIR/theirs"
	chown 4321:4321 "$BATS_TEST_TMPDIR/theirs"
	refused_root "$BATS_TEST_TMPDIR/theirs/root" \
		"the directory \`$BATS_TEST_TMPDIR/theirs\` on the way to it is owned by uid 4321"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/theirs")" ] || fail "made $(ls -A "$BATS_TEST_TMPDIR/theirs")"
	# deeper: a root-owned directory below theirs does not help (they can rename it)
	mkdir -m 0755 "$BATS_TEST_TMPDIR/theirs/sub"
	refused_root "$BATS_TEST_TMPDIR/theirs/sub/root" "\`$BATS_TEST_TMPDIR/theirs\` on the way to it is owned by uid 4321"
}

@test "state root: a directory on the way writable by group or others is refused unless sticky, as /tmp" {
	mkdir -m 0755 "$BATS_TEST_TMPDIR/shared"
	chmod 0775 "$BATS_TEST_TMPDIR/shared"
	refused_root "$BATS_TEST_TMPDIR/shared/root" \
		"\`$BATS_TEST_TMPDIR/shared\` on the way to it is writable by its group or by others and not sticky (mode 0775)"
	chmod 0777 "$BATS_TEST_TMPDIR/shared"
	refused_root "$BATS_TEST_TMPDIR/shared/root" "and not sticky (mode 0777)"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/shared")" ] || fail "made $(ls -A "$BATS_TEST_TMPDIR/shared")"
	# sticky, as /tmp and /var/tmp: others may add entries but not move ours
	chmod 1777 "$BATS_TEST_TMPDIR/shared"
	husk_bin --root "$BATS_TEST_TMPDIR/shared/a/root" create --bundle "$BUNDLE" "$ID" </dev/null
	[ "$(husk_bin --root "$BATS_TEST_TMPDIR/shared/a/root" state "$ID" | jq -r .status)" = created ]
	husk_bin --root "$BATS_TEST_TMPDIR/shared/a/root" delete --force "$ID"
	assert_no_leftovers "$ID"
	# what another user put in the sticky directory is theirs: refused
	mkdir -m 0755 "$BATS_TEST_TMPDIR/shared/planted"
	chown 4321 "$BATS_TEST_TMPDIR/shared/planted"
	refused_root "$BATS_TEST_TMPDIR/shared/planted/root" "on the way to it is owned by uid 4321"
}

@test "state root: a symlink on the way is followed when root or we own it (as /var/run), refused when another user does" {
	mkdir -m 0755 "$BATS_TEST_TMPDIR/run"
	ln -s run "$BATS_TEST_TMPDIR/varrun"
	husk_bin --root "$BATS_TEST_TMPDIR/varrun/husk" create --bundle "$BUNDLE" "$ID" </dev/null
	[ -d "$BATS_TEST_TMPDIR/run/husk/$ID" ] || fail "the root was not made behind the link"
	run husk_bin --root "$BATS_TEST_TMPDIR/run/husk" list -q
	assert_success
	assert_output "$ID"
	husk_bin --root "$BATS_TEST_TMPDIR/varrun/husk" delete --force "$ID"
	assert_no_leftovers "$ID"
	# the same link owned by another user (who may point it anywhere)
	mkdir -m 1777 "$BATS_TEST_TMPDIR/tmp"
	chmod 1777 "$BATS_TEST_TMPDIR/tmp"
	ln -s ../run "$BATS_TEST_TMPDIR/tmp/link"
	chown -h 4321 "$BATS_TEST_TMPDIR/tmp/link"
	refused_root "$BATS_TEST_TMPDIR/tmp/link/husk2" \
		"the symbolic link \`$BATS_TEST_TMPDIR/tmp/link\` on the way to it is owned by uid 4321"
	[ ! -e "$BATS_TEST_TMPDIR/run/husk2" ] || fail "made the root behind another user's link"
	# a link to a link to ... is bounded
	ln -s loop "$BATS_TEST_TMPDIR/loop"
	run husk_bin --root "$BATS_TEST_TMPDIR/loop/husk" list
	assert_failure
	assert_output --partial "more than 40 symbolic links on the way to it"
}

@test "state root: a non-root user's roots: under its own directory (as XDG_RUNTIME_DIR) or a sticky one, never under another user's" {
	local runuser=$BATS_TEST_TMPDIR/user/4321 as=(setpriv --reuid=4321 --regid=4321 --clear-groups)
	mkdir -p -m 0755 "$BATS_TEST_TMPDIR/user"
	mkdir -m 0700 "$runuser"
	chown 4321:4321 "$runuser"
	mkdir -m 1777 "$BATS_TEST_TMPDIR/tmp"
	chmod 1777 "$BATS_TEST_TMPDIR/tmp"
	make_traversable "$BATS_TEST_TMPDIR"
	# the default root, $XDG_RUNTIME_DIR/husk
	"${as[@]}" mkdir -m 0700 "$runuser/husk"
	run env XDG_RUNTIME_DIR="$runuser" "${as[@]}" "$HUSK" list -q
	assert_success
	assert_output ""
	# a root below a sticky directory, the user's own
	"${as[@]}" mkdir -p -m 0700 "$BATS_TEST_TMPDIR/tmp/mine/husk"
	run "${as[@]}" "$HUSK" --root "$BATS_TEST_TMPDIR/tmp/mine/husk" list -q
	assert_success
	assert_output ""
	# in a user namespace without the host's root (where rootless podman
	# runs the runtime), / and the directories up to the user's own show
	# as owned by the overflow uid: taken for root on the way, never for
	# the root itself
	if "${as[@]}" unshare --user --map-root-user true 2>/dev/null; then
		run env XDG_RUNTIME_DIR="$runuser" "${as[@]}" unshare --user --map-root-user "$HUSK" list -q
		assert_success
		assert_output ""
		mkdir -m 0755 "$BATS_TEST_TMPDIR/user/hostroot"
		run "${as[@]}" unshare --user --map-root-user "$HUSK" --root "$BATS_TEST_TMPDIR/user/hostroot" list -q
		assert_failure
		assert_output --partial "is owned by uid $(cat /proc/sys/kernel/overflowuid), not by us (uid 0) or root"
	else
		echo "# no unprivileged user namespaces here: the rootless-podman case is not tried" >&3
	fi
	# another (non-root) user's directory on the way: refused
	run env XDG_RUNTIME_DIR="$runuser" setpriv --reuid=4322 --regid=4322 --clear-groups \
		"$HUSK" --root "$runuser/husk" list -q
	assert_failure
	assert_output --partial "is owned by uid 4321, not by us (uid 4322) or root"
	# XDG_RUNTIME_DIR made group-writable by mistake: refused, naming it
	chmod 0770 "$runuser"
	run env XDG_RUNTIME_DIR="$runuser" "${as[@]}" "$HUSK" list -q
	assert_failure
	assert_output --partial "the directory \`$runuser\` on the way to it is writable by its group or by others and not sticky (mode 0770)"
}
