#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Checkpoint and restore of containers whose namespaces or root are set up
# unusually: `restore --no-pivot`, a user namespace with mappings, and ipc
# and uts namespaces joined by path (handed back with CRIU's --join-ns),
# and pid and network namespaces joined by path, as a pod's (external to
# CRIU, inherited back).
# One VM (vm-run, VM_ROOT=host: this machine's criu 3.17 on the Debian 6.1
# kernel) runs those sections of integration/vm/criu-options.sh.

load ../helpers
load vm-helpers

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	command -v criu >/dev/null || return 0
	criu_options_vm "nopivot userns extns pidns"
}

setup() {
	command -v criu >/dev/null || fail "criu is not installed on the host (scripts/install-deps.sh)"
	vm_setup "CRIU does not work on this host's kernel"
}

@test "criu namespaces VM: restore --no-pivot of a --no-pivot container: CRIU makes the root, the count goes on in the rootfs" {
	vm_is nopivot-created running
	vm_ok nopivot-ckpt
	vm_ok nopivot-restore
	vm_is nopivot-continues yes
	vm_is nopivot-root rootfs
}

@test "criu namespaces VM: a container in a user namespace (root is 100000 outside) restores with its mappings" {
	vm_is userns-run running
	vm_ok userns-ckpt
	vm_ok userns-restore
	vm_is userns-continues yes
	vm_is userns-own yes
	vm_is userns-map "0 100000 65536"
}

@test "criu namespaces VM: ipc and uts namespaces joined by path are joined again at restore" {
	vm_ok extns-run
	vm_ok extns-ckpt
	vm_is extns-nopath "1 husk: restore \`xn\`: the checkpoint joined an existing ipc namespace: linux.namespaces needs its \`path\`: Invalid argument"
	vm_is extns-nopath-left nothing
	vm_ok extns-restore
	vm_is extns-continues yes
	vm_is extns-ipc same
	vm_is extns-uts same
	vm_is extns-hostname holder
}

@test "criu namespaces VM: pid and network namespaces joined by path (a pod's) are external to CRIU and joined again at restore" {
	vm_ok pidns-run
	vm_is pidns-joined same
	vm_ok pidns-ckpt
	vm_is pidns-no-pid-path "1 husk: restore \`pn\`: the checkpoint joined a pid namespace: linux.namespaces needs a pid \`path\`: Invalid argument"
	vm_is pidns-no-pid-path-left nothing
	vm_is pidns-no-network-path "1 husk: restore \`pn\`: the checkpoint joined a network namespace: linux.namespaces needs a network \`path\`: Invalid argument"
	vm_is pidns-no-network-path-left nothing
	vm_ok pidns-restore
	vm_is pidns-continues yes
	vm_is pidns-pid same
	vm_is pidns-net same
	vm_is pidns-nspid kept
}
