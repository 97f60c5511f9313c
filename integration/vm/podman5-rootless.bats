#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Rootless podman 5.4 (Debian 13) with husk on pure cgroup v2 with systemd's user manager: a
# vm-run VM (VM_SUITE=trixie, VM_INIT=systemd) makes an unprivileged user,
# starts its manager with loginctl enable-linger and runs podman as that
# user, once with the systemd cgroup manager (the user's bus) and once with
# cgroupfs in the user's delegated subtree (integration/vm/podman-rootless.sh).
# Not checked here: --uidmap, which fails with podman 5.4 (husk opens the
# bind-mount sources as the container's mapped root, which cannot reach
# podman 5's userdata/hosts; README, "Rootless").  The VM prints the error
# as systemd-uidmap and the run root's modes as systemd-runroot-modes.

load ../helpers
load vm-helpers
load podman-rootless

setup_file() {
	rootless_vm_boot trixie
}

setup() {
	vm_setup "cannot boot a VM with systemd as PID 1"
}

@test "rootless podman 5.4 (Debian 13) VM: the user's systemd manager runs with memory and pids delegated" {
	rootless_check_user_manager
}

@test "rootless podman 5.4 (Debian 13) VM: run --rm as the user, root inside is the user" {
	rootless_check_run_rm
}

@test "rootless podman 5.4 (Debian 13) VM, systemd: --memory is the container's memory.max, --pids-limit its pids.max and stops forks" {
	rootless_check_limits systemd
}

@test "rootless podman 5.4 (Debian 13) VM, systemd: pause freezes the container's cgroup, unpause thaws it" {
	rootless_check_pause systemd
}

@test "rootless podman 5.4 (Debian 13) VM, systemd: podman stats reads the container's cgroup" {
	rootless_check_stats systemd
}

@test "rootless podman 5.4 (Debian 13) VM, systemd: rm -f leaves nothing under the user's slice" {
	rootless_check_rm_f systemd
}

@test "rootless podman 5.4 (Debian 13) VM, cgroupfs: --memory is the container's memory.max, --pids-limit its pids.max and stops forks" {
	rootless_check_limits cgroupfs
}

@test "rootless podman 5.4 (Debian 13) VM, cgroupfs: pause freezes the container's cgroup, unpause thaws it" {
	rootless_check_pause cgroupfs
}

@test "rootless podman 5.4 (Debian 13) VM, cgroupfs: podman stats reads the container's cgroup" {
	rootless_check_stats cgroupfs
}

@test "rootless podman 5.4 (Debian 13) VM, cgroupfs: rm -f leaves nothing under the user's slice" {
	rootless_check_rm_f cgroupfs
}

@test "rootless podman 5.4 (Debian 13) VM: --userns=keep-id, a pod's shared namespaces, logs and stop" {
	rootless_check_more
}
