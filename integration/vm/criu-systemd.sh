#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE a throw-away VM booted with systemd (vm-run VM_INIT=systemd,
# Debian 13's image with criu 4.1); driven by integration/vm/criu-trixie.bats
# after criu.sh.  A container under the systemd cgroup driver
# (--systemd-cgroup, cgroupsPath SLICE:PREFIX:NAME) is checkpointed and
# restored: the restored processes are in the scope systemd made for the
# restored container.  Prints `KEY: VALUE` lines.
#
# usage: criu-systemd.sh SHARE
S=$1
W=/tmp/crs
H="$S/husk --root $W/state --systemd-cgroup"
mkdir -p $W/b/rootfs
tar -C $W/b/rootfs -xf "$S/busybox.tar"
(cd $W && $S/husk spec && mv config.json spec.json)
jq '.root.readonly = false | .process.terminal = false | .linux.cgroupsPath = "system.slice:husk:sd1"
    | .process.args = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i >/count.new; mv /count.new /count; sleep 0.1; done"]' \
	$W/spec.json >$W/b/config.json

pid_of() { $H state "$1" | jq -r .pid; }
count_of() { cat $W/b/rootfs/count 2>/dev/null; }
# in_scope PID: the process's cgroup is husk-sd1.scope and systemd has the unit
in_scope() {
	local cg
	cg=$(sed -n 's/^0:://p' /proc/$1/cgroup)
	if [ "$cg" = /system.slice/husk-sd1.scope ] &&
		[ "$(systemctl show -p ActiveState --value husk-sd1.scope)" = active ]; then
		echo yes
	else
		echo "no: $cg, unit $(systemctl show -p ActiveState --value husk-sd1.scope)"
	fi
}

$H run -d --bundle $W/b sd1 </dev/null >/dev/null 2>&1
sleep 1
echo "systemd-run-scope: $(in_scope "$(pid_of sd1)")"
$H checkpoint --image-path $W/img sd1 2>$W/err
echo "systemd-ckpt-rc: $?"
sed 's/^/systemd-ckpt-err: /' $W/err
c1=$(count_of)
$H delete sd1
echo "systemd-scope-gone: $(systemctl show -p ActiveState --value husk-sd1.scope)"
$H restore -d --image-path $W/img --bundle $W/b sd1 </dev/null >/dev/null 2>$W/err
echo "systemd-restore-rc: $?"
sed 's/^/systemd-restore-err: /' $W/err
sleep 1
c2=$(count_of)
echo "systemd-continues: $([ -n "$c1" ] && [ "$c2" -gt "$c1" ] 2>/dev/null && echo yes || echo "no: $c1 then $c2")"
echo "systemd-restore-scope: $(in_scope "$(pid_of sd1)")"
$H delete -f sd1
echo "systemd-deleted: $(systemctl show -p ActiveState --value husk-sd1.scope)"
echo done
