#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sdnotify.sh SHARE - runs as root inside a vm-run VM with systemd as PID 1
# (VM_INIT=systemd, pure cgroup v2, the Debian 13 image of
# trixie-image.bash).  Prints `KEY: VALUE` lines for sdnotify.bats, then
# `done`:
#  - podman 5.4 --sdnotify=container in a Type=notify unit (systemd-run),
#    husk as its runtime: the unit becomes active only after the
#    container's process runs systemd-notify --ready; a container that never
#    does leaves its unit activating until TimeoutStartSec fails it;
#  - issue 14's cgroup corners on pure v2, husk alone, with the cgroupfs
#    and the systemd driver: kill --all after the init exited signals what
#    is left in its cgroup; delete --force of a container frozen by its
#    parent cgroup (cgroup.freeze, systemctl freeze of the slice).
set -u
S=$1
uptime_us() { awk '{ printf "%d\n", $1 * 1000000 }' /proc/uptime; }
# wait_for SECONDS CMD...: CMD succeeds within SECONDS (tenths polled)
wait_for() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}
is_state() { [ "$(systemctl is-active "$1")" = "$2" ]; }
# settled UNIT: neither starting nor stopping
settled() { case "$(systemctl is-active "$1")" in activating | deactivating) return 1 ;; esac; }

echo "pid1: $(cat /proc/1/comm)"
echo "podman: $(podman --version | awk '{print $3}')"

# ---- podman --sdnotify=container ------------------------------------------
export HUSK=$S/husk CLIENTS_CMD_TIMEOUT=300
# shellcheck disable=SC1091 # copied into SHARE by sdnotify.bats
. "$S"/clients/podman-env.bash
podman_env_init /tmp/cp
sed -i 's/^cgroup_manager = .*/cgroup_manager = "systemd"/' "$PODMAN_DIR"/containers.conf
sed -i 's/--cgroup-manager cgroupfs/--cgroup-manager systemd/' "$PODMAN_DIR"/podman
# the image: the clients' busybox, with Debian's systemd-notify and the
# libraries it loads
r=/tmp/nroot
mkdir -p $r
tar -C $r -xf "$S"/busybox.tar
cp /usr/bin/systemd-notify $r/bin/
for l in $(ldd /usr/bin/systemd-notify | grep -o '/[^ ]*'); do
	cp -L --parents "$l" $r
done
tar -C $r --numeric-owner -cf /tmp/nroot.tar .
img=localhost/notify
hpodman import -q --change 'CMD ["sh"]' --change 'ENV PATH=/bin' /tmp/nroot.tar $img:latest >/dev/null
echo "import: $?"

sd=/tmp/sd
mkdir -p $sd
# two units at once, made as Quadlet makes them (the container removed by
# ExecStop/ExecStopPost while conmon still runs, KillMode=mixed): one the
# container readies when told to, one never
# unit_props NAME: the unit's properties into P
unit_props() {
	local rm="$PODMAN_DIR/podman rm -f -i -t 0 $1"
	P=(-p Type=notify -p NotifyAccess=all -p KillMode=mixed -p "ExecStop=$rm" -p "ExecStopPost=$rm")
}
unit_props ready
systemd-run --unit husk-ready "${P[@]}" -p TimeoutStartSec=400 --no-block \
	"$PODMAN_DIR"/podman run -d --name ready --sdnotify=container -v $sd:/sd $img sh -c \
	'echo "$NOTIFY_SOCKET" >/sd/socket; touch /sd/ready-started; while [ ! -e /sd/go ]; do sleep 0.2; done
	 systemd-notify --ready --status=husk-is-ready 2>/sd/notify-err; echo $? >/sd/notify-rc; exec sleep 1000'
echo "ready-unit: $?"
unit_props never
systemd-run --unit husk-never "${P[@]}" -p TimeoutStartSec=120 --no-block \
	"$PODMAN_DIR"/podman run -d --name never --sdnotify=container -v $sd:/sd $img sh -c \
	'touch /sd/never-started; exec sleep 1000'
echo "never-unit: $?"

wait_for 240 test -e $sd/never-started
echo "never-started: $([ -e $sd/never-started ] && echo yes || echo no)"
echo "never-running: $(systemctl is-active husk-never) $(hpodman inspect --format '{{.State.Status}}' never 2>&1)"
never_pid=$(hpodman inspect --format '{{.State.Pid}}' never 2>/dev/null)
wait_for 240 test -e $sd/ready-started
echo "ready-started: $([ -e $sd/ready-started ] && echo yes || echo no)"
echo "ready-socket: $(cat $sd/socket 2>/dev/null)"
sleep 3
# running, not ready: podman is still waiting for READY=1
echo "ready-before: $(systemctl is-active husk-ready)"
go=$(uptime_us)
touch $sd/go
wait_for 120 is_state husk-ready active
echo "ready-after: $(systemctl is-active husk-ready)"
echo "ready-notify-rc: $(cat $sd/notify-rc 2>/dev/null) $(cat $sd/notify-err 2>/dev/null)"
entered=$(systemctl show -p ActiveEnterTimestampMonotonic --value husk-ready)
# /proc/uptime counts hundredths
echo "ready-after-go: $([ "$entered" -ge $((go - 10000)) ] && echo yes || echo "no: active at $entered us, go at $go us")"
main=$(systemctl show -p MainPID --value husk-ready)
echo "ready-mainpid: $(cat /proc/"$main"/comm 2>/dev/null)"
echo "ready-runtime: $(hpodman inspect --format '{{.OCIRuntime}} {{.State.Status}}' ready 2>&1)"
echo "ready-status-text: $(systemctl show -p StatusText --value husk-ready)"

wait_for 240 settled husk-never
echo "never-final: $(systemctl is-active husk-never)"
echo "never-result: $(systemctl show -p Result --value husk-never)"
echo "never-entered-active: $(systemctl show -p ActiveEnterTimestampMonotonic --value husk-never)"
echo "never-process: $([ -n "$never_pid" ] && [ "$never_pid" != 0 ] && { [ -d /proc/"$never_pid" ] && echo alive || echo gone; } || echo "no pid")"

systemctl stop husk-ready >/dev/null 2>&1
echo "ready-stopped: $(systemctl is-active husk-ready)"
echo "podman-left: $(hpodman ps -a --format '{{.Names}} {{.Status}}' | tr '\n' ' ')"
hpodman rm -af -t 0 >/dev/null 2>&1

# ---- husk alone: the cgroup corners of issue 14 on pure v2 ----------------
H=("$S"/husk --root /tmp/hr)
mkdir -p /tmp/k/rootfs /tmp/k/b1 /tmp/k/b2 /tmp/k/b3
tar -C /tmp/k/rootfs -xf "$S"/busybox.tar
pid_of() { "${H[@]}" state "$1" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }
status_is() { "${H[@]}" state "$1" 2>/dev/null | grep -q "\"status\": *\"$2\""; }
cg_of() { awk -F: '$1 == "0" { print "/sys/fs/cgroup" $3 }' /proc/"$1"/cgroup; }
procs_empty() { [ -z "$(cat "$1"/cgroup.procs 2>/dev/null)" ]; }
gone() { [ ! -d "$1" ]; }

# kill_all DRIVER CGROUP [--systemd-cgroup]: CGROUP is where the joining
# container's cgroupsPath puts it
kill_all() {
	local d=$1 cg=/sys/fs/cgroup$2 p
	"${H[@]}" ${3:-} run -d --bundle /tmp/k/b1 "$d-pause" </dev/null >/dev/null 2>/tmp/k/err
	echo "killall-$d-pause: $? $(cat /tmp/k/err)"
	p=$(pid_of "$d-pause")
	sed "s|@PAUSE@|$p|" "$S"/cfg-join-$d.json >/tmp/k/b2/config.json
	"${H[@]}" ${3:-} run -d --bundle /tmp/k/b2 "$d-join" </dev/null >/dev/null 2>/tmp/k/err
	echo "killall-$d-join: $? $(cat /tmp/k/err)"
	wait_for 30 status_is "$d-join" stopped
	echo "killall-$d-stopped: $(status_is "$d-join" stopped && echo yes || echo no)"
	echo "killall-$d-left: $(cat "$cg"/cgroup.procs 2>/dev/null | wc -l)"
	"${H[@]}" ${3:-} kill --all "$d-join" KILL 2>/tmp/k/err
	echo "killall-$d-rc: $? $(cat /tmp/k/err)"
	wait_for 10 procs_empty "$cg"
	echo "killall-$d-after: $(cat "$cg"/cgroup.procs 2>/dev/null | wc -l)"
	echo "killall-$d-pause-alive: $([ -d /proc/"$p" ] && echo yes || echo no)"
	"${H[@]}" ${3:-} delete "$d-join" 2>/tmp/k/err
	echo "killall-$d-delete: $? $(cat /tmp/k/err)"
	"${H[@]}" ${3:-} delete --force "$d-pause" 2>/tmp/k/err
	echo "killall-$d-delete-pause: $? $(cat /tmp/k/err)"
	wait_for 10 gone "$cg"
	echo "killall-$d-cgroup-gone: $([ -d "$cg" ] && echo no || echo yes)"
}
cp "$S"/cfg-pause-cgroupfs.json /tmp/k/b1/config.json
kill_all cgroupfs /husk-ka/join
cp "$S"/cfg-pause-systemd.json /tmp/k/b1/config.json
kill_all systemd /huskka.slice/husk-join.scope --systemd-cgroup

# parent_freezer DRIVER FREEZE THAW [--systemd-cgroup]
parent_freezer() {
	local d=$1 p cg
	cp "$S"/cfg-frozen-$d.json /tmp/k/b3/config.json
	"${H[@]}" ${4:-} run -d --bundle /tmp/k/b3 "$d-frozen" </dev/null >/dev/null 2>/tmp/k/err
	echo "freezer-$d-run: $? $(cat /tmp/k/err)"
	p=$(pid_of "$d-frozen")
	cg=$(cg_of "$p")
	echo "freezer-$d-cgroup: ${cg#/sys/fs/cgroup}"
	eval "$2"
	wait_for 10 grep -qx 'frozen 1' "$cg"/cgroup.events
	echo "freezer-$d-frozen: $(sed -n 's/^frozen //p' "$cg"/cgroup.events)"
	"${H[@]}" ${4:-} delete --force "$d-frozen" 2>/tmp/k/err
	echo "freezer-$d-delete: $? $(cat /tmp/k/err)"
	wait_for 10 test ! -d /proc/"$p"
	echo "freezer-$d-process: $([ -d /proc/"$p" ] && echo alive || echo gone)"
	wait_for 10 gone "$cg"
	echo "freezer-$d-cgroup-gone: $([ -d "$cg" ] && echo no || echo yes)"
	echo "freezer-$d-state-gone: $("${H[@]}" state "$d-frozen" >/dev/null 2>&1 && echo no || echo yes)"
	eval "$3"
}
parent_freezer cgroupfs 'echo 1 >/sys/fs/cgroup/husk-pf/cgroup.freeze' \
	'echo 0 >/sys/fs/cgroup/husk-pf/cgroup.freeze; rmdir /sys/fs/cgroup/husk-pf'
parent_freezer systemd 'systemctl freeze huskpf.slice' 'systemctl thaw huskpf.slice; systemctl stop huskpf.slice' --systemd-cgroup
echo "hr-left: $(ls /tmp/hr 2>/dev/null | wc -l)"
echo done
