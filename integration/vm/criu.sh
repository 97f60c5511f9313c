#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE a throw-away VM (vm-run, VM_ROOT=host: this machine's / with
# its criu and runc, on the Debian 6.1 kernel where `criu check` passes);
# driven by integration/vm/criu.bats, which puts the husk binary, the
# console receiver and a busybox rootfs tarball into SHARE.  Checkpoints and
# restores husk containers and prints `KEY: VALUE` lines, then `done`.
#
# usage: criu.sh SHARE
S=$1
W=/tmp/cr
H="$S/husk --root $W/state"
mkdir -p $W/rootfs
tar -C $W/rootfs -xf "$S/busybox.tar"
(cd $W && $S/husk spec && mv config.json spec.json)

now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

# bundle NAME JQ ARGS_JSON: $W/b-NAME with a writable copy of the rootfs
bundle() {
	mkdir -p $W/b-$1
	cp -a $W/rootfs $W/b-$1/rootfs
	jq "$2 | .root.readonly = false | .process.terminal = false | .process.args = $3" \
		$W/spec.json >$W/b-$1/config.json
}

pid_of() { $H state "$1" | jq -r .pid; }
status_of() { $H state "$1" 2>/dev/null | jq -r .status; }
count_of() { cat $W/b-$1/rootfs/count 2>/dev/null; }
# the cgroup the restored init is in, against the state's
cg_ok() {
	local p
	p=$(pid_of "$1")
	if grep -qx "0::$($H state "$1" >/dev/null; jq -r .husk.cgroup_path $W/state/$1/state.json 2>/dev/null)" /proc/$p/cgroup; then
		echo yes
	else
		echo "no: $(cat /proc/$p/cgroup) vs $(jq -c . $W/state/$1/state.json)"
	fi
}

# the count is renamed into place: a dump between a truncate and a write
# would leave an empty file to compare
COUNTER='["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i >/count.new; mv /count.new /count; sleep 0.1; done"]'

t0=$(now)
echo "criu-check: $(criu check >/dev/null 2>&1; echo $?)"
echo "criu-check-ms: $(ms $t0 $(now))"

# --- a counter checkpointed, deleted and restored: the count goes on
bundle c1 . "$COUNTER"
$H run -d --bundle $W/b-c1 c1 </dev/null >$W/c1.out 2>&1
sleep 3
t0=$(now)
$H checkpoint --image-path $W/img-c1 c1 2>$W/err
echo "ckpt-rc: $?"
t1=$(now)
sed 's/^/ckpt-err: /' $W/err
echo "ckpt-status: $(status_of c1)"
echo "ckpt-mode: $(stat -c %a $W/img-c1)"
c1=$(count_of c1)
sleep 1
echo "ckpt-frozen-count: $([ "$(count_of c1)" = "$c1" ] && echo yes || echo no)"
$H delete c1
t2=$(now)
$H restore -d --image-path $W/img-c1 --bundle $W/b-c1 c1 </dev/null >>$W/c1.out 2>$W/err
echo "restore-rc: $?"
t3=$(now)
sed 's/^/restore-err: /' $W/err
sleep 1
c2=$(count_of c1)
echo "restore-continues: $([ -n "$c1" ] && [ "$c2" -gt "$c1" ] 2>/dev/null && [ "$c1" -gt 10 ] && echo yes || echo "no: $c1 then $c2")"
echo "restore-status: $(status_of c1)"
p=$(pid_of c1)
st=$(jq -r .husk.start_time $W/state/c1/state.json 2>/dev/null)
echo "restore-pid-alive: $([ -d /proc/$p ] && echo yes || echo no)"
echo "restore-start-time: $([ "$st" = "$(cut -d' ' -f22 /proc/$p/stat 2>/dev/null)" ] && echo yes || echo "no: $st")"
echo "restore-cgroup: $(cg_ok c1)"
echo "restore-exec: $($H exec c1 sh -c 'test -f /count && echo ok' 2>&1)"
$H pause c1
echo "restore-pause: $(status_of c1)"
$H resume c1
echo "restore-resume: $(status_of c1)"
$H kill c1 KILL
sleep 0.5
echo "restore-kill: $(status_of c1)"
$H delete c1
echo "restore-delete: $($H state c1 >/dev/null 2>&1 && echo left || echo gone)"
echo "times-small: checkpoint $(ms $t0 $t1) ms, restore $(ms $t2 $t3) ms"

# --- --leave-running: same process, still counting
bundle c2 . "$COUNTER"
$H run -d --bundle $W/b-c2 c2 </dev/null >/dev/null 2>&1
sleep 1
p1=$(pid_of c2)
$H checkpoint --leave-running --image-path $W/img-c2 c2 2>$W/err
echo "leave-rc: $?"
sed 's/^/leave-err: /' $W/err
c1=$(count_of c2)
sleep 1
echo "leave-status: $(status_of c2)"
echo "leave-same-pid: $([ "$(pid_of c2)" = "$p1" ] && echo yes || echo no)"
echo "leave-counting: $([ "$(count_of c2)" -gt "$c1" ] && echo yes || echo no)"

# --- restore the --leave-running images under a new id, next to the original
$H restore -d --image-path $W/img-c2 --work-path $W/work-c2b --bundle $W/b-c2 c2b </dev/null >/dev/null 2>$W/err
echo "newid-rc: $?"
sed 's/^/newid-err: /' $W/err
echo "newid-status: $(status_of c2b)"
echo "newid-cgroup: $(cg_ok c2b)"
echo "newid-other-pid: $([ "$(pid_of c2b)" != "$(pid_of c2)" ] && echo yes || echo no)"
echo "newid-log: $([ -s $W/work-c2b/restore.log ] && echo yes || echo no)"
$H delete -f c2b
$H delete -f c2

# --- --pre-dump, then the final dump on top of it
bundle c3 . "$COUNTER"
$H run -d --bundle $W/b-c3 c3 </dev/null >/dev/null 2>&1
sleep 1
$H checkpoint --pre-dump --image-path $W/pd/parent c3 2>$W/err
echo "predump-rc: $?"
sed 's/^/predump-err: /' $W/err
echo "predump-status: $(status_of c3)"
$H checkpoint --image-path $W/pd/final --parent-path ../parent c3 2>$W/err
echo "predump-final-rc: $?"
sed 's/^/predump-final-err: /' $W/err
echo "predump-parent-link: $(readlink $W/pd/final/parent)"
c1=$(count_of c3)
$H delete c3
$H restore -d --image-path $W/pd/final --bundle $W/b-c3 c3 </dev/null >/dev/null 2>$W/err
echo "predump-restore-rc: $?"
sed 's/^/predump-restore-err: /' $W/err
sleep 1
echo "predump-continues: $([ "$(count_of c3)" -gt "$c1" ] 2>/dev/null && echo yes || echo no)"
$H delete -f c3

# --- a paused container
bundle c4 . "$COUNTER"
$H run -d --bundle $W/b-c4 c4 </dev/null >/dev/null 2>&1
sleep 1
$H pause c4
c1=$(count_of c4)
$H checkpoint --image-path $W/img-c4 c4 2>$W/err
echo "paused-rc: $?"
sed 's/^/paused-err: /' $W/err
echo "paused-status: $(status_of c4)"
$H delete c4
$H restore -d --image-path $W/img-c4 --bundle $W/b-c4 c4 </dev/null >/dev/null 2>$W/err
echo "paused-restore-rc: $?"
sed 's/^/paused-restore-err: /' $W/err
$H resume c4 2>/dev/null
sleep 1
echo "paused-restore-status: $(status_of c4)"
echo "paused-continues: $([ "$(count_of c4)" -gt "$c1" ] 2>/dev/null && echo yes || echo "no: $c1 then $(count_of c4)")"
$H delete -f c4

# --- a terminal: the pty master went to a console socket; restore sends a
# new one to another socket, and the same shell answers on it
RECV=$S/console-receiver
wait_sock() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.1; done; return 1; }
# (husk makes it a shell job for CRIU by itself: no --shell-job here)
bundle t1 . '["sh", "-c", "while read -r l; do eval \"$l\"; done"]'
jq '.process.terminal = true' $W/b-t1/config.json >$W/t1.json && mv $W/t1.json $W/b-t1/config.json
$RECV -t 120 $W/t1.sock >$W/t1.recv 2>&1 &
wait_sock $W/t1.sock
$H create --console-socket $W/t1.sock --bundle $W/b-t1 t1 </dev/null >/dev/null 2>&1 && $H start t1
echo "tty-started: $(status_of t1)"
$H exec t1 sh -c 'echo before >/mark'
$H checkpoint --image-path $W/img-t1 t1 2>$W/err
echo "tty-ckpt-rc: $?"
sed 's/^/tty-ckpt-err: /' $W/err
$H delete t1
$RECV -t 60 -m MARK-42 $W/t2.sock 'tty; echo MARK-$((40+2))' >$W/t2.recv 2>&1 &
rpid=$!
wait_sock $W/t2.sock
$H restore -d --console-socket $W/t2.sock --image-path $W/img-t1 --bundle $W/b-t1 t1 </dev/null >/dev/null 2>$W/err
echo "tty-restore-rc: $?"
sed 's/^/tty-restore-err: /' $W/err
wait $rpid
echo "tty-answers: $?"
echo "tty-is-tty: $(tr -d '\r' <$W/t2.recv | grep -c 'not a tty')"
$H delete -f t1

# --- an established TCP connection inside the container's own network
# namespace: the stream goes on after the restore
bundle n1 . '["sh", "-c", "sleep 1000000 | nc -l -p 5000 >/recv & sleep 1; i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done | nc 127.0.0.1 5000"]'
$H run -d --bundle $W/b-n1 n1 </dev/null >/dev/null 2>&1
sleep 3
echo "tcp-netns: $([ "$(readlink /proc/$(pid_of n1)/ns/net)" != "$(readlink /proc/self/ns/net)" ] && echo own || echo host)"
echo "tcp-established: $(nsenter -t $(pid_of n1) -n cat /proc/net/tcp /proc/net/tcp6 | awk '$4 == "01"' | wc -l)"
$H checkpoint --tcp-established --image-path $W/img-n1 n1 2>$W/err
echo "tcp-ckpt-rc: $?"
sed 's/^/tcp-ckpt-err: /' $W/err
c1=$(tail -1 $W/b-n1/rootfs/recv)
$H delete n1
$H restore -d --tcp-established --image-path $W/img-n1 --bundle $W/b-n1 n1 </dev/null >/dev/null 2>$W/err
echo "tcp-restore-rc: $?"
sed 's/^/tcp-restore-err: /' $W/err
sleep 2
c2=$(tail -1 $W/b-n1/rootfs/recv)
echo "tcp-continues: $([ "$c2" -gt "$c1" ] 2>/dev/null && echo yes || echo "no: $c1 then $c2")"
echo "tcp-in-order: $(awk 'NR != $1 {print "no at " NR; exit} END {if (NR) print "yes"}' $W/b-n1/rootfs/recv | head -1)"
$H delete -f n1

# --- 100 MiB of process memory: husk against runc, same bundle, same VM
cat >$W/rootfs/mem.sh <<'EOS'
x=$(head -c 104857600 /dev/zero | tr '\0' a)
echo ready >/ready
while :; do sleep 1; done
EOS
measure() { # RUNTIME NAME
	local rt=$1 n=$2 b=$W/b-$2
	bundle $n . '["sh", "/mem.sh"]'
	$rt run -d --bundle $b $n </dev/null >/dev/null 2>&1
	for _ in $(seq 600); do [ -f $b/rootfs/ready ] && break; sleep 0.1; done
	local p=$($rt state $n | jq -r .pid)
	echo "mem-$n-rss-kib: $(awk '/^VmRSS/ {print $2}' /proc/$p/status)"
	local t0=$(now)
	$rt checkpoint --image-path $W/img-$n $n 2>$W/err
	local rc=$? t1=$(now)
	sed "s/^/mem-$n-err: /" $W/err
	$rt delete $n >/dev/null 2>&1
	local t2=$(now)
	$rt restore -d --image-path $W/img-$n --bundle $b $n </dev/null >/dev/null 2>$W/err
	local rc2=$? t3=$(now)
	sed "s/^/mem-$n-err: /" $W/err
	echo "mem-$n-rc: $rc $rc2"
	echo "mem-$n-status: $($rt state $n | jq -r .status)"
	echo "mem-$n-images-mib: $(du -sm $W/img-$n | cut -f1)"
	echo "mem-$n-checkpoint-ms: $(ms $t0 $t1)"
	echo "mem-$n-restore-ms: $(ms $t2 $t3)"
	$rt delete -f $n >/dev/null 2>&1
}
measure "$H" husk100
if command -v runc >/dev/null; then
	measure "runc --root $W/runc" runc100
fi

echo done
