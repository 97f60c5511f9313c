# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian 13 (trixie, Linux 6.12) image with the clients' packages that
# trixie-clients.bats and sdnotify.bats boot: podman 5.4, conmon,
# containerd 1.7, bats and python3 to run integration/podman.bats and
# containerd.bats inside, busybox-static for their image.  In its own
# VM_CACHE, so the images the other VM tests share stay as they are; vm-run
# builds it once (debootstrap, about 2.5 minutes here) and keeps it.

TRIXIE_VM_CACHE=${TRIXIE_VM_CACHE:-/var/tmp/vm-run-trixie-clients}
TRIXIE_VM_PACKAGES=podman,conmon,catatonit,golang-github-containers-common,containernetworking-plugins,crun,libsystemd0,containerd,runc,bats,python3,busybox-static

# trixie_vm VM_INIT COMMAND: run COMMAND in that VM, $SHARE shared; stdout
# and stderr to $SHARE/out and $SHARE/err, the seconds it took to
# $SHARE/seconds
trixie_vm() {
	local start=$SECONDS
	VM_SUITE=trixie VM_ROOT=image VM_INIT=$1 VM_CACHE=$TRIXIE_VM_CACHE VM_PACKAGES=$TRIXIE_VM_PACKAGES \
		VM_SHARE=$SHARE VM_MEM=${VM_MEM:-3G} VM_TIMEOUT=${VM_TIMEOUT:-900} \
		"$VM_RUN" "$2" >"$SHARE"/out 2>"$SHARE"/err || true
	echo $((SECONDS - start)) >"$SHARE"/seconds
}
