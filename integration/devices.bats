#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# /dev: the default devices, linux.devices, the standard symlinks.

load helpers

setup() {
	husk_setup
	make_bundle
}

# "type major minor mode uid gid" of each path, as stat sees it in the container.
dev_stat='for d in "$@"; do stat -c "%n %F %t %T %a %u %g" "$d"; done'

@test "devices: the default nodes exist with mode 666" {
	run_in_container sh -c "$dev_stat" sh /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty
	assert_success
	assert_line '/dev/null character special file 1 3 666 0 0'
	assert_line '/dev/zero character special file 1 5 666 0 0'
	assert_line '/dev/full character special file 1 7 666 0 0'
	assert_line '/dev/random character special file 1 8 666 0 0'
	assert_line '/dev/urandom character special file 1 9 666 0 0'
	assert_line '/dev/tty character special file 5 0 666 0 0'
}

@test "devices: they work" {
	run_in_container sh -c 'echo gone > /dev/null && head -c 4 /dev/zero | od -An -tx1 && head -c 16 /dev/urandom | wc -c; echo x > /dev/full || echo FULL'
	assert_success
	assert_line ' 00 00 00 00'
	assert_line 16
	assert_line FULL
}

@test "devices: linux.devices are created with type, numbers, mode and owner" {
	update_config '.linux.devices = [
		{"path": "/dev/husk-char", "type": "c", "major": 1, "minor": 5, "fileMode": 8592, "uid": 1000, "gid": 1001},
		{"path": "/dev/sub/husk-block", "type": "b", "major": 7, "minor": 0, "fileMode": 24960},
		{"path": "/dev/husk-fifo", "type": "p", "fileMode": 4480},
		{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 8630}]'
	run_in_container sh -c "$dev_stat" sh /dev/husk-char /dev/sub/husk-block /dev/husk-fifo /dev/null
	assert_success
	assert_line '/dev/husk-char character special file 1 5 620 1000 1001'
	assert_line '/dev/sub/husk-block block special file 7 0 600 0 0'
	assert_line '/dev/husk-fifo fifo 0 0 600 0 0'
	assert_line '/dev/null character special file 1 3 666 0 0'
}

@test "devices: the /dev symlinks" {
	run_in_container sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done'
	assert_success
	assert_line 'fd /proc/self/fd'
	assert_line 'stdin /proc/self/fd/0'
	assert_line 'stdout /proc/self/fd/1'
	assert_line 'stderr /proc/self/fd/2'
	assert_line 'ptmx pts/ptmx'
}

@test "devices: /dev/ptmx opens the container's own devpts" {
	run_in_container sh -c 'ls /dev/pts; grep " /dev/pts " /proc/self/mountinfo'
	assert_success
	assert_output --partial 'ptmx'
	assert_output --regexp 'devpts .*ptmxmode=666'
}

@test "devices: no /dev/console without a terminal" {
	run_in_container sh -c 'test -e /dev/console && echo CONSOLE; echo done'
	assert_success
	assert_output done
}

@test "devices: in a user namespace the host's nodes are bind-mounted" {
	skip_unless_ns user
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]'
	make_traversable "$BUNDLE/rootfs"
	run_in_container sh -c "$dev_stat; grep -E ' /dev/(null|kmsg) ' /proc/self/mountinfo" sh /dev/null /dev/zero /dev/kmsg
	assert_success
	assert_output --regexp '/dev/null character special file 1 3 666'
	assert_output --regexp '/dev/zero character special file 1 5 666'
	assert_output --regexp '/dev/kmsg character special file 1 b '
	assert_output --regexp ' /dev/null .* - devtmpfs '
}

@test "devices: /dev bind-mounted from the host is left alone" {
	# this /dev has no null: maskedPaths files are masked with the host's
	mkdir -p "$BATS_TEST_TMPDIR/devsrc"
	update_config ".mounts |= map(select(.destination | startswith(\"/dev\") | not))
		| .mounts += [{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/devsrc\", \"options\": [\"rbind\"]}]"
	run_in_container sh -c 'ls -A /dev | wc -l'
	assert_success
	assert_output 0
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/devsrc")" ]
}
