#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# criu-bench.sh: the time of a checkpoint and of a restore of a container
# holding 100 MiB of memory, husk against runc, in the same throw-away VM
# (vm-run, VM_ROOT=host: this machine's criu and runc on the Debian 6.1
# kernel), alternating the two, N rounds each; prints every round and the
# medians.  Not a test: the figures of the CRIU issue's closing note.
#
# usage: scripts/criu-bench.sh [HUSK_BINARY] [ROUNDS]     (as root)
#   inside the VM it runs itself as: criu-bench.sh --in-vm SHARE ROUNDS
set -euo pipefail

if [ "${1:-}" != --in-vm ]; then
	here=$(cd "$(dirname "$0")" && pwd)
	husk=$(realpath "${1:-$here/../runtime/husk}")
	rounds=${2:-5}
	share=$(mktemp -d /tmp/criu-bench.XXXXXX)
	trap 'rm -rf "$share"' EXIT
	cp "$husk" "$share"/husk
	cp "$0" "$share"/criu-bench.sh
	"$here"/make-rootfs.sh "$share"/rootfs >/dev/null
	tar -C "$share"/rootfs --numeric-owner -cf "$share"/busybox.tar .
	VM_ROOT=host VM_SHARE=$share VM_TIMEOUT=${VM_TIMEOUT:-1800} \
		"$here"/vm-run "bash $share/criu-bench.sh --in-vm $share $rounds"
	exit
fi

S=$2
ROUNDS=$3
W=/tmp/bench
mkdir -p $W/rootfs
tar -C $W/rootfs -xf "$S/busybox.tar"
cat >$W/rootfs/mem.sh <<'EOS'
x=$(head -c 104857600 /dev/zero | tr '\0' a)
echo ready >/ready
while :; do sleep 1; done
EOS
(cd $W && $S/husk spec && mv config.json spec.json)
jq '.root.readonly = false | .process.terminal = false | .process.args = ["sh", "/mem.sh"]' \
	$W/spec.json >$W/config.json
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

# one RUNTIME_NAME RUNTIME...: run, wait for the 100 MiB, checkpoint, restore
one() {
	local name=$1 b=$W/b-$1
	shift
	rm -rf $b $W/img-$name
	mkdir -p $b
	cp -a $W/rootfs $b/rootfs
	cp $W/config.json $b/
	"$@" run -d --bundle $b $name </dev/null >/dev/null 2>&1
	for _ in $(seq 600); do [ -f $b/rootfs/ready ] && break; sleep 0.1; done
	sync
	local t0 t1 t2 t3
	t0=$(now)
	"$@" checkpoint --image-path $W/img-$name $name
	t1=$(now)
	"$@" delete $name >/dev/null 2>&1 || true
	t2=$(now)
	"$@" restore -d --image-path $W/img-$name --bundle $b $name </dev/null >/dev/null
	t3=$(now)
	# criu's own time: the last timestamp of its log (seconds since it began)
	echo "$name checkpoint-ms $(ms $t0 $t1) restore-ms $(ms $t2 $t3) criu-dump-s $(criu_s $W/img-$name/dump.log) criu-restore-s $(criu_s $W/img-$name/restore.log) images-mib $(du -sm $W/img-$name | cut -f1) status $("$@" state $name | jq -r .status)"
	"$@" delete -f $name >/dev/null 2>&1
}

criu_s() { tail -1 "$1" | sed -n 's/^(\([0-9.]*\)).*/\1/p'; }
criu check >/dev/null 2>&1 || { echo "criu check fails in the VM"; exit 1; }
# husk runs `criu check` before its first checkpoint after a boot (then
# remembers the pass); runc never does.  Timed apart, out of the rounds.
t0=$(now)
$S/husk checkpoint --help >/dev/null
echo "husk first criu check: $(ms $t0 $(now)) ms"
for r in $(seq "$ROUNDS"); do
	one husk $S/husk --root $W/husk-state
	one runc runc --root $W/runc-state
done | tee $W/rounds
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for rt in husk runc; do
	for f in checkpoint-ms restore-ms; do
		echo "median $rt $f $(awk -v rt=$rt -v f=$f '$1 == rt {for (i = 2; i < NF; i++) if ($i == f) print $(i + 1)}' $W/rounds | median)"
	done
done
