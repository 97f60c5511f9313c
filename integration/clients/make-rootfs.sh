#!/bin/sh
# make-rootfs.sh DIR - a minimal busybox-static root filesystem for the client
# tests (podman import, ctr image import): no registry is ever contacted.
set -eu
dir=$1
# busybox-static's: a dynamic busybox would need its libc inside the rootfs
bb=/bin/busybox
if ldd "$bb" >/dev/null 2>&1; then
	echo "make-rootfs.sh: $bb is not static (install busybox-static)" >&2
	exit 1
fi
mkdir -p "$dir"/bin "$dir"/etc "$dir"/tmp "$dir"/proc "$dir"/sys "$dir"/dev "$dir"/root "$dir"/home/user "$dir"/var/tmp
cp "$bb" "$dir"/bin/busybox
for applet in $("$dir"/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
ln -sfn bin "$dir"/sbin
mkdir -p "$dir"/usr
ln -sfn ../bin "$dir"/usr/bin
ln -sfn ../bin "$dir"/usr/sbin
cat > "$dir"/etc/passwd <<'PW'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat > "$dir"/etc/group <<'GR'
root:x:0:
user:x:1000:
nogroup:x:65534:
GR
# --read-only puts a tmpfs with tmpcopyup on /var/tmp: this file must show through
echo image-var-tmp > "$dir"/var/tmp/clients-marker
chmod 1777 "$dir"/tmp "$dir"/var/tmp
chown 1000:1000 "$dir"/home/user
