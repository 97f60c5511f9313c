#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# husk's benchmark against crun and runc (issues 7, 16).  Not a test: it measures.
#
#   tests/bench/run.sh [--quick] [--out DIR] [--keep] [--crun2 BIN] [HUSK_BINARY]
#   tests/bench/run.sh --profile [--out DIR] [HUSK_BINARY]   (see profile.sh)
#   tests/bench/run.sh --vm [--out DIR] [HUSK_BINARY]   (pure cgroup v2, in a VM)
#   tests/bench/run.sh --scale [--out DIR] [HUSK_BINARY] (1,000 containers: scale.sh)
#   make bench                      (runs it with the built runtime/husk)
#   make bench-vm                   (--vm with the built runtime/husk)
#   make bench-scale                (--scale with the built runtime/husk)
#
# --vm runs the same benchmark (quick sizes, 20 containers for state/list and
# the batches, BENCH_ROUNDS 15 unless set, no runc, no hyperfine) inside scripts/vm-run with VM_ROOT=host, so
# the binaries of this machine run on a pure cgroup v2 kernel (husk places
# its init with CLONE_INTO_CGROUP there).  The VM is emulated (TCG): its
# absolute times mean little, its paired ratios are what it is for.  Its
# results go to DIR/latest-v2.md and .json.
#
# A second crun (--crun2 BIN, or CRUN2=BIN; by default ../shared/peers/crun-1.27
# beside the source tree when it is there, CRUN2= for none) is measured as
# "crun-1.27" beside Debian's crun 1.8, and every husk figure gets a second
# ratio, to it.
#
# Every contender runs the same bundle (a busybox-static rootfs, the config
# of `crun spec` running /bin/true, no terminal) from one driver that
# alternates between them round by round (husk, crun, runc, floor, husk,
# ...).  Each figure is the median over rounds, each ratio the median of the
# per-round ratios to crun.  The floor (floor.c) is the least a runtime must
# do: clone into the namespaces, pivot, mount proc, exec; floorcg is the
# floor plus placing the child in a new cgroup of every v1 hierarchy.
#
# Debian's crun 1.8 refuses a hybrid cgroup layout, so the whole benchmark
# runs in a private mount namespace in which the cgroup2 mount at
# /sys/fs/cgroup/unified is unmounted; the host's mounts are not touched.
#
# Results: a table on stdout, and DIR/latest.md + DIR/latest.json (DIR is
# tests/bench/results by default).  Without HUSK_BINARY, or when it cannot
# `run` the bundle, husk is left out and the rest is still measured.
# HUSK_BINARY may be another runtime (e.g. /usr/sbin/runc) as a stand-in.
#
# The old-kernel path: with tests/kernel-compat (--kernel-compat BIN, or
# KERNEL_COMPAT=BIN; by default tests/kernel-compat beside HUSK_BINARY's
# runtime/ directory), run and the cycle are measured again with husk under
# `kernel-compat 4.18` (every syscall newer than Linux 4.18 fails with ENOSYS,
# so husk takes its fallbacks), beside the wrapper alone (`kernel-compat 4.18
# busybox true`), whose cost is subtracted round by round.
#
# Environment: BENCH_ROUNDS overrides the number of rounds.

set -uo pipefail

SELF=$(readlink -f "$0")
HERE=$(dirname "$SELF")
QUICK=0
KEEP=0
PROFILE=0
VM=0
SCALE=0
NAME=
OUT="$HERE/results"
HUSK=""

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--keep) KEEP=1 ;;
	--profile) PROFILE=1 ;;
	--vm) VM=1 ;;
	--scale) SCALE=1 ;;
	--name) NAME=$2; shift ;; # the reports' file name, without .md/.json
	--out) OUT=$2; shift ;;
	--crun2) CRUN2=$2; shift ;;
	--crun2=*) CRUN2=${1#--crun2=} ;;
	--kernel-compat) KERNEL_COMPAT=$2; shift ;;
	--out=*) OUT=${1#--out=} ;;
	-h|--help) sed -n '3,51p' "$SELF"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) HUSK=$1 ;;
	esac
	shift
done

die() { echo "bench: $*" >&2; exit 1; }

[ -n "$NAME" ] || NAME=$([ $SCALE = 1 ] && echo latest-scale || echo latest)
[ $((VM + SCALE + PROFILE)) -le 1 ] || die "--vm, --scale and --profile go one at a time"

# The second crun: explicit, or the peer build next to the project's tree.
if [ -z "${CRUN2+set}" ]; then
	CRUN2=""
	for c in "$HERE/../../../shared/peers/crun-1.27"; do
		[ -x "$c" ] && { CRUN2=$(readlink -f "$c"); break; }
	done
fi
[ -z "$CRUN2" ] || [ -x "$CRUN2" ] || die "--crun2 $CRUN2: not an executable"
export CRUN2
log() { echo "bench: $*" >&2; }

[ "$(id -u)" = 0 ] || die "needs root (it creates containers)"

# ---- tools -----------------------------------------------------------------

install_missing() {
	local need=() cmd pkg
	for pair in crun:crun runc:runc hyperfine:hyperfine strace:strace \
		/usr/bin/time:time /bin/busybox:busybox-static jq:jq cc:gcc \
		$([ $PROFILE = 1 ] && echo valgrind:valgrind perf:linux-perf); do
		cmd=${pair%%:*} pkg=${pair#*:}
		if [ "${cmd#/}" != "$cmd" ]; then
			[ -x "$cmd" ] || need+=("$pkg")
		else
			command -v "$cmd" >/dev/null || need+=("$pkg")
		fi
	done
	# busybox (dynamic) also installs /bin/busybox; the rootfs needs the static one.
	if [ -x /bin/busybox ] && ldd /bin/busybox >/dev/null 2>&1; then
		need+=(busybox-static)
	fi
	[ ${#need[@]} -eq 0 ] && return 0
	log "installing ${need[*]}"
	if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq "${need[@]}" >/dev/null; }; then
		die "apt-get install ${need[*]} failed"
	fi
}

if [ $VM = 1 ]; then
	# The VM sees this machine's / read-only, but with a /tmp of its own, and
	# one shared directory read-write at the same path: the benchmark's
	# scripts, the binaries and the results travel through it.  Inside, run.sh
	# runs as on any pure cgroup v2 host.
	VM_RUN=${VM_RUN:-$HERE/../../scripts/vm-run}
	[ -x "$VM_RUN" ] || die "no vm-run at $VM_RUN"
	[ $PROFILE = 0 ] || die "--profile and --vm do not go together"
	mkdir -p "$OUT"
	SHARE=$(mktemp -d /var/tmp/husk-bench-vm.XXXXXX)
	trap 'rm -rf "$SHARE"' EXIT
	cp -r "$HERE" "$SHARE/bench" && rm -rf "$SHARE/bench/results" && mkdir "$SHARE/out" ||
		die "cannot fill $SHARE"
	vm_args=(--quick --name latest-v2 --out "$SHARE/out")
	[ $KEEP = 1 ] && vm_args+=(--keep)
	vm_crun2=""
	if [ -n "$CRUN2" ]; then
		cp "$CRUN2" "$SHARE/crun-1.27" && vm_crun2=$SHARE/crun-1.27
	fi
	if [ -n "$HUSK" ]; then
		cp "$HUSK" "$SHARE/husk" && vm_args+=("$SHARE/husk")
	fi
	host_load0=$(cut -d' ' -f1-3 /proc/loadavg)
	vm_cmd="HUSK_BENCH_VM=1 BENCH_ROUNDS=${BENCH_ROUNDS:-15} CRUN2=$(printf %q "$vm_crun2")"
	vm_cmd+=" BENCH_COMMIT=$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	vm_cmd+=" BENCH_CMDLINE=$(printf %q "tests/bench/run.sh --vm${CRUN2:+ --crun2 $CRUN2}${HUSK:+ $HUSK}")"
	vm_cmd+=" bash $SHARE/bench/run.sh$(printf ' %q' "${vm_args[@]}")"
	log "in a VM (vm-run, VM_ROOT=host, TCG: slow): $vm_cmd"
	VM_ROOT=host VM_SHARE=$SHARE VM_TIMEOUT=${VM_TIMEOUT:-3000} "$VM_RUN" "$vm_cmd"
	rc=$?
	cp "$SHARE"/out/latest-v2.* "$OUT"/ 2>/dev/null || die "the VM wrote no results (exit $rc)"
	# the load that slows the emulation is the host's
	sed -i "s|^- machine: Linux|- host load average at start $host_load0, at end $(cut -d' ' -f1-3 /proc/loadavg)\n&|" \
		"$OUT/latest-v2.md"
	exit $rc
fi

if [ "${HUSK_BENCH_INNER:-}" != 1 ]; then
	BENCH_CMDLINE=${BENCH_CMDLINE:-"tests/bench/run.sh$([ $QUICK = 1 ] && echo " --quick")$([ $SCALE = 1 ] && echo " --scale")${CRUN2:+ --crun2 $CRUN2}${HUSK:+ $HUSK}"}
	export BENCH_CMDLINE
	install_missing
	HOST_CGROUP=$(awk '$5 ~ "^/sys/fs/cgroup" {print $5 "=" $(NF-2)}' /proc/self/mountinfo |
		tr '\n' ' ')
	export HOST_CGROUP
	inner=(--out "$OUT")
	[ $QUICK = 1 ] && inner+=(--quick)
	[ $KEEP = 1 ] && inner+=(--keep)
	[ $PROFILE = 1 ] && inner+=(--profile)
	[ $SCALE = 1 ] && inner+=(--scale)
	inner+=(--name "$NAME")
	[ -n "$HUSK" ] && inner+=("$HUSK")
	# crun 1.8 and 1.27 both refuse a hybrid layout: hide the cgroup2 mount.
	# On a host with one hierarchy (pure v1 or v2) they run as they are.
	if awk '$5 == "/sys/fs/cgroup/unified" {f=1} END {exit !f}' /proc/self/mountinfo; then
		exec unshare -m --propagation private env HUSK_BENCH_INNER=1 "$SELF" "${inner[@]}"
	fi
	exec env HUSK_BENCH_INNER=1 "$SELF" "${inner[@]}"
fi

# ---- inside the private mount namespace (on a hybrid host) -----------------------

if awk '$5 == "/sys/fs/cgroup/unified" {f=1} END {exit !f}' /proc/self/mountinfo; then
	[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
		die "not in a private mount namespace; refusing to touch cgroup mounts"
	umount /sys/fs/cgroup/unified || die "cannot unmount /sys/fs/cgroup/unified (private namespace)"
fi
# floorcg places its child in every v1 hierarchy: without one it is the floor.
HAVE_V1=0
awk '$(NF-2) == "cgroup" {f=1} END {exit !f}' /proc/self/mountinfo && HAVE_V1=1
FLOORS=(floor)
[ $HAVE_V1 = 1 ] && FLOORS+=(floorcg)
BENCH_CGROUP=$(awk '$5 ~ "^/sys/fs/cgroup" {print $5 "=" $(NF-2)}' /proc/self/mountinfo |
	tr '\n' ' ')

if [ $QUICK = 1 ]; then
	ROUNDS=${BENCH_ROUNDS:-10} BATCH_ROUNDS=1 RSS_ROUNDS=3 MEM_STEP=65536 NCONT=100
else
	ROUNDS=${BENCH_ROUNDS:-100} BATCH_ROUNDS=5 RSS_ROUNDS=9 MEM_STEP=4096 NCONT=100
fi
NBATCH=100
# The emulated VM is tens of times slower: fewer containers for state/list and
# the batch (the metrics' names say how many).
[ "${HUSK_BENCH_VM:-}" = 1 ] && NCONT=20 NBATCH=20

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/husk-bench.XXXXXX)
ROOTFS=$WORK/rootfs
DRIVER=$WORK/driver
FLOOR=$WORK/floor
mkdir -p "$OUT" "$WORK/pid" "$WORK/raw"

declare -a LABELS=() ALL_LABELS=()
declare -A BIN=()

root_of() { echo "$WORK/state-$1"; }

cleanup() {
	local l dir
	for l in "${ALL_LABELS[@]}"; do
		for dir in "$(root_of "$l")"/bench-*; do
			[ -d "$dir" ] || continue
			timeout 20 "${BIN[$l]}" --root "$(root_of "$l")" delete -f "${dir##*/}" \
				>/dev/null 2>&1
		done
	done
	# What a runtime that failed half-way left behind (only empty cgroups go).
	find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d \
		-regex '.*/bench-\(husk\|crun\|crun-1.27\|runc\|floorcg\)-.*' -exec rmdir {} + 2>/dev/null
	if [ $KEEP = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -Wall -Wextra -o "$DRIVER" "$HERE/driver.c" || die "building driver.c failed"
cc -O2 -Wall -Wextra -o "$FLOOR" "$HERE/floor.c" || die "building floor.c failed"

# The rootfs: busybox-static as /bin/busybox and the applets the runs use.
mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/tmp" "$ROOTFS/etc"
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in true sleep sh; do ln -s busybox "$ROOTFS/bin/$applet"; done

# One config for all: `crun spec`, minus the terminal, running /bin/true.
(cd "$WORK" && crun spec) || die "crun spec failed"
make_bundle() { # NAME JQ-FILTER
	mkdir -p "$WORK/$1"
	jq --arg root "$ROOTFS" ".process.terminal = false | .root.path = \$root | $2" \
		"$WORK/config.json" >"$WORK/$1/config.json" || die "jq failed"
}
make_bundle true '.process.args = ["/bin/true"]'
make_bundle sleep '.process.args = ["/bin/sleep", "1000"]'

# ---- contenders ---------------------------------------------------------------

add_runtime() { # LABEL BINARY
	LABELS+=("$1")
	ALL_LABELS+=("$1")
	BIN[$1]=$2
	mkdir -p "$(root_of "$1")"
}

HUSK_NOTE=""
if [ -n "$HUSK" ]; then
	HUSK=$(readlink -f "$HUSK")
	add_runtime husk "$HUSK"
	# The driver reports a failure in its output, not in its exit code.
	if ! "$DRIVER" -t 20 batch 1 1 1 -- husk "$HUSK" --root "$(root_of husk)" run \
		-b "$WORK/true" bench-husk-smoke 2>"$WORK/husk-smoke.err" |
		awk -F'\t' '$6 != 0 {f = 1} END {exit f || NR == 0}'; then
		HUSK_NOTE="husk could not run the bundle: $(grep -v '^bench driver' \
			"$WORK/husk-smoke.err" | tail -n 3 | tr '\n' ' ')"
	fi
	if [ -n "$HUSK_NOTE" ]; then
		log "$HUSK_NOTE -- measuring without husk"
		LABELS=()
	fi
else
	HUSK_NOTE="no husk binary given"
fi
add_runtime crun "$(command -v crun)"
BASE=crun BASE2=""
CRUN2_NOTE=""
if [ -n "$CRUN2" ]; then
	# like husk: measured only when it can run the bundle here
	if "$DRIVER" -t 20 batch 1 1 1 -- crun-1.27 "$CRUN2" --root "$WORK/state-crun2-smoke" run \
		-b "$WORK/true" bench-crun2-smoke 2>"$WORK/crun2-smoke.err" |
		awk -F'\t' '$6 != 0 {f = 1} END {exit f || NR == 0}'; then
		add_runtime crun-1.27 "$CRUN2"
		BASE2=crun-1.27
	else
		CRUN2_NOTE="$CRUN2 could not run the bundle: $(tail -n 3 "$WORK/crun2-smoke.err" | tr '\n' ' ')"
		log "$CRUN2_NOTE"
	fi
fi
# In the VM (TCG), runc's 3x cost would take most of the time and say nothing new.
[ "${HUSK_BENCH_VM:-}" = 1 ] || add_runtime runc "$(command -v runc)"

# "-- LABEL BIN --root R ARGS..." for each runtime; %i becomes a unique number.
contenders() { # ARGS... (after the global options)
	local l
	for l in "${LABELS[@]}"; do
		printf '%s\0' -- "$l" "${BIN[$l]}" --root "$(root_of "$l")"
		local a
		for a in "$@"; do printf '%s\0' "${a//@L@/$l}"; done
	done
}
mapfile -d '' RUN_ARGS < <(contenders run -b "$WORK/true" 'bench-@L@-run-%i')
mapfile -d '' GLOBAL_ARGS < <(contenders)

if [ $PROFILE = 1 ]; then
	. "$HERE/profile.sh"
	profile_all
	exit 0
fi

CMDLINE=${BENCH_CMDLINE:-tests/bench/run.sh}
HUSK_VERSION=$([ -n "$HUSK" ] && "$HUSK" --version 2>/dev/null | head -n 1)
if [ $SCALE = 1 ]; then
	. "$HERE/report.sh"
	. "$HERE/scale.sh"
	[ -z "${BENCH_ROUNDS:-}" ] && [ $QUICK = 0 ] && ROUNDS=50
	scale_all
	cat "$OUT/$NAME.md"
	exit 0
fi

SUMMARY=$WORK/summary.tsv # metric label value ratio n failures
: >"$SUMMARY"
# summary.tsv: METRIC LABEL VALUE RATIO-TO-crun N FAILURES RATIO-TO-crun-1.27
summarize() { # METRIC COLUMN DATAFILE
	awk -v col="$2" -v base="$BASE" -v base2="$BASE2" -f "$HERE/stats.awk" "$3" |
		awk -v m="$1" 'BEGIN {OFS="\t"} {print m, $1, $2, $3, $4, $5, $6}' >>"$SUMMARY"
}

# ---- 1. run /bin/true: wall, CPU, and the floor -------------------------------

FLOOR_ARGS=(-- floor "$FLOOR" "$ROOTFS")
[ $HAVE_V1 = 1 ] && FLOOR_ARGS+=(-- floorcg "$FLOOR" -c "bench-floorcg-$$" "$ROOTFS")
log "run /bin/true: $ROUNDS rounds of ${LABELS[*]} ${FLOORS[*]}"
"$DRIVER" -t 10 batch "$ROUNDS" 1 1 "${RUN_ARGS[@]}" "${FLOOR_ARGS[@]}" \
	>"$WORK/raw/run.tsv" 2>"$WORK/raw/run.err"
summarize run_wall 3 "$WORK/raw/run.tsv"
summarize run_cpu 4 "$WORK/raw/run.tsv"

# ---- 2. the conmon cycle: create --pid-file, start, reap the init, delete ------

log "conmon cycle: $ROUNDS rounds"
"$DRIVER" -t 10 cycle "$ROUNDS" "$WORK/true" "$WORK/pid" "${GLOBAL_ARGS[@]}" \
	>"$WORK/raw/cycle.tsv" 2>"$WORK/raw/cycle.err"
summarize cycle_wall 3 "$WORK/raw/cycle.tsv"
summarize cycle_cpu 4 "$WORK/raw/cycle.tsv"

# ---- 2b. the old-kernel path: run and the cycle under kernel-compat 4.18 ------

KC=${KERNEL_COMPAT-}
if [ -z "${KERNEL_COMPAT+set}" ] && [ -n "${BIN[husk]:-}" ]; then
	KC=$(dirname "${BIN[husk]}")/../tests/kernel-compat
	[ -x "$KC" ] || KC=""
fi
KC_NOTE=""
if [ -z "$KC" ]; then
	KC_NOTE="not measured: no tests/kernel-compat"
elif [ -z "${BIN[husk]:-}" ] || [ -n "$HUSK_NOTE" ]; then
	KC_NOTE="not measured: no husk"
	KC=""
fi
if [ -n "$KC" ]; then
	KC=$(readlink -f "$KC")
	log "old-kernel path (kernel-compat 4.18): $ROUNDS rounds of run and of the cycle"
	# (no "--" after the version: the driver splits its contenders at "--")
	KC_HUSK=("$KC" 4.18 "${BIN[husk]}" --root "$(root_of husk)")
	"$DRIVER" -t 10 batch "$ROUNDS" 1 1 \
		-- husk "${BIN[husk]}" --root "$(root_of husk)" run -b "$WORK/true" 'bench-husk-run-%i' \
		-- husk-4.18 "${KC_HUSK[@]}" run -b "$WORK/true" 'bench-husk-kc-%i' \
		-- wrapper "$KC" 4.18 "$ROOTFS/bin/busybox" true \
		-- true "$ROOTFS/bin/busybox" true \
		>"$WORK/raw/kc-run.tsv" 2>"$WORK/raw/kc-run.err"
	"$DRIVER" -t 10 cycle "$ROUNDS" "$WORK/true" "$WORK/pid" \
		-- husk "${BIN[husk]}" --root "$(root_of husk)" -- husk-4.18 "${KC_HUSK[@]}" \
		>"$WORK/raw/kc-cycle.tsv" 2>"$WORK/raw/kc-cycle.err"
	# husk-4.18-net: husk under the wrapper less the wrapper's own cost in the
	# same round (once per husk process: once for run, three times for the
	# cycle).  The wrapper's cost is "wrapper" less "true": the wrapper row
	# also pays for exec'ing busybox true, which under husk is husk's own.
	kc_net() { # TIMES RUN-FILE FILE
		awk -F'\t' -v k="$1" 'BEGIN {OFS = "\t"}
			FNR == NR && $6 == 0 && $1 == "wrapper" {w3[$2] += $3; w4[$2] += $4; nw[$2]++}
			FNR == NR && $6 == 0 && $1 == "true" {w3[$2] -= $3; w4[$2] -= $4; nw[$2]++}
			FNR == NR {next}
			{print}
			$1 == "husk-4.18" && nw[$2] == 2 {
				print "husk-4.18-net", $2, $3 - k * w3[$2], $4 - k * w4[$2], $5, $6}' "$2" "$3"
	}
	kc_net 1 "$WORK/raw/kc-run.tsv" "$WORK/raw/kc-run.tsv" >"$WORK/raw/kc-run-net.tsv"
	kc_net 3 "$WORK/raw/kc-run.tsv" "$WORK/raw/kc-cycle.tsv" >"$WORK/raw/kc-cycle-net.tsv"
	# ratios to husk itself (same round): what the old-kernel path costs
	for m in run_wall:3:run run_cpu:4:run cycle_wall:3:cycle cycle_cpu:4:cycle; do
		IFS=: read -r key col f <<<"$m"
		awk -v col="$col" -v base=husk -f "$HERE/stats.awk" "$WORK/raw/kc-$f-net.tsv" |
			awk -v m="kc_$key" 'BEGIN {OFS="\t"} {print m, $1, $2, $3, $4, $5, "-"}' >>"$SUMMARY"
	done
fi

# ---- 3. peak RSS of the runtime process (/usr/bin/time -v) ---------------------

log "peak RSS: $RSS_ROUNDS rounds"
: >"$WORK/raw/rss.tsv"
for r in $(seq "$RSS_ROUNDS"); do
	for l in "${LABELS[@]}"; do
		timeout 20 /usr/bin/time -v -o "$WORK/time.out" "${BIN[$l]}" --root "$(root_of "$l")" run \
			-b "$WORK/true" "bench-$l-rss-$r" >/dev/null 2>>"$WORK/raw/rss.err"
		rc=$?
		kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.out")
		printf '%s\t%s\t0\t0\t%s\t%s\n' "$l" "$r" "${kb:-0}" "$([ $rc = 0 ] && echo 0 || echo 1)" \
			>>"$WORK/raw/rss.tsv"
	done
done
summarize peak_rss 5 "$WORK/raw/rss.tsv"

# ---- 4. state and list with NCONT (100) running containers ----------------------------

log "state/list with $NCONT running containers each"
for l in "${LABELS[@]}"; do
	R=$(root_of "$l")
	for i in $(seq "$NCONT"); do
		timeout 10 "${BIN[$l]}" --root "$R" create -b "$WORK/sleep" "bench-$l-sleep-$i" \
			>/dev/null 2>>"$WORK/raw/sleep.err" &&
			timeout 10 "${BIN[$l]}" --root "$R" start "bench-$l-sleep-$i" \
				2>>"$WORK/raw/sleep.err"
	done
done
mapfile -d '' STATE_ARGS < <(contenders state "bench-@L@-sleep-$((NCONT / 2))")
mapfile -d '' LIST_ARGS < <(contenders list)
"$DRIVER" -t 10 batch "$ROUNDS" 1 1 "${STATE_ARGS[@]}" >"$WORK/raw/state.tsv" 2>"$WORK/raw/state.err"
"$DRIVER" -t 10 batch "$ROUNDS" 1 1 "${LIST_ARGS[@]}" >"$WORK/raw/list.tsv" 2>"$WORK/raw/list.err"
summarize state_wall 3 "$WORK/raw/state.tsv"
summarize list_wall 3 "$WORK/raw/list.tsv"
# Were they all listed as running?  (A list that is fast but wrong is no win.)
for l in "${LABELS[@]}"; do
	n=$(timeout 10 "${BIN[$l]}" --root "$(root_of "$l")" list 2>/dev/null | grep -c ' running ')
	printf 'list_running\t%s\t%s\t-\t1\t0\t-\n' "$l" "$n" >>"$SUMMARY"
done
log "removing the sleeping containers"
for l in "${LABELS[@]}"; do
	R=$(root_of "$l")
	for i in $(seq "$NCONT"); do
		timeout 10 "${BIN[$l]}" --root "$R" delete -f "bench-$l-sleep-$i" >/dev/null 2>&1
	done
done

# ---- 5. NBATCH (100) containers one after another, and 4 at a time ---------------------

log "$NBATCH runs sequential and 4 at a time: $BATCH_ROUNDS rounds"
# (in the emulated VM only 4 at a time: one after another adds little but time)
[ "${HUSK_BENCH_VM:-}" = 1 ] ||
	"$DRIVER" -t 10 batch "$BATCH_ROUNDS" "$NBATCH" 1 "${RUN_ARGS[@]}" >"$WORK/raw/seq.tsv" 2>"$WORK/raw/seq.err"
"$DRIVER" -t 10 batch "$BATCH_ROUNDS" "$NBATCH" 4 "${RUN_ARGS[@]}" >"$WORK/raw/par.tsv" 2>"$WORK/raw/par.err"
[ -s "$WORK/raw/seq.tsv" ] && summarize seq100_wall 3 "$WORK/raw/seq.tsv"
summarize par100_wall 3 "$WORK/raw/par.tsv"

# ---- 6. the smallest memory limit that `run /bin/true` survives 3 times of 3 ----

mem_ok() { # LABEL LIMIT
	make_bundle mem ".process.args = [\"/bin/true\"] | .linux.resources.memory = {limit: $2}"
	"$DRIVER" -t 20 batch 1 3 1 -- "$1" "${BIN[$1]}" --root "$(root_of "$1")" run \
		-b "$WORK/mem" "bench-$1-mem-%i" 2>>"$WORK/raw/mem.err" |
		awk -F'\t' '$6 != 0 {f = 1} END {exit f || NR == 0}'
}
log "smallest memory limit (64 KiB .. 64 MiB, step $MEM_STEP)"
for l in "${LABELS[@]}"; do
	lo=65536 hi=67108864
	if mem_ok "$l" $lo; then
		best=$lo
	elif ! mem_ok "$l" $hi; then
		best=0 # fails even at 64 MiB
	else
		# invariant: lo fails, hi succeeds
		while [ $((hi - lo)) -gt "$MEM_STEP" ]; do
			mid=$(((lo + hi) / 2 / 4096 * 4096))
			if mem_ok "$l" $mid; then hi=$mid; else lo=$mid; fi
		done
		best=$hi
	fi
	echo "$l $best" >>"$WORK/raw/mem.txt"
done
base_mem=$(awk -v b="$BASE" '$1 == b {print $2}' "$WORK/raw/mem.txt")
base2_mem=$(awk -v b="$BASE2" '$1 == b {print $2}' "$WORK/raw/mem.txt")
awk -v b="${base_mem:-0}" -v b2="${base2_mem:-0}" 'BEGIN {OFS="\t"}
	{print "min_memory", $1, $2, (b > 0 && $2 > 0) ? $2 / b : "-", 1, ($2 == 0),
		(b2 > 0 && $2 > 0) ? $2 / b2 : "-"}' \
	"$WORK/raw/mem.txt" >>"$SUMMARY"

# ---- 7. syscalls of one run, all processes ------------------------------------

log "syscalls (strace -f -c)"
for l in "${LABELS[@]}" floor; do
	if [ "$l" = floor ]; then
		cmd=("$FLOOR" "$ROOTFS")
	else
		cmd=("${BIN[$l]}" --root "$(root_of "$l")" run -b "$WORK/true" "bench-$l-strace")
	fi
	timeout 30 strace -f -c -o "$WORK/raw/strace-$l.txt" "${cmd[@]}" >/dev/null 2>>"$WORK/raw/strace.err"
	# lines: % time, seconds, usecs/call, calls, [errors], syscall
	awk -v l="$l" 'BEGIN {OFS="\t"} /^-/ {sep++; next}
		sep == 1 && NF >= 5 {print l, $NF, $4}
		$NF == "total" {print l, "TOTAL", $4}' "$WORK/raw/strace-$l.txt" \
		>>"$WORK/raw/syscalls.tsv"
done
awk -F'\t' -v b="$BASE" -v b2="$BASE2" 'BEGIN {OFS="\t"} $2 == "TOTAL" {t[$1] = $3; o[++n] = $1}
	END {for (i = 1; i <= n; i++) print "syscalls", o[i], t[o[i]],
		(t[b] > 0 ? t[o[i]] / t[b] : "-"), 1, 0, (t[b2] > 0 ? t[o[i]] / t[b2] : "-")}' \
	"$WORK/raw/syscalls.tsv" >>"$SUMMARY"

# ---- 8. hyperfine, as an unpaired cross-check of `run` ---------------------------

HF_RUNS=$([ $QUICK = 1 ] && echo 10 || echo 30)
[ "${HUSK_BENCH_VM:-}" = 1 ] && HF_RUNS=0 # absolute times in an emulated VM mean little
hf=()
for l in "${LABELS[@]}"; do
	hf+=(-n "$l" "${BIN[$l]} --root $(root_of "$l") run -b $WORK/true bench-$l-hf-\$\$")
done
[ "$HF_RUNS" -gt 0 ] &&
	{ hyperfine -w 3 -r "$HF_RUNS" --export-json "$WORK/raw/hyperfine.json" "${hf[@]}" \
		-n floor "$FLOOR $ROOTFS" >"$WORK/raw/hyperfine.txt" 2>&1 ||
		log "hyperfine failed (see --keep)"; }
if [ -s "$WORK/raw/hyperfine.json" ]; then
	jq -r '.results[] | [.command, .mean, .stddev] | @tsv' "$WORK/raw/hyperfine.json" |
		awk -F'\t' 'BEGIN {OFS="\t"} {print "hyperfine_mean", $1, $2, "-", 1, 0, "-"}' >>"$SUMMARY"
fi

# ---- report ---------------------------------------------------------------------

. "$HERE/report.sh"
write_reports
cat "$OUT/$NAME.md"
