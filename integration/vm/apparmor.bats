#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# process.apparmorProfile applied for real: the host kernel has no
# AppArmor, the Debian kernel of the throw-away VM (scripts/vm-run)
# has it built in and enabled.  The VM boots its own Debian image with
# apparmor_parser installed (VM_ROOT=image, its own VM_CACHE so the image
# the other VM tests share stays as it is), loads the profile husk-test and
# runs integration/vm/apparmor.sh once; each test asserts some of its
# `KEY: VALUE` lines.

load ../helpers
load vm-helpers

APPARMOR_VM_CACHE=${APPARMOR_VM_CACHE:-/var/tmp/vm-run-apparmor}

# Everything but one path: a container under it runs like an unconfined
# one except that it cannot write /tmp/denied-by-apparmor.
PROFILE='profile husk-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  ptrace,
  signal,
  unix,
  deny /tmp/denied-by-apparmor w,
}'

ARGS='["sh", "-c", "echo label=$(cat /proc/self/attr/current); if touch /tmp/denied-by-apparmor 2>/dev/null; then echo touch=allowed; else echo touch=denied; fi; if touch /tmp/other 2>/dev/null; then echo other=allowed; else echo other=denied; fi"]'

# cfg NAME JQ_FILTER: a config for the VM (rootfs path filled in there)
cfg() {
	jq "$2 | .process.args = $ARGS" "$SHARE"/base.json >"$SHARE/cfg-$1.json"
}

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	vm_share apparmor.sh
	printf '%s\n' "$PROFILE" >"$SHARE"/husk-test.profile
	vm_share_rootfs tar
	vm_share_base @ROOTFS@
	cfg confined '.process.apparmorProfile = "husk-test"'
	cfg unknown '.process.apparmorProfile = "husk-no-such-profile"'
	cfg plain 'del(.process.apparmorProfile)'
	VM_ROOT=image VM_CACHE=$APPARMOR_VM_CACHE VM_PACKAGES=apparmor \
		VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-600} \
		"$VM_RUN" "sh $SHARE/apparmor.sh $SHARE" >"$SHARE"/out 2>"$SHARE"/err || true
}

setup() {
	vm_setup "cannot boot a kernel with AppArmor"
}


@test "apparmor VM: AppArmor is enabled and the husk-test profile loads" {
	echo "# enabled: $(sed -n 's/^enabled: //p' "$SHARE"/out)" >&3
	vm_is enabled Y
	vm_is securityfs yes
	vm_is load 0
	vm_is loaded 1
	vm_is rootfs 0
}

@test "apparmor VM: process.apparmorProfile confines the process: label husk-test (enforce), the denied write fails" {
	vm_is confined-rc 0
	vm_is confined-label "husk-test (enforce)"
	vm_is confined-touch denied
	# the rest of the profile allows writes: the denial is the deny rule's
	vm_is confined-other-write allowed
}

@test "apparmor VM: an unknown profile never runs the process; the error names the field and the profile" {
	local err
	err="$(sed -n 's/^unknown-create-err: //p' "$SHARE"/out)$(sed -n 's/^unknown-start-err: //p' "$SHARE"/out)"
	echo "# husk: $err" >&3
	[[ $err == *process.apparmorProfile* && $err == *husk-no-such-profile* ]] ||
		fail "the error does not name process.apparmorProfile and the profile: '$err'"
	vm_is unknown-ran 0
}

@test "apparmor VM: an unknown profile's error is the init's own in 20 runs, never the sync socket's reset" {
	vm_is unknown-loop-own-error 20
}

@test "apparmor VM: an unknown profile fails create (as runc does), leaving no container" {
	local rc
	rc=$(sed -n 's/^unknown-create-rc: //p' "$SHARE"/out)
	[ -n "$rc" ] && [ "$rc" != 0 ] ||
		fail "create with an unknown profile: rc '$rc'; only start failed: $(grep '^unknown-' "$SHARE"/out)"
	vm_is unknown-left 0
}

@test "apparmor VM: without process.apparmorProfile the process is unconfined" {
	vm_is plain-rc 0
	vm_is plain-label unconfined
	vm_is plain-touch allowed
}
