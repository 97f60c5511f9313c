#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Rootless podman 5.4 (Debian 13) with husk on pure cgroup v2 with systemd's user manager: a
# vm-run VM (VM_SUITE=trixie, VM_INIT=systemd) makes an unprivileged user,
# starts its manager with loginctl enable-linger and runs podman as that
# user, once with the systemd cgroup manager (the user's bus) and once with
# cgroupfs in the user's delegated subtree (integration/vm/podman-rootless.sh).
# With pasta, podman 5's own network: run -it and exec -it through a pty of
# script(1), top, ps and kill.  --uidmap: the container's root (a subordinate
# id) cannot search podman 5's userdata, where /etc/hosts comes from; husk
# clones such bind sources before the container's user namespace exists.

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

@test "rootless podman 5.4 (Debian 13) VM: --uidmap maps root to a subordinate id, podman's userdata bound in" {
	rootless_check_uidmap
}

@test "rootless podman 5.4 (Debian 13) VM, pasta: run -it gets a terminal and pasta's interface" {
	vm_is systemd-run-it 4
	# (script(1) may echo a NUL of its own first, as ^@)
	vm_match systemd-run-it-out '/dev/pts/[0-9]+ stdin-is-tty ifaces=[1-9]'
}

@test "rootless podman 5.4 (Debian 13) VM, pasta: exec -it gets a terminal" {
	vm_is systemd-pasta-run-d 0
	vm_is systemd-exec-it 3
	vm_match systemd-exec-it-out '/dev/pts/[0-9]+ .*stty-ok ?$'
}

@test "rootless podman 5.4 (Debian 13) VM, pasta: top and ps show the running container" {
	# the loop's short sleep may be caught between fork and exec: [sleep]
	vm_match systemd-top '^USER COMMAND\|root sh -c trap .*\|root .*sleep'
	vm_is systemd-ps running
}

@test "rootless podman 5.4 (Debian 13) VM, pasta: kill delivers the signal, then SIGKILL ends it" {
	vm_is systemd-kill-usr1 0
	vm_match systemd-kill-usr1-logs '^started got-usr1 '
	vm_is systemd-kill 0
	vm_is systemd-kill-state "exited 137"
	vm_is systemd-pasta-left 0
}
