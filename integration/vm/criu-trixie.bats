#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# husk's own checkpoint and restore (integration/vm/criu.sh, the tests of
# criu.bats) on Debian 13's userland: CRIU 4.1 on Linux 6.12, in a VM that
# boots its own image with systemd (vm-run VM_SUITE=trixie VM_ROOT=image
# VM_INIT=systemd, its own VM_CACHE so the shared images stay as they are).
# The same VM then restores a container under the systemd cgroup driver
# (integration/vm/criu-systemd.sh).

load ../helpers
load vm-helpers

CRIU_VM_CACHE=${CRIU_VM_CACHE:-/var/tmp/vm-run-criu}
CRIU_VM_PACKAGES=criu,jq,podman,conmon,catatonit,golang-github-containers-common,containernetworking-plugins,uidmap

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	vm_share criu.sh criu-systemd.sh
	cp "$HUSK_TESTS_BIN"/console-receiver "$SHARE"/ || true
	vm_share_rootfs tar
	VM_SUITE=trixie VM_ROOT=image VM_INIT=systemd VM_CACHE=$CRIU_VM_CACHE \
		VM_PACKAGES=$CRIU_VM_PACKAGES VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-900} \
		"$VM_RUN" "bash $SHARE/criu.sh $SHARE | grep -vx done; bash $SHARE/criu-systemd.sh $SHARE" \
		>"$SHARE"/out 2>"$SHARE"/err || true
}

setup() {
	[ -x "$HUSK_TESTS_BIN"/console-receiver ] || fail "no console-receiver in $HUSK_TESTS_BIN (make check builds it)"
	vm_setup "Debian 13's CRIU 4.1 runs only in the VM"
}

@test "criu trixie VM: CRIU 4.1 passes criu check on Linux 6.12" {
	vm_is criu-check 0
}

@test "criu trixie VM: a counter is checkpointed, deleted and restored; the restored container is a husk container" {
	vm_ok ckpt
	vm_is ckpt-status stopped
	vm_is ckpt-frozen-count yes
	vm_ok restore
	vm_is restore-continues yes
	vm_is restore-status running
	vm_is restore-start-time yes
	vm_is restore-cgroup yes
	vm_is restore-exec ok
	vm_is restore-pause paused
	vm_is restore-resume running
	vm_is restore-kill stopped
	vm_is restore-delete gone
}

@test "criu trixie VM: --leave-running, restore under a new id, --pre-dump then --parent-path, a paused container" {
	vm_ok leave
	vm_is leave-same-pid yes
	vm_is leave-counting yes
	vm_ok newid
	vm_is newid-cgroup yes
	vm_ok predump
	vm_ok predump-final
	vm_ok predump-restore
	vm_is predump-continues yes
	vm_ok paused
	vm_ok paused-restore
	vm_is paused-continues yes
}

@test "criu trixie VM: a terminal container answers on the new pty; a TCP connection goes on with --tcp-established" {
	vm_ok tty-ckpt
	vm_ok tty-restore
	vm_is tty-answers 0
	vm_is tty-is-tty 0
	vm_is tcp-established 2
	vm_ok tcp-ckpt
	vm_ok tcp-restore
	vm_is tcp-continues yes
	vm_is tcp-in-order yes
}

@test "criu trixie VM: 100 MiB of process memory checkpointed and restored" {
	vm_is mem-husk100-rc "0 0"
	vm_is mem-husk100-status running
	local f
	for f in checkpoint-ms restore-ms images-mib; do
		echo "# husk $f: $(sed -n "s/^mem-husk100-$f: //p" "$SHARE"/out)" >&3
	done
}

@test "criu trixie VM: --systemd-cgroup: the restored container runs in the scope systemd made for it" {
	vm_is systemd-run-scope yes
	vm_ok systemd-ckpt
	vm_is systemd-scope-gone inactive
	vm_ok systemd-restore
	vm_is systemd-continues yes
	vm_is systemd-restore-scope yes
	vm_is systemd-deleted inactive
}
