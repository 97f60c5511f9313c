# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by run.sh for `run.sh --profile [HUSK]`: where each runtime's time
# goes on `run /bin/true`, written as small text summaries to $OUT/profile/
# (full strace timelines stay in the work directory; keep it with --keep).
#
#   perf-LABEL.txt       CPU samples (cpu-clock) over PROFILE_RUNS runs, all
#                        processes: by program/library, then by symbol
#   syscalls-LABEL.txt   strace -f -c -w: wall time spent in each syscall
#   slow-LABEL.txt       strace -f -tt -T: syscalls over 0.3 ms and the
#                        clone -> exec -> exit milestones
#   callgrind-LABEL.txt  instructions of the first runtime process (up to its
#                        first exec), by function; for husk also of its
#                        re-executed stage (the real work), which runs from a
#                        sealed memfd copy: valgrind runs that copy directly

PROFILE_RUNS=${PROFILE_RUNS:-40}

profile_cmd() { # LABEL SUFFIX -> CMD, the command line of one run
	if [ "$1" = floor ]; then
		CMD=("$FLOOR" "$ROOTFS")
	else
		CMD=("${BIN[$1]}" --root "$(root_of "$1")" run -b "$WORK/true" "bench-$1-$2")
	fi
}

profile_perf() { # LABEL
	local l=$1 data=$WORK/perf-$1.data args
	command -v perf >/dev/null || { echo "perf is not installed" >"$PROF/perf-$l.txt"; return; }
	if [ "$l" = floor ]; then
		args=(-- floor "$FLOOR" "$ROOTFS")
	else
		args=(-- "$l" "${BIN[$l]}" --root "$(root_of "$l")" run -b "$WORK/true" "bench-$l-perf-%i")
	fi
	perf record -q -e cpu-clock -F 20000 -g -o "$data" -- \
		"$DRIVER" -t 10 batch "$PROFILE_RUNS" 1 1 "${args[@]}" >/dev/null 2>&1
	{
		echo "# perf record -e cpu-clock -F 20000 -g, $PROFILE_RUNS runs of $l (the driver is listed, then left out)"
		echo "## by program and library"
		perf report -i "$data" --no-children --sort comm,dso --stdio -g none 2>/dev/null |
			grep '%' | head -n 20
		echo "## by symbol ([k] kernel, [.] user)"
		perf report -i "$data" --no-children --sort comm,sym --stdio \
			-g none 2>/dev/null | grep '%' | grep -v ' driver ' | head -n 40
		echo "## kernel CPU by syscall (children included), page faults, exit"
		perf report -i "$data" --children --sort comm,sym --stdio -g none \
			2>/dev/null | grep -v ' driver ' | grep -E '\[k\] (__x64_sys|__do_sys|__se_sys|do_exit|exc_page_fault)' |
			head -n 30
	} >"$PROF/perf-$l.txt"
}

profile_strace() { # LABEL
	local l=$1
	profile_cmd "$l" st-c
	timeout 30 strace -f -c -w -S time -o "$PROF/syscalls-$l.txt" "${CMD[@]}" >/dev/null 2>&1
	profile_cmd "$l" st-tl
	timeout 30 strace -f -tt -T -o "$WORK/timeline-$l.txt" "${CMD[@]}" >/dev/null 2>&1
	{
		echo "# strace -f -tt -T of one run of $l: elapsed, milestones, syscalls over 0.3 ms"
		awk '{split($2, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]; if (NR == 1) f = s; l = s}
			END {printf "elapsed under strace: %.1f ms, %d lines\n", (l - f) * 1000, NR}' \
			"$WORK/timeline-$l.txt"
		echo "## milestones"
		grep -E ' (clone|clone3|execve|execveat|pivot_root|exit_group|wait4)\(|\+\+\+ exited' \
			"$WORK/timeline-$l.txt" | cut -c1-160
		echo "## slow syscalls (> 0.3 ms)"
		awk 'match($0, /<[0-9.]+>$/) && substr($0, RSTART + 1, RLENGTH - 2) > 0.0003' \
			"$WORK/timeline-$l.txt" | cut -c1-200
	} >"$PROF/slow-$l.txt"
}

profile_callgrind() { # LABEL
	local l=$1 f
	command -v valgrind >/dev/null || return 0
	profile_cmd "$l" cg
	timeout 60 valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind-$l.%p" \
		"${CMD[@]}" >/dev/null 2>"$WORK/callgrind-$l.log"
	{
		echo "# valgrind --tool=callgrind, one run of $l (each process until it execs)"
		for f in "$WORK"/callgrind-"$l".[0-9]*; do
			[ -f "$f" ] || continue
			callgrind_annotate --inclusive=no "$f" 2>/dev/null | sed -n '/PROGRAM TOTALS/,$p' |
				grep -v '^-*$' | head -n 35
			echo "## inclusive"
			callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
				sed -n '/PROGRAM TOTALS/,$p' | grep -v '^-*$' | head -n 35
		done
	} >"$PROF/callgrind-$l.txt"
}

# Function names for the anonymous (memfd) object: valgrind maps a PIE
# at 0x108000, so address - 0x108000 is the offset addr2line wants.
annotate_memfd() { # CALLGRIND-FILE BINARY
	callgrind_annotate --inclusive=yes "$1" 2>/dev/null | sed -n '/PROGRAM TOTALS/,$p' |
		grep -v -E '^-|^Ir|^ *$|could not be found|^  \./' | head -n 60 |
		while IFS= read -r line; do
			if [[ "$line" =~ \?\?\?:0x([0-9a-f]+)\ \[\?\?\?\] ]]; then
				local a f
				a=$(printf '0x%x' $((0x${BASH_REMATCH[1]} - 0x108000)))
				f=$(addr2line -f -e "$2" "$a" 2>/dev/null | head -n 1)
				echo "${line%%\?\?\?*}husk:$f"
			else
				echo "$line"
			fi
		done
}

profile_husk_stage_b() {
	local f
	[ -n "${BIN[husk]:-}" ] && command -v valgrind >/dev/null || return 0
	_HUSK_SEALED_EXE=1 timeout 60 "$DRIVER" sealed-exec "${BIN[husk]}" valgrind --tool=callgrind \
		--callgrind-out-file="$WORK/callgrind-husk-b.%p" @EXE@ --root "$(root_of husk)" run \
		-b "$WORK/true" bench-husk-cgb >/dev/null 2>"$WORK/callgrind-husk-b.log"
	{
		echo
		echo "# the re-executed stage (runs from the sealed copy), inclusive"
		for f in "$WORK"/callgrind-husk-b.[0-9]*; do
			[ -f "$f" ] && annotate_memfd "$f" "${BIN[husk]}"
		done
	} >>"$PROF/callgrind-husk.txt"
}

profile_all() {
	local l
	PROF=$OUT/profile
	mkdir -p "$PROF"
	for l in "${LABELS[@]}" floor; do
		log "profiling $l"
		profile_perf "$l"
		profile_strace "$l"
		[ "$l" != floor ] && profile_callgrind "$l"
	done
	profile_husk_stage_b
	log "profiles in $PROF"
}
