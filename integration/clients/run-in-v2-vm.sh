#!/bin/sh
# run-in-v2-vm.sh HUSK [BATS_FILE...] - run the client suites in a throw-away
# pure cgroup v2 VM (scripts/vm-run, busybox init, the host's / read-only
# with a fresh /tmp), against a copy of HUSK. Default: podman.bats and
# containerd.bats. VM_RUN names another vm-run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
husk=$(readlink -f "$1")
shift
[ $# -gt 0 ] || set -- "$top"/integration/podman.bats "$top"/integration/containerd.bats
vm_run=${VM_RUN:-$top/scripts/vm-run}
share=$(mktemp -d /var/tmp/clients-v2.XXXXXX)
trap 'rm -rf "$share"' EXIT
cp "$husk" "$share"/husk
files=
for f in "$@"; do files="$files $(readlink -f "$f")"; done
VM_SHARE=$share VM_ROOT=host VM_INIT=sh VM_MEM=${VM_MEM:-4G} VM_TIMEOUT=${VM_TIMEOUT:-1800} \
	"$vm_run" "HUSK=$share/husk CLIENTS_CMD_TIMEOUT=60 bats$files"
