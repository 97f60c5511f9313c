# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by podman-rootless.bats (bookworm, podman 4.3) and
# podman5-rootless.bats (trixie, podman 5.4): boot a vm-run VM with systemd
# as PID 1 and its own Debian image with rootless podman's packages, run
# integration/vm/podman-rootless.sh in it once, and check its `KEY: VALUE`
# lines.  Each image lives in its own VM_CACHE so the images the other VM
# tests share stay as they are.

ROOTLESS_VM_CACHE=${ROOTLESS_VM_CACHE:-/var/tmp/vm-run-rootless}
ROOTLESS_VM_PACKAGES=podman,conmon,catatonit,golang-github-containers-common,containernetworking-plugins,crun,libsystemd0,uidmap,slirp4netns,passt,dbus-user-session,systemd-container,libpam-systemd

# rootless_vm_boot SUITE
rootless_vm_boot() {
	[ -x "$VM_RUN" ] || return 0
	vm_share podman-rootless.sh
	vm_share_clients
	VM_SUITE=$1 VM_ROOT=image VM_INIT=systemd VM_CACHE=$ROOTLESS_VM_CACHE VM_PACKAGES=$ROOTLESS_VM_PACKAGES \
		VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-900} \
		"$VM_RUN" "bash $SHARE/podman-rootless.sh $SHARE" >"$SHARE"/out 2>"$SHARE"/err || true
}

# vm_num_ge KEY MIN: the VM printed `KEY: N` with N >= MIN
vm_num_ge() {
	local got
	got=$(sed -n "s/^$1: //p" "$SHARE"/out)
	[[ "$got" =~ ^[0-9]+$ ]] && [ "$got" -ge "$2" ] ||
		fail "$1: '$got', expected a number >= $2 (VM output: $(cat "$SHARE"/out))"
}

# vm_match KEY REGEX: the VM printed `KEY: VALUE` with VALUE matching REGEX
vm_match() {
	local got
	got=$(sed -n "s/^$1: //p" "$SHARE"/out)
	[[ "$got" =~ $2 ]] || fail "$1: '$got', expected to match $2 (VM output: $(cat "$SHARE"/out))"
}

# The checks, for MGR (systemd or cgroupfs), as the unprivileged user.
rootless_check_user_manager() {
	vm_is pid1 systemd
	vm_is subuid 1
	vm_is user-manager active
	vm_match delegated '(^| )memory( |$)'
	vm_match delegated '(^| )pids( |$)'
}

rootless_check_run_rm() {
	vm_is systemd-exit 0
	vm_is cgroupfs-exit 0
	vm_is systemd-import 0
	vm_is systemd-run-rm 3
	# root in the container is the user; 1..65536 come from /etc/subuid
	vm_match systemd-run-rm-out "^ ?0 1000 1 1 [0-9]+ 65536 hello-rootless ?$"
	vm_is systemd-run-rm-left 0
}

rootless_check_limits() {
	local m=$1 slice='/user\.slice/user-1000\.slice/user@1000\.service/'
	vm_is "$m-run-d" 0
	vm_is "$m-runtime" husk
	if [ "$m" = systemd ]; then
		vm_match "$m-cgroup" "^${slice}.*libpod-[0-9a-f]{64}\.scope"
		vm_is "$m-unit-active" active
		vm_is "$m-unit-MemoryMax" 67108864
	else
		vm_match "$m-cgroup" "^${slice}app\.slice/run-[a-z0-9-]+\.service/libpod-[0-9a-f]{64}$"
	fi
	vm_is "$m-memory.max" 67108864
	vm_is "$m-inside-memory.max" 67108864
	vm_is "$m-pids.max" 40
	vm_is "$m-exec-cgroup" same
	vm_num_ge "$m-pids-limit-cant-fork" 1
}

rootless_check_pause() {
	local m=$1
	vm_is "$m-pause" 0
	vm_is "$m-paused-status" paused
	vm_is "$m-cgroup.freeze" 1
	vm_is "$m-unpause" 0
	vm_is "$m-unpaused-status" running
	vm_is "$m-thawed" thawed
}

rootless_check_stats() {
	# PIDS, then MEM USAGE / LIMIT with the --memory 64m limit
	vm_match "$1-stats" '^[1-9][0-9]* [0-9.]+[kMG]?B / 67\.11MB ?$'
}

rootless_check_rm_f() {
	local m=$1
	vm_is "$m-rm-f" 0
	vm_is "$m-rm-f-left" 0
	vm_is "$m-rm-f-cgroup-gone" yes
	vm_is "$m-slice-left" 0
	vm_is "$m-finished" yes
}

# --userns=keep-id, a pod, logs and stop: once, in the systemd round
rootless_check_more() {
	vm_is systemd-keep-id 1000
	vm_is systemd-pod-shared "net ipc uts user "
	vm_is systemd-stop 0
	vm_is systemd-logs "started got-term "
	vm_is systemd-stop-state "exited 0"
	vm_is systemd-pod-rm 0
	vm_is systemd-pod-left 0
}

# --uidmap 0:1:4096: inside, uid_map is relative to podman's user namespace,
# where 1 is the user's first subordinate id
rootless_check_uidmap() {
	vm_match systemd-uidmap '^ ?0 1 4096 ?$'
}
