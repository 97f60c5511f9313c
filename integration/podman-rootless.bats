#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Rootless podman 4.3 with husk (issue 10): a real unprivileged user made by
# the test (rootless-helpers: subuid/subgid ranges, home, XDG_RUNTIME_DIR)
# runs podman with the private configuration of integration/clients in its
# own home.  podman maps the user's ranges with newuidmap/newgidmap and
# runs conmon and husk inside that user namespace.  This host is cgroup v1
# (hybrid), where rootless podman runs containers without cgroups; the
# limits, pause and stats need a delegated v2 subtree and are covered in
# integration/vm/podman-rootless.bats.  HUSK=/usr/sbin/runc proves the
# harness.

load helpers
load rootless-helpers
load clients/podman-env
load podman-scenarios

IMG=localhost/clients-busybox

setup_file() {
	clients_need_packages podman conmon catatonit script slirp4netns newuidmap setfacl
	clients_need_husk
	rootless_user_setup
	# the templates and scripts, where the user can read them
	RL_CLIENTS=$ROOTLESS_HOME/clients
	install -d -o "$ROOTLESS_UID" -g "$ROOTLESS_GID" "$RL_CLIENTS"
	cp "$CLIENTS_DIR"/*.bash "$CLIENTS_DIR"/*.in "$CLIENTS_DIR"/registries.conf "$RL_CLIENTS"/
	chown -R "$ROOTLESS_UID:$ROOTLESS_GID" "$RL_CLIENTS"
	PODMAN_DIR=$ROOTLESS_HOME/cp
	export RL_CLIENTS PODMAN_DIR
	as_user bash -c '. "$1"/podman-env.bash && HUSK=$2 && podman_env_init "$3"' \
		sh "$RL_CLIENTS" "$ROOTLESS_HUSK" "$PODMAN_DIR"
	# the rootfs tar is made by root (make-rootfs.sh chowns files to
	# uid 1000 in the image) and imported by the user
	local r=$BATS_FILE_TMPDIR/rootfs
	"$CLIENTS_DIR"/make-rootfs.sh "$r" >/dev/null
	tar -C "$r" --numeric-owner -cf "$ROOTLESS_HOME"/rootfs.tar .
	rm -rf "$r"
	chown "$ROOTLESS_UID:$ROOTLESS_GID" "$ROOTLESS_HOME"/rootfs.tar
	upodman import -q --change 'CMD ["sh"]' --change 'ENV PATH=/bin' \
		"$ROOTLESS_HOME"/rootfs.tar $IMG:latest >/dev/null
}

teardown_file() {
	[ -n "${ROOTLESS_USER:-}" ] || return 0
	upodman pod rm -af -t 0 >/dev/null 2>&1 || true
	upodman rm -af -t 0 >/dev/null 2>&1 || true
	# podman's storage holds files of the user's subordinate ids: only
	# podman itself (in its user namespace) can remove them all
	upodman system reset -f >/dev/null 2>&1 || true
	tun_acl_restore
	rootless_user_teardown
}

# no husk_setup: podman makes its own bundles
setup() { :; }
teardown() { :; }

# podman as the user, with the private configuration and husk
upodman() {
	as_user "$PODMAN_DIR"/podman "$@"
}

# upodman_tty ARG...: podman as the user with a terminal on stdin/stdout
upodman_tty() {
	as_user script -qec "$(printf '%q ' "$PODMAN_DIR"/podman "$@")" /dev/null </dev/null
}

# upodman_rm_f NAME: hpodman_rm_f (podman issue 11594) as the user
upodman_rm_f() {
	as_user bash -c '. "$1"/podman-env.bash && PODMAN_DIR=$2 && hpodman_rm_f "$3"' \
		sh "$RL_CLIENTS" "$PODMAN_DIR" "$1"
}

ctr_pid() {
	upodman inspect --format '{{.State.Pid}}' "$1"
}

ctr_status() {
	upodman inspect --format '{{.State.Status}}' "$1"
}

logs_contain() {
	upodman logs "$1" 2>&1 | grep -q -- "$2"
}

# tun_acl_grant / tun_acl_restore: an ACL entry for the test user on
# /dev/net/tun, and the device's ACL as it was before
tun_acl_grant() {
	getfacl --absolute-names /dev/net/tun >"$BATS_FILE_TMPDIR"/tun-acl
	setfacl -m u:"$ROOTLESS_USER":rw /dev/net/tun
}

tun_acl_restore() {
	[ -e "$BATS_FILE_TMPDIR"/tun-acl ] || return 0
	setfacl -b /dev/net/tun
	setfacl --set-file="$BATS_FILE_TMPDIR"/tun-acl /dev/net/tun
	rm -f "$BATS_FILE_TMPDIR"/tun-acl
}

# host uid owning PID
host_uid_of() {
	awk '/^Uid:/ { print $2 }' /proc/"$1"/status
}

@test "rootless podman: run --rm as the user; root inside is the user, 1..65536 its subordinate range" {
	run upodman run --rm $IMG sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; echo hello rootless; exit 7'
	assert_status 7
	assert_output_contains "hello rootless"
	[ "$(echo "$output" | sed -n 1p | tr -s ' ')" = " 0 $ROOTLESS_UID 1" ] || fail "uid_map: $output"
	[ "$(echo "$output" | sed -n 2p | tr -s ' ')" = " 1 $ROOTLESS_SUBUID_START 65536" ] || fail "uid_map: $output"
	[ "$(echo "$output" | sed -n 3p | tr -s ' ')" = " 0 $ROOTLESS_GID 1" ] || fail "gid_map: $output"
	[ "$(echo "$output" | sed -n 4p | tr -s ' ')" = " 1 $ROOTLESS_SUBGID_START 65536" ] || fail "gid_map: $output"
	[ "$(echo "$output" | sed -n 5p)" = 0 ] || fail "id -u: $output"
	run upodman ps -a --format '{{.Names}}'
	assert_status 0
	[ -z "$output" ] || fail "--rm left containers: $output"
}

@test "rootless podman: husk keeps its state under the user's XDG_RUNTIME_DIR" {
	upodman run -d --name rl-state $IMG sleep 1000
	id=$(upodman inspect --format '{{.Id}}' rl-state)
	# conmon and husk run in podman's user namespace, where the user is
	# root: the state is the user's, nothing is written under /run/husk
	found=$(find "$ROOTLESS_XDG" -path "*/$id/*" -name 'state.json' 2>/dev/null | head -1)
	[ -n "$found" ] || fail "no state.json for $id under $ROOTLESS_XDG: $(find "$ROOTLESS_XDG" -maxdepth 3)"
	[ "$(stat -c %u "$found")" = "$ROOTLESS_UID" ] || fail "state owned by $(stat -c %u "$found")"
	[ ! -e /run/husk/"$id" ] || fail "state under /run/husk"
	upodman_rm_f rl-state
	[ ! -e "$found" ] || fail "state left after rm -f: $found"
}

@test "rootless podman: run -d, logs, ps, top, inspect, stop" {
	upodman run -d --name rl-d $IMG sh -c \
		'trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 0.1; done'
	retry 50 logs_contain rl-d started
	run upodman ps --format '{{.Names}} {{.Status}}'
	assert_status 0
	assert_output_contains "rl-d Up"
	run upodman inspect --format '{{.State.Running}} {{.OCIRuntime}}' rl-d
	assert_status 0
	[ "$output" = "true husk" ] || fail "inspect: $output"
	pid=$(ctr_pid rl-d)
	[ "$pid" -gt 0 ] && [ -d /proc/"$pid" ] || fail "no host pid: $pid"
	# the container's root is the user on the host, with no capability
	# outside its user namespace
	[ "$(host_uid_of "$pid")" = "$ROOTLESS_UID" ] || fail "container pid runs as host uid $(host_uid_of "$pid")"
	[ "$(readlink /proc/"$pid"/ns/user)" != "$(readlink /proc/self/ns/user)" ] || fail "no user namespace"
	run upodman top rl-d pid user comm
	assert_status 0
	assert_output_contains "sh"
	assert_output_contains "root"
	podman_stop_scenario upodman rl-d
}

@test "rootless podman: exec runs in the container and passes the exit code" {
	podman_exec_scenario upodman rl-exec
}

@test "rootless podman: exec -it gets a terminal" {
	podman_exec_tty_scenario upodman rl-exec-tty upodman_tty
}

@test "rootless podman: run -it gets a terminal" {
	# the sleep: podman 4.3 can attach after a short process has exited
	run upodman_tty run -it --rm $IMG sh -c 'sleep 1; tty; test -t 0 && echo stdin-is-tty; exit 4'
	assert_status 4
	assert_output_contains "/dev/pts/"
	assert_output_contains "stdin-is-tty"
}

@test "rootless podman: kill delivers the signal; rm -f removes a running container" {
	upodman run -d --name rl-kill $IMG sh -c \
		'trap "echo got-usr1" USR1; echo started; while :; do sleep 0.1; done'
	retry 50 logs_contain rl-kill started
	run upodman kill -s USR1 rl-kill
	assert_status 0
	retry 50 logs_contain rl-kill got-usr1
	[ "$(ctr_status rl-kill)" = running ] || fail "USR1 ended the container"
	pid=$(ctr_pid rl-kill)
	run upodman_rm_f rl-kill
	assert_status 0
	run upodman ps -a --format '{{.Names}}'
	case "$output" in *rl-kill*) fail "still listed: $output" ;; esac
	retry 20 test ! -d /proc/"$pid" || fail "pid $pid survived rm -f"
}

@test "rootless podman: --userns=keep-id runs as the user's own uid" {
	vol=$ROOTLESS_HOME/vol
	as_user mkdir -p "$vol"
	upodman run -d --name rl-keepid --userns=keep-id -v "$vol":/data $IMG sleep 1000
	run upodman exec rl-keepid sh -c 'id -u; id -g; echo x > /data/f'
	assert_status 0
	[ "$output" = "$ROOTLESS_UID
$ROOTLESS_GID" ] || fail "id inside: $output"
	pid=$(ctr_pid rl-keepid)
	[ "$(host_uid_of "$pid")" = "$ROOTLESS_UID" ] || fail "host uid: $(host_uid_of "$pid")"
	# seen from the host: the user's uid is itself in the container
	tr -s ' ' </proc/"$pid"/uid_map | grep -qx " $ROOTLESS_UID $ROOTLESS_UID 1" ||
		fail "uid_map: $(cat /proc/"$pid"/uid_map)"
	# a file written in a volume is the user's on the host
	[ "$(stat -c %u "$vol"/f)" = "$ROOTLESS_UID" ] || fail "owner on the host: $(stat -c %u "$vol"/f)"
	upodman_rm_f rl-keepid
}

@test "rootless podman: --uidmap maps the container into the subordinate range" {
	# ids in --uidmap are podman's user namespace ids: 1.. are the
	# user's subordinate ids
	upodman run -d --name rl-uidmap --uidmap 0:1:4096 --gidmap 0:1:4096 $IMG sleep 1000
	pid=$(ctr_pid rl-uidmap)
	[ "$(echo $(cat /proc/"$pid"/uid_map))" = "0 $ROOTLESS_SUBUID_START 4096" ] ||
		fail "uid_map from the host: $(cat /proc/"$pid"/uid_map)"
	[ "$(echo $(cat /proc/"$pid"/gid_map))" = "0 $ROOTLESS_SUBGID_START 4096" ] ||
		fail "gid_map from the host: $(cat /proc/"$pid"/gid_map)"
	[ "$(host_uid_of "$pid")" = "$ROOTLESS_SUBUID_START" ] || fail "host uid: $(host_uid_of "$pid")"
	run upodman exec rl-uidmap sh -c 'touch /tmp/x && stat -c %u /tmp/x'
	assert_status 0
	[ "$output" = 0 ] || fail "file owner inside: $output"
	upodman_rm_f rl-uidmap
}

@test "rootless podman: a pod's members join the infra container's namespaces" {
	run upodman pod create --name rl-pod
	assert_status 0
	upodman run -d --pod rl-pod --name rl-pod-a $IMG sleep 1000
	upodman run -d --pod rl-pod --name rl-pod-b $IMG sleep 1000
	infra=$(upodman pod inspect --format '{{.InfraContainerID}}' rl-pod)
	ipid=$(ctr_pid "$infra")
	apid=$(ctr_pid rl-pod-a)
	bpid=$(ctr_pid rl-pod-b)
	for ns in net ipc uts user; do
		i=$(readlink /proc/"$ipid"/ns/$ns)
		[ "$(readlink /proc/"$apid"/ns/$ns)" = "$i" ] || fail "a: $ns differs from infra"
		[ "$(readlink /proc/"$bpid"/ns/$ns)" = "$i" ] || fail "b: $ns differs from infra"
	done
	[ "$(readlink /proc/"$apid"/ns/mnt)" != "$(readlink /proc/"$bpid"/ns/mnt)" ] || fail "members share a mount ns"
	run upodman exec rl-pod-a sh -c 'echo via-ipc > /dev/shm/x'
	assert_status 0
	run upodman pod rm -f -t 0 rl-pod
	assert_status 0
	run upodman ps -a --format '{{.Names}}'
	case "$output" in *rl-pod*) fail "pod members left: $output" ;; esac
}

@test "rootless podman: --network none: the loopback device is up in the container's own network namespace" {
	run upodman run --rm --network none $IMG sh -c 'readlink /proc/self/ns/net; ip -o link show lo'
	assert_status 0
	[ "${output%%$'\n'*}" != "$(readlink /proc/self/ns/net)" ] || fail "the container is in the host network namespace"
	assert_output_contains "LOOPBACK,UP"
}

@test "rootless podman: slirp4netns networking gives the container a tap device" {
	# slirp4netns opens /dev/net/tun as the user. Debian's udev makes it
	# 0666; a machine without udev leaves the kernel's 0600: let the test
	# user use it, as logind's uaccess would, for this test only.
	if ! as_user test -r /dev/net/tun -a -w /dev/net/tun; then
		tun_acl_grant
	fi
	run upodman run --rm --network slirp4netns $IMG sh -c 'readlink /proc/self/ns/net; ip -o link; ip -o -4 addr'
	tun_acl_restore
	assert_status 0
	assert_output_contains "tap0"
	assert_output_contains "10.0.2.100"
	[ "${output%%$'\n'*}" != "$(readlink /proc/self/ns/net)" ] || fail "the container is in the host network namespace"
}

@test "rootless podman on cgroup v1: no cgroup of the container's own; podman drops limits, refuses pause and stats" {
	[ ! -f /sys/fs/cgroup/cgroup.controllers ] && [ -d /sys/fs/cgroup/memory ] ||
		skip "the host is not cgroup v1: rootless cgroups are checked in integration/vm/podman-rootless.bats"
	run upodman run --rm --memory 32m --pids-limit 10 $IMG true
	assert_status 0
	assert_output_contains "Resource limits are not supported and ignored on cgroups V1 rootless systems"
	upodman run -d --name rl-v1 $IMG sleep 1000
	id=$(upodman inspect --format '{{.Id}}' rl-v1)
	pid=$(ctr_pid rl-v1)
	# husk made no cgroup: the container stays in its conmon's cgroups
	conmon=$(awk '{ print $4 }' /proc/"$pid"/stat)
	[ "$(cat /proc/"$pid"/cgroup)" = "$(cat /proc/"$conmon"/cgroup)" ] ||
		fail "container cgroups: $(cat /proc/"$pid"/cgroup) conmon: $(cat /proc/"$conmon"/cgroup)"
	[ -z "$(find /sys/fs/cgroup -name "*$id*" 2>/dev/null)" ] || fail "a cgroup named after the container"
	run upodman pause rl-v1
	[ "$status" -ne 0 ] || fail "pause worked without a cgroup"
	assert_output_contains "does not have a cgroup"
	run upodman stats --no-stream rl-v1
	[ "$status" -ne 0 ] || fail "stats worked without a cgroup"
	[ "$(ctr_status rl-v1)" = running ] || fail "status: $(ctr_status rl-v1)"
	upodman_rm_f rl-v1
}

@test "rootless podman: command not found is exit 127 with the runtime's message" {
	status=0
	output=$(upodman run --rm $IMG nosuchcmd 2>&1) || status=$?
	assert_status 127
	assert_output_contains nosuchcmd
	echo "$output" | grep -Eqi "not found|no such file" || fail "no runtime message: $output"
}
