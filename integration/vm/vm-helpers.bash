# SPDX-License-Identifier: GPL-2.0-or-later
# For VM tests whose setup_file boots one VM that prints `KEY: VALUE` lines
# (and `done` last) into $BATS_FILE_TMPDIR/share/out.

# vm_setup WHY: skip without vm-run (saying WHY it is needed); fail every
# test when the VM did not finish.
vm_setup() {
	[ -x "$VM_RUN" ] || skip "no vm-run at $VM_RUN: $1"
	SHARE=$BATS_FILE_TMPDIR/share
	grep -qx done "$SHARE"/out ||
		fail "the VM run did not finish: $(cat "$SHARE"/out) $(tail -30 "$SHARE"/err)"
}

# vm_is KEY VALUE: the VM printed `KEY: VALUE`
vm_is() {
	local got
	got=$(sed -n "s/^$1: //p" "$SHARE"/out)
	[ "$got" = "$2" ] || fail "$1: '$got', expected '$2' (VM output: $(cat "$SHARE"/out))"
}

# vm_ok PREFIX: the VM printed `PREFIX-rc: 0`; otherwise fail with its
# `PREFIX-err: ` lines
vm_ok() {
	local rc
	rc=$(sed -n "s/^$1-rc: //p" "$SHARE"/out)
	[ "$rc" = 0 ] || fail "$1: rc '$rc': $(grep "^$1-err: " "$SHARE"/out)"
}
