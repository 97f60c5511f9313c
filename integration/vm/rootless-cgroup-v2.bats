#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Rootless husk on pure cgroup v2 with delegation (issue 10): in a
# throw-away VM booted with systemd (scripts/vm-run, VM_INIT=systemd), a
# user with a lingering systemd user manager runs husk directly: cgroupfs
# below the subtree delegated to it (limits, pause/resume, update, ps,
# events, delete), no cgroup and a field error outside it, and
# --systemd-cgroup through the user's own manager.  The VM runs
# integration/vm/rootless-cgroup-v2.sh once; each test asserts some of its
# `KEY: VALUE` lines.  (Rootless podman in such a VM is the business of the
# client tests.)

load ../helpers
load vm-helpers

VM_UID=1500
# The image of the rootless client tests (integration/vm/podman-rootless*):
# a user manager needs libpam-systemd (its PAM stack) and dbus-user-session
# (the user bus); the same cache and package list, so one image serves both.
ROOTLESS_VM_CACHE=${ROOTLESS_VM_CACHE:-/var/tmp/vm-run-rootless}
ROOTLESS_VM_PACKAGES=${ROOTLESS_VM_PACKAGES:-podman,conmon,catatonit,golang-github-containers-common,containernetworking-plugins,crun,libsystemd0,uidmap,slirp4netns,passt,dbus-user-session,systemd-container,libpam-systemd}

# cfg NAME JQ_FILTER: a config for the VM's user (rootfs at /tmp/rl/rootfs there).
cfg() {
	jq "$2" "$SHARE/base.json" >"$SHARE/cfg-$1.json"
}

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	vm_share rootless-cgroup-v2.sh
	vm_share_rootfs dir
	vm_share_base /tmp/rl/rootfs --rootless
	jq --argjson u $VM_UID '.process.args = ["true"]
		| .linux.uidMappings[0].hostID = $u | .linux.gidMappings[0].hostID = $u' \
		"$SHARE/base.json" >"$SHARE/base.json.tmp"
	mv "$SHARE/base.json.tmp" "$SHARE/base.json"
	cfg res '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 20}}
		| .process.args = ["sleep", "1000"]'
	cfg res-fg '.linux.resources = {"memory": {"limit": 67108864}}'
	cfg plain '.'
	cfg pids '.linux.resources = {"pids": {"limit": 10}}
		| .process.args = ["sh", "-c", "(for i in $(seq 30); do sleep 100 & done) 2>/dev/null; set -- /proc/[0-9]*; echo procs $#"]'
	cfg sd '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 20}}
		| .process.args = ["sleep", "1000"]'
	VM_ROOT=image VM_INIT=systemd VM_CACHE=$ROOTLESS_VM_CACHE VM_PACKAGES=$ROOTLESS_VM_PACKAGES \
		VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-600} \
		"$VM_RUN" "bash $SHARE/rootless-cgroup-v2.sh $SHARE" >"$SHARE/out" 2>"$SHARE/err" || true
}

setup() {
	vm_setup "cannot boot a pure cgroup v2 VM with systemd"
}

# vm_match KEY REGEX
vm_match() {
	local got
	got=$(sed -n "s/^$1: //p" "$SHARE"/out)
	[[ $got =~ $2 ]] || fail "$1: '$got', expected /$2/ (VM output: $(cat "$SHARE"/out))"
}

@test "rootless v2 VM: the user has a systemd manager and a delegated scope" {
	vm_is layout cgroup2fs
	vm_is useradd 0
	vm_is user-manager active
	vm_match scope-cgroup "^/user\.slice/user-$VM_UID\.slice/user@$VM_UID\.service/.*SCOPE\$"
}

@test "rootless v2 VM: cgroupfs below the delegated subtree applies memory and pids limits" {
	vm_is cgfs-run 0
	vm_is cgfs-run-out ""
	vm_is cgfs-cgroup "/user.slice/user-$VM_UID.slice/user@$VM_UID.service/husk/rl-res"
	vm_is cgfs-owner huskrl
	vm_is cgfs-memory.max 67108864
	vm_is cgfs-pids.max 20
	# its own cgroup namespace, rooted there
	vm_is cgfs-inside "0::/ 67108864 "
	vm_is cgfs-exec-outside ran
	# 30 sleeps asked, fewer than the limit of 10 tasks started
	vm_is cgfs-pids-run 0
	vm_match cgfs-pids-out '^procs ([2-9]|10)$'
}

@test "rootless v2 VM: pause, resume, update, ps and events work in the delegated cgroup" {
	vm_is cgfs-pause 0
	vm_is cgfs-paused-status paused
	vm_is cgfs-cgroup.freeze 1
	vm_is cgfs-resume 0
	vm_is cgfs-resumed-status running
	vm_is cgfs-update 0
	vm_is cgfs-updated-memory.max 33554432
	vm_is cgfs-updated-pids.max 30
	vm_match cgfs-ps '^\[[0-9]+\]$'
	vm_is cgfs-events-has-memory 1
}

@test "rootless v2 VM: delete removes the container's cgroup and the parent it made" {
	vm_is cgfs-delete 0
	vm_is cgfs-cgroup-gone yes
	vm_is cgfs-parent-gone yes
	vm_is cgfs-state-left 0
}

@test "rootless v2 VM: outside a delegated subtree a limit fails naming the field, no limit runs" {
	vm_is nodeleg-limit-rc 1
	vm_is nodeleg-limit-err "linux.resources.memory.limit: cannot be applied without root"
	vm_is nodeleg-plain-rc 0
}

@test "rootless v2 VM: --systemd-cgroup makes a scope of the user's own manager, with the limits" {
	vm_is sd-run 0
	vm_is sd-run-out ""
	vm_is sd-cgroup "/user.slice/user-$VM_UID.slice/user@$VM_UID.service/user.slice/husk-rl-sd.scope"
	vm_is sd-unit-active active
	vm_is sd-unit-MemoryMax 67108864
	vm_is sd-memory.max 67108864
	vm_is sd-pids.max 20
	vm_is sd-pause-err ""
	vm_is sd-pause 0
	vm_is sd-paused-status paused
	vm_is sd-cgroup.freeze 1
	vm_is sd-resume-err ""
	vm_is sd-resume 0
	vm_is sd-resumed-status running
}

@test "rootless v2 VM: delete stops the user's scope; nothing is left" {
	vm_is sd-delete 0
	vm_is sd-cgroup-gone yes
	vm_match sd-unit-after '^(inactive|unknown)$'
	vm_is state-left 0
	vm_is user-procs-left 0
}

@test "rootless v2 VM: --systemd-cgroup without a user bus talks to the manager's private socket" {
	# XDG_RUNTIME_DIR with systemd/private and no bus, as without dbus-user-session
	vm_is sdp-bus "absent private"
	vm_is sdp-run 0
	vm_is sdp-run-out ""
	vm_is sdp-cgroup "/user.slice/user-$VM_UID.slice/user@$VM_UID.service/user.slice/husk-rl-sdp.scope"
	vm_is sdp-unit-active active
	vm_is sdp-memory.max 67108864
	vm_is sdp-delete 0
	vm_is sdp-cgroup-gone yes
	vm_match sdp-unit-after '^(inactive|unknown)$'
	vm_is sdp-state-left 0
	# neither: the error names both places, nothing is left
	vm_is sdn-run 1
	vm_is sdn-run-err 1
	vm_is sdn-state-left 0
}
