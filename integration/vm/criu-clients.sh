#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE a throw-away VM (vm-run, VM_ROOT=host) where CRIU works:
# podman 4.3 and containerd 1.6 (this machine's) checkpoint and restore
# containers through husk, configured as integration/podman.bats and
# integration/containerd.bats configure them.  Driven by
# integration/vm/criu-clients.bats; prints `KEY: VALUE` lines, then `done`.
#
# usage: criu-clients.sh SHARE REPO
S=$1
REPO=$2
export HUSK=$S/husk
W=/tmp/cc
mkdir -p $W
COUNTER='i=0; while :; do i=$((i+1)); echo $i >/count; sleep 0.1; done'

source "$REPO"/integration/clients/podman-env.bash
IMG=localhost/clients-busybox

# --- podman
[ -n "${SKIP_PODMAN:-}" ] || {
podman_env_init $W/p >/dev/null
podman_import_busybox >/dev/null 2>&1
echo "podman-image: $?"
count() { hpodman exec "$1" cat /count 2>/dev/null; }
st() { hpodman inspect --format '{{.State.Status}}' "$1" 2>/dev/null; }

hpodman run -d --name ck $IMG sh -c "$COUNTER" >/dev/null
sleep 4
hpodman container checkpoint ck >$W/out 2>&1
echo "podman-ckpt-rc: $?"
sed 's/^/podman-ckpt-err: /' $W/out
echo "podman-ckpt-status: $(st ck)"
hpodman container restore ck >$W/out 2>&1
echo "podman-restore-rc: $?"
sed 's/^/podman-restore-err: /' $W/out
echo "podman-restore-status: $(st ck)"
c2=$(count ck)
sleep 1
c3=$(count ck)
echo "podman-restore-counting: $([ "$c3" -gt "$c2" ] 2>/dev/null && [ "$c2" -gt 30 ] && echo yes || echo "no: $c2 then $c3")"

hpodman container checkpoint --export $W/ck.tar ck >$W/out 2>&1
echo "podman-export-rc: $?"
sed 's/^/podman-export-err: /' $W/out
echo "podman-export-tar: $(tar -tf $W/ck.tar 2>/dev/null | grep -c 'checkpoint/.*\.img')"
hpodman container restore --import $W/ck.tar --name ck2 >$W/out 2>&1
echo "podman-import-rc: $?"
sed 's/^/podman-import-err: /' $W/out
echo "podman-import-status: $(st ck2)"
c2=$(count ck2)
echo "podman-import-counting: $([ "$c2" -gt 30 ] 2>/dev/null && echo yes || echo "no: $c2")"

hpodman container checkpoint --keep ck2 >$W/out 2>&1
echo "podman-keep-rc: $?"
sed 's/^/podman-keep-err: /' $W/out
d=$(hpodman inspect --format '{{.StaticDir}}' ck2 2>/dev/null)
echo "podman-keep-log: $([ -s "$d"/dump.log ] && echo yes || echo "no: $(ls "$d" 2>&1 | tr '\n' ' ')")"
hpodman container restore --keep ck2 >$W/out 2>&1
echo "podman-keep-restore-rc: $?"
sed 's/^/podman-keep-restore-err: /' $W/out
echo "podman-keep-restore-log: $([ -s "$d"/restore.log ] && echo yes || echo no)"
echo "podman-keep-restore-status: $(st ck2)"
hpodman rm -f -t 0 ck ck2 >/dev/null 2>&1
}

# --- containerd: ctr's checkpoint image, restored live
source "$REPO"/integration/clients/containerd-env.bash
# the shim removes the bundle (and husk's log.json) of a failed restore:
# keep what husk said
cat >$W/husk-ctr <<WRAP
#!/bin/bash
log=
for a in "\$@"; do [ "\$prev" = --log ] && log=\$a; prev=\$a; done
$S/husk "\$@"
rc=\$?
[ \$rc = 0 ] || { echo "\$*"; cat "\$log"; } >>$W/husk-ctr.fail 2>/dev/null
exit \$rc
WRAP
chmod +x $W/husk-ctr
HUSK=$W/husk-ctr
containerd_env_init $W/c >/dev/null
containerd_start
echo "ctr-started: $?"
containerd_import_busybox >/dev/null 2>&1
CIMG=localhost/clients-busybox:latest
hctr_run -d $CIMG cc sh -c "$COUNTER" >/dev/null 2>&1
sleep 4
ccount() { hctr task exec --exec-id c$RANDOM "$1" cat /count 2>/dev/null; }
hctr container checkpoint --task cc localhost/cc-checkpoint:1 >$W/out 2>&1
echo "ctr-ckpt-rc: $?"
sed 's/^/ctr-ckpt-err: /' $W/out
echo "ctr-ckpt-image: $(hctr image ls -q | grep -c cc-checkpoint)"
hctr task kill -s KILL cc >/dev/null 2>&1
sleep 1
hctr task rm -f cc >/dev/null 2>&1
hctr container rm cc >/dev/null 2>&1
hctr container restore --live cc localhost/cc-checkpoint:1 >$W/out 2>&1
echo "ctr-restore-rc: $?"
sed 's/^/ctr-restore-err: /' $W/out
sed 's/^/ctr-restore-err: /' $W/husk-ctr.fail 2>/dev/null
find $W/c -name restore.log -exec grep -h Error {} + 2>/dev/null | sed 's/^/ctr-restore-err: /'
echo "ctr-restore-status: $(hctr task ls | awk '$1 == "cc" {print $3}')"
c2=$(ccount cc)
sleep 1
c3=$(ccount cc)
echo "ctr-restore-counting: $([ "$c3" -gt "$c2" ] 2>/dev/null && [ "$c2" -gt 30 ] && echo yes || echo "no: $c2 then $c3")"
containerd_cleanup
containerd_stop
echo done
