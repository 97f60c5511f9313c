#!/bin/sh
# install-client-deps.sh - the Debian packages the client tests drive
# (integration/podman.bats, integration/containerd.bats). Needs root.
set -eu
pkgs="podman conmon catatonit containerd criu busybox-static bsdutils python3 file"
missing=
for p in $pkgs; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
