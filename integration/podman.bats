#!/usr/bin/env bats
# podman 4.3 + conmon driving husk: every podman operation a user runs, against
# a private podman configuration (integration/clients/containers.conf.in) and a
# busybox image imported from a local tar. HUSK=/usr/sbin/runc proves the harness.

load clients/podman-env
load podman-scenarios

IMG=localhost/clients-busybox

setup_file() {
	clients_need_packages podman conmon catatonit script
	clients_need_husk
	PODMAN_DIR=$(mktemp -d /tmp/cp.XXXXXX)
	export PODMAN_DIR
	# podman's cgroupfs manager creates /libpod_parent; remove it afterwards
	# unless someone else had it first
	if [ -d /sys/fs/cgroup/memory/libpod_parent ] || [ -d /sys/fs/cgroup/libpod_parent ]; then
		echo keep > "$PODMAN_DIR"/keep-cgroups
	fi
	podman_env_init "$PODMAN_DIR"
	podman_import_busybox >/dev/null
}

teardown_file() {
	[ -n "${PODMAN_DIR:-}" ] || return 0
	hpodman pod rm -af -t 0 >/dev/null 2>&1 || true
	hpodman rm -af -t 0 >/dev/null 2>&1 || true
	hpodman system reset -f >/dev/null 2>&1 || true
	kill_leftovers "$PODMAN_DIR"
	if [ ! -e "$PODMAN_DIR"/keep-cgroups ]; then
		remove_cgroups libpod_parent
	fi
	rm -rf "$PODMAN_DIR"
}

# the container's main pid as the host sees it
ctr_pid() {
	hpodman inspect --format '{{.State.Pid}}' "$1"
}

ctr_status() {
	hpodman inspect --format '{{.State.Status}}' "$1"
}

logs_contain() {
	hpodman logs "$1" 2>&1 | grep -q -- "$2"
}

# a detached container that reports signals on its log
run_trapper() {
	hpodman run -d --name "$1" "${@:2}" $IMG sh -c \
		'trap "echo got-usr1" USR1; trap "echo got-term; exit 0" TERM; echo started; while :; do sleep 0.1; done'
	retry 50 logs_contain "$1" started
}

@test "podman: run --rm prints the output and passes the exit code" {
	run hpodman run --rm $IMG sh -c 'echo hello from husk; exit 7'
	assert_status 7
	assert_output_contains "hello from husk"
	run hpodman ps -a --format '{{.Names}}'
	assert_status 0
	[ -z "$output" ] || fail "--rm left containers: $output"
}

@test "podman: run -d, logs, ps, inspect, top, stop" {
	run_trapper clients-d
	run hpodman ps --format '{{.Names}} {{.Status}}'
	assert_status 0
	assert_output_contains "clients-d Up"
	run hpodman inspect --format '{{.State.Running}} {{.OCIRuntime}}' clients-d
	assert_status 0
	[ "$output" = "true husk" ] || fail "inspect: $output"
	pid=$(ctr_pid clients-d)
	[ "$pid" -gt 0 ] && [ -d /proc/"$pid" ] || fail "no host pid: $pid"
	run hpodman top clients-d pid comm
	assert_status 0
	assert_output_contains "sh"
	podman_stop_scenario hpodman clients-d
}

@test "podman: exec runs in the container and passes the exit code" {
	podman_exec_scenario hpodman clients-exec
}

@test "podman: exec -it gets a terminal" {
	podman_exec_tty_scenario hpodman clients-exec-tty with_tty "$PODMAN_DIR"/podman
}

@test "podman: run -it gets a terminal" {
	# The sleep: podman 4.3 can attach to the terminal after a process this
	# short has already written and exited, and then shows nothing.
	run with_tty "$PODMAN_DIR"/podman run -it --rm $IMG sh -c 'sleep 1; tty; test -t 0 && echo stdin-is-tty; exit 4'
	assert_status 4
	assert_output_contains "/dev/pts/"
	assert_output_contains "stdin-is-tty"
}

@test "podman: kill delivers the signal, kill -s KILL is exit 137" {
	run_trapper clients-kill
	run hpodman kill -s USR1 clients-kill
	assert_status 0
	retry 50 logs_contain clients-kill got-usr1
	[ "$(ctr_status clients-kill)" = running ] || fail "USR1 ended the container"
	run hpodman kill -s KILL clients-kill
	assert_status 0
	run hpodman wait clients-kill
	assert_status 0
	[ "$output" = 137 ] || fail "exit code after KILL: $output"
	hpodman rm clients-kill
}

@test "podman: pause freezes the container, unpause thaws it" {
	hpodman run -d --name clients-pause $IMG sleep 1000
	pid=$(ctr_pid clients-pause)
	run hpodman pause clients-pause
	assert_status 0
	[ "$(ctr_status clients-pause)" = paused ] || fail "status: $(ctr_status clients-pause)"
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		[ "$(cat "$(cgroup_file "$pid" freezer cgroup.freeze)")" = 1 ] || fail "cgroup.freeze is not 1"
	else
		[ "$(cat "$(cgroup_file "$pid" freezer freezer.state)")" = FROZEN ] || fail "freezer.state is not FROZEN"
	fi
	run hpodman unpause clients-pause
	assert_status 0
	[ "$(ctr_status clients-pause)" = running ] || fail "status: $(ctr_status clients-pause)"
	run hpodman exec clients-pause echo thawed
	assert_status 0
	assert_output_contains thawed
	hpodman_rm_f clients-pause
}

@test "podman: update changes the memory and cpu limits" {
	hpodman run -d --name clients-update --memory 64m $IMG sleep 1000
	pid=$(ctr_pid clients-update)
	run hpodman update --memory 96m --cpus 0.5 clients-update
	assert_status 0
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		[ "$(cat "$(cgroup_file "$pid" memory memory.max)")" = 100663296 ] || fail "memory.max"
		[ "$(cat "$(cgroup_file "$pid" cpu cpu.max)")" = "50000 100000" ] || fail "cpu.max"
	else
		[ "$(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)")" = 100663296 ] || fail "memory.limit_in_bytes"
		[ "$(cat "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)")" = 50000 ] || fail "cpu.cfs_quota_us"
	fi
	hpodman_rm_f clients-update
}

@test "podman: rm -f removes a running container" {
	hpodman run -d --name clients-rmf $IMG sleep 1000
	pid=$(ctr_pid clients-rmf)
	run hpodman rm -f -t 2 clients-rmf
	assert_status 0
	run hpodman ps -a --format '{{.Names}}'
	case "$output" in *clients-rmf*) fail "still listed: $output" ;; esac
	retry 20 test ! -d /proc/"$pid" || fail "pid $pid survived rm -f"
}

@test "podman: --memory limit, an OOM is exit 137" {
	run hpodman run --rm --memory 32m --memory-swap 32m $IMG sh -c 'cat $(test -f /sys/fs/cgroup/cgroup.controllers && echo /sys/fs/cgroup/memory.max || echo /sys/fs/cgroup/memory/memory.limit_in_bytes)'
	assert_status 0
	[ "$output" = 33554432 ] || fail "memory limit seen inside: $output"
	local had_oom=0
	[ -e oom ] && had_oom=1
	run hpodman run --rm --memory 32m --memory-swap 32m $IMG sh -c 'tail /dev/zero'
	assert_status 137
	# conmon's OOM marker goes to podman's own directory, not ours
	[ -e "$PODMAN_DIR"/cwd/oom ] || fail "conmon wrote no oom file in $PODMAN_DIR/cwd"
	[ "$had_oom" = 1 ] || [ ! -e oom ] || fail "a stray file oom in $PWD"
}

@test "podman: --pids-limit stops forks" {
	forks='i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); done; echo started-all'
	run hpodman run --rm $IMG sh -c "$forks"
	assert_status 0
	assert_output_contains started-all
	run hpodman run --rm --pids-limit 8 $IMG sh -c "$forks"
	[ "$status" -ne 0 ] || fail "20 forks under --pids-limit 8: $output"
	assert_output_contains "can't fork"
	hpodman run -d --name clients-pids --pids-limit 8 $IMG sleep 1000
	pid=$(ctr_pid clients-pids)
	[ "$(cat "$(cgroup_file "$pid" pids pids.max)")" = 8 ] || fail "pids.max"
	hpodman_rm_f clients-pids
}

@test "podman: --cpus sets the cfs quota" {
	hpodman run -d --name clients-cpus --cpus 1.5 $IMG sleep 1000
	pid=$(ctr_pid clients-cpus)
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		[ "$(cat "$(cgroup_file "$pid" cpu cpu.max)")" = "150000 100000" ] || fail "cpu.max"
	else
		[ "$(cat "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)")" = 150000 ] || fail "cpu.cfs_quota_us"
		[ "$(cat "$(cgroup_file "$pid" cpu cpu.cfs_period_us)")" = 100000 ] || fail "cpu.cfs_period_us"
	fi
	hpodman_rm_f clients-cpus
}

@test "podman: the loopback device is up in the container's own network namespace" {
	run hpodman run --rm $IMG sh -c 'readlink /proc/self/ns/net; ip -o link show lo'
	assert_status 0
	[ "${output%%$'\n'*}" != "$(readlink /proc/self/ns/net)" ] || fail "the container is in the host network namespace"
	assert_output_contains "LOOPBACK,UP"
}

@test "podman: --cap-drop and --cap-add" {
	run hpodman run --rm $IMG sh -c 'touch /tmp/f && chown 1000 /tmp/f && echo chown-ok'
	assert_status 0
	assert_output_contains chown-ok
	run hpodman run --rm --cap-drop CHOWN $IMG sh -c 'touch /tmp/f && chown 1000 /tmp/f && echo chown-ok'
	[ "$status" -ne 0 ] || fail "chown worked without CAP_CHOWN"
	assert_output_contains "Operation not permitted"
	# SIOCSIFMTU always checks CAP_NET_ADMIN, whatever the link's state
	run hpodman run --rm $IMG ip link set lo mtu 1280
	[ "$status" -ne 0 ] || fail "ip link set worked without CAP_NET_ADMIN"
	assert_output_contains "Operation not permitted"
	run hpodman run --rm --cap-add NET_ADMIN $IMG sh -c 'ip link set lo mtu 1280 && echo netadmin-ok'
	assert_status 0
	assert_output_contains netadmin-ok
	# cap_chown is bit 0, cap_net_admin bit 12
	run hpodman run --rm --cap-drop all --cap-add NET_ADMIN $IMG sh -c 'grep CapEff /proc/self/status'
	assert_status 0
	assert_output_contains "0000000000001000"
}

@test "podman: --read-only with tmpcopyup tmpfs" {
	run hpodman run --rm --read-only $IMG sh -c 'touch /etc/x'
	[ "$status" -ne 0 ] || fail "wrote to a read-only rootfs"
	assert_output_contains "Read-only file system"
	run hpodman run --rm --read-only $IMG sh -c 'cat /var/tmp/clients-marker && touch /var/tmp/new /tmp/new /run/new && grep " /var/tmp " /proc/mounts'
	assert_status 0
	assert_output_contains image-var-tmp
	assert_output_contains "tmpfs /var/tmp tmpfs"
}

@test "podman: --init runs catatonit as pid 1" {
	run hpodman run --rm --init $IMG sh -c 'tr "\0" " " < /proc/1/cmdline; echo; echo $$'
	assert_status 0
	assert_output_contains "/run/podman-init -- sh -c"
	[ "${output##*$'\n'}" != 1 ] || fail "the command is pid 1"
}

@test "podman: --user" {
	run hpodman run --rm --user 1000:1000 $IMG id
	assert_status 0
	assert_output_contains "uid=1000(user) gid=1000(user)"
	run hpodman run --rm --user nobody $IMG id -u
	assert_status 0
	[ "$output" = 65534 ] || fail "--user nobody: $output"
}

@test "podman: --security-opt seccomp= a custom profile" {
	run hpodman run --rm $IMG mkdir /tmp/d
	assert_status 0
	run hpodman run --rm --security-opt seccomp="$CLIENTS_DIR"/seccomp-deny-mkdir.json $IMG mkdir /tmp/d
	[ "$status" -ne 0 ] || fail "mkdir worked under a profile that denies it"
	assert_output_contains "Operation not permitted"
	run hpodman run --rm --security-opt seccomp="$CLIENTS_DIR"/seccomp-deny-mkdir.json $IMG sh -c 'grep Seccomp: /proc/self/status'
	assert_status 0
	assert_output_contains "Seccomp:	2"
}

@test "podman: --uidmap runs the container in a user namespace" {
	hpodman run -d --name clients-userns --uidmap 0:200000:65536 --gidmap 0:200000:65536 $IMG sleep 1000
	pid=$(ctr_pid clients-userns)
	run hpodman exec clients-userns cat /proc/self/uid_map
	assert_status 0
	[ "$(echo $output)" = "0 200000 65536" ] || fail "uid_map: $output"
	[ "$(stat -c %u /proc/"$pid")" = 200000 ] || fail "host uid of the container: $(stat -c %u /proc/"$pid")"
	run hpodman exec clients-userns sh -c 'touch /tmp/x && stat -c %u /tmp/x'
	assert_status 0
	[ "$output" = 0 ] || fail "file owner inside: $output"
	hpodman_rm_f clients-userns
}

@test "podman: pod members join the infra container's namespaces" {
	run hpodman pod create --name clients-pod
	assert_status 0
	hpodman run -d --pod clients-pod --name clients-pod-a $IMG sleep 1000
	hpodman run -d --pod clients-pod --name clients-pod-b $IMG sleep 1000
	infra=$(hpodman pod inspect --format '{{.InfraContainerID}}' clients-pod)
	ipid=$(ctr_pid "$infra")
	apid=$(ctr_pid clients-pod-a)
	bpid=$(ctr_pid clients-pod-b)
	for ns in net ipc uts; do
		i=$(readlink /proc/"$ipid"/ns/$ns)
		[ "$(readlink /proc/"$apid"/ns/$ns)" = "$i" ] || fail "a: $ns differs from infra"
		[ "$(readlink /proc/"$bpid"/ns/$ns)" = "$i" ] || fail "b: $ns differs from infra"
	done
	[ "$(readlink /proc/"$apid"/ns/net)" != "$(readlink /proc/self/ns/net)" ] || fail "pod uses the host network"
	[ "$(readlink /proc/"$apid"/ns/mnt)" != "$(readlink /proc/"$bpid"/ns/mnt)" ] || fail "members share a mount ns"
	run hpodman exec clients-pod-a sh -c 'echo shm-ok > /dev/shm/x 2>/dev/null; hostname'
	assert_status 0
	run hpodman pod rm -f -t 0 clients-pod
	assert_status 0
}

@test "podman: a bad --workdir shows the runtime's message" {
	echo x > "$PODMAN_DIR"/afile
	# under a mount podman leaves the workdir to the runtime
	run hpodman run --rm -v "$PODMAN_DIR"/afile:/data/f --workdir /data/f/sub $IMG pwd
	assert_status 126
	echo "$output" | grep -qi "not a directory" || fail "no runtime message: $output"
	assert_output_contains "/data/f"
}

@test "podman: command not found is exit 127 with the runtime's message" {
	# not bats' run: it warns on every 127
	status=0
	output=$(hpodman run --rm $IMG nosuchcmd 2>&1) || status=$?
	assert_status 127
	assert_output_contains nosuchcmd
	echo "$output" | grep -Eqi "not found|no such file" || fail "no runtime message: $output"
}

@test "podman: checkpoint on a host where CRIU cannot work shows husk's one-line reason" {
	criu check >/dev/null 2>&1 && skip "criu check passes here: integration/vm/criu.bats checkpoints with podman"
	hpodman run -d --name clients-ckpt $IMG sleep 1000
	run hpodman container checkpoint clients-ckpt
	echo "# podman: $output" >&3
	[ "$status" -ne 0 ] || fail "checkpoint worked where criu check fails"
	assert_output_contains "criu check"
	# the container goes on running
	[ "$(ctr_status clients-ckpt)" = running ] || fail "status $(ctr_status clients-ckpt)"
	hpodman_rm_f clients-ckpt
}

@test "clients: the README's podman, containerd and CRI-O snippets are the tested configuration" {
	run /usr/bin/python3 "$CLIENTS_DIR"/check-readme.py "$CLIENTS_TOP"/README.md
	assert_status 0
}
