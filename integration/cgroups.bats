#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroups on the host's layout (v1, hybrid or v2): every resource read back
# from the container's cgroup files, enforcement (OOM, pids, freezer), the
# cgroup commands (pause, resume, update, ps, events) and failure paths.
# Pure-v2 specifics (eBPF devices, systemd) are in integration/vm/.

load helpers

setup() {
	husk_setup
	make_bundle
}

# Layout: "unified" when /sys/fs/cgroup is cgroup2, else v1 (legacy/hybrid).
is_v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

# cg_dir CONTROLLER [ID]: the container's directory serving CONTROLLER.
cg_dir() {
	local c=$1 id=${2:-$ID} path=${3:-/husk/${2:-$ID}}
	if is_v2; then
		echo "/sys/fs/cgroup$path"
	elif [ -d "/sys/fs/cgroup/$c" ]; then
		echo "/sys/fs/cgroup/$c$path"
	else
		# a controller only the unified hierarchy has (hugetlb on hybrid hosts)
		echo "/sys/fs/cgroup/unified$path"
	fi
}

cg_read() {
	cat "$(cg_dir "$1")/$2"
}

run_detached() {
	set_args sh -c "$1"
	husk create --bundle "$BUNDLE" "$ID" || fail "create failed"
	husk start "$ID" || fail "start failed"
}

@test "cgroups: memory, cpu, cpuset and pids values are written to the cgroup files" {
	update_config '.linux.resources += {
		"memory": {"limit": 67108864, "reservation": 33554432, "swappiness": 10},
		"cpu": {"shares": 512, "quota": 20000, "period": 100000, "cpus": "0", "mems": "0"},
		"pids": {"limit": 50}}'
	run_detached 'sleep 100'
	if is_v2; then
		[ "$(cg_read memory memory.max)" = 67108864 ]
		[ "$(cg_read memory memory.low)" = 33554432 ]
		[ "$(cg_read cpu cpu.max)" = "20000 100000" ]
		# 1 + ((512 - 2) * 9999) / 262142
		[ "$(cg_read cpu cpu.weight)" = 20 ]
	else
		[ "$(cg_read memory memory.limit_in_bytes)" = 67108864 ]
		[ "$(cg_read memory memory.soft_limit_in_bytes)" = 33554432 ]
		[ "$(cg_read memory memory.swappiness)" = 10 ]
		[ "$(cg_read cpu cpu.shares)" = 512 ]
		[ "$(cg_read cpu cpu.cfs_quota_us)" = 20000 ]
		[ "$(cg_read cpu cpu.cfs_period_us)" = 100000 ]
	fi
	[ "$(cg_read cpuset cpuset.cpus)" = 0 ]
	[ "$(cg_read cpuset cpuset.mems)" = 0 ]
	[ "$(cg_read pids pids.max)" = 50 ]
	# the init is in the cgroup
	local pid
	pid=$(state_field "$ID" pid)
	grep -qx "$pid" "$(cg_dir pids)/cgroup.procs"
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "cgroups: blockIO throttling and hugepage limits are written" {
	local dev
	dev=$(cat /sys/block/vda/dev 2>/dev/null || lsblk -dno MAJ:MIN | head -1 | tr -d ' ')
	[ -n "$dev" ] || skip "no block device to throttle"
	local maj=${dev%:*} min=${dev#*:}
	update_config ".linux.resources.blockIO = {
		\"throttleReadBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 1048576}],
		\"throttleWriteIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 300}]}
		| .linux.resources.hugepageLimits = [{\"pageSize\": \"2MB\", \"limit\": 4194304}]"
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] ||
		update_config 'del(.linux.resources.hugepageLimits)'
	run_detached 'sleep 100'
	if is_v2; then
		grep -q "^$maj:$min rbps=1048576 wbps=max riops=max wiops=300" "$(cg_dir io)/io.max"
	else
		grep -qx "$maj:$min 1048576" "$(cg_dir blkio)/blkio.throttle.read_bps_device"
		grep -qx "$maj:$min 300" "$(cg_dir blkio)/blkio.throttle.write_iops_device"
	fi
	if [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
		local d
		d=$(cg_dir hugetlb)
		if [ -f "$d/hugetlb.2MB.max" ]; then
			[ "$(cat "$d/hugetlb.2MB.max")" = 4194304 ]
		else
			[ "$(cat "$d/hugetlb.2MB.limit_in_bytes")" = 4194304 ]
		fi
	fi
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "cgroups: devices: deny all, then the default devices; others cannot be opened" {
	is_v2 && skip "v2 device filters are tested in integration/vm (eBPF)"
	# /dev/kmsg (c 1:11) bound in: the node exists but the cgroup denies it
	update_config '.mounts += [{"destination": "/dev/kmsg", "type": "bind",
		"source": "/dev/kmsg", "options": ["bind"]}]'
	run_detached 'sleep 100'
	local list
	list=$(cg_read devices devices.list)
	grep -qx 'c 1:3 rwm' <<<"$list"
	grep -qx 'c 136:\* rwm' <<<"$list"
	! grep -q '^a ' <<<"$list" || fail "allows everything: $list"
	! grep -q '^c 1:11' <<<"$list" || fail "kmsg allowed: $list"
	run husk exec "$ID" sh -c 'echo x > /dev/null && echo null-ok; echo x > /dev/kmsg'
	assert_failure
	assert_line null-ok
	assert_output --partial 'Operation not permitted'
	husk delete --force "$ID"
}

@test "cgroups: devices: a node in linux.devices stays denied unless linux.resources.devices allows it" {
	is_v2 && skip "v2 device filters are tested in integration/vm (eBPF)"
	update_config '.linux.devices = [{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11},
			{"path": "/dev/loop-husk", "type": "b", "major": 7, "minor": 0}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	run_detached 'sleep 100'
	local list
	list=$(cg_read devices devices.list)
	grep -qx 'c 1:3 rwm' <<<"$list" || fail "no default devices: $list"
	! grep -q '^c 1:11 ' <<<"$list" || fail "linux.devices node allowed: $list"
	! grep -q '^b 7:0 ' <<<"$list" || fail "linux.devices node allowed: $list"
	run husk exec "$ID" sh -c 'test -c /dev/kmsg && echo node-made; echo x > /dev/kmsg'
	assert_failure
	assert_line node-made
	assert_output --partial 'Operation not permitted'
	husk delete --force "$ID"
}

@test "cgroups: devices: an allow rule opens one device" {
	is_v2 && skip "v2 device filters are tested in integration/vm (eBPF)"
	update_config '.mounts += [{"destination": "/dev/kmsg", "type": "bind",
		"source": "/dev/kmsg", "options": ["bind"]}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	run_in_container sh -c 'echo husk-cgroups-test > /dev/kmsg && echo kmsg-write'
	assert_success
	assert_output kmsg-write
}

@test "cgroups: devices: a later deny rule takes one access back" {
	is_v2 && skip "v2 device filters are tested in integration/vm (eBPF)"
	update_config '.mounts += [{"destination": "/dev/kmsg", "type": "bind",
		"source": "/dev/kmsg", "options": ["bind"]}]
		| .linux.resources.devices += [
			{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwm"},
			{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	run_in_container sh -c 'echo husk-cgroups-test > /dev/kmsg && echo kmsg-write'
	assert_failure
	assert_output --partial 'Operation not permitted'
}

@test "cgroups: a memory hog is OOM-killed at memory.limit" {
	update_config '.linux.resources.memory = {"limit": 16777216}'
	# dd allocates (and fills) one 64 MiB buffer
	run_in_container sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo "dd=$?"'
	assert_success
	assert_output "dd=137"
	assert_no_leftovers "$ID"
}

@test "cgroups: a fork loop stops at pids.max" {
	update_config '.linux.resources.pids = {"limit": 10}'
	# the subshell dies at the first failed fork; `echo >` needs no fork
	run_detached '(i=0; while [ $i -lt 30 ]; do sleep 100 & i=$((i+1)); done) 2>/dev/null; echo >/ready; exec sleep 100'
	local n
	for ((n = 0; n < 300; n++)); do [ -e "$BUNDLE/rootfs/ready" ] && break; sleep 0.02; done
	[ -e "$BUNDLE/rootfs/ready" ] || fail "fork loop never finished"
	[ "$(cg_read pids pids.current)" -le 10 ]
	# sh plus the sleeps that could fork: 9 once the subshell is gone
	[ "$(wc -l <"$(cg_dir pids)/cgroup.procs")" -ge 8 ]
	grep -q '^max [1-9]' "$(cg_dir pids)/pids.events" || fail "pids.events: $(cg_read pids pids.events)"
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

# cpu_ticks PID: utime + stime of a process, in clock ticks.
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat"
}

@test "cgroups: pause freezes every process, resume thaws them" {
	run_detached 'while :; do :; done'
	local pid a b
	pid=$(state_field "$ID" pid)
	sleep 0.2
	run husk pause "$ID"
	assert_success
	[ "$(state_field "$ID" status)" = paused ]
	run husk list --format json
	assert_success
	[ "$(echo "$output" | jq -r --arg id "$ID" '.[] | select(.id == $id) | .status')" = paused ]
	if is_v2; then
		[ "$(cg_read freezer cgroup.freeze)" = 1 ]
	else
		[ "$(cg_read freezer freezer.state)" = FROZEN ]
	fi
	# a frozen busy loop gets no CPU time
	a=$(cpu_ticks "$pid")
	sleep 0.5
	b=$(cpu_ticks "$pid")
	[ "$a" = "$b" ] || fail "the process ran while paused: $a -> $b ticks"
	run husk pause "$ID"
	assert_failure
	assert_output --partial "is paused, not running"
	run husk resume "$ID"
	assert_success
	[ "$(state_field "$ID" status)" = running ]
	sleep 0.5
	b=$(cpu_ticks "$pid")
	[ "$b" -gt "$a" ] || fail "the process did not run after resume"
	run husk resume "$ID"
	assert_failure
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "cgroups: delete --force of a paused container removes every cgroup" {
	run_detached 'sleep 100 & sleep 100'
	husk pause "$ID"
	run husk delete --force "$ID"
	assert_success
	assert_no_leftovers "$ID"
}

@test "cgroups: update changes limits with runc's flags and --resources" {
	update_config '.linux.resources += {"memory": {"limit": 67108864}, "pids": {"limit": 50}}'
	run_detached 'sleep 100'
	run husk update --memory 100M --pids-limit 7 --cpu-shares 300 --cpu-quota 30000 \
		--cpu-period 100000 --cpuset-cpus 0 "$ID"
	assert_success
	[ "$(cg_read pids pids.max)" = 7 ]
	[ "$(cg_read cpuset cpuset.cpus)" = 0 ]
	if is_v2; then
		[ "$(cg_read memory memory.max)" = 104857600 ]
		[ "$(cg_read cpu cpu.max)" = "30000 100000" ]
	else
		[ "$(cg_read memory memory.limit_in_bytes)" = 104857600 ]
		[ "$(cg_read cpu cpu.shares)" = 300 ]
		[ "$(cg_read cpu cpu.cfs_quota_us)" = 30000 ]
	fi
	run husk update --resources - "$ID" <<<'{"pids": {"limit": 12}, "memory": {"limit": -1}}'
	assert_success
	[ "$(cg_read pids pids.max)" = 12 ]
	if is_v2; then
		[ "$(cg_read memory memory.max)" = max ]
	else
		[ "$(cg_read memory memory.limit_in_bytes)" -gt 1000000000000 ]
	fi
	run husk update --pids-limit -1 "$ID"
	assert_success
	[ "$(cg_read pids pids.max)" = max ]
	husk delete --force "$ID"
}

@test "cgroups: update refuses a bad value naming the field and the file" {
	run_detached 'sleep 100'
	run husk update --cpuset-cpus 4095 "$ID"
	assert_failure
	assert_output --partial "linux.resources.cpu.cpus"
	assert_output --partial "cpuset.cpus"
	run husk update --memory lots "$ID"
	assert_failure
	assert_output --partial "--memory"
	run husk update --pids-limit 5 "no-such-$ID"
	assert_failure
	assert_output --partial "does not exist"
	husk delete --force "$ID"
}

@test "cgroups: a bad value fails create naming the field; nothing is left behind" {
	update_config '.linux.resources.cpu = {"cpus": "4095"}'
	run husk create --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.resources.cpu.cpus: write \`4095\` to cpuset.cpus"
	husk delete --force "$ID" 2>/dev/null || true
	assert_no_leftovers "$ID"
	[ ! -e "$(cg_dir cpuset)" ]
}

@test "cgroups: unified keys need cgroup v2 for their controller" {
	is_v2 && skip "this host is cgroup v2: unified keys are tested in integration/vm"
	update_config '.linux.resources.unified = {"memory.high": "1000000"}'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.resources.unified"
	assert_output --partial "memory.high"
	assert_no_leftovers "$ID"
}

@test "cgroups: ps lists the container's processes (json and table)" {
	run_detached 'sleep 100 & sleep 101'
	local pid
	pid=$(state_field "$ID" pid)
	sleep 0.2
	run husk ps --format json "$ID"
	assert_success
	[ "$(jq length <<<"$output")" -ge 2 ]
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	run husk ps "$ID"
	assert_success
	assert_line --index 0 --regexp 'PID'
	assert_output --partial 'sleep 100'
	assert_output --partial 'sleep 101'
	# only the container's processes: not this shell
	refute_output --partial 'bats'
	run husk ps "$ID" -o pid,comm
	assert_success
	assert_line --index 0 --regexp '^ *PID +COMMAND'
	# the init is the last `sleep`: sh execs its last command
	assert_line --regexp "^ *$pid +sleep$"
	husk delete --force "$ID"
}

@test "cgroups: events --stats prints runc-style statistics" {
	update_config '.linux.resources += {"memory": {"limit": 67108864, "swap": 134217728}, "pids": {"limit": 50}}'
	run_detached 'sleep 100'
	run husk events --stats "$ID"
	assert_success
	jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<<"$output"
	jq -e '.data.memory.usage.usage > 0 and .data.memory.usage.limit == 67108864' <<<"$output"
	jq -e '.data.pids.current >= 1 and .data.pids.limit == 50' <<<"$output"
	jq -e '.data.cpu.usage.total > 0' <<<"$output"
	jq -e '.data.memory.raw | type == "object"' <<<"$output"
	# v1: each counter group is read from its own files (memsw, kmem, kmem.tcp)
	if ! is_v2; then
		local f group
		for group in swap:memory.memsw kernel:memory.kmem kernelTCP:memory.kmem.tcp; do
			f=$(cg_dir memory)/${group#*:}.limit_in_bytes
			[ -e "$f" ] || continue
			jq -e --arg g "${group%%:*}" --argjson v "$(cat "$f")" \
				'.data.memory[$g].limit == $v' <<<"$output" ||
				fail "${group%%:*}.limit is not $f: $output"
		done
	fi
	husk delete --force "$ID"
}

@test "cgroups: events reports an OOM kill and stats at each interval" {
	update_config '.linux.resources.memory = {"limit": 16777216}'
	run_detached 'sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; sleep 100'
	local out=$BATS_TEST_TMPDIR/events
	husk events --interval 300ms "$ID" >"$out" &
	local ev=$!
	local n
	for ((n = 0; n < 100; n++)); do grep -q '"type":"oom"' "$out" && break; sleep 0.05; done
	kill "$ev" 2>/dev/null || true
	wait "$ev" 2>/dev/null || true
	grep -q "{\"type\":\"oom\",\"id\":\"$ID\"}" "$out" || fail "no oom event: $(cat "$out")"
	grep -q '"type":"stats"' "$out" || fail "no stats: $(cat "$out")"
	husk delete --force "$ID"
}

@test "cgroups: events stops when the container stops" {
	run_detached 'sleep 1'
	run timeout 10 "$HUSK" --root "$STATE_ROOT" events --interval 200ms "$ID"
	assert_success
	assert_output --partial '"type":"stats"'
}

@test "cgroups: kill --all reaches every process in the cgroup" {
	run_detached 'sleep 100 & sleep 100 & sleep 100'
	sleep 0.2
	local pids
	pids=$(cat "$(cg_dir pids)/cgroup.procs")
	[ "$(wc -w <<<"$pids")" -eq 3 ] || fail "expected 3 processes: $pids"
	run husk kill --all "$ID" KILL
	assert_success
	local p n
	for ((n = 0; n < 200; n++)); do
		local alive=0
		for p in $pids; do pid_alive "$p" && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.02
	done
	[ $alive = 0 ] || fail "processes survived kill --all"
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "cgroups: absolute and relative cgroupsPath; parents we made are removed, others kept" {
	local top=husk-t-$$-$BATS_TEST_NUMBER
	update_config ".linux.cgroupsPath = \"/$top/a/$ID\""
	run_detached 'sleep 100'
	[ -d "$(cg_dir pids "$ID" "/$top/a/$ID")" ]
	grep -q "$top/a/$ID" "/proc/$(state_field "$ID" pid)/cgroup"
	husk delete --force "$ID"
	[ ! -e "$(cg_dir pids "$ID" "/$top")" ] || fail "the parents husk made were left behind"

	# relative: under the hierarchy's root; a parent that existed stays
	local d
	for d in $(is_v2 && echo /sys/fs/cgroup || ls -d /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/); do
		[ -f "$d/cgroup.procs" ] && mkdir -p "$d/$top"
	done
	update_config ".linux.cgroupsPath = \"$top/$ID\""
	run_detached 'sleep 100'
	[ -d "$(cg_dir memory "$ID" "/$top/$ID")" ]
	husk delete --force "$ID"
	[ ! -e "$(cg_dir memory "$ID" "/$top/$ID")" ]
	[ -d "$(cg_dir memory "$ID" "/$top")" ] || fail "a pre-existing parent was removed"
	for d in $(is_v2 && echo /sys/fs/cgroup || ls -d /sys/fs/cgroup/*/ /sys/fs/cgroup/unified/); do
		rmdir "$d/$top" 2>/dev/null || true
	done
	assert_no_leftovers "$ID"
}

@test "cgroups: cgroupsPath with .. is refused" {
	update_config '.linux.cgroupsPath = "/husk/../../escape"'
	run husk run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "linux.cgroupsPath"
	assert_no_leftovers "$ID"
}

@test "cgroups: hybrid hosts also get the cgroup in the unified hierarchy" {
	is_v2 && skip "not a hybrid host: /sys/fs/cgroup is cgroup2"
	[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] ||
		skip "not a hybrid host: no cgroup2 at /sys/fs/cgroup/unified"
	run_detached 'sleep 100'
	local pid
	pid=$(state_field "$ID" pid)
	[ -d "/sys/fs/cgroup/unified/husk/$ID" ]
	grep -qx "0::/husk/$ID" "/proc/$pid/cgroup"
	grep -qx "$pid" "/sys/fs/cgroup/unified/husk/$ID/cgroup.procs"
	husk delete --force "$ID"
	[ ! -e "/sys/fs/cgroup/unified/husk/$ID" ]
}

@test "cgroups: hybrid hosts take unified keys for controllers only cgroup2 has" {
	is_v2 && skip "not a hybrid host: /sys/fs/cgroup is cgroup2"
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
		skip "the unified hierarchy has no hugetlb controller on this host"
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	update_config '.linux.resources.unified = {"hugetlb.2MB.max": "2097152"}'
	run_detached 'sleep 100'
	[ "$(cat "/sys/fs/cgroup/unified/husk/$ID/hugetlb.2MB.max")" = 2097152 ]
	husk delete --force "$ID"
	assert_no_leftovers "$ID"
}

@test "cgroups: the systemd driver fails clearly without systemd, leaving nothing" {
	[ -S /run/systemd/private ] && skip "systemd runs here: tested in integration/vm"
	run "$HUSK" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "systemd"
	assert_no_leftovers "$ID"
	update_config '.linux.cgroupsPath = "not-the-systemd-form"'
	run "$HUSK" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$ID"
	assert_failure
	assert_output --partial "slice:prefix:name"
}
