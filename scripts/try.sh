#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Try husk on a fresh Debian 12 machine, as root: install the build
# dependencies, build husk in ./build, make a busybox bundle and run a
# container in it, showing what the container sees next to what the host sees.
#
# usage: sudo scripts/try.sh
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$REPO/build}
DEMO=$BUILD/demo

if [ "$(id -u)" -ne 0 ]; then
	echo "try.sh: run as root: sudo $0" >&2
	exit 1
fi

"$REPO/scripts/install-deps.sh" build test
echo "try: building husk in $BUILD (log: $BUILD/try-build.log)"
mkdir -p "$BUILD"
# Any configuration will do (test.sh may have configured ./build already).
"$REPO/scripts/build.sh" --any-config "$BUILD" >"$BUILD/try-build.log" 2>&1 ||
	{ tail -30 "$BUILD/try-build.log"; exit 1; }
HUSK=$BUILD/runtime/husk

rm -rf "$DEMO/bundle"
mkdir -p "$DEMO/bundle"
"$REPO/scripts/make-rootfs.sh" "$DEMO/rootfs"
cp -a "$DEMO/rootfs" "$DEMO/bundle/rootfs"
(cd "$DEMO/bundle" && "$HUSK" spec)

# What to look at, run once on the host and once in the container.
cat >"$DEMO/bundle/rootfs/look.sh" <<'EOF'
echo "  hostname:           $(hostname)"
echo "  my pid:             $$"
echo "  processes visible:  $(ls -d /proc/[0-9]* 2>/dev/null | wc -l)"
echo "  network interfaces: $(ls /sys/class/net | tr '\n' ' ')"
echo "  mounts:             $(wc -l </proc/self/mounts)"
echo "  / holds:            $(ls / | head -12 | tr '\n' ' ')"
echo "  cgroup:             $(head -1 /proc/self/cgroup)"
echo "  namespaces:         $(for n in mnt pid net uts ipc; do printf '%s ' "$n:$(readlink /proc/self/ns/$n | tr -dc 0-9)"; done)"
EOF
jq '.process.terminal = false
	| .process.args = ["sh", "/look.sh"]
	| .hostname = "husk-demo"
	| .root.readonly = true' "$DEMO/bundle/config.json" >"$DEMO/bundle/config.json.new"
mv "$DEMO/bundle/config.json.new" "$DEMO/bundle/config.json"

echo
echo "The host sees:"
sh "$DEMO/bundle/rootfs/look.sh"
echo
echo "A husk container (busybox, $DEMO/bundle) sees:"
"$HUSK" --root "$DEMO/state" run --bundle "$DEMO/bundle" "husk-demo-$$"
echo
echo "husk $("$HUSK" --version | head -1 | sed 's/^husk version //') is built at $HUSK"
echo "  install it:     make -C $BUILD install"
echo "  the bundle:     $DEMO/bundle (edit config.json, then: $HUSK run --bundle $DEMO/bundle ID)"
echo "  the tests:      scripts/test.sh"
