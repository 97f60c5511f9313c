#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault-injection sweep: kill husk with SIGKILL just before its Nth system
# call, for every N (or every K-th), in each lifecycle command, and check
# that nothing is lost or leaked:
#   - `husk state ID` answers (or says the container does not exist, when
#     no state directory was made) and `husk list` answers and shows ID
#     whenever its directory exists;
#   - `husk delete --force ID` leaves no state directory, no cgroup
#     directory of ID in any hierarchy, no mount of the bundle, no process
#     of the container (rooted in the bundle or started by husk for ID);
#   - a container with the same ID can be created at once.
# Each command is swept once per bundle kind (-b):
#   plain    no terminal, no network device, no seccomp listener;
#   tty      process.terminal with --console-socket (exec -t too), the pty
#            master going to tests/fd-keeper, which plays conmon;
#   netdev   linux.netDevices moves one end of a veth pair made for the
#            sweep into the container (renamed eth7);
#   seccomp  linux.seccomp.listenerPath, tests/fd-keeper playing the agent.
# and delete --force must also leave, per kind:
#   tty      the keeper holding no pty master (it closes one when the slave
#            hangs up, i.e. when no process holds the slave any more) and no
#            connection (it closes one at EOF, when no copy of husk's end
#            is left open);
#   netdev   the device back in the host (killed before the move) or gone
#            with the namespace (a veth dies with its netns, and its host
#            peer with it), never held in a namespace that outlives the
#            container, nor left renamed in the host;
#   seccomp  the keeper holding no notify fd (it closes one when the filter
#            has no task left) and no connection.
# Only husk itself is traced and killed (tests/killat.c, a small ptrace
# tracer that counts every syscall of one process): its children live on,
# as they do when the OOM killer or a timeout kills the runtime.
#
# usage: sweep.sh [-k K] [-s S] [-c "create start ..."] [-b "plain tty ..."] [-o RESULT.md]
#                 HUSK [KILLAT]
#   -k K   try every K-th syscall only (default 1: every one)
#   -s S   starting at syscall S (default 1)
#   -c     the commands (default: create start run exec pause update delete)
#   -b     the bundle kinds (default: plain tty netdev seccomp)
#   -o     write the result table there (markdown) as well as to stdout
# KILLAT defaults to tests/killat next to HUSK's build (make check builds it);
# tests/fd-keeper is taken from the same directory.
# Needs root, jq and iproute2.  Exit status 1 when any leak was found.
set -u

every=1
start=1
commands="create start run exec pause update delete"
kinds="plain tty netdev seccomp"
out=
while getopts k:s:c:b:o: opt; do
	case $opt in
	k) every=$OPTARG ;;
	s) start=$OPTARG ;;
	c) commands=$OPTARG ;;
	b) kinds=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
HUSK=${1:?usage: sweep.sh [-k K] [-s S] [-c COMMANDS] [-o RESULT] HUSK [KILLAT]}
HUSK=$(realpath "$HUSK")
KILLAT=${2:-$(dirname "$HUSK")/../tests/killat}
[ -x "$KILLAT" ] || { echo "sweep.sh: $KILLAT missing: run make check first" >&2; exit 2; }
KEEPER=$(dirname "$KILLAT")/fd-keeper
[ -x "$KEEPER" ] || { echo "sweep.sh: $KEEPER missing: run make check first" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

work=$(mktemp -d /tmp/husk-fault.XXXXXX)
root=$work/root
bundle=$work/b
id=fault$$
# the veth pair of the netdev kind: dev moves into the container as eth7
dev=hkf$$
peer=${dev}p
keeper_sock=$work/keeper.sock
keeper_pid=
cleanup() {
	h delete --force "$id" >/dev/null 2>&1
	[ -z "$keeper_pid" ] || kill "$keeper_pid" 2>/dev/null
	ip link del "$dev" 2>/dev/null
	ip link del "$peer" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

"$repo/scripts/make-rootfs.sh" "${HUSK_TEST_CACHE:-/tmp/husk-test-cache}/rootfs" >/dev/null || exit 1
mkdir -p "$bundle"
cp -a "${HUSK_TEST_CACHE:-/tmp/husk-test-cache}/rootfs" "$bundle/rootfs"
(cd "$bundle" && "$HUSK" spec) || exit 1
jq '.root.readonly = false | .process.terminal = false | .process.args = ["sleep", "1000"]' \
	"$bundle/config.json" >"$bundle/plain.json" || exit 1

h() { timeout -k 5 30 "$HUSK" --root "$root" "$@"; }

kind=plain
console=

# use_kind K: the bundle's config.json and the helpers for kind K.
use_kind() {
	local filter=.
	kind=$1
	console=
	stop_keeper
	case $kind in
	plain) ;;
	tty)
		filter='.process.terminal = true'
		console="--console-socket $keeper_sock"
		start_keeper
		;;
	netdev)
		filter=".linux.netDevices = {\"$dev\": {\"name\": \"eth7\"}}"
		;;
	seccomp)
		# a filter that notifies on a call neither sleep nor sh makes, so
		# the keeper holds the listener without being asked anything
		filter=".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
			\"listenerPath\": \"$keeper_sock\",
			\"syscalls\": [{\"names\": [\"acct\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
		start_keeper
		;;
	*)
		echo "sweep.sh: unknown bundle kind $kind" >&2
		exit 2
		;;
	esac
	jq "$filter" "$bundle/plain.json" >"$bundle/config.json" || exit 1
}

start_keeper() {
	rm -f "$keeper_sock"
	"$KEEPER" "$keeper_sock" </dev/null >/dev/null 2>"$work/keeper.err" &
	keeper_pid=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$keeper_sock" ] && return 0
		sleep 0.05
	done
	echo "sweep.sh: fd-keeper did not start: $(cat "$work/keeper.err")" >&2
	exit 2
}

stop_keeper() {
	[ -n "$keeper_pid" ] || return 0
	kill "$keeper_pid" 2>/dev/null
	wait "$keeper_pid" 2>/dev/null
	keeper_pid=
}

# The netdev kind's veth pair, made again once a container took it away.
ensure_dev() {
	[ "$kind" = netdev ] || return 0
	ip link show "$dev" >/dev/null 2>&1 && return 0
	ip link del "$peer" >/dev/null 2>&1
	ip link add "$dev" type veth peer name "$peer" || echo "cannot make the veth pair $dev" >&2
}

# What must exist before the command runs.
prepare() {
	ensure_dev
	# shellcheck disable=SC2086
	case $1 in
	create | run) ;;
	start) h create $console --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1 ;;
	*) h run -d $console --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1 ;;
	esac
}

# The command under test, as husk arguments.
command_args() {
	case $1 in
	create) echo "create $console --bundle $bundle $id" ;;
	start) echo "start $id" ;;
	run) echo "run -d $console --bundle $bundle $id" ;;
	exec) echo "exec ${console:+-t }$console $id sh -c exit" ;;
	pause) echo "pause $id" ;;
	update) echo "update --memory 67108864 --pids-limit 100 $id" ;;
	delete) echo "delete --force $id" ;;
	esac
}

# Leaks of $id after delete --force, one per line.
leaks() {
	[ ! -e "$root/$id" ] || echo "state dir $root/$id: $(ls -A "$root/$id" | tr '\n' ' ')"
	find /sys/fs/cgroup -maxdepth 5 -type d -name "$id" 2>/dev/null | sed 's/^/cgroup /'
	grep -F "$bundle/" /proc/self/mountinfo | awk '{print "mount " $5}'
	local f p
	for f in $(find /proc/[0-9]*/root -maxdepth 0 -lname "$bundle/*" 2>/dev/null); do
		p=${f#/proc/}
		echo "process ${p%/root} rooted in the bundle"
	done
	# the init before pivot_root, or a helper: husk's own argv names the id
	for f in $(grep -lwa -- "$id" /proc/[0-9]*/cmdline 2>/dev/null); do
		p=${f#/proc/}
		p=${p%/cmdline}
		case $(tr '\0' ' ' <"$f" 2>/dev/null) in
		'' | *killat* | *sweep.sh* | *grep*) ;;
		*) echo "process $p: $(tr '\0' ' ' <"$f")" ;;
		esac
	done
	ls -A "$root" 2>/dev/null | grep -v '^\.seccomp-cache$' | sed 's/^/state root entry /'
	case $kind in
	tty | seccomp) keeper_leaks ;;
	netdev) netdev_leaks ;;
	esac
}

# What the keeper still holds besides stdio and its listening socket, once
# the container is gone (it lets go within moments: wait up to 3 s).
keeper_leaks() {
	local i held
	if ! kill -0 "$keeper_pid" 2>/dev/null; then
		echo "fd-keeper died: $(cat "$work/keeper.err")"
		return
	fi
	for ((i = 0; i < 60; i++)); do
		held=$(find "/proc/$keeper_pid/fd" -mindepth 1 -maxdepth 1 ! -name 0 ! -name 1 \
			! -name 2 ! -name 3 -printf '%f -> %l\n' 2>/dev/null)
		[ -n "$held" ] || return 0
		sleep 0.05
	done
	sed "s/^/$kind receiver still holds fd /" <<<"$held"
}

# The device is in the host under its own name, or gone with the
# container's namespace (its host peer gone too); the kernel tears a dead
# namespace down asynchronously: wait up to 5 s.
netdev_leaks() {
	local i
	for ((i = 0; i < 100; i++)); do
		if ip link show "$dev" >/dev/null 2>&1 || ! ip link show "$peer" >/dev/null 2>&1; then
			break
		fi
		sleep 0.05
	done
	if ! ip link show "$dev" >/dev/null 2>&1 && ip link show "$peer" >/dev/null 2>&1; then
		echo "network device $dev still in a namespace that outlived the container"
	fi
	if ip link show eth7 >/dev/null 2>&1; then
		echo "network device eth7 (the container's name for $dev) left in the host"
	fi
}

# One kill at syscall n of command c; prints problems, one per line.
try_point() {
	local c=$1 n=$2 st rc
	prepare "$c"
	# shellcheck disable=SC2046
	"$KILLAT" -n "$n" "$HUSK" --root "$root" $(command_args "$c") </dev/null >/dev/null 2>&1
	sleep 0.02
	st=$(h state "$id" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		if [ -e "$root/$id" ] || ! grep -q 'does not exist' <<<"$st"; then
			echo "state failed: $st"
		fi
	elif ! jq -e .status <<<"$st" >/dev/null 2>&1; then
		echo "state printed no status: $st"
	fi
	local ls
	if ! ls=$(h list -q 2>&1); then
		echo "list failed: $ls"
	elif [ -e "$root/$id" ] && ! grep -qx "$id" <<<"$ls"; then
		echo "list does not show $id though its directory exists"
	fi
	if ! h list --format json >/dev/null 2>&1; then echo "list --format json failed"; fi
	local del
	if ! del=$(h delete --force "$id" 2>&1); then
		grep -q 'does not exist' <<<"$del" || echo "delete --force failed: $del"
	fi
	leaks
	ensure_dev
	# shellcheck disable=SC2086
	if ! h create $console --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1; then
		echo "create again failed: $(h create $console --bundle "$bundle" "$id" </dev/null 2>&1)"
		h delete --force "$id" >/dev/null 2>&1
	fi
	h delete --force "$id" >/dev/null 2>&1
	leaks | sed 's/^/after re-create: /'
}

# How many syscalls the command makes when left alone.
count_syscalls() {
	local c=$1 n
	prepare "$c"
	# shellcheck disable=SC2046
	"$KILLAT" -c "$work/count" "$HUSK" --root "$root" $(command_args "$c") </dev/null >/dev/null 2>&1
	n=$(cat "$work/count")
	h delete --force "$id" >/dev/null 2>&1
	echo "$n"
}

report=$work/report
printf '| bundle | command | syscalls | points tried | leaks / failures | minutes |\n' >"$report"
printf '| --- | --- | ---: | ---: | ---: | ---: |\n' >>"$report"
total_bad=0
details=$work/details
: >"$details"
for k in $kinds; do
	use_kind "$k"
	for c in $commands; do
		began=$SECONDS
		total=$(count_syscalls "$c")
		tried=0 bad=0
		for ((n = start; n <= total + 1; n += every)); do
			problems=$(try_point "$c" "$n")
			tried=$((tried + 1))
			if [ -n "$problems" ]; then
				bad=$((bad + 1))
				printf -- '- %s `%s` killed before syscall %d:\n%s\n' "$k" "$c" "$n" \
					"$(sed 's/^/  - /' <<<"$problems")" >>"$details"
			fi
		done
		printf '| %s | %s | %d | %d | %d | %.1f |\n' "$k" "$c" "$total" "$tried" "$bad" \
			"$(((SECONDS - began) * 10 / 60))e-1" >>"$report"
		echo "$k $c: $total syscalls, $tried points, $bad with problems" >&2
		total_bad=$((total_bad + bad))
	done
done
stop_keeper
{
	echo "# Fault-injection sweep"
	echo
	echo "\`tests/fault/sweep.sh -k $every -s $start -b \"$kinds\"\` on $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), husk $("$HUSK" --version | head -n 1)."
	echo "It took $((SECONDS / 60)) minutes."
	echo "Each point: the command killed (SIGKILL) just before its Nth syscall, then state, list,"
	echo "delete --force, a leak check and a fresh create of the same id."
	echo
	cat "$report"
	echo
	if [ -s "$details" ]; then
		echo "## Problems"
		echo
		cat "$details"
	else
		echo "No leaks or failures."
	fi
} | tee ${out:+"$out"}
[ "$total_bad" -eq 0 ]
