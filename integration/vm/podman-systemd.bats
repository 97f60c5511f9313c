#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# podman's systemd cgroup manager driving husk: needs systemd as PID 1, so
# it runs in a throw-away VM (scripts/vm-run, VM_INIT=systemd).  The
# VM boots its own Debian image with podman installed (VM_ROOT=image, its
# own VM_CACHE so the image the other VM tests share stays as it is):
# booting the host's / under systemd starts every host service and never
# reaches the command.  The VM runs integration/vm/podman-systemd.sh once;
# each test asserts some of its `KEY: VALUE` lines.

load ../helpers
load vm-helpers

PODMAN_VM_CACHE=${PODMAN_VM_CACHE:-/var/tmp/vm-run-podman}
PODMAN_VM_PACKAGES=podman,conmon,catatonit,golang-github-containers-common,containernetworking-plugins,crun,libsystemd0

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	vm_share podman-systemd.sh
	vm_share_clients
	VM_ROOT=image VM_INIT=systemd VM_CACHE=$PODMAN_VM_CACHE VM_PACKAGES=$PODMAN_VM_PACKAGES \
		VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-600} \
		"$VM_RUN" "bash $SHARE/podman-systemd.sh $SHARE" >"$SHARE"/out 2>"$SHARE"/err || true
}

setup() {
	vm_setup "cannot boot a VM with systemd as PID 1"
}


@test "podman systemd VM: systemd is PID 1 and the busybox image imports" {
	vm_is pid1 systemd
	vm_is import 0
}

@test "podman systemd VM: run --rm prints the output and passes the exit code" {
	vm_is run-rm 3
	vm_is run-rm-out "hello-systemd "
	vm_is run-rm-left 0
}

@test "podman systemd VM: run -d: conmon runs husk with -s (systemd cgroup), the container lands in machine.slice/libpod-ID.scope, stop ends it" {
	vm_is run-d 0
	vm_is run-d-status running
	grep -qE '^run-d-cgroup: /machine\.slice/libpod-[0-9a-f]{64}\.scope$' "$SHARE"/out ||
		fail "cgroup: $(grep '^run-d-cgroup' "$SHARE"/out)"
	vm_is run-d-runtime husk
	vm_is run-d-conmon-runtime husk
	vm_is run-d-conmon-systemd-cgroup yes
	vm_is stop 0
	vm_is stop-state "exited 0"
	vm_is rm 0
}

@test "podman systemd VM: --memory 64m is MemoryMax of the scope and memory.max of its cgroup" {
	vm_is mem-run 0
	grep -qE '^mem-cgroup: /machine\.slice/libpod-[0-9a-f]{64}\.scope$' "$SHARE"/out ||
		fail "cgroup: $(grep '^mem-cgroup' "$SHARE"/out)"
	vm_is mem-memory.max 67108864
	vm_is mem-unit-MemoryMax 67108864
	vm_is mem-unit-active active
}

@test "podman systemd VM: rm -f removes the container, its scope and cgroup" {
	vm_is rm-f 0
	vm_is rm-f-left 0
	vm_is rm-f-cgroup-gone yes
	vm_is rm-f-unit inactive
}
