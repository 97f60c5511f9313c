# SPDX-License-Identifier: GPL-2.0-or-later
# Common setup for every integration/*.bats file: `load helpers` first.
#
# Environment:
#   HUSK            the binary under test   [<repo>/build/runtime/husk]
#   HUSK_TESTS_BIN  helper programs (console-receiver...)  [dirname of HUSK]/../tests
#   HUSK_TEST_CACHE where the busybox rootfs is built once [/tmp/husk-test-cache]
#   HUSK_ID_PREFIX  prefix of container ids, to tell runs apart [bats]
#   CLIENT_FIXTURES what podman/containerd really pass a runtime [<repo>/tests/data/clients]
#   VM_RUN          runs a command in a throw-away VM           [<repo>/scripts/vm-run]
#   HUSK_KERNEL_COMPAT  a kernel version (4.18, 5.10): husk runs under
#                   tests/kernel-compat, with only that kernel's system calls
#
# Every test gets its own state root ($STATE_ROOT), bundle ($BUNDLE with
# rootfs/ and config.json) and container id ($ID); teardown force-deletes
# whatever is left under the state root.

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# integration/vm/*.bats load this file too
[ -f "$REPO/configure.ac" ] || REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
HUSK=${HUSK:-$REPO/build/runtime/husk}
HUSK_TESTS_BIN=${HUSK_TESTS_BIN:-$(dirname "$HUSK")/../tests}
HUSK_TEST_CACHE=${HUSK_TEST_CACHE:-/tmp/husk-test-cache}
HUSK_ID_PREFIX=${HUSK_ID_PREFIX:-bats}
CLIENT_FIXTURES=${CLIENT_FIXTURES:-$REPO/tests/data/clients}
VM_RUN=${VM_RUN:-$REPO/scripts/vm-run}
ROOTFS_CACHE=$HUSK_TEST_CACHE/rootfs

# With HUSK_KERNEL_COMPAT, $HUSK becomes a script that runs the real binary
# under the syscall-denial wrapper, so every caller (husk_bin, podman,
# containerd, a test's own "$HUSK") gets the old kernel's interfaces.
if [ -n "${HUSK_KERNEL_COMPAT:-}" ] && [ -z "${HUSK_REAL:-}" ]; then
	HUSK_REAL=$HUSK
	HUSK=${BATS_RUN_TMPDIR:-/tmp}/husk-linux-$HUSK_KERNEL_COMPAT
	printf '#!/bin/sh\nexec %q %q -- %q "$@"\n' "$HUSK_TESTS_BIN/kernel-compat" \
		"$HUSK_KERNEL_COMPAT" "$HUSK_REAL" >"$HUSK.tmp"
	chmod 755 "$HUSK.tmp" && mv "$HUSK.tmp" "$HUSK"
	export HUSK HUSK_REAL
fi

# kernel_at_least 5.8 WHAT: skip (saying why) when the kernel husk runs on,
# or the one HUSK_KERNEL_COMPAT pretends, is older than 5.8.
kernel_at_least() {
	version_at_least "$1" ||
		skip "$2 needs Linux $1; husk runs with Linux $(husk_kernel)'s interfaces"
}

# The kernel whose interfaces husk gets: HUSK_KERNEL_COMPAT's, or this one.
husk_kernel() {
	local have=${HUSK_KERNEL_COMPAT:-$(uname -r)}
	echo "${have%%-*}"
}

version_at_least() {
	[ "$(printf '%s\n%s\n' "$1" "$(husk_kernel)" | sort -V | head -1)" = "$1" ]
}

# have_ns TYPE: husk can make a TYPE namespace here (the time namespace
# is a file in /proc/self/ns that kernel-compat cannot hide).
have_ns() {
	[ -e "/proc/self/ns/$1" ] || return 1
	[ "$1" != time ] || version_at_least 5.6
}

# The busybox rootfs, built once per machine (make-rootfs.sh keeps it when
# busybox did not change).
ensure_rootfs() {
	"$REPO/scripts/make-rootfs.sh" "$ROOTFS_CACHE"
}

# Called by bats before each test.  A file that needs more defines its own
# setup() and calls husk_setup from it.
husk_setup() {
	[ -x "$HUSK" ] || fail "HUSK=$HUSK is not an executable; build first or set HUSK"
	ensure_rootfs
	# Short paths: the state root holds unix sockets (108-byte sun_path).
	STATE_ROOT=$BATS_TEST_TMPDIR/s
	BUNDLE=$BATS_TEST_TMPDIR/b
	ID=$HUSK_ID_PREFIX-$$-$BATS_TEST_NUMBER
	export STATE_ROOT BUNDLE ID
}

setup() {
	husk_setup
}

# runs the binary under test with the per-test state root.
#
# `create`, `run -d` and `exec -d` leave a container process holding the
# caller's stdio, as runc does; under bats' `run` (a command substitution)
# that would hang until the container exits.  For those, stdin is /dev/null
# and stdout/stderr go to a file, which is printed once husk returns; the
# container's later output keeps going to that file: $DETACHED_OUT.
husk() {
	if husk_detaches "$@"; then
		DETACHED_OUT=$(mktemp "${BATS_TEST_TMPDIR:-/tmp}/detached.XXXXXX")
		local rc=0
		husk_bin --root "$STATE_ROOT" "$@" </dev/null >"$DETACHED_OUT" 2>&1 || rc=$?
		cat "$DETACHED_OUT"
		return $rc
	fi
	husk_bin --root "$STATE_ROOT" "$@"
}

# The binary, bounded in time: a hung husk fails its test (exit 124)
# instead of stalling the suite.
husk_bin() {
	timeout -k 5 "${HUSK_CMD_TIMEOUT:-60}" "$HUSK" "$@"
}

husk_detaches() {
	local a
	case ${1:-} in
	create) return 0 ;;
	run | exec)
		for a in "${@:2}"; do
			case $a in
			-d | --detach | --detach=true) return 0 ;;
			--) return 1 ;;
			esac
		done
		;;
	esac
	return 1
}

# make_bundle [DIR]: a bundle with a private copy of the rootfs (tests may
# write into it) and the `husk spec` template, made non-interactive and
# running `true`.  Edit it further with update_config.
make_bundle() {
	local dir=${1:-$BUNDLE}
	mkdir -p "$dir"
	cp -a "$ROOTFS_CACHE" "$dir/rootfs"
	(cd "$dir" && "$HUSK" spec) || fail "husk spec failed in $dir"
	[ -f "$dir/config.json" ] || fail "husk spec wrote no config.json in $dir"
	CONFIG=$dir/config.json update_config '
		.root.path = "rootfs" | .root.readonly = false
		| .process.terminal = false
		| .process.args = ["true"]'
}

# update_config JQ_FILTER: rewrite $CONFIG (default $BUNDLE/config.json).
update_config() {
	local cfg=${CONFIG:-$BUNDLE/config.json} tmp
	tmp=$(mktemp "$cfg.XXXXXX")
	jq "$1" "$cfg" >"$tmp" || { rm -f "$tmp"; fail "jq filter failed: $1"; }
	mv "$tmp" "$cfg"
}

# Add a namespace of TYPE (optionally joining PATH) unless already there.
add_namespace() {
	local type=$1 path=${2:-}
	if [ -n "$path" ]; then
		update_config "(.linux.namespaces |= map(select(.type != \"$type\")))
			| .linux.namespaces += [{\"type\": \"$type\", \"path\": \"$path\"}]"
	else
		update_config "if any(.linux.namespaces[]; .type == \"$type\") then .
			else .linux.namespaces += [{\"type\": \"$type\"}] end"
	fi
}

remove_namespace() {
	update_config ".linux.namespaces |= map(select(.type != \"$1\"))"
}

# set_args ARG...: process.args from the arguments.
set_args() {
	update_config ".process.args = $(printf '%s\n' "$@" | jq -R . | jq -s .)"
}

# run_in_container ARG...: run ARGs in a fresh container from $BUNDLE (id $ID)
# and leave status/output as bats `run` does.
run_in_container() {
	set_args "$@"
	run husk run --bundle "$BUNDLE" "$ID"
}

# state_field ID FIELD: one field of `husk state`.
state_field() {
	husk state "$1" | jq -r ".$2"
}

# wait_for_status ID STATUS [TRIES]: poll `husk state` (10 ms apart).
wait_for_status() {
	local id=$1 want=$2 tries=${3:-300} got= i
	for ((i = 0; i < tries; i++)); do
		got=$(husk state "$id" 2>/dev/null | jq -r .status) || true
		[ "$got" = "$want" ] && return 0
		sleep 0.01
	done
	fail "container $id: status \`$got\`, expected \`$want\`"
}

# pid_alive PID: true when PID exists and is not a zombie.
pid_alive() {
	local st
	st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# cgroup directories husk may have made for ID, on any hierarchy or driver.
cgroup_dirs_of() {
	# Other cgroups come and go while find walks: its status says nothing.
	find /sys/fs/cgroup -maxdepth 5 -type d \( -name "$1" -o -name "*-$1.scope" \) 2>/dev/null || true
}

# procs_with_link_under DIR: /proc/PID/root or /proc/PID/cwd (NUL-separated)
# of every process whose root or cwd starts with DIR (or is it, deleted).
procs_with_link_under() {
	local glob=${1//\\/\\\\}
	glob=${glob//\*/\\*}
	glob=${glob//\?/\\?}
	glob=${glob//\[/\\[}
	find /proc/[0-9]*/root /proc/[0-9]*/cwd -maxdepth 0 -lname "$glob*" -print0 2>/dev/null
}

# assert_no_leftovers ID [BUNDLE]: no state, cgroup, mount or process of ID.
assert_no_leftovers() {
	local id=$1 bundle=${2:-$BUNDLE} left=
	[ ! -e "$STATE_ROOT/$id" ] || left+="state dir $STATE_ROOT/$id; "
	local cg
	cg=$(cgroup_dirs_of "$id")
	[ -z "$cg" ] || left+="cgroups: $cg; "
	if grep -qF " $bundle/" /proc/self/mountinfo; then
		left+="mounts: $(grep -F " $bundle/" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' '); "
	fi
	local f p
	# one find, not two readlink forks per process: fast on a busy machine
	while IFS= read -r -d '' f; do
		p=${f#/proc/}
		p=${p%%/*}
		left+="process $p (root $(readlink "/proc/$p/root" 2>/dev/null), cwd $(readlink "/proc/$p/cwd" 2>/dev/null)); "
	done < <(procs_with_link_under "$bundle/rootfs")
	[ -z "$left" ] || fail "leftovers of $id: $left"
}

# Force-delete every container under the state root, then undo any mount
# a broken runtime leaked under the test's directory so that bats can
# remove it safely.
husk_teardown() {
	local id
	if [ -n "${STATE_ROOT:-}" ] && [ -d "$STATE_ROOT" ]; then
		for id in $(HUSK_CMD_TIMEOUT=20 husk_bin --root "$STATE_ROOT" list -q 2>/dev/null); do
			HUSK_CMD_TIMEOUT=20 husk_bin --root "$STATE_ROOT" delete --force "$id" >/dev/null 2>&1 || true
		done
		# Containers list may not know (half-created): delete by directory name.
		for id in "$STATE_ROOT"/*; do
			[ -d "$id" ] || continue
			HUSK_CMD_TIMEOUT=20 husk_bin --root "$STATE_ROOT" delete --force "$(basename "$id")" >/dev/null 2>&1 || true
		done
	fi
	# What a broken delete left running: processes in the test's cgroups or
	# rooted in its bundles.
	local p cg root
	if [ -n "${ID:-}" ]; then
		for cg in $(cgroup_dirs_of "$ID"; cgroup_dirs_of "$ID-*"); do
			for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
		done
	fi
	if [ -n "${BATS_TEST_TMPDIR:-}" ]; then
		local f
		while IFS= read -r -d '' f; do
			case $f in */root) p=${f#/proc/} && kill -KILL "${p%%/*}" 2>/dev/null || true ;; esac
		done < <(procs_with_link_under "$BATS_TEST_TMPDIR")
	fi
	if [ -n "${BATS_TEST_TMPDIR:-}" ]; then
		awk -v d="$BATS_TEST_TMPDIR/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo |
			sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
	fi
	if [ -n "${ID:-}" ]; then
		sleep 0.05
		for cg in $(cgroup_dirs_of "$ID"; cgroup_dirs_of "$ID-*" | sort -r); do
			rmdir "$cg" 2>/dev/null || true
		done
	fi
}

teardown() {
	husk_teardown
}

# skip_unless_ns TYPE: skip when the kernel has no such namespace.
skip_unless_ns() {
	have_ns "$1" || skip "kernel has no $1 namespace (Linux $(husk_kernel)'s interfaces)"
}

# make_traversable PATH: let any uid walk down to PATH (o+x on every parent),
# as a container whose root is mapped to another host uid must.
make_traversable() {
	local d=$1
	while [ "$d" != / ] && [ -n "$d" ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# has_cap N: this shell's effective set holds capability number N
# (24 = CAP_SYS_RESOURCE, 21 = CAP_SYS_ADMIN).
has_cap() {
	local eff
	eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
	(((0x$eff >> $1) & 1))
}
