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
# Only husk itself is traced and killed (tests/killat.c, a small ptrace
# tracer that counts every syscall of one process): its children live on,
# as they do when the OOM killer or a timeout kills the runtime.
#
# usage: sweep.sh [-k K] [-s S] [-c "create start ..."] [-o RESULT.md] HUSK [KILLAT]
#   -k K   try every K-th syscall only (default 1: every one)
#   -s S   starting at syscall S (default 1)
#   -c     the commands (default: create start run exec pause update delete)
#   -o     write the result table there (markdown) as well as to stdout
# KILLAT defaults to tests/killat next to HUSK's build (make check builds it).
# Needs root and jq.  Exit status 1 when any leak was found.
set -u

every=1
start=1
commands="create start run exec pause update delete"
out=
while getopts k:s:c:o: opt; do
	case $opt in
	k) every=$OPTARG ;;
	s) start=$OPTARG ;;
	c) commands=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
HUSK=${1:?usage: sweep.sh [-k K] [-s S] [-c COMMANDS] [-o RESULT] HUSK [KILLAT]}
HUSK=$(realpath "$HUSK")
KILLAT=${2:-$(dirname "$HUSK")/../tests/killat}
[ -x "$KILLAT" ] || { echo "sweep.sh: $KILLAT missing: run make check first" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

work=$(mktemp -d /tmp/husk-fault.XXXXXX)
root=$work/root
bundle=$work/b
id=fault$$
cleanup() {
	h delete --force "$id" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

"$repo/scripts/make-rootfs.sh" "${HUSK_TEST_CACHE:-/tmp/husk-test-cache}/rootfs" >/dev/null || exit 1
mkdir -p "$bundle"
cp -a "${HUSK_TEST_CACHE:-/tmp/husk-test-cache}/rootfs" "$bundle/rootfs"
(cd "$bundle" && "$HUSK" spec) || exit 1
jq '.root.readonly = false | .process.terminal = false | .process.args = ["sleep", "1000"]' \
	"$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"

h() { timeout -k 5 30 "$HUSK" --root "$root" "$@"; }

# What must exist before the command runs.
prepare() {
	case $1 in
	create | run) ;;
	start) h create --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1 ;;
	*) h run -d --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1 ;;
	esac
}

# The command under test, as husk arguments.
command_args() {
	case $1 in
	create) echo "create --bundle $bundle $id" ;;
	start) echo "start $id" ;;
	run) echo "run -d --bundle $bundle $id" ;;
	exec) echo "exec $id sh -c exit" ;;
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
	if ! h create --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1; then
		echo "create again failed: $(h create --bundle "$bundle" "$id" </dev/null 2>&1)"
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
printf '| command | syscalls | points tried | leaks / failures |\n| --- | ---: | ---: | ---: |\n' >"$report"
total_bad=0
details=$work/details
: >"$details"
for c in $commands; do
	total=$(count_syscalls "$c")
	tried=0 bad=0
	for ((n = start; n <= total + 1; n += every)); do
		problems=$(try_point "$c" "$n")
		tried=$((tried + 1))
		if [ -n "$problems" ]; then
			bad=$((bad + 1))
			printf -- '- `%s` killed before syscall %d:\n%s\n' "$c" "$n" "$(sed 's/^/  - /' <<<"$problems")" >>"$details"
		fi
	done
	printf '| %s | %d | %d | %d |\n' "$c" "$total" "$tried" "$bad" >>"$report"
	echo "$c: $total syscalls, $tried points, $bad with problems" >&2
	total_bad=$((total_bad + bad))
done
{
	echo "# Fault-injection sweep"
	echo
	echo "\`tests/fault/sweep.sh -k $every -s $start\` on $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ), husk $("$HUSK" --version | head -n 1)."
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
