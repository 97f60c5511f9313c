#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.namespaces: each kind, seen from inside against the host, joining by
# path, and refusing a path that is not a namespace of the right kind.

load helpers

setup() {
	husk_setup
	make_bundle
	HOLDERS=()
}

teardown() {
	local p
	for p in "${HOLDERS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	husk_teardown
}

# ns_of TYPE [PID]: the nsfs inode of a namespace ("net:[4026531992]" -> 4026531992).
ns_of() {
	readlink "/proc/${2:-self}/ns/$1" | tr -dc 0-9
}

# inner_ns TYPE: the namespace inode the container's process is in.
inner_ns() {
	run_in_container readlink "/proc/self/ns/$1"
	assert_success
	tr -dc 0-9 <<<"$output"
}

# The /proc/self/ns name of a config namespace type.
proc_name() {
	case $1 in
	mount) echo mnt ;;
	network) echo net ;;
	*) echo "$1" ;;
	esac
}

check_new_ns() {
	local type=$1 name
	name=$(proc_name "$1")
	skip_unless_ns "$name"
	add_namespace "$type"
	local in
	in=$(inner_ns "$name")
	[ -n "$in" ] || fail "no $name namespace inode from inside"
	[ "$in" != "$(ns_of "$name")" ] || fail "$type: container shares the host's $name namespace ($in)"
}

check_host_ns() {
	local type=$1 name
	name=$(proc_name "$1")
	skip_unless_ns "$name"
	remove_namespace "$type"
	local in
	in=$(inner_ns "$name")
	[ "$in" = "$(ns_of "$name")" ] || fail "$type not in config, yet the container has its own ($in)"
}

@test "namespaces: mount: a new one, and the host sees none of its mounts" {
	check_new_ns mount
	grep -qF "$BUNDLE/rootfs" /proc/self/mountinfo && fail "container mounts visible on the host"
	true
}

@test "namespaces: pid: the process is pid 1 and sees only its own processes" {
	check_new_ns pid
	run_in_container sh -c 'echo $$; ls -d /proc/[0-9]* | wc -l'
	assert_success
	assert_line --index 0 1
	# sh, and ls + wc in the pipeline
	[ "$(sed -n 2p <<<"$output")" -le 4 ]
}

@test "namespaces: pid: without one the host's pids are visible" {
	check_host_ns pid
	run_in_container sh -c 'echo $$'
	[ "$output" -gt 1 ]
}

@test "namespaces: network: a new one with only lo, which is down" {
	check_new_ns network
	run_in_container sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	assert_success
	assert_output lo
}

@test "namespaces: network: without one the host's interfaces are visible" {
	check_host_ns network
	run_in_container sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort'
	assert_equal "$output" "$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort)"
}

@test "namespaces: ipc: a new one, host System V objects invisible" {
	check_new_ns ipc
	local qid
	qid=$(ipcmk -Q 2>/dev/null | grep -o '[0-9]*$') || skip "ipcmk cannot make a message queue"
	run_in_container sh -c 'tail -n +2 /proc/sysvipc/msg | wc -l'
	local host_count
	host_count=$(tail -n +2 /proc/sysvipc/msg | wc -l)
	ipcrm -q "$qid" || true
	assert_success
	[ "$host_count" -ge 1 ]
	assert_output 0
}

@test "namespaces: uts: hostname and domainname are the container's" {
	check_new_ns uts
	update_config '.hostname = "inner-host" | .domainname = "inner.example"'
	run_in_container sh -c 'hostname; cat /proc/sys/kernel/domainname'
	assert_success
	assert_line --index 0 inner-host
	assert_line --index 1 inner.example
	[ "$(hostname)" != inner-host ]
}

@test "namespaces: uts: hostname without a new uts namespace is an error" {
	remove_namespace uts
	update_config '.hostname = "inner-host"'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial hostname
	[ "$(hostname)" != inner-host ]
	assert_no_leftovers "$ID"
}

@test "namespaces: user: mappings from the config in /proc/self/uid_map and gid_map" {
	skip_unless_ns user
	add_namespace user
	make_traversable "$BUNDLE"
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 1000},
			{"containerID": 1000, "hostID": 300000, "size": 1}]'
	run_in_container sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
	assert_success
	assert_line --index 0 --regexp '^ +0 +100000 +65536$'
	assert_line --index 1 --regexp '^ +0 +200000 +1000$'
	assert_line --index 2 --regexp '^ +1000 +300000 +1$'
	assert_line --index 3 0
	# From the host the process runs as the mapped uid.
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID-d"
	local pid
	pid=$(state_field "$ID-d" pid)
	assert_equal "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" 100000
	assert_equal "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" 200000
	[ "$(ns_of user "$pid")" != "$(ns_of user)" ]
}

@test "namespaces: user: root inside is not root outside" {
	skip_unless_ns user
	add_namespace user
	make_traversable "$BUNDLE"
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	# A host file owned by real root, 0600, bind-mounted in.
	echo secret >"$BATS_TEST_TMPDIR/secret"
	chmod 600 "$BATS_TEST_TMPDIR/secret"
	touch "$BUNDLE/rootfs/secret"
	update_config ".mounts += [{\"destination\": \"/secret\", \"type\": \"bind\",
		\"source\": \"$BATS_TEST_TMPDIR/secret\", \"options\": [\"bind\", \"ro\"]}]"
	run_in_container sh -c 'cat /secret 2>&1; id -u'
	refute_output --partial secret$'\n'
	assert_line --index 0 --partial 'ermission denied'
}

@test "namespaces: cgroup: a new one rooted at the container's cgroup" {
	check_new_ns cgroup
	run_in_container cat /proc/self/cgroup
	assert_success
	# Every hierarchy reads as its root from inside.
	local bad
	bad=$(grep -v ':/$' <<<"$output" || true)
	[ -z "$bad" ] || fail "cgroup paths not at the namespace root: $bad"
}

@test "namespaces: time: timeOffsets in /proc/self/timens_offsets and uptime" {
	skip_unless_ns time
	add_namespace time
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 864000, "nanosecs": 0},
		"boottime": {"secs": 1728000, "nanosecs": 500}}'
	run_in_container sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	assert_success
	assert_line --regexp '^monotonic +864000 +0$'
	assert_line --regexp '^boottime +1728000 +500$'
	local host_up inner_up
	host_up=$(cut -d. -f1 /proc/uptime)
	inner_up=$(tail -1 <<<"$output")
	[ "$inner_up" -ge $((host_up + 1728000 - 5)) ] || fail "uptime $inner_up not shifted (host $host_up)"
}

@test "namespaces: time: on a kernel without time namespaces create fails naming the field, leaving nothing" {
	add_namespace time
	run "$HUSK_TESTS_BIN/kernel-compat" 5.5 -- "${HUSK_REAL:-$HUSK}" --root "$STATE_ROOT" \
		run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial 'linux.namespaces: a time namespace needs Linux 5.6'
	assert_no_leftovers "$ID"
}

@test "namespaces: time: timeOffsets without a time namespace is an error" {
	skip_unless_ns time
	remove_namespace time
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 10, "nanosecs": 0}}'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial timeOffsets
	assert_no_leftovers "$ID"
}

@test "namespaces: joining a network namespace bind-mounted on a file" {
	local nsfile=$BATS_TEST_TMPDIR/netns
	touch "$nsfile"
	unshare --net="$nsfile" true || skip "unshare --net=FILE not possible here (shared mount propagation?)"
	local want
	want=$(stat -L -c %i "$nsfile")
	add_namespace network "$nsfile"
	local in
	in=$(inner_ns net)
	umount "$nsfile"
	assert_equal "$in" "$want"
	[ "$in" != "$(ns_of net)" ]
}

@test "namespaces: joining the uts and ipc namespaces of a running process" {
	unshare --uts --ipc sh -c 'hostname held-by-unshare; exec sleep 1000' &
	local holder=$!
	HOLDERS+=("$holder")
	for _ in $(seq 100); do
		[ "$(ns_of uts "$holder")" != "$(ns_of uts)" ] && break
		sleep 0.02
	done
	sleep 0.1
	update_config 'del(.hostname)'
	add_namespace uts "/proc/$holder/ns/uts"
	add_namespace ipc "/proc/$holder/ns/ipc"
	run_in_container sh -c 'hostname; readlink /proc/self/ns/uts; readlink /proc/self/ns/ipc'
	assert_success
	assert_line --index 0 held-by-unshare
	assert_line --index 1 "uts:[$(ns_of uts "$holder")]"
	assert_line --index 2 "ipc:[$(ns_of ipc "$holder")]"
}

@test "namespaces: joining the pid namespace of another container" {
	update_config '.process.args = ["sleep", "1000"]'
	husk run -d --bundle "$BUNDLE" "$ID-first"
	local pid1
	pid1=$(state_field "$ID-first" pid)
	add_namespace pid "/proc/$pid1/ns/pid"
	run_in_container sh -c 'echo $$; ls -d /proc/1'
	assert_success
	# Not pid 1: the first container's sleep is.
	[ "$(sed -n 1p <<<"$output")" -gt 1 ]
	assert_line --index 1 /proc/1
}

@test "namespaces: a path that is not a namespace is refused, naming it" {
	add_namespace network /etc/passwd
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial /etc/passwd
	assert_no_leftovers "$ID"
}

@test "namespaces: a namespace of the wrong type is refused" {
	add_namespace uts /proc/self/ns/net
	update_config 'del(.hostname)'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial uts
	assert_no_leftovers "$ID"
}

@test "namespaces: a path that does not exist is refused" {
	add_namespace ipc "$BATS_TEST_TMPDIR/no-such-ns"
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial no-such-ns
	assert_no_leftovers "$ID"
}

@test "namespaces: user: root inside writes a rootfs owned by the mapped uid" {
	skip_unless_ns user
	add_namespace user
	make_traversable "$BUNDLE"
	chown -R 100000:100000 "$BUNDLE/rootfs"
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run_in_container sh -c 'echo made >/new-file && stat -c "%u:%g" /new-file /bin/busybox'
	assert_success
	assert_line --index 0 0:0
	assert_line --index 1 0:0
	# On the host the file belongs to the mapped ids.
	assert_equal "$(stat -c %u:%g "$BUNDLE/rootfs/new-file")" 100000:100000
}

# podman --uidmap as root: /etc/hosts and friends come from a 0700 directory
# of real root's, which the container's mapped root cannot search.  husk
# opens such sources inside the init's mount namespace, so the flags the
# host's mount has (here ro) stay locked for the container.
@test "namespaces: user: a bind source only real root can reach is bound, its host flags locked" {
	skip_unless_ns user
	add_namespace user
	make_traversable "$BUNDLE"
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	local priv=$BATS_TEST_TMPDIR/userdata
	mkdir -m 0700 "$priv"
	echo "10.0.0.1 husk-test" >"$priv/hosts"
	chmod 0644 "$priv/hosts"
	touch "$BUNDLE/rootfs/etc/husk-hosts"
	mount --bind "$priv" "$priv"
	mount -o remount,bind,ro "$priv"
	update_config ".mounts += [{\"destination\": \"/etc/husk-hosts\", \"type\": \"bind\",
		\"source\": \"$priv/hosts\", \"options\": [\"bind\"]}]"
	run_in_container sh -c 'cat /etc/husk-hosts; mount -o remount,bind,rw /etc/husk-hosts 2>&1 && echo cleared || echo locked; echo x >>/etc/husk-hosts 2>&1 || echo read-only'
	umount "$priv"
	assert_success
	assert_line --index 0 "10.0.0.1 husk-test"
	assert_line locked
	assert_line read-only
	refute_line cleared
	assert_equal "$(cat "$priv/hosts")" "10.0.0.1 husk-test"
}
