#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# podman-systemd.sh SHARE - runs inside a vm-run VM booted with systemd as
# PID 1 (VM_INIT=systemd, VM_ROOT=image with podman installed): podman with
# the systemd cgroup manager drives $SHARE/husk (conmon passes
# --systemd-cgroup, cgroupsPath "machine.slice:libpod:<id>").
#
# SHARE holds husk, busybox.tar and clients/ (the podman harness templates
# of integration/clients).  Storage, run root and bundles live on the VM's
# own /tmp (tmpfs): 9p cannot be an overlay upper dir, and vfs keeps podman
# off overlay anyway.  Prints `KEY: VALUE` lines for podman-systemd.bats,
# then `done`.
set -u
share=$1
export HUSK=$share/husk CLIENTS_CMD_TIMEOUT=120
# shellcheck disable=SC1091 # copied into SHARE by podman-systemd.bats
. "$share"/clients/podman-env.bash
podman_env_init /tmp/cp
sed -i 's/^cgroup_manager = .*/cgroup_manager = "systemd"/' "$PODMAN_DIR"/containers.conf
sed -i 's/--cgroup-manager cgroupfs/--cgroup-manager systemd/' "$PODMAN_DIR"/podman
grep -q -- '--cgroup-manager systemd' "$PODMAN_DIR"/podman || echo "setup: the podman wrapper did not take --cgroup-manager systemd"

# systemd may still be starting units; podman only needs the system bus
echo "systemd: $(systemctl is-system-running)"
echo "pid1: $(cat /proc/1/comm)"
echo "podman: $(podman --version)"
img=localhost/clients-busybox
hpodman import --change 'CMD ["sh"]' --change 'ENV PATH=/bin' "$share"/busybox.tar $img:latest >/dev/null
echo "import: $?"

out=$(hpodman run --rm $img sh -c 'echo hello-systemd; exit 3' 2>&1)
echo "run-rm: $?"
echo "run-rm-out: $(echo "$out" | tr '\n' ' ')"
echo "run-rm-left: $(hpodman ps -aq | wc -l)"

# run -d + stop: sh ignores TERM as PID 1 unless it traps it
id=$(hpodman run -d $img sh -c 'trap "exit 0" TERM; echo started; while :; do sleep 0.1; done')
echo "run-d: $?"
echo "run-d-status: $(hpodman inspect --format '{{.State.Status}}' "$id")"
pid=$(hpodman inspect --format '{{.State.Pid}}' "$id")
echo "run-d-cgroup: $(awk -F: '$1 == "0" { print $3 }' /proc/"$pid"/cgroup)"
echo "run-d-runtime: $(hpodman inspect --format '{{.OCIRuntime}}' "$id")"
# conmon runs husk itself; -s (--systemd-cgroup) makes it hand husk
# --systemd-cgroup
cm=$(pgrep -f "^/usr/bin/conmon .*$id" | head -1)
cmdline=$(tr '\0' ' ' </proc/"$cm"/cmdline)
case "$cmdline" in *" -r $HUSK "*) echo "run-d-conmon-runtime: husk" ;; *) echo "run-d-conmon-runtime: $cmdline" ;; esac
case "$cmdline" in *" -s "*) echo "run-d-conmon-systemd-cgroup: yes" ;; *) echo "run-d-conmon-systemd-cgroup: $cmdline" ;; esac
hpodman stop -t 10 "$id" >/dev/null
echo "stop: $?"
echo "stop-state: $(hpodman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id")"
hpodman rm "$id" >/dev/null
echo "rm: $?"

# --memory 64m: the limit shows on the container's scope and its cgroup
id=$(hpodman run -d --memory 64m $img sleep 1000)
echo "mem-run: $?"
pid=$(hpodman inspect --format '{{.State.Pid}}' "$id")
cg=$(awk -F: '$1 == "0" { print $3 }' /proc/"$pid"/cgroup)
echo "mem-cgroup: $cg"
echo "mem-memory.max: $(cat /sys/fs/cgroup"$cg"/memory.max)"
scope=libpod-$id.scope
echo "mem-unit-MemoryMax: $(systemctl show -p MemoryMax --value "$scope")"
echo "mem-unit-active: $(systemctl is-active "$scope")"
hpodman rm -f -t 2 "$id" >/dev/null
echo "rm-f: $?"
echo "rm-f-left: $(hpodman ps -aq | wc -l)"
# systemd drops the scope once its last process is gone
for _ in $(seq 50); do
	[ -d /sys/fs/cgroup"$cg" ] || break
	sleep 0.2
done
echo "rm-f-cgroup-gone: $([ -d /sys/fs/cgroup"$cg" ] && echo no || echo yes)"
echo "rm-f-unit: $(systemctl is-active "$scope")"
echo "done"
