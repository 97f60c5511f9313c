#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what building and testing husk needs on Debian 12, as root.
# Idempotent: packages already installed are not fetched again, and the
# package lists are only refreshed when something is missing.
#
# usage: scripts/install-deps.sh [GROUP...]     (default: build test fuzz clients vm)
#
# One list per purpose; add a package to the list that needs it.
set -euo pipefail

# Compile husk itself.
BUILD_PKGS=(build-essential autoconf automake libtool pkg-config
	libyajl-dev libseccomp-dev libcap-dev libsystemd-dev)
# libFuzzer targets: clang 14 plus its runtime libraries (-fsanitize=fuzzer
# links libclang_rt.fuzzer from libclang-rt-14-dev).
FUZZ_PKGS=(clang clang-14 libclang-rt-14-dev)
# The bats integration suite and its helpers; clang-format checks the style;
# criu for checkpoint/restore (integration/vm/criu.bats runs this host's criu
# in a VM, its iptables locks the network during a TCP checkpoint).
TEST_PKGS=(bats bats-assert bats-support busybox-static jq python3 python3-jsonschema
	util-linux iproute2 strace procps kmod e2fsprogs clang-format
	criu iptables
	# systemd-socket-activate drives the socket-activation test (corners.bats)
	systemd)
# Real clients driving husk (podman, containerd, buildah) and the peers to compare
# with; rootless podman networks with slirp4netns, and setfacl lets the test user
# open /dev/net/tun where no udev made it 0666.
CLIENT_PKGS=(podman conmon containerd catatonit containernetworking-plugins uidmap crun runc
	buildah slirp4netns acl)
# scripts/vm-run (integration/vm/*.bats): QEMU, and what builds the VM's
# kernel modules, busybox initramfs and debootstrapped Debian image.
VM_PKGS=(qemu-system-x86 debootstrap cpio xz-utils busybox-static kmod e2fsprogs zstd)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test fuzz clients vm)

want=()
for g in "${groups[@]}"; do
	case $g in
	build) want+=("${BUILD_PKGS[@]}") ;;
	test) want+=("${TEST_PKGS[@]}") ;;
	fuzz) want+=("${FUZZ_PKGS[@]}") ;;
	clients) want+=("${CLIENT_PKGS[@]}") ;;
	vm) want+=("${VM_PKGS[@]}") ;;
	*) echo "install-deps: unknown group \`$g\` (build, test, fuzz, clients, vm)" >&2; exit 1 ;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (apt-get install)" >&2
	exit 1
fi

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#want[@]} packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
