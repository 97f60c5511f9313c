#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE a pure cgroup v2 VM (scripts/vm-run); driven by
# integration/vm/cgroups-v2.bats, which prepares SHARE with the husk binary,
# a busybox rootfs and one config.json per check (made with jq on the host:
# the VM image has no jq).  Prints one line per check, `ok NAME` or
# `FAIL NAME: why`; exits with the number of failures.
#
# usage: cgroupv2-checks.sh SHARE cgroupfs|systemd
S=$1
MODE=$2
W=/tmp/v2
H="$S/husk --root $W/state"
[ "$MODE" = systemd ] && H="$H --systemd-cgroup"
FAILS=0

mkdir -p $W
cp -a "$S/rootfs" $W/rootfs

ok() { echo "ok $1"; }
bad() {
	echo "FAIL $1: $2"
	FAILS=$((FAILS + 1))
}
# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected \`$2\`, got \`$3\`"; fi
}
bundle() {
	mkdir -p $W/b-$1
	cp "$S/cfg-$1.json" $W/b-$1/config.json
	echo $W/b-$1
}
start() { # start NAME ID: create + start from cfg-NAME
	$H create --bundle "$(bundle $1)" $2 2>$W/err-$2 && $H start $2 2>>$W/err-$2
}
wait_file() {
	i=0
	while [ $i -lt 200 ] && [ ! -e "$1" ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$1" ]
}
statusof() { $H state $1 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }
pidof_c() { $H state $1 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }

expect layout cgroup2fs "$(stat -f -c %T /sys/fs/cgroup)"

if [ "$MODE" = cgroupfs ]; then
	# ---- every resource, read back ----
	if start res cgv2-res; then
		d=/sys/fs/cgroup/husk/cgv2-res
		expect res-memory.max 67108864 "$(cat $d/memory.max)"
		expect res-memory.swap.max 33554432 "$(cat $d/memory.swap.max)"
		expect res-memory.low 33554432 "$(cat $d/memory.low)"
		expect res-unified-memory.high 52428800 "$(cat $d/memory.high)"
		expect res-cpu.max "20000 100000" "$(cat $d/cpu.max)"
		expect res-cpu.weight 20 "$(cat $d/cpu.weight)"
		expect res-cpuset.cpus 0 "$(cat $d/cpuset.cpus)"
		expect res-pids.max 50 "$(cat $d/pids.max)"
		pid=$(pidof_c cgv2-res)
		expect res-init-placed "0::/husk/cgv2-res" "$(cat /proc/$pid/cgroup)"
		# only the controllers the resources need are enabled below /husk
		sc=$(cat /sys/fs/cgroup/husk/cgroup.subtree_control)
		case " $sc " in
		*" io "*) bad res-only-needed-controllers "io enabled: $sc" ;;
		*memory*pids*) ok res-only-needed-controllers ;;
		*) bad res-only-needed-controllers "got: $sc" ;;
		esac
		st=$($H events --stats cgv2-res)
		case "$st" in
		*'"type":"stats"'*'"memory":{'*'"pids":{"current":1,"limit":50}'*) ok events-stats ;;
		*) bad events-stats "$st" ;;
		esac
		ps=$($H ps --format json cgv2-res)
		expect ps-json "[$pid]" "$ps"
		if $H update --memory 100M --pids-limit 7 --cpu-quota 30000 cgv2-res; then
			expect update-memory.max 104857600 "$(cat $d/memory.max)"
			expect update-pids.max 7 "$(cat $d/pids.max)"
			expect update-cpu.max "30000 100000" "$(cat $d/cpu.max)"
		else
			bad update "husk update failed"
		fi
		$H delete --force cgv2-res
		if [ -e $d ]; then bad res-delete "$d left"; else ok res-delete; fi
	else
		bad res "create failed: $(cat $W/err-cgv2-res)"
	fi

	# ---- devices: the eBPF filter ----
	out=$($H run --bundle "$(bundle dev)" cgv2-dev 2>&1)
	case "$out" in
	*null-ok*kmsg-denied*) ok devices-deny ;;
	*) bad devices-deny "$out" ;;
	esac
	out=$($H run --bundle "$(bundle devallow)" cgv2-devallow 2>&1)
	case "$out" in
	*kmsg-open*) ok devices-allow ;;
	*) bad devices-allow "$out" ;;
	esac

	out=$($H run --bundle "$(bundle devpartial)" cgv2-devpartial 2>&1)
	case "$out" in
	kmsg-denied) ok devices-partial-deny ;;
	*) bad devices-partial-deny "$out" ;;
	esac

	# ---- cgroup namespace: the container's cgroup is its root ----
	out=$($H run --bundle "$(bundle cgns)" cgv2-cgns 2>&1)
	case "$out" in
	"0::/"*pids.max*) ok cgroupns ;;
	*) bad cgroupns "$out" ;;
	esac

	# ---- enforcement ----
	out=$($H run --bundle "$(bundle oom)" cgv2-oom 2>&1)
	expect oom-killed dd=137 "$out"

	rm -f $W/rootfs/ready
	if start pids cgv2-pids && wait_file $W/rootfs/ready; then
		d=/sys/fs/cgroup/husk/cgv2-pids
		n=$(cat $d/pids.current)
		if [ "$n" -le 10 ] && grep -q '^max [1-9]' $d/pids.events; then
			ok pids-enforced
		else
			bad pids-enforced "pids.current=$n events=$(cat $d/pids.events)"
		fi
	else
		bad pids-enforced "start failed: $(cat $W/err-cgv2-pids)"
	fi
	$H delete --force cgv2-pids

	if start freeze cgv2-frz && $H pause cgv2-frz; then
		d=/sys/fs/cgroup/husk/cgv2-frz
		pid=$(pidof_c cgv2-frz)
		# a frozen busy loop gets no CPU time
		a=$(awk '{print $14 + $15}' /proc/$pid/stat)
		sleep 0.5
		b=$(awk '{print $14 + $15}' /proc/$pid/stat)
		if [ "$a" = "$b" ] && [ "$(cat $d/cgroup.freeze)" = 1 ] &&
			[ "$(statusof cgv2-frz)" = paused ]; then
			ok freeze
		else
			bad freeze "ticks $a -> $b, cgroup.freeze $(cat $d/cgroup.freeze), status $(statusof cgv2-frz)"
		fi
		$H resume cgv2-frz
		sleep 0.5
		c=$(awk '{print $14 + $15}' /proc/$pid/stat)
		if [ "$c" -gt "$b" ] && [ "$(statusof cgv2-frz)" = running ]; then ok thaw; else bad thaw "ticks stuck at $c"; fi
		# delete while frozen: everything goes
		$H pause cgv2-frz
		$H delete --force cgv2-frz
		if [ -e $d ]; then bad delete-frozen "$d left"; else ok delete-frozen; fi
	else
		bad freeze "start/pause failed: $(cat $W/err-cgv2-frz)"
	fi

	# ---- an OOM event from `events` ----
	# The container waits for /oom-go, made once `events` has printed its
	# first statistics (so it watches memory.events): under TCG on a busy
	# host a fixed delay let the OOM come before `events` started.
	rm -f $W/rootfs/oom-go
	if start oomev cgv2-oomev; then
		$H events --interval 300ms cgv2-oomev >$W/events.out 2>&1 &
		ev=$!
		i=0
		while [ $i -lt 400 ] && ! grep -q '"type":"stats"' $W/events.out; do
			sleep 0.05
			i=$((i + 1))
		done
		touch $W/rootfs/oom-go
		i=0
		while [ $i -lt 400 ] && ! grep -q '"type":"oom"' $W/events.out; do
			sleep 0.05
			i=$((i + 1))
		done
		kill $ev 2>/dev/null
		if grep -q '{"type":"oom","id":"cgv2-oomev"}' $W/events.out; then
			ok events-oom
		else
			bad events-oom "$(cat $W/events.out)"
		fi
		$H delete --force cgv2-oomev
	else
		bad events-oom "start failed"
	fi

	# ---- a bad value: clear error, nothing left ----
	out=$($H create --bundle "$(bundle bad)" cgv2-bad 2>&1)
	case "$out" in
	*"linux.resources.cpu.cpus"*cpuset.cpus*) ok bad-value-error ;;
	*) bad bad-value-error "$out" ;;
	esac
	$H delete --force cgv2-bad >/dev/null 2>&1
	if [ -e /sys/fs/cgroup/husk/cgv2-bad ]; then bad bad-value-cleanup "cgroup left"; else ok bad-value-cleanup; fi
else
	# ---- the systemd driver ----
	if start sd cgv2-sd; then
		u=husk-cgv2-sd.scope
		expect sd-MemoryMax 67108864 "$(systemctl show -p MemoryMax --value $u)"
		expect sd-TasksMax 50 "$(systemctl show -p TasksMax --value $u)"
		expect sd-CPUQuota 200ms "$(systemctl show -p CPUQuotaPerSecUSec --value $u)"
		expect sd-Delegate yes "$(systemctl show -p Delegate --value $u)"
		d=/sys/fs/cgroup/system.slice/$u
		expect sd-memory.max 67108864 "$(cat $d/memory.max)"
		expect sd-pids.max 50 "$(cat $d/pids.max)"
		expect sd-cpu.max "20000 100000" "$(cat $d/cpu.max)"
		pid=$(pidof_c cgv2-sd)
		expect sd-init-in-scope "0::/system.slice/$u" "$(cat /proc/$pid/cgroup)"
		if $H pause cgv2-sd && [ "$(statusof cgv2-sd)" = paused ] && $H resume cgv2-sd; then
			ok sd-pause
		else
			bad sd-pause "status $(statusof cgv2-sd)"
		fi
		$H delete --force cgv2-sd
		sleep 0.2
		if systemctl is-active -q $u || [ -e $d ]; then bad sd-delete "unit or $d left"; else ok sd-delete; fi
	else
		bad sd "create failed: $(cat $W/err-cgv2-sd)"
	fi
	if start sddefault cgv2-sdd; then
		expect sd-default-unit active "$(systemctl is-active husk-cgv2-sdd.scope)"
		$H delete --force cgv2-sdd
	else
		bad sd-default-unit "create failed: $(cat $W/err-cgv2-sdd)"
	fi
fi
echo "done $FAILS"
exit $FAILS
