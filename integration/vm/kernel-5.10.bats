#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# husk on a real old kernel: Debian 11's Linux 5.10 (no mount_setattr, no
# idmapped mounts, no cgroup.kill), the kernel of Amazon Linux 2 and many
# Kubernetes nodes.  One VM (scripts/vm-run, VM_KERNEL=bullseye,
# VM_ROOT=host: this machine's / with the husk built here) runs
# integration/vm/kernel-5.10.sh once: lifecycle, mounts and their flags,
# devices, cgroups on v2, exec, hooks, capabilities, seccomp, a user
# namespace; each test asserts some of its `KEY: VALUE` lines.  The whole
# suite runs with 5.10's system calls on any kernel through
# tests/kernel-compat; this file is the check on the real kernel.

load ../helpers
load vm-helpers

# cfg NAME JQ_FILTER ARGS_JSON: a config for the VM (rootfs at /tmp/k/rootfs there).
cfg() {
	jq "$2 | .process.args = $3" "$SHARE/base.json" >"$SHARE/cfg-$1.json"
}

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	vm_share kernel-5.10.sh
	vm_share_rootfs dir
	vm_share_base /tmp/k/rootfs
	cfg base '.' '["true"]'
	cfg exit '.' '["sh", "-c", "exit 3"]'
	cfg mounts '.' '["sh", "-c", "cat /proc/self/mountinfo; echo kcore=$(wc -c </proc/kcore)"]'
	cfg binds '.mounts += [{"destination": "/ro", "type": "bind", "source": "/tmp/k/vol",
		"options": ["rbind", "ro", "nosuid", "noexec"]},
		{"destination": "/rro", "type": "bind", "source": "/tmp/k/vol", "options": ["rbind", "rro"]}]' \
		'["sh", "-c", "cat /proc/self/mountinfo; touch /ro/x 2>/dev/null && echo top=rw || echo top=ro; touch /rro/sub/x 2>/dev/null && echo sub=rw || echo sub=ro"]'
	cfg tmpcopyup '.mounts += [{"destination": "/etc", "type": "tmpfs", "source": "tmpfs",
		"options": ["tmpcopyup"]}]' '["sh", "-c", "test -s /etc/passwd && grep -c \" /etc .* - tmpfs \" /proc/self/mountinfo"]'
	cfg devices '.mounts += [{"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]' \
		'["sh", "-c", "echo x >/dev/null && echo null-ok; echo husk 2>/dev/null >/dev/kmsg && echo kmsg-open || echo kmsg-denied"]'
	cfg cgroup '.linux.resources += {"memory": {"limit": 67108864}, "pids": {"limit": 50}}' \
		'["sh", "-c", "echo mem=$(cat /sys/fs/cgroup/memory.max); echo pids=$(cat /sys/fs/cgroup/pids.max)"]'
	cfg sleep '.' '["sleep", "1000"]'
	cfg hooks '.hooks = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo ran >/tmp/k/hook-prestart"]}],
		"startContainer": [{"path": "/bin/true"}]}' '["true"]'
	cfg caps '.' '["cat", "/proc/self/status"]'
	cfg seccomp '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"],
		"action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}' '["mkdir", "/tmp/d"]'
	cfg userns '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]' '["cat", "/proc/self/uid_map"]'
	cfg idmap '.mounts += [{"destination": "/idm", "type": "bind", "source": "/tmp/k/vol",
		"options": ["bind", "idmap"], "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
		"gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]' '["true"]'
	local start=$SECONDS
	VM_KERNEL=bullseye VM_ROOT=host VM_SHARE=$SHARE VM_TIMEOUT=420 "$VM_RUN" \
		"sh $SHARE/kernel-5.10.sh $SHARE" >"$SHARE/vm.out" 2>"$SHARE/err" || true
	echo "$((SECONDS - start))" >"$SHARE/seconds"
}

setup() {
	vm_setup "husk on Debian 11's Linux 5.10"
}

@test "linux 5.10: the VM runs it, and husk logs the fallback for mount_setattr" {
	echo "# VM run: $(cat "$SHARE/seconds") s" >&3
	vm_is kernel 5.10
	vm_is fallback logged
	vm_is debug-run 0
}

@test "linux 5.10: run returns the process's exit code" {
	vm_is exit 3
}

@test "linux 5.10: readonlyPaths, /sys and maskedPaths get their flags by bind-remount" {
	vm_is proc-bus ro
	vm_is sys ro
	vm_is kcore 0
}

@test "linux 5.10: a ro,nosuid,noexec bind and an rro bind whose submount is read-only too" {
	vm_is bind-ro ro
	vm_is rro-sub ro
	[[ "$(sed -n 's/^bind-flags: //p' "$SHARE/out")" == ro,nosuid,*noexec* ]] ||
		fail "flags of /ro: $(grep bind-flags "$SHARE/out")"
}

@test "linux 5.10: tmpcopyup fills the tmpfs with the image's files" {
	vm_is tmpcopyup 0-1
}

@test "linux 5.10: devices work, and the cgroup v2 device filter denies what is not allowed" {
	vm_is devices "null-ok kmsg-denied "
}

@test "linux 5.10: cgroup v2 limits are set" {
	vm_is memory.max 67108864
	vm_is pids.max 50
}

@test "linux 5.10: exec joins the container, kill and delete end it" {
	vm_is exec "sleep 1000 "
	vm_is exec-ns same
	vm_is delete 0
}

@test "linux 5.10: hooks run" {
	vm_is hooks 0-ran
}

@test "linux 5.10: capabilities, seccomp and a user namespace" {
	vm_is capeff 0000000020000420
	vm_is seccomp 1-1
	vm_is userns "0- 0 0 65536 "
}

@test "linux 5.10: an idmapped mount is refused naming the option, and nothing is left" {
	vm_is idmap 1
	vm_is idmap-error named
	vm_is leftovers 0-0
}
