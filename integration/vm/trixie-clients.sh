#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trixie-clients.sh SHARE - runs as root inside a vm-run VM of Debian 13
# (trixie-image.bash: podman 5.4, containerd 1.7, Linux 6.12, pure cgroup
# v2): integration/podman.bats and integration/containerd.bats, unchanged,
# against $SHARE/husk.  Prints the versions as `KEY: VALUE` lines and the
# TAP of each file to $SHARE/podman.tap and $SHARE/containerd.tap, then
# `done`.
set -u
S=$1
echo "kernel: $(uname -r)"
echo "podman: $(podman --version | awk '{print $3}')"
echo "containerd: $(containerd --version | awk '{print $3}')"
echo "cgroup: $(stat -fc %T /sys/fs/cgroup)"
export HUSK=$S/husk CLIENTS_CMD_TIMEOUT=90
cd "$S"/repo || exit 1
# both files at once: they share nothing (own storage, state, cgroups), and
# each spends much of its time waiting on its client
run_file() {
	local start=$SECONDS
	bats --tap integration/"$1".bats >"$S"/"$1".tap 2>&1
	echo "$1-rc: $?" >"$S"/"$1".result
	echo "$1-seconds: $((SECONDS - start))" >>"$S"/"$1".result
}
run_file podman &
p=$!
run_file containerd &
c=$!
wait "$p" "$c"
cat "$S"/podman.result "$S"/containerd.result
echo done
