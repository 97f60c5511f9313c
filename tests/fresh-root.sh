#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's two commands, in order, as a new user runs them: a fresh
# Debian 12 root (debootstrap --variant=minbase), a clone of this repository
# alone in it (no ../shared beside it), then scripts/try.sh and
# scripts/test.sh in a chroot that sees this machine's kernel, /proc, /sys
# (cgroups) and /dev.  Not part of test.sh: it downloads a Debian system and
# every package install-deps.sh names (about 1 GB) and takes 15-30 minutes.
#
# usage: tests/fresh-root.sh ROOT [VAR=VALUE...]
#   ROOT          where the Debian root goes (made when missing; reused)
#   VAR=VALUE     passed to test.sh, e.g. SKIP_BATS=1 SKIP_VM=1
# Run as root.  The last line is test.sh's `N passed, M failed, K skipped`.
set -euo pipefail

[ $# -ge 1 ] || {
	echo "usage: $0 ROOT [VAR=VALUE...]" >&2
	exit 2
}
REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(mkdir -p "$1" && cd "$1" && pwd)
shift
MIRROR=${MIRROR:-http://deb.debian.org/debian}

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
	echo "fresh-root: debootstrap bookworm into $ROOT"
	debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
		{ tail -20 "$ROOT.debootstrap.log"; exit 1; }
fi
# No service starts inside the chroot when a package is installed.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

rm -rf "$ROOT/root/husk"
git clone -q "$REPO" "$ROOT/root/husk"
echo "fresh-root: cloned $(git -C "$ROOT/root/husk" log --oneline -1)"
[ ! -e "$ROOT/root/shared" ] || { echo "fresh-root: $ROOT/root/shared exists" >&2; exit 1; }

mounted=()
bind() { # SRC DST [rbind]
	mkdir -p "$ROOT$2"
	mount "--${3:-bind}" "$1" "$ROOT$2"
	mount --make-rslave "$ROOT$2"
	mounted=("$ROOT$2" "${mounted[@]}")
}
cleanup() {
	local m
	for m in "${mounted[@]}"; do umount -R -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
# The root is a mount point, as on a real machine: husk makes / private in
# the container's mount namespace, which fails on a directory that is not.
mount --bind "$ROOT" "$ROOT"
mount --make-private "$ROOT"
mounted=("$ROOT")
bind /proc /proc rbind
bind /sys /sys rbind
bind /dev /dev rbind
mkdir -p "$ROOT/run" "$ROOT/tmp"
mount -t tmpfs -o mode=755 tmpfs "$ROOT/run"
mounted=("$ROOT/run" "${mounted[@]}")
mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
mounted=("$ROOT/tmp" "${mounted[@]}")

echo "fresh-root: scripts/try.sh"
chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root bash -c 'cd /root/husk && scripts/try.sh' </dev/null
echo "fresh-root: scripts/test.sh $*"
chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root "$@" bash -c 'cd /root/husk && scripts/test.sh' </dev/null
