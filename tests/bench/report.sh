# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by run.sh: turns $WORK/summary.tsv and $WORK/raw/syscalls.tsv into
# $OUT/$NAME.md and $OUT/$NAME.json.

# key, description, unit, target ratio to crun for husk ("-": none); report.sh is
# sourced after NCONT and NBATCH are set
METRICS="run_wall	run /bin/true, wall	ms	0.6
run_cpu	run /bin/true, CPU (user+sys, all processes)	ms	0.6
cycle_wall	conmon cycle (create, start, reap, delete), wall	ms	0.6
cycle_cpu	conmon cycle, CPU (user+sys, all processes)	ms	0.6
peak_rss	peak RSS of the runtime process	MiB	1.0
state_wall	state, $NCONT containers running	ms	-
list_wall	list, $NCONT containers running	ms	0.5
list_running	containers list shows running	count	-
seq100_wall	$NBATCH runs one after another	s	-
par100_wall	$NBATCH runs, 4 at a time	s	-
min_memory	smallest memory.limit for 3/3 runs	KiB	1.0
syscalls	syscalls per run (strace -f -c)	count	0.6
hyperfine_mean	hyperfine mean of run (unpaired cross-check)	ms	-"

machine_info() {
	KERNEL=$(uname -r)
	NPROC=$(nproc)
	MEM_GIB=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
	CPU_MODEL=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
	CRUN_VERSION=$(crun --version | head -n 1)
	CRUN2_VERSION=$([ -n "$BASE2" ] && "${BIN[$BASE2]}" --version | head -n 1)
	RUNC_VERSION=$(runc --version | head -n 1)
	DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
	COMMIT=${BENCH_COMMIT:-$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)}
	if [ -n "${HOST_CGROUP:-}" ] && echo "$HOST_CGROUP" | grep -q '=cgroup2' &&
		echo "$HOST_CGROUP" | grep -q '=cgroup '; then
		HOST_LAYOUT=hybrid
	elif echo "${HOST_CGROUP:-}" | grep -q '=cgroup2'; then
		HOST_LAYOUT=unified
	else
		HOST_LAYOUT=legacy
	fi
	if [ "$HOST_LAYOUT" = unified ]; then
		BENCH_LAYOUT="as the host (cgroup v2 only)"
	elif echo "$BENCH_CGROUP" | grep -q '=cgroup2'; then
		BENCH_LAYOUT="as the host"
	else
		BENCH_LAYOUT="legacy (cgroup v1 only: /sys/fs/cgroup/unified unmounted in a private mount namespace)"
	fi
}

# value of METRIC for LABEL, column 3 (value), 4 (ratio to crun) or 7 (to crun-1.27)
summary_get() {
	awk -F'\t' -v m="$1" -v l="$2" -v c="$3" '$1 == m && $2 == l {print $c; exit}' "$SUMMARY"
}

fmt_value() { # UNIT VALUE
	case "$2" in "" | "-") echo "-"; return ;; esac
	case "$1" in
	ms) awk -v v="$2" 'BEGIN {printf "%.2f", v * 1000}' ;;
	s) awk -v v="$2" 'BEGIN {printf "%.2f", v}' ;;
	MiB) awk -v v="$2" 'BEGIN {printf "%.2f", v / 1024}' ;;
	KiB) awk -v v="$2" 'BEGIN {if (v == 0) print "fails"; else printf "%d", v / 1024}' ;;
	*) echo "$2" ;;
	esac
}

fmt_ratio() {
	case "$1" in "" | "-") echo "-" ;; *) awk -v v="$1" 'BEGIN {printf "%.2f", v}' ;; esac
}

# the labels that get a second ratio column, to crun 1.27
ratio2_cols() {
	local l
	[ -n "$BASE2" ] || return 0
	for l in husk "$BASE"; do
		[ -n "${BIN[$l]:-}" ] && printf '%s\n' "$l"
	done
}

# "yes"/"no" for ratio R against TARGET, "-" when either is missing
target_met() {
	if [ "$2" = - ] || [ -z "$1" ] || [ "$1" = - ]; then
		echo -
	else
		awk -v r="$1" -v t="$2" 'BEGIN {print (r <= t) ? "yes" : "no"}'
	fi
}

# The old-kernel path: husk under tests/kernel-compat 4.18 against husk.
write_kc_section() {
	local key desc unit l
	echo
	echo "## The old-kernel path: husk under \`kernel-compat 4.18\`"
	echo
	if [ -n "$KC_NOTE" ]; then
		echo "$KC_NOTE"
		return
	fi
	echo "husk run by tests/kernel-compat 4.18 (a seccomp filter: every syscall newer than"
	echo "Linux 4.18 fails with ENOSYS, so husk takes its fallbacks: no clone3, pidfds, new"
	echo "mount API, openat2, close_range...), in its own alternating rounds with plain husk."
	echo "\"wrapper\" is the wrapper alone (\`kernel-compat 4.18 busybox true\`; \"true\" is"
	echo "\`busybox true\` without it); \"4.18 net\" is husk under the wrapper less the wrapper's"
	echo "own cost (wrapper less true) in the same round (once for run, three times for the cycle's three husk"
	echo "processes). The filter also stays on the container's process, as it would not on a"
	echo "real 4.18 kernel; its per-syscall cost is part of the figures."
	echo
	echo "| metric | unit | husk | husk 4.18 | wrapper | true | 4.18 net | 4.18/husk | 4.18 net/husk |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	while IFS=$'\t' read -r key desc unit; do
		grep -q "^$key	" "$SUMMARY" || continue
		printf '| %s | %s |' "$desc" "$unit"
		for l in husk husk-4.18 wrapper true husk-4.18-net; do
			printf ' %s |' "$(fmt_value "$unit" "$(summary_get "$key" "$l" 3)")"
		done
		for l in husk-4.18 husk-4.18-net; do
			printf ' %s |' "$(fmt_ratio "$(summary_get "$key" "$l" 4)")"
		done
		echo
	done <<<"kc_run_wall	run /bin/true, wall	ms
kc_run_cpu	run /bin/true, CPU	ms
kc_cycle_wall	conmon cycle, wall	ms
kc_cycle_cpu	conmon cycle, CPU	ms"
}

write_markdown() {
	local cols=("${LABELS[@]}" "${FLOORS[@]}") scols=("${LABELS[@]}" floor) l
	local r2cols=() husk_ok=0
	mapfile -t r2cols < <(ratio2_cols)
	[ -n "${BIN[husk]:-}" ] && [ -z "$HUSK_NOTE" ] && husk_ok=1
	{
		if [ "${HUSK_BENCH_VM:-}" = 1 ]; then
			echo "# husk benchmark on pure cgroup v2, in a VM: latest results"
		else
			echo "# husk benchmark: latest results"
		fi
		echo
		echo "Taken $DATE with \`$CMDLINE\` (source tree at commit $COMMIT)."
		echo
		if [ "${HUSK_BENCH_VM:-}" = 1 ]; then
			echo "**In a VM emulated with TCG (scripts/vm-run, VM_ROOT=host: the binaries of the"
			echo "host, a Debian kernel booted with cgroup_no_v1=all): absolute times are many times"
			echo "the host's and mean little; read the paired ratios.** runc and hyperfine are left out."
			echo
		fi
		echo "- machine: Linux $KERNEL, $NPROC CPUs ($CPU_MODEL), $MEM_GIB GiB memory;"
		echo "  load average at start $LOAD_START, at end $LOAD_END (other work on the machine"
		echo "  makes wall times noisy; CPU times and the paired ratios much less so)"
		echo "- cgroups: host $HOST_LAYOUT; benchmark run $BENCH_LAYOUT"
		echo "- $CRUN_VERSION; ${CRUN2_VERSION:+crun-1.27: $CRUN2_VERSION (${BIN[$BASE2]}); }$RUNC_VERSION; husk: ${HUSK_VERSION:-not measured}"
		[ -n "$HUSK_NOTE" ] && echo "- note: $HUSK_NOTE"
		[ -n "$CRUN2_NOTE" ] && echo "- note: $CRUN2_NOTE"
		echo "- rounds: $ROUNDS alternating rounds (${LABELS[*]}, plus ${FLOORS[*]} for run) for run, cycle,"
		echo "  state, list;"
		echo "  $BATCH_ROUNDS for the $NBATCH-run batches; $RSS_ROUNDS for peak RSS"
		echo "- each figure is the median over rounds; each ratio the median of the per-round"
		echo "  ratios to crun (same round)${BASE2:+, and X/$BASE2 the same against crun 1.27}. floor is tests/bench/floor.c (namespaces, pivot_root,"
		echo "  proc, exec)$([ $HAVE_V1 = 1 ] && echo "; floorcg is the floor plus a new cgroup in every v1 hierarchy")."
		echo
		printf '| metric | unit |'
		for l in "${cols[@]}"; do printf ' %s |' "$l"; done
		for l in "${cols[@]}"; do [ "$l" != "$BASE" ] && printf ' %s/%s |' "$l" "$BASE"; done
		for l in "${r2cols[@]}"; do printf ' %s/%s |' "$l" "$BASE2"; done
		if [ $husk_ok = 1 ]; then
			printf ' target | met |'
			[ -n "$BASE2" ] && printf ' met vs %s |' "$BASE2"
		fi
		echo
		printf '|---|---|'
		for l in "${cols[@]}"; do printf -- '---:|'; done
		for l in "${cols[@]}"; do [ "$l" != "$BASE" ] && printf -- '---:|'; done
		for l in "${r2cols[@]}"; do printf -- '---:|'; done
		if [ $husk_ok = 1 ]; then
			printf -- '---:|---|'
			[ -n "$BASE2" ] && printf -- '---|'
		fi
		echo
		while IFS=$'\t' read -r key desc unit target; do
			grep -q "^$key	" "$SUMMARY" || continue
			printf '| %s | %s |' "$desc" "$unit"
			for l in "${cols[@]}"; do
				printf ' %s |' "$(fmt_value "$unit" "$(summary_get "$key" "$l" 3)")"
			done
			for l in "${cols[@]}"; do
				[ "$l" != "$BASE" ] &&
					printf ' %s |' "$(fmt_ratio "$(summary_get "$key" "$l" 4)")"
			done
			for l in "${r2cols[@]}"; do
				printf ' %s |' "$(fmt_ratio "$(summary_get "$key" "$l" 7)")"
			done
			if [ $husk_ok = 1 ]; then
				printf ' %s | %s |' "$([ "$target" = - ] && echo - || echo "≤ $target")" \
					"$(target_met "$(summary_get "$key" husk 4)" "$target")"
				[ -n "$BASE2" ] &&
					printf ' %s |' "$(target_met "$(summary_get "$key" husk 7)" "$target")"
			fi
			echo
		done <<<"$METRICS"
		echo
		echo "Failures (runs that did not exit 0, left out of the figures):"
		awk -F'\t' '$6 > 0 {printf "%s %s: %d; ", $1, $2, $6; n++}
			END {if (!n) printf "none"; print ""}' "$SUMMARY"
		write_kc_section
		echo
		echo "## Syscalls of one \`run /bin/true\`, all processes (strace -f -c)"
		echo
		printf '| syscall |'
		for l in "${scols[@]}"; do printf ' %s |' "$l"; done
		echo
		printf '|---|'
		for l in "${scols[@]}"; do printf -- '---:|'; done
		echo
		awk -F'\t' -v cols="${scols[*]}" -v base="$BASE" '
			BEGIN {nc = split(cols, c, " ")}
			{n[$1, $2] = $3; if (!($2 in seen)) {seen[$2] = 1; names[++nn] = $2}}
			END {
				for (i = 1; i <= nn; i++) {
					s = names[i]
					key = (s == "TOTAL") ? 1e9 : n[base, s] + 0
					# husk against the baseline is what the table is for
					max = n["husk", s] + 0 > key ? n["husk", s] + 0 : key
					if (s == "TOTAL") max = 1e9
					printf "%012d\t%012d\t%s\n", max, key, s
				}
			}' "$WORK/raw/syscalls.tsv" | sort -r | cut -f3 | head -n 41 |
			while read -r s; do
				printf '| %s |' "$s"
				for l in "${scols[@]}"; do
					printf ' %s |' "$(awk -F'\t' -v l="$l" -v s="$s" \
						'$1 == l && $2 == s {print $3; f = 1} END {if (!f) print 0}' \
						"$WORK/raw/syscalls.tsv")"
				done
				echo
			done
		echo
		echo "(the 40 syscalls made most often by husk or crun; all of them are in $NAME.json)"
	} >"$OUT/$NAME.md"
}

write_json() {
	jq -n \
		--arg date "$DATE" --arg cmd "$CMDLINE" --arg commit "$COMMIT" \
		--arg kernel "$KERNEL" --argjson nproc "$NPROC" --arg mem "$MEM_GIB" \
		--arg cpu "$CPU_MODEL" --arg load0 "$LOAD_START" --arg load1 "$LOAD_END" --arg host "$HOST_LAYOUT" --arg bench "$BENCH_LAYOUT" \
		--arg hostmounts "${HOST_CGROUP:-}" \
		--arg crun "$CRUN_VERSION" --arg crun2 "${CRUN2_VERSION:-}" --arg runc "$RUNC_VERSION" --arg husk "${HUSK_VERSION:-}" \
		--arg note "$HUSK_NOTE" --argjson rounds "$ROUNDS" --argjson quick "$QUICK" \
		--arg metrics "$METRICS" \
		--rawfile summary "$SUMMARY" --rawfile syscalls "$WORK/raw/syscalls.tsv" '
		def num: if . == "-" or . == "" then null else tonumber end;
		def rows($s): $s | split("\n") | map(select(length > 0) | split("\t"));
		{
		  date: $date, command: $cmd, commit: $commit,
		  machine: {kernel: $kernel, nproc: $nproc, memory_gib: ($mem | tonumber),
		            cpu: $cpu, loadavg_start: $load0, loadavg_end: $load1, cgroup_host: $host, cgroup_host_mounts: $hostmounts,
		            cgroup_benchmark: $bench},
		  versions: {crun: $crun, "crun-1.27": $crun2, runc: $runc, husk: $husk},
		  husk_note: $note, rounds: $rounds, quick: ($quick == 1), baseline: "crun",
		  units: "seconds for wall/CPU, KiB for peak_rss, bytes for min_memory",
		  targets: (rows($metrics) | map({key: .[0], value: (.[3] | num)})
		            | map(select(.value != null)) | from_entries),
		  descriptions: (rows($metrics) | map({key: .[0], value: .[1]}) | from_entries),
		  metrics: (rows($summary) | group_by(.[0]) | map({key: .[0][0], value:
		            (map({key: .[1], value: {value: (.[2] | num), ratio_to_crun: (.[3] | num),
		                  n: (.[4] | tonumber), failures: (.[5] | tonumber),
		                  ratio_to_crun_1_27: (.[6] // "-" | num)}}) | from_entries)})
		            | from_entries),
		  syscalls: (rows($syscalls) | group_by(.[0]) | map({key: .[0][0], value:
		            (map({key: .[1], value: (.[2] | tonumber)}) | from_entries)}) | from_entries)
		}' >"$OUT/$NAME.json"
}

write_reports() {
	machine_info
	write_markdown
	write_json
}
