#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup v2 in a throw-away pure-v2 VM (scripts/vm-run): resources,
# the eBPF device filter, the cgroup namespace, enforcement, freezer,
# update/ps/events, and the systemd driver (VM_INIT=systemd).  The VM runs
# integration/vm/cgroupv2-checks.sh once per driver; each test asserts one
# of its `ok NAME` lines.

load ../helpers
load vm-helpers


# cfg NAME JQ_FILTER ARGS_JSON: a config for the VM (rootfs at /tmp/v2/rootfs there).
cfg() {
	jq "$2 | .process.args = $3" "$SHARE/base.json" >"$SHARE/cfg-$1.json"
}

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	# The VM sees SHARE at the same path; its own /tmp is a tmpfs.
	vm_share cgroupv2-checks.sh
	vm_share_rootfs dir
	vm_share_base /tmp/v2/rootfs
	cfg res '.linux.resources += {
		"memory": {"limit": 67108864, "swap": 100663296, "reservation": 33554432},
		"cpu": {"shares": 512, "quota": 20000, "period": 100000, "cpus": "0"},
		"pids": {"limit": 50}, "unified": {"memory.high": "52428800"}}' '["sleep", "100"]'
	local kmsg='.mounts += [{"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]'
	cfg dev "$kmsg" '["sh", "-c", "echo x >/dev/null && echo null-ok; echo husk-cgroups-test 2>/dev/null >/dev/kmsg && echo kmsg-open || echo kmsg-denied"]'
	cfg devallow "$kmsg | .linux.resources.devices += [{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\"}]" \
		'["sh", "-c", "echo husk-cgroups-test >/dev/kmsg && echo kmsg-open"]'
	cfg devpartial "$kmsg | .linux.resources.devices += [
		{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"rwm\"},
		{\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\"}]" \
		'["sh", "-c", "echo husk-cgroups-test 2>/dev/null >/dev/kmsg && echo kmsg-open || echo kmsg-denied"]'
	cfg cgns '.linux.resources.pids = {"limit": 20}' '["sh", "-c", "cat /proc/self/cgroup; ls /sys/fs/cgroup"]'
	cfg oom '.linux.resources.memory = {"limit": 16777216}' \
		'["sh", "-c", "dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo dd=$?"]'
	cfg oomev '.linux.resources.memory = {"limit": 16777216}' \
		'["sh", "-c", "while [ ! -e /oom-go ]; do sleep 0.1; done; dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; sleep 100"]'
	cfg pids '.linux.resources.pids = {"limit": 10}' \
		'["sh", "-c", "(i=0; while [ $i -lt 30 ]; do sleep 100 & i=$((i+1)); done) 2>/dev/null; echo >/ready; exec sleep 100"]'
	cfg freeze '.' '["sh", "-c", "while :; do :; done"]'
	cfg bad '.linux.resources.cpu = {"cpus": "4095"}' '["true"]'
	cfg sd '.linux.cgroupsPath = "system.slice:husk:cgv2-sd" | .linux.resources += {
		"memory": {"limit": 67108864}, "pids": {"limit": 50},
		"cpu": {"shares": 512, "quota": 20000, "period": 100000}}' '["sleep", "100"]'
	cfg sddefault '.' '["sleep", "100"]'

	VM_ROOT=host VM_SHARE=$SHARE VM_TIMEOUT=600 "$VM_RUN" \
		"sh $SHARE/cgroupv2-checks.sh $SHARE cgroupfs" >"$SHARE/out-cgroupfs" 2>"$SHARE/err-cgroupfs" || true
	VM_INIT=systemd VM_SHARE=$SHARE VM_TIMEOUT=600 "$VM_RUN" \
		"sh $SHARE/cgroupv2-checks.sh $SHARE systemd" >"$SHARE/out-systemd" 2>"$SHARE/err-systemd" || true
}

setup() {
	[ -x "$VM_RUN" ] || skip "no vm-run at $VM_RUN: cannot boot a cgroup v2 kernel"
	SHARE=$BATS_FILE_TMPDIR/share
}

# check MODE NAME...: each NAME reported `ok` by the VM run of MODE.
check() {
	local mode=$1 out=$SHARE/out-$1 n
	shift
	grep -q '^done ' "$out" || fail "the $mode VM run did not finish: $(cat "$out") $(tail -20 "$SHARE/err-$mode")"
	for n in "$@"; do
		grep -qx "ok $n" "$out" || fail "$(grep "^FAIL $n:" "$out" || echo "no result for $n")"
	done
}

@test "cgroups v2: the VM is pure cgroup v2" {
	check cgroupfs layout
}

@test "cgroups v2: memory, swap, cpu, cpuset, pids and unified values are converted and written" {
	check cgroupfs res-memory.max res-memory.swap.max res-memory.low res-unified-memory.high \
		res-cpu.max res-cpu.weight res-cpuset.cpus res-pids.max
}

@test "cgroups v2: the init is placed in the cgroup before it runs" {
	check cgroupfs res-init-placed
}

@test "cgroups v2: only the needed controllers are enabled in subtree_control" {
	check cgroupfs res-only-needed-controllers
}

@test "cgroups v2: events --stats, ps --format json and update" {
	check cgroupfs events-stats ps-json update-memory.max update-pids.max update-cpu.max
}

@test "cgroups v2: delete removes the cgroup" {
	check cgroupfs res-delete
}

@test "cgroups v2: the eBPF device filter denies what is not allowed" {
	check cgroupfs devices-deny
}

@test "cgroups v2: an allow rule in the eBPF filter opens one device" {
	check cgroupfs devices-allow
}

@test "cgroups v2: a later deny rule takes one access back (last rule wins)" {
	check cgroupfs devices-partial-deny
}

@test "cgroups v2: with a cgroup namespace the container's cgroup is its root" {
	check cgroupfs cgroupns
}

@test "cgroups v2: a memory hog is OOM-killed" {
	check cgroupfs oom-killed
}

@test "cgroups v2: a fork loop stops at pids.max" {
	check cgroupfs pids-enforced
}

@test "cgroups v2: pause freezes (cgroup.freeze), resume thaws, delete works while frozen" {
	check cgroupfs freeze thaw delete-frozen
}

@test "cgroups v2: events reports an OOM kill (inotify on memory.events)" {
	check cgroupfs events-oom
}

@test "cgroups v2: a bad value fails naming the field and leaves no cgroup" {
	check cgroupfs bad-value-error bad-value-cleanup
}

@test "cgroups v2 systemd: the scope carries the limits as unit properties and files" {
	check systemd layout sd-MemoryMax sd-TasksMax sd-CPUQuota sd-Delegate sd-memory.max \
		sd-pids.max sd-cpu.max sd-init-in-scope
}

@test "cgroups v2 systemd: pause/resume and delete stop the scope" {
	check systemd sd-pause sd-delete
}

@test "cgroups v2 systemd: an empty cgroupsPath makes husk-ID.scope in system.slice" {
	check systemd sd-default-unit
}
