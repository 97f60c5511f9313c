# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by run.sh for `run.sh --scale [HUSK]` (issue 16): how husk and crun
# behave with many containers under one state root.  Writes $OUT/$NAME.md and
# .json ($NAME is latest-scale unless --name says otherwise).
#
# Every runtime gets a second state root holding SCALE_N (1,000) containers.
# They are cheap on purpose: started with `run -d`, each runs busybox's
# `sleep` (static, a few hundred KiB of memory, no CPU), 4 filled at a time.
# Then, in alternating rounds as everywhere else in the benchmark:
#   - `create` (wall) and the conmon cycle (create, start, reap, delete: wall
#     and CPU) in the empty root and in the full one; the ratio full/empty
#     per runtime says whether creating costs more with SCALE_N neighbours;
#   - `list` and `state` in the full root: wall, CPU and the peak RSS of the
#     runtime process, and husk's ratios to crun's;
#   - 100 containers (`run /bin/true`) 4 at a time, wall, in the empty root.
# runc is left out (it is not what issue 16 compares against).

SCALE_N=${BENCH_SCALE_N:-1000}

# the raw file's medians and paired ratios: LABEL MEDIAN RATIO N FAILURES RATIO2
scale_stats() { # COLUMN FILE BASE [BASE2]
	awk -v col="$1" -v base="$3" -v base2="${4:-}" -f "$HERE/stats.awk" "$2"
}

scale_put() { # METRIC LABEL VALUE RATIO-TO-crun RATIO-TO-crun-1.27 RATIO-TO-EMPTY N FAILURES
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$SCALE_SUMMARY"
}

# METRIC COLUMN FILE: one row per runtime from a run in the full roots, whose
# labels are the runtimes' own.
scale_summarize() {
	scale_stats "$2" "$3" "$BASE" "$BASE2" | while IFS=$'\t' read -r l m r n f r2; do
		scale_put "$1" "$l" "$m" "$r" "$r2" - "$n" "$f"
	done
}

# METRIC COLUMN FILE: a run with LABEL (empty root) and LABEL-full alternating;
# rows "METRIC_empty" and "METRIC_full", the latter with its ratio to the former.
scale_summarize_pair() {
	local l m r n f r2 self
	scale_stats "$2" "$3" "$BASE" "$BASE2" | while IFS=$'\t' read -r l m r n f r2; do
		case "$l" in
		*-full)
			self=$(scale_stats "$2" "$3" "${l%-full}" | awk -F'\t' -v l="$l" '$1 == l {print $3}')
			scale_put "$1_full" "${l%-full}" "$m" "$r" "$r2" "$self" "$n" "$f"
			;;
		*) scale_put "$1_empty" "$l" "$m" "$r" "$r2" - "$n" "$f" ;;
		esac
	done
}

scale_all() {
	local l r i
	SCALE_SUMMARY=$WORK/scale-summary.tsv
	: >"$SCALE_SUMMARY"
	make_bundle longsleep '.process.args = ["/bin/sleep", "100000"]'
	# the runtimes compared, without runc; their full roots as LABEL-full
	local rts=()
	for l in "${LABELS[@]}"; do
		[ "$l" = runc ] && continue
		rts+=("$l")
	done
	for l in "${rts[@]}"; do
		ALL_LABELS+=("$l-full")
		BIN[$l-full]=${BIN[$l]}
		mkdir -p "$(root_of "$l-full")"
	done

	# ---- fill: SCALE_N containers per runtime, run -d, 4 at a time ----
	: >"$WORK/raw/fill.tsv"
	for l in "${rts[@]}"; do
		log "scale: starting $SCALE_N containers (sleep) for $l, 4 at a time"
		"$DRIVER" -t 30 batch 1 "$SCALE_N" 4 -- "$l" "${BIN[$l]}" --root "$(root_of "$l-full")" \
			run -d -b "$WORK/longsleep" "bench-$l-full-%i" \
			>>"$WORK/raw/fill.tsv" 2>>"$WORK/raw/fill.err"
	done
	awk -F'\t' '{print $1, $3, $6}' "$WORK/raw/fill.tsv" | while read -r l wall fails; do
		scale_put fill "$l" "$wall" - - - 1 "$fails"
	done
	for l in "${rts[@]}"; do
		i=$(timeout 60 "${BIN[$l]}" --root "$(root_of "$l-full")" list 2>/dev/null |
			grep -c ' running ')
		scale_put list_running "$l" "$i" - - - 1 0
	done

	# ---- create and the cycle, empty root against full root ----
	local pair=() pair_create=()
	for l in "${rts[@]}"; do
		for r in "$l" "$l-full"; do
			pair+=(-- "$r" "${BIN[$l]}" --root "$(root_of "$r")")
			pair_create+=(-- "$r" "${BIN[$l]}" --root "$(root_of "$r")"
				create -b "$WORK/true" "bench-$r-create-%i")
		done
	done
	log "scale: create, empty root and $SCALE_N containers: $ROUNDS rounds"
	"$DRIVER" -t 20 batch "$ROUNDS" 1 1 "${pair_create[@]}" >"$WORK/raw/create.tsv" \
		2>"$WORK/raw/create.err"
	scale_summarize_pair create_wall 3 "$WORK/raw/create.tsv"
	# the created ones go again (their inits wait for a start that never comes)
	for l in "${rts[@]}"; do
		for r in "$l" "$l-full"; do
			for i in "$(root_of "$r")"/bench-*-create-*; do
				[ -e "$i" ] || continue
				timeout 20 "${BIN[$l]}" --root "$(root_of "$r")" delete -f "${i##*/}" \
					>/dev/null 2>>"$WORK/raw/create.err"
			done
		done
	done
	log "scale: conmon cycle, empty root and $SCALE_N containers: $ROUNDS rounds"
	"$DRIVER" -t 20 cycle "$ROUNDS" "$WORK/true" "$WORK/pid" "${pair[@]}" \
		>"$WORK/raw/scycle.tsv" 2>"$WORK/raw/scycle.err"
	scale_summarize_pair cycle_wall 3 "$WORK/raw/scycle.tsv"
	scale_summarize_pair cycle_cpu 4 "$WORK/raw/scycle.tsv"

	# ---- list and state in the full roots ----
	local full_list=() full_state=()
	for l in "${rts[@]}"; do
		full_list+=(-- "$l" "${BIN[$l]}" --root "$(root_of "$l-full")" list)
		full_state+=(-- "$l" "${BIN[$l]}" --root "$(root_of "$l-full")" state
			"bench-$l-full-$((SCALE_N / 2))")
	done
	log "scale: list and state with $SCALE_N containers: $ROUNDS rounds"
	"$DRIVER" -t 60 batch "$ROUNDS" 1 1 "${full_list[@]}" >"$WORK/raw/slist.tsv" 2>"$WORK/raw/slist.err"
	"$DRIVER" -t 60 batch "$ROUNDS" 1 1 "${full_state[@]}" >"$WORK/raw/sstate.tsv" 2>"$WORK/raw/sstate.err"
	scale_summarize list_wall 3 "$WORK/raw/slist.tsv"
	scale_summarize list_cpu 4 "$WORK/raw/slist.tsv"
	scale_summarize list_rss 5 "$WORK/raw/slist.tsv"
	scale_summarize state_wall 3 "$WORK/raw/sstate.tsv"
	scale_summarize state_cpu 4 "$WORK/raw/sstate.tsv"
	scale_summarize state_rss 5 "$WORK/raw/sstate.tsv"

	# ---- 100 containers, 4 at a time (empty roots) ----
	local par=()
	for l in "${rts[@]}"; do
		par+=(-- "$l" "${BIN[$l]}" --root "$(root_of "$l")" run -b "$WORK/true" "bench-$l-par-%i")
	done
	log "scale: 100 containers 4 at a time: $BATCH_ROUNDS rounds"
	"$DRIVER" -t 20 batch "$BATCH_ROUNDS" 100 4 "${par[@]}" >"$WORK/raw/spar.tsv" 2>"$WORK/raw/spar.err"
	scale_summarize par100_wall 3 "$WORK/raw/spar.tsv"
	scale_summarize par100_cpu 4 "$WORK/raw/spar.tsv"

	# ---- empty the full roots, 4 at a time ----
	log "scale: deleting the $SCALE_N containers of each runtime"
	for l in "${rts[@]}"; do
		r=$(root_of "$l-full")
		(cd "$r" && ls -d bench-* 2>/dev/null) |
			xargs -r -P 4 -n 25 sh -c 'b=$1 r=$2; shift 2; for id; do
				timeout 20 "$b" --root "$r" delete -f "$id" >/dev/null 2>&1; done' sh \
				"${BIN[$l]}" "$r"
	done
	LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
	SCALE_RTS=("${rts[@]}")
	scale_report
}

# value of METRIC for LABEL: column 3 (value), 4 (to crun), 5 (to crun-1.27), 6 (to empty root)
scale_get() {
	awk -F'\t' -v m="$1" -v l="$2" -v c="$3" '$1 == m && $2 == l {print $c; exit}' "$SCALE_SUMMARY"
}

scale_report() {
	local key desc unit l
	# key, description, unit
	local rows="fill	$SCALE_N containers started (run -d, sleep), 4 at a time: wall (one round, unpaired)	s
list_running	containers list shows running	count
create_wall_empty	create, empty state root: wall	ms
create_wall_full	create, $SCALE_N containers in the root: wall	ms
cycle_wall_empty	conmon cycle, empty state root: wall	ms
cycle_wall_full	conmon cycle, $SCALE_N containers in the root: wall	ms
cycle_cpu_empty	conmon cycle, empty state root: CPU	ms
cycle_cpu_full	conmon cycle, $SCALE_N containers in the root: CPU	ms
list_wall	list, $SCALE_N containers: wall	ms
list_cpu	list, $SCALE_N containers: CPU	ms
list_rss	list, $SCALE_N containers: peak RSS	MiB
state_wall	state, $SCALE_N containers: wall	ms
state_cpu	state, $SCALE_N containers: CPU	ms
state_rss	state, $SCALE_N containers: peak RSS	MiB
par100_wall	100 containers (run /bin/true), 4 at a time: wall	s
par100_cpu	100 containers (run /bin/true), 4 at a time: CPU	s"
	machine_info
	{
		echo "# husk benchmark at scale: latest results"
		echo
		echo "Taken $DATE with \`$CMDLINE\` (source tree at commit $COMMIT)."
		echo
		echo "- machine: Linux $KERNEL, $NPROC CPUs ($CPU_MODEL), $MEM_GIB GiB memory;"
		echo "  load average at start $LOAD_START, at end $LOAD_END (other work on the machine"
		echo "  makes wall times noisy; CPU times and the paired ratios much less so)"
		echo "- cgroups: host $HOST_LAYOUT; benchmark run $BENCH_LAYOUT"
		echo "- $CRUN_VERSION; ${CRUN2_VERSION:+crun-1.27: $CRUN2_VERSION; }husk: ${HUSK_VERSION:-not measured}"
		[ -n "$HUSK_NOTE" ] && echo "- note: $HUSK_NOTE"
		[ -n "$CRUN2_NOTE" ] && echo "- note: $CRUN2_NOTE"
		echo "- the $SCALE_N containers of each runtime: started with \`run -d\`, each running"
		echo "  busybox \`sleep\` (static; no CPU, a few hundred KiB each), in a state root of"
		echo "  their own; all runtimes' containers exist at once while measuring"
		echo "- rounds: $ROUNDS alternating rounds (every runtime, empty root and full root) for"
		echo "  create, the cycle, list and state; $BATCH_ROUNDS for the 100-container batch"
		echo "- each figure is the median over rounds; X/crun the median of per-round ratios to"
		echo "  crun 1.8 (same round)${BASE2:+, X/crun-1.27 to crun 1.27}; \"full/empty\" the median of"
		echo "  per-round ratios of the same runtime in the full root to the empty root"
		echo
		printf '| metric | unit |'
		for l in "${SCALE_RTS[@]}"; do printf ' %s |' "$l"; done
		for l in "${SCALE_RTS[@]}"; do [ "$l" != "$BASE" ] && printf ' %s/%s |' "$l" "$BASE"; done
		[ -n "$BASE2" ] && [ -n "${BIN[husk]:-}" ] && printf ' husk/%s |' "$BASE2"
		echo
		printf '|---|---|'
		for l in "${SCALE_RTS[@]}"; do printf -- '---:|'; done
		for l in "${SCALE_RTS[@]}"; do [ "$l" != "$BASE" ] && printf -- '---:|'; done
		[ -n "$BASE2" ] && [ -n "${BIN[husk]:-}" ] && printf -- '---:|'
		echo
		while IFS=$'\t' read -r key desc unit; do
			grep -q "^$key	" "$SCALE_SUMMARY" || continue
			printf '| %s | %s |' "$desc" "$unit"
			for l in "${SCALE_RTS[@]}"; do
				printf ' %s |' "$(fmt_value "$unit" "$(scale_get "$key" "$l" 3)")"
			done
			for l in "${SCALE_RTS[@]}"; do
				[ "$l" != "$BASE" ] && printf ' %s |' "$(fmt_ratio "$(scale_get "$key" "$l" 4)")"
			done
			[ -n "$BASE2" ] && [ -n "${BIN[husk]:-}" ] &&
				printf ' %s |' "$(fmt_ratio "$(scale_get "$key" husk 5)")"
			echo
			case "$key" in
			*_full)
				printf '| %s |  |' "↳ full/empty, same runtime"
				for l in "${SCALE_RTS[@]}"; do
					printf ' %s |' "$(fmt_ratio "$(scale_get "$key" "$l" 6)")"
				done
				for l in "${SCALE_RTS[@]}"; do [ "$l" != "$BASE" ] && printf ' |'; done
				[ -n "$BASE2" ] && [ -n "${BIN[husk]:-}" ] && printf ' |'
				echo
				;;
			esac
		done <<<"$rows"
		echo
		echo "Failures (runs that did not exit 0, left out of the figures):"
		awk -F'\t' '$8 > 0 {printf "%s %s: %d; ", $1, $2, $8; n++}
			END {if (!n) printf "none"; print ""}' "$SCALE_SUMMARY"
	} >"$OUT/$NAME.md"
	jq -n --arg date "$DATE" --arg cmd "$CMDLINE" --arg commit "$COMMIT" \
		--arg load0 "$LOAD_START" --arg load1 "$LOAD_END" --argjson n "$SCALE_N" \
		--arg crun "$CRUN_VERSION" --arg crun2 "${CRUN2_VERSION:-}" --arg husk "${HUSK_VERSION:-}" \
		--rawfile summary "$SCALE_SUMMARY" '
		def num: if . == "-" or . == "" then null else tonumber end;
		{date: $date, command: $cmd, commit: $commit, containers: $n,
		 loadavg_start: $load0, loadavg_end: $load1,
		 versions: {crun: $crun, "crun-1.27": $crun2, husk: $husk},
		 units: "seconds for wall/CPU, KiB for rss",
		 metrics: ($summary | split("\n") | map(select(length > 0) | split("\t"))
		   | group_by(.[0]) | map({key: .[0][0], value: (map({key: .[1], value: {
		       value: (.[2] | num), ratio_to_crun: (.[3] | num), ratio_to_crun_1_27: (.[4] | num),
		       ratio_full_to_empty: (.[5] | num), n: (.[6] | tonumber),
		       failures: (.[7] | tonumber)}}) | from_entries)}) | from_entries)}' >"$OUT/$NAME.json"
}
