# Helpers shared by podman.bats and containerd.bats.

CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLIENTS_TOP=$(cd "$CLIENTS_DIR/../.." && pwd)

# HUSK names the runtime binary the clients drive; HUSK=/usr/sbin/runc runs
# the same tests against runc to prove the harness.
clients_need_husk() {
	: "${HUSK:=$(command -v husk || true)}"
	if [ -z "$HUSK" ] || [ ! -x "$HUSK" ]; then
		echo "HUSK must name the built husk binary (make integration sets it)" >&2
		return 1
	fi
	HUSK=$(readlink -f "$HUSK")
	export HUSK
}

# Install the client packages when missing (CI machines start without them).
clients_need_packages() {
	local missing=0 c
	for c in "$@"; do command -v "$c" >/dev/null || missing=1; done
	[ $missing = 0 ] && return 0
	"$CLIENTS_TOP"/scripts/install-client-deps.sh >&2
}

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# assert_output_contains STRING: $output (from bats' run) holds STRING
assert_output_contains() {
	case "$output" in
	*"$1"*) return 0 ;;
	esac
	fail "output does not contain '$1': $output"
}

assert_status() {
	[ "$status" -eq "$1" ] || fail "exit status $status, expected $1; output: $output"
}

# retry N CMD...: CMD succeeds within N tenths of a second
retry() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# cgroup_file PID CONTROLLER FILE -> host path of FILE in PID's cgroup
# (cgroup v1 controller hierarchy, or the unified hierarchy on a v2 host)
cgroup_file() {
	local pid=$1 ctrl=$2 file=$3 path
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		path=$(awk -F: '$1 == "0" { print $3 }' /proc/"$pid"/cgroup)
		echo "/sys/fs/cgroup$path/$file"
		return
	fi
	path=$(awk -F: -v c="$ctrl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/"$pid"/cgroup)
	echo "/sys/fs/cgroup/$ctrl$path/$file"
}

# Run CMD... with a controlling terminal, as a user at a shell would: the
# client sees a tty on stdin/stdout. Exit status is the command's.
with_tty() {
	script -qec "$(printf '%q ' "$@")" /dev/null </dev/null
}

# remove_cgroups NAME: rmdir every cgroup directory NAME (and below) that a
# client created under /sys/fs/cgroup; shims and conmon exit asynchronously,
# so keep trying for a few seconds
remove_cgroups() {
	local name=$1
	_rm_cgroups() {
		find /sys/fs/cgroup -depth -type d \( -path "*/$name" -o -path "*/$name/*" \) -exec rmdir {} + 2>/dev/null
		[ -z "$(find /sys/fs/cgroup -type d -path "*/$name" 2>/dev/null)" ]
	}
	retry 50 _rm_cgroups || echo "warning: cgroups $name left behind" >&2
}

# kill_leftovers DIR: end what a hung runtime left running for this test
# directory (conmon, shims, runtime processes: each has DIR in its command
# line), one pid at a time
kill_leftovers() {
	local dir=$1 p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] && continue
		{ tr '\0' ' ' < /proc/"$p"/cmdline; } 2>/dev/null | grep -qF -- "$dir/" || continue
		kill -9 "$p" 2>/dev/null || true
	done
}
