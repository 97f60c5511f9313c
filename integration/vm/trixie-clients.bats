#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# podman 5.4 and containerd 1.7 (Debian 13) driving husk as root, on
# Debian 13's Linux 6.12 with pure cgroup v2: one vm-run VM
# (trixie-image.bash, busybox init) runs integration/podman.bats and
# integration/containerd.bats themselves, unchanged, against the husk built
# here (integration/vm/trixie-clients.sh); each test here reads one file's
# TAP.  On this machine the same files run podman 4.3 and containerd 1.6.

load ../helpers
load vm-helpers
load trixie-image

setup_file() {
	[ -x "$VM_RUN" ] || return 0
	vm_share trixie-clients.sh
	# the VM's /tmp is its own: the files under test go through the share
	mkdir -p "$SHARE"/repo/integration
	cp -a "$REPO"/integration/{podman.bats,podman-scenarios.bash,containerd.bats,clients} "$SHARE"/repo/integration/
	cp "$REPO"/README.md "$SHARE"/repo/
	VM_TIMEOUT=${VM_TIMEOUT:-2400} trixie_vm sh "bash $SHARE/trixie-clients.sh $SHARE"
	echo "# VM: $(cat "$SHARE"/seconds) s; $(grep -E 'seconds: ' "$SHARE"/out | tr '\n' ' ')" >&3
}

setup() {
	vm_setup "Debian 13's podman 5.4 and containerd 1.7 run in a VM"
}

# all_passed FILE [KNOWN...]: every test of integration/FILE.bats ran in the VM
# and passed, but those whose name contains one of KNOWN (each a gap named in
# the README, printed as a note either way)
all_passed() {
	local tap=$SHARE/$1.tap planned k line bad=
	planned=$(grep -c '^@test ' "$BATS_TEST_DIRNAME"/../"$1".bats)
	[ -s "$tap" ] || fail "no TAP from $1.bats: $(cat "$SHARE"/out)"
	grep -qx "1\.\.$planned" "$tap" || fail "$1.bats: plan $(head -1 "$tap"), expected 1..$planned"
	! grep -q '^ok .* # skip' "$tap" || fail "$1.bats skipped tests in the VM: $(grep '# skip' "$tap")"
	[ "$(grep -c '^\(not \)\?ok ' "$tap")" = "$planned" ] || fail "$1.bats: not every test ran: $(cat "$tap")"
	while IFS= read -r line; do
		for k in "${@:2}"; do
			if [[ "$line" == *"$k"* ]]; then
				echo "# known gap: $line" >&3
				continue 2
			fi
		done
		bad+="$line; "
	done < <(grep '^not ok ' "$tap")
	[ -z "$bad" ] || fail "$1.bats failed in the VM: $bad $(cat "$tap")"
	[ $# -gt 1 ] || vm_is "$1-rc" 0
}

@test "trixie clients VM: Debian 13's podman 5.4, containerd 1.7, Linux 6.12, pure cgroup v2" {
	[[ "$(sed -n 's/^kernel: //p' "$SHARE"/out)" == 6.12.* ]] || fail "kernel: $(cat "$SHARE"/out)"
	[[ "$(sed -n 's/^podman: //p' "$SHARE"/out)" == 5.4.* ]] || fail "podman: $(cat "$SHARE"/out)"
	[[ "$(sed -n 's/^containerd: //p' "$SHARE"/out)" == 1.7.* ]] || fail "containerd: $(cat "$SHARE"/out)"
	vm_is cgroup cgroup2fs
}

# Known, in the README: podman 5.4 checks for the criu binary itself, so
# without criu it never asks husk to checkpoint (the test's premise, husk's
# own message where criu check fails, does not arise).
@test "trixie clients VM: podman 5.4 passes integration/podman.bats with husk (but the no-CRIU checkpoint)" {
	all_passed podman "podman: checkpoint on a host where CRIU cannot work"
}

@test "trixie clients VM: containerd 1.7 passes every test of integration/containerd.bats with husk" {
	all_passed containerd
}
