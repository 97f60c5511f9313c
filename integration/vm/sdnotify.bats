#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Services under systemd, in a vm-run VM with systemd as PID 1 on pure
# cgroup v2 (VM_INIT=systemd, the Debian 13 image of trixie-image.bash):
# podman 5.4 --sdnotify=container in a Type=notify unit with husk as the
# runtime (the container's READY=1, sent by Debian's systemd-notify from
# inside, is what makes the unit active; without it the unit never is), and
# issue 14's cgroup corners on v2 with both cgroup drivers (kill --all
# after the init exited, delete --force under a frozen parent).  One VM
# runs integration/vm/sdnotify.sh; each test reads some of its lines.

load ../helpers
load vm-helpers
load trixie-image

# cfg NAME JQ_FILTER ARGS_JSON: a config for the VM (rootfs at /tmp/k/rootfs there)
cfg() {
	jq "$2 | .process.args = $3" "$SHARE/base.json" >"$SHARE/cfg-$1.json"
}

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	vm_share sdnotify.sh
	vm_share_clients
	vm_share_base /tmp/k/rootfs
	# a pod: the first container owns the pid namespace, the second joins
	# it and its init exits leaving a child in its cgroup
	local join='(.linux.namespaces |= map(select(.type != "pid")))
		| .linux.namespaces += [{"type": "pid", "path": "/proc/@PAUSE@/ns/pid"}]'
	cfg pause-cgroupfs '.linux.cgroupsPath = "/husk-ka/pause"' '["sleep", "300"]'
	cfg join-cgroupfs "$join | .linux.cgroupsPath = \"/husk-ka/join\"" '["sh", "-c", "sleep 300 & echo started"]'
	cfg pause-systemd '.linux.cgroupsPath = "huskka.slice:husk:pause"' '["sleep", "300"]'
	cfg join-systemd "$join | .linux.cgroupsPath = \"huskka.slice:husk:join\"" '["sh", "-c", "sleep 300 & echo started"]'
	cfg frozen-cgroupfs '.linux.cgroupsPath = "/husk-pf/frozen"' '["sleep", "300"]'
	cfg frozen-systemd '.linux.cgroupsPath = "huskpf.slice:husk:frozen"' '["sleep", "300"]'
	trixie_vm systemd "bash $SHARE/sdnotify.sh $SHARE"
	echo "# VM: $(cat "$SHARE"/seconds) s" >&3
}

setup() {
	vm_setup "cannot boot a VM with systemd as PID 1"
}

@test "sdnotify VM: systemd is PID 1, podman 5.4 imports an image with systemd-notify" {
	vm_is pid1 systemd
	[[ "$(sed -n 's/^podman: //p' "$SHARE"/out)" == 5.4.* ]] || fail "podman: $(cat "$SHARE"/out)"
	vm_is import 0
}

@test "sdnotify VM: podman --sdnotify=container: the unit is activating while the container runs unready, active once it sends READY=1" {
	vm_is ready-unit 0
	vm_is ready-started yes
	# husk binds the socket podman gave it there and points NOTIFY_SOCKET at it
	vm_is ready-socket /run/notify/notify.sock
	vm_is ready-before activating
	vm_is ready-after active
	vm_is ready-notify-rc "0 "
	vm_is ready-after-go yes
	vm_is ready-runtime "husk running"
}

@test "sdnotify VM: podman --sdnotify=container: a container that never sends READY=1 is never ready, its unit times out" {
	vm_is never-unit 0
	vm_is never-started yes
	vm_is never-running "activating running"
	vm_is never-final failed
	vm_is never-result timeout
	vm_is never-entered-active 0
	# the unit's stop ended the container's process
	vm_is never-process gone
}

# killall DRIVER
killall_checks() {
	vm_is "killall-$1-pause" "0 "
	vm_is "killall-$1-join" "0 "
	vm_is "killall-$1-stopped" yes
	vm_is "killall-$1-left" 1
	vm_is "killall-$1-rc" "0 "
	vm_is "killall-$1-after" 0
	vm_is "killall-$1-pause-alive" yes
	vm_is "killall-$1-delete" "0 "
	vm_is "killall-$1-delete-pause" "0 "
	vm_is "killall-$1-cgroup-gone" yes
}

@test "cgroup v2 VM, cgroupfs: kill --all after the init exited signals what is left in its cgroup (a pod's shared pid namespace)" {
	killall_checks cgroupfs
}

@test "cgroup v2 VM, systemd driver: kill --all after the init exited signals what is left in its scope" {
	killall_checks systemd
}

# freezer DRIVER CGROUP_RE
freezer_checks() {
	vm_is "freezer-$1-run" "0 "
	[[ "$(sed -n "s/^freezer-$1-cgroup: //p" "$SHARE"/out)" =~ $2 ]] ||
		fail "cgroup: $(grep "^freezer-$1-cgroup" "$SHARE"/out)"
	vm_is "freezer-$1-frozen" 1
	vm_is "freezer-$1-delete" "0 "
	vm_is "freezer-$1-process" gone
	vm_is "freezer-$1-cgroup-gone" yes
	vm_is "freezer-$1-state-gone" yes
}

@test "cgroup v2 VM, cgroupfs: delete --force of a container its parent's cgroup.freeze holds frozen leaves nothing" {
	freezer_checks cgroupfs '^/husk-pf/frozen$'
}

@test "cgroup v2 VM, systemd driver: delete --force of a container in a slice systemctl froze leaves nothing" {
	freezer_checks systemd '^/huskpf\.slice/husk-frozen\.scope$'
	vm_is hr-left 0
}
