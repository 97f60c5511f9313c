#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the busybox root filesystem the tests and the demo run in.
#
# usage: scripts/make-rootfs.sh DIR
#
# DIR gets /bin/busybox (Debian's busybox-static) with one relative symlink
# per applet in /bin, a root and an unprivileged user, and the empty
# directories a runtime mounts over.  If DIR already holds a finished
# rootfs built from the same busybox it is left alone, so a test run builds
# it once; the build happens in a temporary directory renamed into place,
# so concurrent callers never see half a rootfs.
set -euo pipefail

BUSYBOX=${BUSYBOX:-/bin/busybox}
dir=${1:?usage: make-rootfs.sh DIR}

if [ ! -x "$BUSYBOX" ] || ! "$BUSYBOX" --list >/dev/null 2>&1; then
	echo "make-rootfs: $BUSYBOX missing: install busybox-static (scripts/install-deps.sh)" >&2
	exit 1
fi
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	echo "make-rootfs: $BUSYBOX is dynamically linked; the rootfs needs busybox-static" >&2
	exit 1
fi

stamp="busybox $(sha256sum "$BUSYBOX" | cut -d' ' -f1) v1"
if [ -f "$dir/.husk-rootfs" ] && [ "$(cat "$dir/.husk-rootfs")" = "$stamp" ]; then
	exit 0
fi

parent=$(dirname "$dir")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.rootfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,sbin,etc,proc,sys,dev,tmp,root,home/user,var/tmp,run,mnt,usr/bin,usr/sbin}
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
chmod 0700 "$tmp/root"
cp "$BUSYBOX" "$tmp/bin/busybox"
chmod 0755 "$tmp/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ "$applet" = busybox ] && continue
	ln -sf busybox "$tmp/bin/$applet"
done
# Programs looked up under /usr/bin or /sbin by habit (env, init...).
for applet in env true false sh; do
	ln -sf ../../bin/busybox "$tmp/usr/bin/$applet"
done
ln -sf ../bin/busybox "$tmp/sbin/init"

cat >"$tmp/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/:/bin/false
user:x:1000:1000:test user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat >"$tmp/etc/group" <<'GR'
root:x:0:
daemon:x:1:
wheel:x:10:user
users:x:100:user
user:x:1000:
nogroup:x:65534:
GR
chown 1000:1000 "$tmp/home/user"
echo husk >"$tmp/etc/hostname"
: >"$tmp/etc/hosts"
: >"$tmp/etc/resolv.conf"
echo "$stamp" >"$tmp/.husk-rootfs"
chmod 0755 "$tmp"

# Another caller may have finished first: keep theirs.
if [ -e "$dir" ]; then
	if [ -f "$dir/.husk-rootfs" ] && [ "$(cat "$dir/.husk-rootfs")" = "$stamp" ]; then
		exit 0
	fi
	rm -rf "$dir"
fi
mv -T "$tmp" "$dir" 2>/dev/null || true
trap - EXIT
rm -rf "$tmp"
[ -f "$dir/.husk-rootfs" ]
