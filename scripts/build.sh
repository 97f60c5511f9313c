#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Configure husk out of tree when needed, then build it.  Used by try.sh and
# test.sh, which may share one build directory (./build) in either order.
#
# usage: scripts/build.sh [--any-config] BUILD_DIR [CONFIGURE_OPTION...]
#
# BUILD_DIR ends up configured with exactly the options given: the options a
# configured tree was made with (config.status --config) are compared with
# them and, when they differ, the tree is cleaned and configured again, so no
# object compiled without -Werror survives into a -Werror build.  The same
# happens when configure found no clang (CLANG = no) and clang is installed
# now: the fuzz targets need it.
# --any-config: a tree configured with any options is kept as it is (try.sh
# only needs a husk binary).
set -euo pipefail

any=0
if [ "${1:-}" = --any-config ]; then
	any=1
	shift
fi
[ $# -ge 1 ] || {
	echo "usage: $0 [--any-config] BUILD_DIR [CONFIGURE_OPTION...]" >&2
	exit 2
}
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$1
shift
want="$*"

say() { printf 'build: %s\n' "$*"; }

# why_configure: prints why BUILD needs configure, nothing when it does not.
why_configure() {
	if [ ! -f Makefile ] || [ ! -x config.status ]; then
		echo "not configured"
		return
	fi
	if [ "$REPO/configure" -nt config.status ]; then
		echo "configure is newer than config.status"
		return
	fi
	[ "$any" = 1 ] && return
	local have
	have=$(./config.status --config | tr -d "'")
	if [ "$have" != "$want" ]; then
		echo "configured with \`$have\`, want \`$want\`"
		return
	fi
	if grep -qx 'CLANG = no' Makefile && command -v clang >/dev/null; then
		echo "configured before clang was installed"
	fi
}

cd "$REPO"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ] ||
	[ ! -f Makefile.in ]; then
	say "autogen.sh"
	./autogen.sh
fi

mkdir -p "$BUILD"
cd "$BUILD"
why=$(why_configure)
if [ -n "$why" ]; then
	say "configure $want ($why)"
	# Objects of another configuration must not be reused.
	[ -f Makefile ] && make -s distclean >/dev/null 2>&1 || true
	"$REPO/configure" -q "$@"
fi
make -j"$(nproc)"
