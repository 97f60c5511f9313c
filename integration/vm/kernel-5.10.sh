#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE a VM booted with Debian 11's Linux 5.10 (scripts/vm-run,
# VM_KERNEL=bullseye, VM_ROOT=host); driven by integration/vm/kernel-5.10.bats,
# which prepares SHARE with the husk binary, a busybox rootfs and one
# config.json per check (cfg-NAME.json, rootfs at /tmp/k/rootfs here).
# Prints `KEY: VALUE` lines, then `done`.
#
# usage: kernel-5.10.sh SHARE
S=$1
W=/tmp/k
H="$S/husk --root $W/state"
OUT=$S/out

mkdir -p $W
cp -a "$S/rootfs" $W/rootfs
: >"$OUT"
say() { echo "$1: $2" >>"$OUT"; }
bundle() {
	mkdir -p $W/b-$1
	cp "$S/cfg-$1.json" $W/b-$1/config.json
	echo $W/b-$1
}
# run NAME: husk run of cfg-NAME; its output in $W/out-NAME, status printed
run() {
	$H run --bundle "$(bundle $1)" k-$1 >$W/out-$1 2>&1 </dev/null
	echo $?
}

say kernel "$(uname -r | cut -d. -f1,2)"

$S/husk --debug --root $W/state run --bundle "$(bundle base)" k-debug >$W/out-debug 2>&1 </dev/null
grep -q 'kernel: mount_setattr (Linux 5.12): missing' $W/out-debug && say fallback logged
say debug-run "$?"

say exit "$(run exit)"

# mount flags the fallback set: readonlyPaths, /sys, maskedPaths
run mounts >/dev/null
# flags of the mount at $1 in mountinfo $2: the first one, ro or rw
flag() { awk -v p="$1" '$5 == p { split($6, f, ","); print f[1] }' "$2"; }
say proc-bus "$(flag /proc/bus $W/out-mounts)"
say sys "$(flag /sys $W/out-mounts)"
say kcore "$(grep '^kcore=' $W/out-mounts | cut -d= -f2)"

# a read-only bind with nosuid,noexec; rro reaches a submount
mkdir -p $W/vol/sub
mount -t tmpfs tmpfs $W/vol/sub
run binds >/dev/null
say bind-ro "$(grep '^top=' $W/out-binds | cut -d= -f2)"
say rro-sub "$(grep '^sub=' $W/out-binds | cut -d= -f2)"
say bind-flags "$(awk '$5 == "/ro" { print $6 }' $W/out-binds)"
umount $W/vol/sub

say tmpcopyup "$(run tmpcopyup)-$(cat $W/out-tmpcopyup)"

# devices and the cgroup v2 device filter
run devices >/dev/null
say devices "$(tr '\n' ' ' <$W/out-devices)"

# cgroup v2 limits, seen from inside (cgroup namespace)
run cgroup >/dev/null
say memory.max "$(grep '^mem=' $W/out-cgroup | cut -d= -f2)"
say pids.max "$(grep '^pids=' $W/out-cgroup | cut -d= -f2)"

# exec into a running container, then kill and delete it
$H run -d --bundle "$(bundle sleep)" k-sleep >/dev/null 2>&1 </dev/null
say exec "$($H exec k-sleep cat /proc/1/cmdline 2>&1 | tr '\0' ' ')"
say exec-ns "$([ "$($H exec k-sleep readlink /proc/self/ns/mnt)" = "$(readlink /proc/$($H state k-sleep | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')/ns/mnt)" ] && echo same)"
$H kill k-sleep KILL
i=0
while [ $i -lt 100 ] && $H state k-sleep 2>/dev/null | grep -q running; do sleep 0.1; i=$((i + 1)); done
$H delete k-sleep
say delete "$?"

# hooks: prestart on the host, startContainer in the container
rm -f $W/hook-prestart
say hooks "$(run hooks)-$(cat $W/hook-prestart 2>/dev/null)"

say capeff "$(run caps >/dev/null; grep '^CapEff' $W/out-caps | tr -d '\t' | cut -d: -f2)"
say seccomp "$(run seccomp)-$(grep -c 'Invalid cross-device link' $W/out-seccomp)"
say userns "$(run userns)-$(tr -s ' \n' ' ' <$W/out-userns)"

# idmapped mounts need 5.12: refused naming the option, nothing left
say idmap "$(run idmap)"
grep -q 'mounts\[\].options `idmap` needs idmapped mounts (Linux 5.12' $W/out-idmap && say idmap-error named

say leftovers "$($H list -q | wc -l)-$(find /sys/fs/cgroup -name 'k-*' -type d | wc -l)"
echo done >>"$OUT"
