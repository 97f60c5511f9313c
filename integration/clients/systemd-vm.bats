#!/usr/bin/env bats
# podman's systemd cgroup manager driving husk (conmon passes --systemd-cgroup,
# cgroupsPath "machine.slice:libpod:<id>"). Needs systemd as PID 1, so the whole
# file runs inside a throw-away VM (shared/tools/vm-run, VM_INIT=systemd,
# VM_ROOT=host). Booting the host's units under TCG takes minutes, so this file
# is not part of `make integration`; run it by hand:
#   HUSK=/path/to/husk bats integration/clients/systemd-vm.bats

load podman-env

IMG=localhost/clients-busybox
VM_RUN=${VM_RUN:-$CLIENTS_TOP/../shared/tools/vm-run}

setup_file() {
	clients_need_husk
	[ -x "$VM_RUN" ] || { echo "no vm-run at $VM_RUN (set VM_RUN)" >&2; return 1; }
	# the VM sees the host's / read-only with a fresh /tmp: share a directory
	# holding husk and the commands
	VM_DIR=$(mktemp -d /var/tmp/clients-vm.XXXXXX)
	export VM_DIR
	cp "$HUSK" "$VM_DIR"/husk
	cat > "$VM_DIR"/run.sh <<'VMEOF'
set -u
cd "$(dirname "$0")"
export HUSK=$PWD/husk CLIENTS_CMD_TIMEOUT=120
. @CLIENTS_DIR@/podman-env.bash
podman_env_init /tmp/cp
sed -i 's/cgroup_manager = "cgroupfs"/cgroup_manager = "systemd"/' /tmp/cp/containers.conf
sed -i 's/--cgroup-manager cgroupfs/--cgroup-manager systemd/' /tmp/cp/podman
podman_import_busybox >/dev/null
echo "systemd: $(systemctl is-system-running)"
hpodman run --rm localhost/clients-busybox sh -c 'echo hello-systemd; exit 3'
echo "run-rm: $?"
id=$(hpodman run -d --memory 64m localhost/clients-busybox sleep 1000)
echo "run-d: $?"
pid=$(hpodman inspect --format '{{.State.Pid}}' "$id")
echo "cgroup: $(cat /proc/$pid/cgroup)"
cg=$(awk -F: '$1 == "0" { print $3 }' /proc/$pid/cgroup)
echo "memory.max: $(cat /sys/fs/cgroup$cg/memory.max)"
echo "unit: $(systemctl show -p MemoryMax --value libpod-$id.scope)"
hpodman stop -t 2 "$id" >/dev/null; echo "stop: $?"
hpodman rm "$id" >/dev/null; echo "rm: $?"
VMEOF
	sed -i "s|@CLIENTS_DIR@|$CLIENTS_DIR|" "$VM_DIR"/run.sh
	VM_SHARE=$VM_DIR VM_ROOT=host VM_INIT=systemd VM_TIMEOUT=${VM_TIMEOUT:-1500} \
		"$VM_RUN" "bash $VM_DIR/run.sh" > "$VM_DIR"/out 2>&1 || true
}

teardown_file() {
	[ -n "${VM_DIR:-}" ] && rm -rf "$VM_DIR"
}

vm_line() {
	sed -n "s/^$1: //p" "$VM_DIR"/out
}

@test "systemd VM: booted and ran the podman commands" {
	run vm_line systemd
	[ -n "$output" ] || fail "the VM did not run the commands: $(tail -20 "$VM_DIR"/out)"
}

@test "systemd VM: podman run --rm with the systemd cgroup manager" {
	grep -q hello-systemd "$VM_DIR"/out || fail "$(cat "$VM_DIR"/out)"
	[ "$(vm_line run-rm)" = 3 ] || fail "$(cat "$VM_DIR"/out)"
}

@test "systemd VM: the container is in machine.slice/libpod-ID.scope with its memory limit" {
	[ "$(vm_line run-d)" = 0 ] || fail "$(cat "$VM_DIR"/out)"
	vm_line cgroup | grep -q '^0::/machine.slice/libpod-[0-9a-f]*.scope' || fail "cgroup: $(vm_line cgroup)"
	[ "$(vm_line memory.max)" = 67108864 ] || fail "memory.max: $(vm_line memory.max)"
	[ "$(vm_line unit)" = 67108864 ] || fail "unit MemoryMax: $(vm_line unit)"
}

@test "systemd VM: stop and rm" {
	[ "$(vm_line stop)" = 0 ] || fail "$(cat "$VM_DIR"/out)"
	[ "$(vm_line rm)" = 0 ] || fail "$(cat "$VM_DIR"/out)"
}
