#!/usr/bin/env bats
# containerd 1.6 + containerd-shim-runc-v2 driving husk (`ctr run --runc-binary`),
# from a private containerd (integration/clients/containerd-config.toml.in)
# with a busybox image imported from a local docker-archive.
# HUSK=/usr/sbin/runc proves the harness.

bats_require_minimum_version 1.5.0
load clients/containerd-env

IMG=localhost/clients-busybox:latest

setup_file() {
	clients_need_packages containerd ctr containerd-shim-runc-v2 script python3
	clients_need_husk
	CTRD_DIR=$(mktemp -d /tmp/cc.XXXXXX)
	export CTRD_DIR
	if [ -d /sys/fs/cgroup/memory/"$CTR_NS" ] || [ -d /sys/fs/cgroup/"$CTR_NS" ]; then
		echo keep > "$CTRD_DIR"/keep-cgroups
	fi
	containerd_env_init "$CTRD_DIR"
	containerd_start
	containerd_import_busybox >/dev/null
}

teardown_file() {
	[ -n "${CTRD_DIR:-}" ] || return 0
	containerd_cleanup
	containerd_stop
	kill_leftovers "$CTRD_DIR"
	grep -o " $CTRD_DIR/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	if [ ! -e "$CTRD_DIR"/keep-cgroups ]; then
		remove_cgroups "$CTR_NS"
	fi
	rm -rf "$CTRD_DIR"
}

task_pid() {
	hctr task ls | awk -v id="$1" '$1 == id { print $2 }'
}

task_status() {
	hctr task ls | awk -v id="$1" '$1 == id { print $3 }'
}

# task_is ID STATUS (for retry: evaluated on every try)
task_is() {
	[ "$(task_status "$1")" = "$2" ]
}

# remove a task and its container whatever state they are in
task_gone() {
	hctr task kill -s KILL "$1" >/dev/null 2>&1 || true
	hctr task rm -f "$1" >/dev/null 2>&1 || true
	hctr container rm "$1" >/dev/null 2>&1 || true
}

@test "containerd: the CRI plugin loads the husk runtime handler" {
	run hctr plugins ls
	assert_status 0
	echo "$output" | grep -Eq 'io.containerd.grpc.v1 +cri .* ok' || fail "cri plugin: $output"
	grep -q "Runtimes:map\[husk:{Type:io.containerd.runc.v2 .*Options:map\[BinaryName:$HUSK " "$CTRD_DIR"/containerd.log ||
		fail "containerd did not take the husk runtime table"
}

@test "containerd: run --rm prints the output and passes the exit code" {
	run hctr_run --rm $IMG clients-rm sh -c 'echo hello from husk; exit 7'
	assert_status 7
	assert_output_contains "hello from husk"
	run hctr container ls -q
	case "$output" in *clients-rm*) fail "--rm left the container" ;; esac
}

@test "containerd: run -d, task ps, exec, kill, rm" {
	run hctr_run -d $IMG clients-d sh -c 'trap "echo got-term; exit 0" TERM; while :; do sleep 0.1; done'
	assert_status 0
	retry 50 task_is clients-d RUNNING || fail "task ls: $(hctr task ls)"
	pid=$(task_pid clients-d)
	[ -d /proc/"$pid" ] || fail "no host pid $pid"
	run hctr task ps clients-d
	assert_status 0
	assert_output_contains "$pid"
	run hctr task exec --exec-id e1 clients-d sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "; exit 5'
	assert_status 5
	assert_output_contains in-exec
	assert_output_contains "trap"
	run hctr task kill -s TERM clients-d
	assert_status 0
	retry 50 task_is clients-d STOPPED || fail "after TERM: $(hctr task ls)"
	run hctr task rm clients-d
	assert_status 0
	run hctr container rm clients-d
	assert_status 0
	[ ! -d /proc/"$pid" ] || fail "pid $pid survived"
}

@test "containerd: task exec -t gets a terminal" {
	hctr_run -d $IMG clients-tty sleep 1000
	retry 50 task_is clients-tty RUNNING
	run with_tty "$CTRD_DIR"/ctr task exec -t --exec-id e2 clients-tty sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 3'
	assert_status 3
	assert_output_contains "/dev/pts/"
	assert_output_contains stdin-is-tty
	task_gone clients-tty
}

@test "containerd: run -t gets a terminal" {
	run with_tty "$CTRD_DIR"/ctr run -t --rm --runtime io.containerd.runc.v2 --runc-binary "$HUSK" \
		--runc-root "$CTRD_DIR"/runc $IMG clients-runt sh -c 'tty; exit 4'
	assert_status 4
	assert_output_contains "/dev/pts/"
}

@test "containerd: task pause and resume" {
	hctr_run -d $IMG clients-pause sleep 1000
	retry 50 task_is clients-pause RUNNING
	pid=$(task_pid clients-pause)
	run hctr task pause clients-pause
	assert_status 0
	[ "$(task_status clients-pause)" = PAUSED ] || fail "task ls: $(hctr task ls)"
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		[ "$(cat "$(cgroup_file "$pid" freezer cgroup.freeze)")" = 1 ] || fail "cgroup.freeze is not 1"
	else
		[ "$(cat "$(cgroup_file "$pid" freezer freezer.state)")" = FROZEN ] || fail "freezer.state is not FROZEN"
	fi
	run hctr task resume clients-pause
	assert_status 0
	[ "$(task_status clients-pause)" = RUNNING ] || fail "task ls: $(hctr task ls)"
	run hctr task exec --exec-id e3 clients-pause echo thawed
	assert_status 0
	assert_output_contains thawed
	task_gone clients-pause
}

@test "containerd: task metrics and --memory-limit" {
	hctr_run -d --memory-limit 67108864 $IMG clients-metrics sleep 1000
	retry 50 task_is clients-metrics RUNNING
	pid=$(task_pid clients-metrics)
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		[ "$(cat "$(cgroup_file "$pid" memory memory.max)")" = 67108864 ] || fail "memory.max"
	else
		[ "$(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)")" = 67108864 ] || fail "memory.limit_in_bytes"
	fi
	run hctr task metrics clients-metrics
	assert_status 0
	assert_output_contains "memory"
	assert_output_contains "pids.current"
	task_gone clients-metrics
}

@test "containerd: --memory-limit, an OOM is exit 137" {
	run hctr_run --rm --memory-limit 33554432 $IMG clients-oom sh -c 'tail /dev/zero'
	assert_status 137
}

@test "containerd: task kill -s KILL is exit 137" {
	hctr_run -d $IMG clients-kill sleep 1000
	retry 50 task_is clients-kill RUNNING
	run hctr task kill -s KILL clients-kill
	assert_status 0
	retry 50 task_is clients-kill STOPPED || fail "task ls: $(hctr task ls)"
	run hctr task rm clients-kill
	assert_status 0
	assert_output_contains 137
	hctr container rm clients-kill
}

@test "containerd: a missing command shows the runtime's message" {
	run hctr_run --rm $IMG clients-nocmd nosuchcmd
	[ "$status" -ne 0 ] || fail "ran a missing command"
	assert_output_contains nosuchcmd
	task_gone clients-nocmd
}

# The Kubernetes volume with mountPropagation: Bidirectional, as ctr says it:
# a bind with rshared under a shared rootfs.  A mount made inside the
# container on the volume must show on the host.
@test "containerd: an rshared volume (--mount ...,options=rbind:rshared): a mount made inside reaches the host" {
	local vol=$CTRD_DIR/vol-bidir
	mkdir -p "$vol"
	mount --bind "$vol" "$vol"
	mount --make-shared "$vol"
	run hctr_run -d --cap-add CAP_SYS_ADMIN --rootfs-propagation shared \
		--mount "type=bind,src=$vol,dst=/vol,options=rbind:rshared" $IMG clients-bidir \
		sh -c 'mkdir -p /vol/inner && mount -t tmpfs inner /vol/inner && touch /vol/inner/made-inside && sleep 1000'
	assert_status 0
	local seen=0
	retry 50 test -e "$vol/inner/made-inside" && seen=1
	local mi
	mi=$(awk -v d="$vol/inner" '$5 == d' /proc/self/mountinfo)
	task_gone clients-bidir
	umount "$vol/inner" 2>/dev/null || true
	umount "$vol"
	[ "$seen" = 1 ] || fail "the file made inside never showed at $vol/inner"
	[ -n "$mi" ] || fail "no mount at $vol/inner on the host"
	case "$mi" in *" - tmpfs inner "*) ;; *) fail "not the container's tmpfs: $mi" ;; esac
}

# dead PID: no such process, or a zombie
dead() {
	local st
	st=$(awk '/^State:/ {print $2}' /proc/"$1"/status 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

# Two containers in one pid namespace, as a pod's: when the second's init
# exits, the shim (its bundle shares a pid namespace) runs `kill --all`
# on it, and the process it left in its cgroup must die.
@test "containerd: a container sharing a pid namespace, its init gone: kill --all kills what it left" {
	hctr_run -d $IMG clients-pod sleep 1000
	retry 50 task_is clients-pod RUNNING || fail "task ls: $(hctr task ls)"
	local podpid
	podpid=$(task_pid clients-pod)
	hctr_run -d --with-ns "pid:/proc/$podpid/ns/pid" $IMG clients-side \
		sh -c 'sleep 1000 & while [ ! -e /go ]; do sleep 0.1; done'
	retry 50 task_is clients-side RUNNING || fail "task ls: $(hctr task ls)"
	local init child=""
	init=$(task_pid clients-side)
	retry 50 test -n "$(cat /proc/"$init"/task/"$init"/children 2>/dev/null)"
	for p in $(cat /proc/"$init"/task/"$init"/children); do
		[ "$(cat /proc/"$p"/cmdline | tr '\0' ' ')" = "sleep 1000 " ] && child=$p
	done
	[ -n "$child" ] || fail "no sleep child of $init"
	touch /proc/"$init"/root/go
	retry 50 task_is clients-side STOPPED || fail "task ls: $(hctr task ls)"
	# dead: gone, or a zombie (its new parent is the pod's init, which
	# never reaps), and out of the container's cgroup
	retry 50 dead "$child" || fail "the process the init left ($child) lives on: $(grep State: /proc/"$child"/status)"
	# kill --all once more on the stopped task: nothing left to signal, no error
	run hctr task kill --all -s KILL clients-side
	assert_status 0
	# the pod's own init is untouched
	task_is clients-pod RUNNING || fail "the pod's init: $(hctr task ls)"
	task_gone clients-side
	task_gone clients-pod
}
