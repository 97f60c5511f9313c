#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# checkpoint and restore for real.  CRIU fails on this host's kernel; the
# Debian 6.1 kernel of the throw-away VM (vm-run, VM_ROOT=host: this
# machine's / with its criu, runc and the husk just built) runs it.  One VM
# runs integration/vm/criu.sh; each test asserts some of its `KEY: VALUE`
# lines.  The host side (no CRIU, criu check failing) is
# integration/checkpoint.bats.

load ../helpers
load vm-helpers


setup_file() {
	[ -x "$VM_RUN" ] || return 0
	command -v criu >/dev/null || return 0
	vm_share criu.sh
	cp "$HUSK_TESTS_BIN"/console-receiver "$SHARE"/ || true
	vm_share_rootfs tar
	VM_ROOT=host VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-900} \
		"$VM_RUN" "bash $SHARE/criu.sh $SHARE" >"$SHARE"/out 2>"$SHARE"/err || true
}

setup() {
	command -v criu >/dev/null || fail "criu is not installed on the host (scripts/install-deps.sh)"
	[ -x "$HUSK_TESTS_BIN"/console-receiver ] || fail "no console-receiver in $HUSK_TESTS_BIN (make check builds it)"
	vm_setup "CRIU does not work on this host's kernel"
}

@test "criu VM: criu check passes on the VM's kernel" {
	vm_is criu-check 0
	echo "# criu check: $(sed -n 's/^criu-check-ms: //p' "$SHARE"/out) ms (husk remembers a pass)" >&3
}

@test "criu VM: a counter is checkpointed (stopped, count frozen), deleted and restored: the count goes on" {
	vm_ok ckpt
	vm_is ckpt-status stopped
	vm_is ckpt-frozen-count yes
	# the images directory husk makes is private
	vm_is ckpt-mode 700
	vm_ok restore
	vm_is restore-continues yes
	echo "# $(sed -n 's/^times-small: //p' "$SHARE"/out)" >&3
}

@test "criu VM: the restored container is a husk container: state with pid and start time, its cgroup, exec, pause, resume, kill, delete" {
	vm_is restore-status running
	vm_is restore-pid-alive yes
	vm_is restore-start-time yes
	vm_is restore-cgroup yes
	vm_is restore-exec ok
	vm_is restore-pause paused
	vm_is restore-resume running
	vm_is restore-kill stopped
	vm_is restore-delete gone
}

@test "criu VM: --leave-running keeps the same process running" {
	vm_ok leave
	vm_is leave-status running
	vm_is leave-same-pid yes
	vm_is leave-counting yes
}

@test "criu VM: restore under a new id, beside the original, in its own cgroup; --work-path gets the log" {
	vm_ok newid
	vm_is newid-status running
	vm_is newid-cgroup yes
	vm_is newid-other-pid yes
	vm_is newid-log yes
}

@test "criu VM: --pre-dump leaves it running; the final dump with --parent-path restores" {
	vm_ok predump
	vm_is predump-status running
	vm_ok predump-final
	vm_is predump-parent-link ../parent
	vm_ok predump-restore
	vm_is predump-continues yes
}

@test "criu VM: a paused container is checkpointed and restored" {
	vm_ok paused
	vm_is paused-status stopped
	vm_ok paused-restore
	vm_is paused-restore-status running
	vm_is paused-continues yes
}

@test "criu VM: a terminal container: restore sends a new pty to --console-socket and the same shell answers on it" {
	vm_is tty-started running
	vm_ok tty-ckpt
	vm_ok tty-restore
	vm_is tty-answers 0
	# its stdin is still a terminal (`tty` did not say "not a tty")
	vm_is tty-is-tty 0
}

@test "criu VM: --tcp-established: a connection inside the container's network namespace goes on after restore" {
	vm_is tcp-netns own
	vm_is tcp-established 2
	vm_ok tcp-ckpt
	vm_ok tcp-restore
	vm_is tcp-continues yes
	vm_is tcp-in-order yes
}

@test "criu VM: 100 MiB of process memory: checkpoint and restore times, husk against runc" {
	vm_is mem-husk100-rc "0 0"
	vm_is mem-husk100-status running
	local f
	for f in rss-kib images-mib checkpoint-ms restore-ms; do
		echo "# husk $f: $(sed -n "s/^mem-husk100-$f: //p" "$SHARE"/out)   runc $f: $(sed -n "s/^mem-runc100-$f: //p" "$SHARE"/out)" >&3
	done
	[ "$(sed -n 's/^mem-husk100-images-mib: //p' "$SHARE"/out)" -ge 100 ] || fail "the images hold less than 100 MiB"
}
