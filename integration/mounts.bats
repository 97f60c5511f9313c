#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# config.json mounts, maskedPaths, readonlyPaths, root.readonly and
# rootfsPropagation, checked from inside the container.

load helpers

setup() {
	husk_setup
	make_bundle
	VOL=$BATS_TEST_TMPDIR/vol
	mkdir -p "$VOL"
}

# mount_line DEST: the container's mountinfo line for DEST (last one wins).
mount_line() {
	awk -v d="$1" '$5 == d' <<<"$output" | tail -n 1
}

add_mount() {
	update_config ".mounts += [$1]"
}

@test "mounts: the default set is there with its flags" {
	run_in_container cat /proc/self/mountinfo
	assert_success
	run_out=$output
	line=$(mount_line /proc)
	assert_regex "$line" ' - proc proc '
	line=$(mount_line /dev)
	assert_regex "$line" ' rw,nosuid[ ,]'
	assert_regex "$line" ' - tmpfs .*mode=755'
	line=$(mount_line /dev/pts)
	assert_regex "$line" ' - devpts .*mode=620'
	assert_regex "$line" 'ptmxmode=666'
	line=$(mount_line /sys)
	assert_regex "$line" ' ro,nosuid,nodev,noexec'
	line=$(mount_line /dev/mqueue)
	assert_regex "$line" ' - mqueue '
	line=$(mount_line /sys/fs/cgroup)
	assert_regex "$line" ' ro,'
}

@test "mounts: bind read-only with nosuid, noexec" {
	echo hello >"$VOL/file"
	add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$VOL\",
		\"options\": [\"rbind\", \"ro\", \"nosuid\", \"noexec\"]}"
	run_in_container sh -c 'cat /data/file; echo x > /data/new && echo WROTE; grep " /data " /proc/self/mountinfo'
	assert_success
	assert_line hello
	refute_line WROTE
	assert_output --regexp ' /data ro,nosuid,nodev?,?noexec| /data ro,nosuid,noexec'
	[ ! -e "$VOL/new" ]
}

@test "mounts: bind read-write writes through to the host" {
	add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"bind\", \"rw\"]}"
	run_in_container sh -c 'echo from-container > /data/out'
	assert_success
	[ "$(cat "$VOL/out")" = from-container ]
}

@test "mounts: a file bind creates its destination as an empty file" {
	echo content >"$VOL/file"
	add_mount "{\"destination\": \"/etc/deep/new/file\", \"type\": \"bind\", \"source\": \"$VOL/file\", \"options\": [\"bind\", \"ro\"]}"
	run_in_container cat /etc/deep/new/file
	assert_success
	assert_output content
	[ -f "$BUNDLE/rootfs/etc/deep/new/file" ]
	[ ! -s "$BUNDLE/rootfs/etc/deep/new/file" ]
}

@test "mounts: rro makes submounts read-only too, ro only the top" {
	mkdir -p "$VOL/sub"
	mount -t tmpfs tmpfs "$VOL/sub"
	add_mount "{\"destination\": \"/r\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"rbind\", \"rro\"]}"
	add_mount "{\"destination\": \"/t\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"rbind\", \"ro\"]}"
	run_in_container sh -c 'touch /r/sub/x && echo R-WROTE; touch /t/sub/y && echo T-WROTE; touch /t/z && echo TOP-WROTE'
	umount "$VOL/sub"
	refute_line R-WROTE
	assert_line T-WROTE
	refute_line TOP-WROTE
}

@test "mounts: tmpfs takes mode= and size=" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1750", "size=1m"]}'
	run_in_container sh -c 'stat -c %a /scratch; grep " /scratch " /proc/self/mountinfo'
	assert_success
	assert_line 1750
	assert_output --regexp 'size=1024k'
}

@test "mounts: tmpcopyup copies the image's contents into the tmpfs" {
	mkdir -p "$BUNDLE/rootfs/seed/dir"
	echo seeded >"$BUNDLE/rootfs/seed/dir/f"
	ln -s dir/f "$BUNDLE/rootfs/seed/link"
	chmod 1777 "$BUNDLE/rootfs/seed"
	add_mount '{"destination": "/seed", "type": "tmpfs", "source": "tmpfs", "options": ["rw", "nosuid", "nodev", "tmpcopyup"]}'
	run_in_container sh -c 'cat /seed/link; stat -c %a /seed; echo changed > /seed/dir/f; grep " /seed " /proc/self/mountinfo'
	assert_success
	assert_line seeded
	assert_line 1777
	assert_output --regexp ' /seed .* - tmpfs '
	[ "$(cat "$BUNDLE/rootfs/seed/dir/f")" = seeded ]
}

@test "mounts: a read-only tmpcopyup is filled, then read-only" {
	mkdir -p "$BUNDLE/rootfs/seed"
	echo seeded >"$BUNDLE/rootfs/seed/f"
	add_mount '{"destination": "/seed", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "tmpcopyup"]}'
	run_in_container sh -c 'cat /seed/f; touch /seed/g && echo WROTE; grep " /seed " /proc/self/mountinfo'
	assert_success
	assert_line seeded
	refute_line WROTE
	assert_output --regexp ' /seed ro,'
}

@test "mounts: rootfsPropagation unbindable and slave" {
	update_config '.linux.rootfsPropagation = "runbindable"'
	run_in_container cat /proc/self/mountinfo
	assert_success
	assert_regex "$(mount_line /)" ' unbindable '
	update_config '.linux.rootfsPropagation = "rslave"'
	run_in_container cat /proc/self/mountinfo
	assert_success
}

@test "mounts: maskedPaths read empty, missing ones are skipped" {
	update_config '.linux.maskedPaths = ["/proc/timer_list", "/proc/keys", "/sys/firmware", "/proc/does-not-exist"]'
	run_in_container sh -c 'wc -c < /proc/timer_list; wc -c < /proc/keys; ls -A /sys/firmware | wc -l; touch /sys/firmware/x && echo WROTE || true'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" 0
	assert_equal "${lines[2]}" 0
	refute_line WROTE
}

@test "mounts: maskedPaths files are masked when the container's /dev has no null" {
	# /dev is an empty directory bound from the host, where husk makes no
	# nodes: the mask comes from the host's /dev/null on every kernel
	# (before 5.2, without the mount API, bound before the pivot).
	mkdir -p "$BATS_TEST_TMPDIR/devsrc"
	update_config ".mounts |= map(select(.destination | startswith(\"/dev\") | not))
		| .mounts += [{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/devsrc\", \"options\": [\"rbind\"]}]
		| .linux.maskedPaths = [\"/proc/timer_list\", \"/proc/keys\", \"/sys/firmware\"]"
	run_in_container sh -c 'ls -A /dev | wc -l; wc -c < /proc/timer_list; wc -c < /proc/keys; stat -c "%F %t:%T" /proc/keys; ls -A /sys/firmware | wc -l; grep -E " /proc/(timer_list|keys) " /proc/self/mountinfo | grep -c " - devtmpfs "'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" 0
	assert_equal "${lines[2]}" 0
	assert_equal "${lines[3]}" "character special file 1:3"
	assert_equal "${lines[4]}" 0
	assert_equal "${lines[5]}" 2
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/devsrc")" ]
	assert_no_leftovers "$ID"
}

@test "mounts: readonlyPaths cannot be written" {
	update_config '.linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger"]'
	run_in_container sh -c 'echo x > /proc/sys/kernel/domainname && echo WROTE; grep " /proc/sys " /proc/self/mountinfo'
	assert_success
	refute_line WROTE
	assert_output --regexp ' /proc/sys ro,nosuid,nodev,noexec'
}

@test "mounts: root.readonly makes / read-only, the default is writable" {
	update_config '.root.readonly = true'
	run_in_container sh -c 'touch /x && echo WROTE; exit 0'
	refute_line WROTE
	update_config '.root.readonly = false'
	run_in_container sh -c 'touch /x && echo WROTE'
	assert_line WROTE
}

@test "mounts: rootfsPropagation shared and private are applied to /" {
	update_config '.linux.rootfsPropagation = "rshared"'
	run_in_container cat /proc/self/mountinfo
	assert_success
	assert_regex "$(mount_line /)" ' shared:[0-9]+ '
	update_config '.linux.rootfsPropagation = "rprivate"'
	run_in_container cat /proc/self/mountinfo
	assert_success
	refute_regex "$(mount_line /)" 'shared:|master:'
}

@test "mounts: symlinks in a destination resolve inside the rootfs" {
	ln -s ../../../../../../../.. "$BUNDLE/rootfs/up"
	ln -s "$BATS_TEST_TMPDIR/hostside" "$BUNDLE/rootfs/abs"
	mkdir -p "$BATS_TEST_TMPDIR/hostside"
	echo hi >"$VOL/f"
	add_mount "{\"destination\": \"/up/escaped\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"bind\"]}"
	add_mount "{\"destination\": \"/abs/escaped\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}"
	run_in_container sh -c 'cat /escaped/f; grep -c " - tmpfs " /proc/self/mountinfo'
	assert_success
	assert_line hi
	[ -d "$BUNDLE/rootfs/escaped" ]
	[ -d "$BUNDLE/rootfs/$BATS_TEST_TMPDIR/hostside/escaped" ]
	[ ! -e "$BATS_TEST_TMPDIR/hostside/escaped" ]
	[ ! -e /escaped ]
}

@test "mounts: a symlinked /proc in the rootfs is refused, nothing left behind" {
	rm -rf "$BUNDLE/rootfs/proc"
	mkdir -p "$BUNDLE/rootfs/fakeproc"
	ln -s fakeproc "$BUNDLE/rootfs/proc"
	run_in_container true
	assert_failure
	assert_output --partial '/proc'
	assert_output --partial 'symlink'
	assert_no_leftovers "$ID"
	# nothing was mounted on the symlink's target either
	[ -z "$(ls -A "$BUNDLE/rootfs/fakeproc")" ]
}

@test "mounts: a symlinked /sys is refused" {
	rm -rf "$BUNDLE/rootfs/sys"
	mkdir -p "$BUNDLE/rootfs/elsewhere"
	ln -s elsewhere "$BUNDLE/rootfs/sys"
	run_in_container true
	assert_failure
	assert_output --partial '/sys'
	assert_output --partial 'symlink'
	assert_no_leftovers "$ID"
	[ -z "$(ls -A "$BUNDLE/rootfs/elsewhere")" ]
}

@test "mounts: a bind under /proc through a symlink is refused" {
	mkdir -p "$BUNDLE/rootfs/fake"
	echo x >"$VOL/f"
	ln -s ../fake "$BUNDLE/rootfs/proc/cpuinfo"
	add_mount "{\"destination\": \"/proc/cpuinfo\", \"type\": \"bind\", \"source\": \"$VOL/f\", \"options\": [\"bind\"]}"
	update_config '.mounts |= map(select(.destination != "/proc"))'
	run_in_container true
	assert_failure
	assert_output --partial 'symlink'
	assert_no_leftovers "$ID"
}

@test "mounts: only procfs goes on /proc, and only lxcfs's single files are bound under it" {
	local bad
	echo fake >"$VOL/f"
	for bad in \
		'{"destination": "/proc", "type": "bind", "source": "VOL", "options": ["rbind"]}' \
		'{"destination": "//proc/", "type": "tmpfs", "source": "tmpfs"}' \
		'{"destination": "/proc/self", "type": "bind", "source": "VOL", "options": ["bind"]}' \
		'{"destination": "/proc/sys/../sys/kernel/core_pattern", "type": "bind", "source": "VOL/f", "options": ["bind"]}' \
		'{"destination": "/proc/cpuinfo", "type": "tmpfs", "source": "tmpfs"}'; do
		make_bundle "$BATS_TEST_TMPDIR/b2"
		CONFIG=$BATS_TEST_TMPDIR/b2/config.json add_mount "${bad//VOL/$VOL}"
		run husk run --bundle "$BATS_TEST_TMPDIR/b2" "$ID"
		assert_failure
		assert_output --regexp 'mounts\[[0-9]+\].*(only a mount of type proc may go on /proc|under /proc: only binds over the single files lxcfs)'
		assert_no_leftovers "$ID" "$BATS_TEST_TMPDIR/b2"
		rm -rf "$BATS_TEST_TMPDIR/b2"
	done
	# the lxcfs files are allowed, over a real procfs
	add_mount "{\"destination\": \"/proc/meminfo\", \"type\": \"bind\", \"source\": \"$VOL/f\", \"options\": [\"bind\", \"ro\"]}"
	add_mount "{\"destination\": \"/proc/sys/kernel/ns_last_pid\", \"type\": \"bind\", \"source\": \"$VOL/f\", \"options\": [\"bind\", \"ro\"]}"
	run_in_container sh -c 'cat /proc/meminfo /proc/sys/kernel/ns_last_pid; head -c 3 /proc/self/stat >/dev/null && echo procfs'
	assert_success
	assert_output $'fake\nfake\nprocfs'
	assert_no_leftovers "$ID"
}

@test "mounts: /proc that is a file is refused" {
	rm -rf "$BUNDLE/rootfs/proc"
	touch "$BUNDLE/rootfs/proc"
	run_in_container true
	assert_failure
	assert_output --partial 'not a directory'
	assert_no_leftovers "$ID"
}

@test "mounts: an unknown filesystem type fails with its name" {
	add_mount '{"destination": "/x", "type": "husknosuchfs", "source": "none"}'
	run_in_container true
	assert_failure
	assert_output --partial 'husknosuchfs'
	assert_no_leftovers "$ID"
}

@test "mounts: nothing is visible on the host after the container" {
	before=$(wc -l </proc/self/mountinfo)
	add_mount "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"rbind\"]}"
	run_in_container true
	assert_success
	after=$(wc -l </proc/self/mountinfo)
	[ "$before" -eq "$after" ]
	! grep -qF "$BUNDLE" /proc/self/mountinfo
}

@test "mounts: idmap shows the source's ids through the mount's mappings" {
	kernel_at_least 5.12 "an idmapped mount (mount_setattr)"
	touch "$VOL/root-owned" "$VOL/other"
	chown 4242:4242 "$VOL/other"
	add_mount "{\"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"bind\", \"idmap\"],
		\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],
		\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1001, \"size\": 1}]}"
	run_in_container sh -c 'stat -c "%n %u %g" /idm/root-owned /idm/other; grep " /idm " /proc/self/mountinfo'
	assert_success
	assert_line '/idm/root-owned 1000 1001'
	assert_line '/idm/other 65534 65534'
	assert_output --partial 'idmapped'
	# the files themselves are untouched
	[ "$(stat -c %u "$VOL/root-owned")" = 0 ]
}

@test "mounts: idmap without mappings is refused" {
	add_mount "{\"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"bind\", \"idmap\"]}"
	run_in_container true
	assert_failure
	assert_output --partial 'idmap'
	assert_no_leftovers "$ID"
}

@test "mounts: idmap on a kernel without mount_setattr fails naming the option, leaving nothing" {
	add_mount "{\"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"bind\", \"idmap\"],
		\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],
		\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1001, \"size\": 1}]}"
	run "$HUSK_TESTS_BIN/kernel-compat" 5.11 -- "${HUSK_REAL:-$HUSK}" --root "$STATE_ROOT" \
		run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "mounts[].options \`idmap\` needs idmapped mounts (Linux 5.12"
	assert_output --partial "on \`/idm\`"
	assert_no_leftovers "$ID"
}

@test "mounts: cgroup without a cgroup namespace shows the container's own cgroups" {
	remove_namespace cgroup
	run_in_container cat /proc/self/mountinfo
	assert_success
	roots=$(awk '$5 ~ "^/sys/fs/cgroup" && / - cgroup2? / {print $4}' <<<"$output")
	[ -n "$roots" ] || fail "no cgroup mount in the container: $output"
	while read -r r; do
		[[ "$r" == *"$ID"* ]] || fail "a cgroup mount shows \`$r\`, not the container's cgroup"
	done <<<"$roots"
}

@test "mounts: cgroup v1 with more than 32 hierarchies and an escaped name (one mountinfo parser)" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && skip "the host is cgroup v2 only: no v1 hierarchies to multiply"
	remove_namespace cgroup
	set_args sh -c 'ls /sys/fs/cgroup | wc -l; grep -q . "/sys/fs/cgroup/with space/cgroup.procs" && echo own-procs; ls -d /sys/fs/cgroup/extra40'
	# A private mount namespace where /sys/fs/cgroup holds the host's
	# hierarchies plus 41 more binds of the pids hierarchy, one named with a
	# space (mountinfo shows it as \040).
	local t=$BATS_TEST_TMPDIR/cg
	mkdir -p "$t"
	run unshare -m --propagation private sh -c '
		set -e
		t=$1; shift
		mount --rbind /sys/fs/cgroup "$t"
		mount -t tmpfs -o mode=755 husk-test /sys/fs/cgroup
		for d in "$t"/*; do
			n=${d##*/}
			if [ -L "$d" ]; then ln -s "$(readlink "$d")" "/sys/fs/cgroup/$n"
			else mkdir "/sys/fs/cgroup/$n"; mount --bind "$d" "/sys/fs/cgroup/$n"; fi
		done
		for i in $(seq 1 40); do
			mkdir "/sys/fs/cgroup/extra$i"; mount --bind "$t/pids" "/sys/fs/cgroup/extra$i"
		done
		mkdir "/sys/fs/cgroup/with space"; mount --bind "$t/pids" "/sys/fs/cgroup/with space"
		"$@"' sh "$t" "$HUSK" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
	assert_success
	local host_n=$(($(ls /sys/fs/cgroup | wc -l) + 41))
	assert_line --index 0 "$host_n"
	assert_line --index 1 own-procs
	assert_line --index 2 /sys/fs/cgroup/extra40
	assert_no_leftovers "$ID"
}

@test "mounts: cgroup with a cgroup namespace is fresh and read-only" {
	add_namespace cgroup
	run_in_container sh -c 'cat /proc/self/mountinfo; mkdir /sys/fs/cgroup/x 2>&1 || true; mkdir /sys/fs/cgroup/*/x 2>&1 | head -n 1'
	assert_success
	roots=$(awk '$5 ~ "^/sys/fs/cgroup" && / - cgroup2? / {print $4}' <<<"$output" | sort -u)
	assert_equal "$roots" /
	assert_output --partial 'Read-only file system'
}
