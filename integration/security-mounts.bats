#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The mount-escape class (CVE-2021-30465 and relatives): a volume whose
# directories are swapped with symlinks to host paths while husk mounts
# into it must never make husk create or mount anything on the host.

load helpers

setup() {
	husk_setup
	make_bundle
	RACER=$HUSK_TESTS_BIN/race-swap
	[ -x "$RACER" ] || fail "$RACER missing: build it with make check"
	RACE_PID=
}

teardown() {
	[ -z "$RACE_PID" ] || kill "$RACE_PID" 2>/dev/null || true
	[ -z "$RACE_PID" ] || wait "$RACE_PID" 2>/dev/null || true
	husk_teardown
}

@test "security-mounts: swapping a volume directory with a host symlink while mounting" {
	vol=$BATS_TEST_TMPDIR/vol
	host=$BATS_TEST_TMPDIR/host-marker
	mkdir -p "$vol/a" "$host"
	echo untouched >"$host/marker"
	echo file >"$BATS_TEST_TMPDIR/srcfile"
	ln -s "$host" "$vol/b"
	update_config ".mounts += [
		{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$vol\", \"options\": [\"rbind\"]},
		{\"destination\": \"/vol/a/dir\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},
		{\"destination\": \"/vol/a/deep/file\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/srcfile\", \"options\": [\"bind\"]}]"
	set_args true
	mounts_before=$(wc -l </proc/self/mountinfo)

	"$RACER" "$vol/a" "$vol/b" 30 >"$BATS_TEST_TMPDIR/swaps" &
	RACE_PID=$!
	ok=0
	for i in $(seq 1 40); do
		if husk run --bundle "$BUNDLE" "$ID-$i" >/dev/null 2>&1; then
			ok=$((ok + 1))
		fi
		# the host side, after every run
		[ "$(ls -A "$host")" = marker ] || fail "run $i: husk created $(ls -A "$host") in the host directory"
	done
	kill "$RACE_PID"
	wait "$RACE_PID" || true
	RACE_PID=

	assert_equal "$(cat "$host/marker")" untouched
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts_before" ] || fail "mounts leaked to the host"
	! grep -qF "$host" /proc/self/mountinfo
	# The redirected runs landed inside the rootfs instead.
	echo "# $ok of 40 runs succeeded; inside the rootfs: $(ls -A "$BUNDLE/rootfs/$host" 2>/dev/null | tr '\n' ' ')" >&3
	[ "$ok" -gt 0 ]
}

@test "security-mounts: a rootfs symlink to a host path never reaches the host" {
	host=$BATS_TEST_TMPDIR/host-target
	mkdir -p "$host"
	ln -s "$host" "$BUNDLE/rootfs/tohost"
	ln -s ../../../../../../../../../.. "$BUNDLE/rootfs/dotdot"
	update_config '.mounts += [
		{"destination": "/tohost/t", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/dotdot/tmp/husk-escape-check", "type": "tmpfs", "source": "tmpfs"}]
		| .linux.devices = [{"path": "/tohost/dev-node", "type": "c", "major": 1, "minor": 3}]'
	run_in_container sh -c 'grep -c " - tmpfs " /proc/self/mountinfo'
	assert_success
	[ -z "$(ls -A "$host")" ]
	[ ! -e /tmp/husk-escape-check ]
	[ -d "$BUNDLE/rootfs/$host/t" ]
	[ -c "$BUNDLE/rootfs/$host/dev-node" ]
}

@test "security-mounts: maskedPaths use the host's /dev/null, not the image's" {
	# An image whose /dev/null is a symlink to a file it would like to expose
	# writable: masking must not bind that file.
	update_config '.mounts |= map(select(.destination != "/dev"))
		| .linux.maskedPaths = ["/proc/timer_list"]'
	rm -rf "$BUNDLE/rootfs/dev"
	mkdir -p "$BUNDLE/rootfs/dev"
	echo secret >"$BUNDLE/rootfs/exposed"
	ln -sf /exposed "$BUNDLE/rootfs/dev/null"
	run_in_container sh -c 'cat /proc/timer_list | wc -c; stat -c "%F %t:%T" /proc/timer_list; grep " /proc/timer_list " /proc/self/mountinfo'
	assert_success
	assert_line 0
	assert_line 'character special file 1:3'
	# the host's node, with or without the mount API
	assert_output --regexp ' /proc/timer_list .* - devtmpfs '
}
