#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# podman and containerd checkpointing and restoring through husk, in the
# throw-away VM where CRIU works (vm-run, VM_ROOT=host: this machine's
# podman 4.3, conmon, containerd 1.6 and criu on the Debian 6.1 kernel).
# One VM runs integration/vm/criu-clients.sh with the private podman and
# containerd configurations of integration/podman.bats and containerd.bats.

load ../helpers
load vm-helpers
load ../clients/common


setup_file() {
	[ -x "$VM_RUN" ] || return 0
	for c in criu podman conmon containerd ctr containerd-shim-runc-v2; do
		command -v $c >/dev/null || return 0
	done
	vm_share criu-clients.sh
	# The VM's /tmp is its own tmpfs: a clone under the host's /tmp is not
	# there, so the client setup goes into the share.
	mkdir -p "$SHARE"/repo/integration
	cp -a "$REPO"/integration/clients "$SHARE"/repo/integration/
	VM_ROOT=host VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-900} \
		"$VM_RUN" "bash $SHARE/criu-clients.sh $SHARE $SHARE/repo" >"$SHARE"/out 2>"$SHARE"/err || true
}

setup() {
	clients_need_packages criu podman conmon containerd ctr containerd-shim-runc-v2
	vm_setup "CRIU does not work on this host's kernel"
}

@test "criu clients VM: podman container checkpoint / restore with husk; the count goes on" {
	vm_is podman-image 0
	vm_ok podman-ckpt
	vm_is podman-ckpt-status exited
	vm_ok podman-restore
	vm_is podman-restore-status running
	vm_is podman-restore-counting yes
}

@test "criu clients VM: podman checkpoint --export to a tar, restore --import under a new --name" {
	vm_ok podman-export
	[ "$(sed -n 's/^podman-export-tar: //p' "$SHARE"/out)" -gt 0 ] || fail "no CRIU images in the archive"
	vm_ok podman-import
	vm_is podman-import-status running
	vm_is podman-import-counting yes
}

@test "criu clients VM: podman checkpoint --keep and restore --keep keep CRIU's logs" {
	vm_ok podman-keep
	vm_is podman-keep-log yes
	vm_ok podman-keep-restore
	vm_is podman-keep-restore-log yes
	vm_is podman-keep-restore-status running
}

@test "criu clients VM: containerd: ctr container checkpoint --task to an image, container restore --live" {
	vm_is ctr-started 0
	vm_ok ctr-ckpt
	vm_is ctr-ckpt-image 1
	vm_ok ctr-restore
	vm_is ctr-restore-status RUNNING
	vm_is ctr-restore-counting yes
}
