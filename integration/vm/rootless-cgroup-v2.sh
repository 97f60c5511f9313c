#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs INSIDE a pure cgroup v2 VM booted with systemd (scripts/vm-run,
# VM_INIT=systemd), as root; driven by integration/vm/rootless-cgroup-v2.bats,
# which puts in SHARE the husk binary, a busybox rootfs and one config.json
# per check made with jq on the host for the uid used here (the image has
# no jq).  A user with a lingering systemd user manager runs husk itself:
# cgroupfs inside the subtree systemd delegated to it, and --systemd-cgroup
# through that user manager.  Prints `KEY: VALUE` lines, then `done`.
#
# usage: rootless-cgroup-v2.sh SHARE
S=$1
H=$S/husk
U=huskrl
UID_N=1500
XDG=/run/user/$UID_N
W=/tmp/rl

say() { echo "$1: $2"; }
# as the user, with the environment of a login session
ue() {
	setpriv --reuid=$UID_N --regid=$UID_N --init-groups -- env -i HOME=/home/$U USER=$U \
		LOGNAME=$U PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR=$XDG "$@"
}
# ... inside a scope of the user's manager with Delegate=yes, as a user's
# shell in a desktop session or `systemd-run --user --scope` gives it
scoped() { ue systemd-run --user --scope --quiet -p Delegate=yes "$@"; }
st() { ue "$H" state "$1" 2>/dev/null | sed -n 's/.*"'"$2"'": *"\{0,1\}\([^",]*\).*/\1/p'; }
cg_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

say layout "$(stat -f -c %T /sys/fs/cgroup)"
useradd -m -u $UID_N -U -s /bin/sh $U
say useradd $?
loginctl enable-linger $U
for _ in $(seq 240); do
	[ "$(systemctl is-active user@$UID_N.service)" = active ] && [ -S $XDG/systemd/private ] && break
	sleep 0.5
done
say user-manager "$(systemctl is-active user@$UID_N.service)"
journalctl -b -u user@$UID_N.service --no-pager 2>&1 | tail -20 >&2
say user-bus-socket "$([ -S $XDG/bus ] && echo yes || echo no)"
mkdir -p $W
cp -a "$S/rootfs" $W/rootfs
for c in "$S"/cfg-*.json; do
	n=${c##*/cfg-}
	n=${n%.json}
	mkdir -p $W/$n
	cp "$c" $W/$n/config.json
done
chown -R $U:$U $W
say scope-cgroup "$(scoped sh -c 'sed -n "s/^0:://p" /proc/self/cgroup' | sed 's/run-[^/]*\.scope$/SCOPE/')"

# ---- cgroupfs below the delegated subtree ----
scoped "$H" run -d -b $W/res rl-res >/tmp/out-res 2>&1
say cgfs-run $?
say cgfs-run-out "$(cat /tmp/out-res)"
pid=$(st rl-res pid)
cg=$(cg_of "$pid")
say cgfs-cgroup "$cg"
say cgfs-owner "$(stat -c %U "/sys/fs/cgroup$cg")"
say cgfs-memory.max "$(cat "/sys/fs/cgroup$cg/memory.max")"
say cgfs-pids.max "$(cat "/sys/fs/cgroup$cg/pids.max")"
# from inside the delegated subtree the exec'd process joins the container's cgroup
say cgfs-inside "$(scoped "$H" exec rl-res sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max' 2>&1 | tr '\n' ' ')"
# from outside it (a system service here, an ssh session scope for a user)
# the move is not allowed: the process runs in the caller's cgroup, as runc
say cgfs-exec-outside "$(ue "$H" exec rl-res sh -c 'echo ran' 2>&1)"
ue "$H" pause rl-res
say cgfs-pause $?
say cgfs-paused-status "$(st rl-res status)"
say cgfs-cgroup.freeze "$(cat "/sys/fs/cgroup$cg/cgroup.freeze")"
ue "$H" resume rl-res
say cgfs-resume $?
say cgfs-resumed-status "$(st rl-res status)"
ue "$H" update --memory 33554432 --pids-limit 30 rl-res
say cgfs-update $?
say cgfs-updated-memory.max "$(cat "/sys/fs/cgroup$cg/memory.max")"
say cgfs-updated-pids.max "$(cat "/sys/fs/cgroup$cg/pids.max")"
say cgfs-ps "$(ue "$H" ps --format json rl-res)"
say cgfs-events-has-memory "$(ue "$H" events --stats rl-res | grep -c '"memory"')"
ue "$H" delete --force rl-res
say cgfs-delete $?
say cgfs-cgroup-gone "$([ -e "/sys/fs/cgroup$cg" ] && echo no || echo yes)"
say cgfs-parent-gone "$([ -e "/sys/fs/cgroup${cg%/*}" ] && echo no || echo yes)"
say cgfs-state-left "$(ls $XDG/husk | wc -l)"

# A pids limit that holds: 30 sleeps in a container limited to 10 tasks.
scoped "$H" run -b $W/pids rl-pids >/tmp/out-pids 2>&1
say cgfs-pids-run $?
say cgfs-pids-out "$(cat /tmp/out-pids)"

# Outside any delegated scope (a process of a system service): no cgroup of
# its own, and a limit fails naming the field.
ue "$H" run -b $W/res-fg rl-nodeleg >/tmp/out-nodeleg 2>&1
say nodeleg-limit-rc $?
say nodeleg-limit-err "$(grep -o 'linux.resources.memory.limit: cannot be applied without root' /tmp/out-nodeleg)"
ue "$H" run -b $W/plain rl-plain >/tmp/out-plain 2>&1
say nodeleg-plain-rc $?

# ---- --systemd-cgroup: a scope of the user's own manager ----
ue "$H" --systemd-cgroup run -d -b $W/sd rl-sd >/tmp/out-sd 2>&1
say sd-run $?
say sd-run-out "$(cat /tmp/out-sd)"
pid=$(st rl-sd pid)
cg=$(cg_of "$pid")
say sd-cgroup "$cg"
say sd-unit-active "$(ue systemctl --user is-active husk-rl-sd.scope)"
say sd-unit-MemoryMax "$(ue systemctl --user show -P MemoryMax husk-rl-sd.scope)"
say sd-memory.max "$(cat "/sys/fs/cgroup$cg/memory.max")"
say sd-pids.max "$(cat "/sys/fs/cgroup$cg/pids.max")"
ue "$H" --systemd-cgroup pause rl-sd 2>/tmp/err-sd-pause
say sd-pause $?
say sd-pause-err "$(cat /tmp/err-sd-pause)"
say sd-freeze-owner "$(stat -c %U "/sys/fs/cgroup$cg/cgroup.freeze")"
say sd-paused-status "$(st rl-sd status)"
say sd-cgroup.freeze "$(cat "/sys/fs/cgroup$cg/cgroup.freeze")"
ue "$H" --systemd-cgroup resume rl-sd 2>/tmp/err-sd-resume
say sd-resume $?
say sd-resume-err "$(cat /tmp/err-sd-resume)"
say sd-resumed-status "$(st rl-sd status)"
ue "$H" --systemd-cgroup delete --force rl-sd
say sd-delete $?
for _ in $(seq 50); do [ -e "/sys/fs/cgroup$cg" ] || break; sleep 0.1; done
say sd-cgroup-gone "$([ -e "/sys/fs/cgroup$cg" ] && echo no || echo yes)"
say sd-unit-after "$(ue systemctl --user is-active husk-rl-sd.scope)"

# ---- --systemd-cgroup through the manager's private socket alone ----
# As on a machine without dbus-user-session: a runtime dir with no user bus
# (no $XDG_RUNTIME_DIR/bus), only the manager's own socket in systemd/.
P=/tmp/rl-xdg-nobus
mkdir -m 0700 $P
ln -s $XDG/systemd $P/systemd
chown -h $U:$U $P $P/systemd
pe() { ue env XDG_RUNTIME_DIR=$P "$@"; }
say sdp-bus "$([ -e $P/bus ] && echo present || echo absent) $([ -S $P/systemd/private ] && echo private || echo no-private)"
pe "$H" --systemd-cgroup run -d -b $W/sd rl-sdp >/tmp/out-sdp 2>&1
say sdp-run $?
say sdp-run-out "$(cat /tmp/out-sdp)"
pid=$(pe "$H" state rl-sdp 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
cg=$(cg_of "$pid")
say sdp-cgroup "$cg"
say sdp-unit-active "$(ue systemctl --user is-active husk-rl-sdp.scope)"
say sdp-memory.max "$(cat "/sys/fs/cgroup$cg/memory.max")"
pe "$H" --systemd-cgroup delete --force rl-sdp
say sdp-delete $?
for _ in $(seq 50); do [ -e "/sys/fs/cgroup$cg" ] || break; sleep 0.1; done
say sdp-cgroup-gone "$([ -e "/sys/fs/cgroup$cg" ] && echo no || echo yes)"
say sdp-unit-after "$(ue systemctl --user is-active husk-rl-sdp.scope)"
say sdp-state-left "$(ls $P/husk | wc -l)"
# without the private socket either: the error says where husk looked
rm $P/systemd
pe "$H" --systemd-cgroup run -d -b $W/sd rl-sdn >/tmp/out-sdn 2>&1
say sdn-run $?
say sdn-run-err "$(grep -c 'XDG_RUNTIME_DIR/systemd/private' /tmp/out-sdn)"
say sdn-state-left "$(ls $P/husk | wc -l)"

say state-left "$(ls $XDG/husk | wc -l)"
say user-procs-left "$(pgrep -u $UID_N -c -f "$H" || true)"
echo done
