#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite, from a fresh Debian 12 machine, as root:
#   install dependencies, build in ./build with -Werror (reconfiguring a tree
#   that try.sh or anything else configured otherwise), check that, build
#   try.sh's way then test.sh's in a scratch directory (the README's order),
#   unit tests under ASan/UBSan (make check), make distcheck, each libFuzzer
#   target for a bounded time, the bats integration suite against the built
#   binary, then the VM-based tests (integration/vm/*.bats, through
#   scripts/vm-run).  Needs nothing beside the repository.  Ends with one line:
#   `N passed, M failed, K skipped`, and exits 1 when anything failed.
#
# Environment:
#   BUILD_DIR        build directory                        [<repo>/build]
#   FUZZ_SECONDS     run time of each fuzzer                [20]
#   SKIP_DEPS=1      do not run scripts/install-deps.sh
#   SKIP_FUZZ=1 SKIP_VM=1 SKIP_UNIT=1 SKIP_BATS=1 SKIP_OLD_KERNEL=1
#   SKIP_DISTCHECK=1 SKIP_BUILD_ORDER=1                     leave out a phase
#   OLD_KERNEL       kernel the old-kernel phase pretends   [4.18]
#   VM_RUN           runs a command in a throw-away VM      [<repo>/scripts/vm-run]
#   BATS_FILTER      regex passed to bats --filter
#   TEST_FILES       bats files to run instead of integration/*.bats
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$REPO/build}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
LOGDIR=$BUILD/test-logs
VM_RUN=${VM_RUN:-$REPO/scripts/vm-run}
# What this suite builds and tests; scripts/build.sh reconfigures a tree
# configured otherwise (try.sh's, for one).
CONFIGURE_OPTIONS=(--enable-werror)

# CI stops a run at 90 minutes: every phase fits in what is left of this.
BUDGET=${TEST_BUDGET_SECONDS:-5100}
START=$(date +%s)
left() { echo $((BUDGET - ($(date +%s) - START))); }
# bounded TIMEOUT: at most TIMEOUT, and never past the budget (minus 60 s
# for the summary).
bounded() {
	local t=$1 l
	l=$(($(left) - 60))
	[ "$l" -lt "$t" ] && t=$l
	[ "$t" -lt 1 ] && t=1
	echo "$t"
}

passed=0 failed=0 skipped=0
failures=()

say() { printf '==> %s\n' "$*"; }
fail_one() { failed=$((failed + 1)); failures+=("$1"); }
finish() {
	if [ ${#failures[@]} -gt 0 ]; then
		say "failed:"
		printf '    %s\n' "${failures[@]}"
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit $?
}

if [ "$(id -u)" -ne 0 ]; then
	echo "test.sh: run as root (containers, cgroups, namespaces)" >&2
	exit 1
fi

# ---- dependencies and build ----
if [ "${SKIP_DEPS:-0}" != 1 ]; then
	say "installing dependencies"
	"$REPO/scripts/install-deps.sh" || { fail_one "install-deps.sh"; finish; }
fi

mkdir -p "$BUILD" "$LOGDIR"
say "building in $BUILD"
if ! "$REPO/scripts/build.sh" "$BUILD" "${CONFIGURE_OPTIONS[@]}" >"$LOGDIR/build.log" 2>&1; then
	tail -40 "$LOGDIR/build.log"
	fail_one "build (see $LOGDIR/build.log)"
	finish
fi
passed=$((passed + 1)) # the build itself
grep '^build: configure' "$LOGDIR/build.log"
HUSK=$BUILD/runtime/husk

# ---- the build is the configuration this suite means to test ----
# whatever configured $BUILD before: -Werror, and clang for the fuzzers.
say "build configuration"
config_problems=()
grep -q '^WARN_CFLAGS = .*-Werror' "$BUILD/Makefile" ||
	config_problems+=("Makefile: WARN_CFLAGS without -Werror")
grep -q "^WARN_CFLAGS='.*-Werror" "$BUILD/config.log" ||
	config_problems+=("config.log: configure did not set -Werror")
(cd "$BUILD" && ./config.status --config) | grep -q -- '--enable-werror' ||
	config_problems+=("config.status: not configured with --enable-werror")
# clang: needed by the fuzz phase, and never left out when it is installed.
if [ "${SKIP_FUZZ:-0}" != 1 ] || command -v clang >/dev/null; then
	clang_path=$(sed -n 's/^CLANG = //p' "$BUILD/Makefile")
	[ -x "$clang_path" ] ||
		config_problems+=("Makefile: CLANG = $clang_path: the fuzzers cannot build")
fi
if [ ${#config_problems[@]} -eq 0 ]; then
	passed=$((passed + 1))
else
	printf '    %s\n' "${config_problems[@]}"
	fail_one "build configuration: ${config_problems[*]}"
fi

# ---- the README's order: try.sh's build, then test.sh's, in one directory ----
if [ "${SKIP_BUILD_ORDER:-0}" != 1 ]; then
	say "try.sh then test.sh's build in one directory"
	if timeout "$(bounded 900)" "$REPO/tests/build-order.sh" >"$LOGDIR/build-order.log" 2>&1; then
		passed=$((passed + 1))
		tail -1 "$LOGDIR/build-order.log"
	else
		tail -30 "$LOGDIR/build-order.log"
		fail_one "build order: test.sh after try.sh (see $LOGDIR/build-order.log)"
	fi
fi

# ---- style: every C file as the checked-in .clang-format has it ----
if command -v clang-format >/dev/null; then
	say "clang-format"
	unformatted=$(cd "$REPO" && git ls-files '*.c' '*.h' 2>/dev/null | while read -r f; do
		clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"
	done)
	if [ -z "$unformatted" ]; then
		passed=$((passed + 1))
	else
		echo "not formatted (clang-format -i FILE): $unformatted"
		fail_one "clang-format: $(echo "$unformatted" | wc -l) files"
	fi
fi

# ---- unit tests under ASan/UBSan ----
if [ "${SKIP_UNIT:-0}" != 1 ]; then
	say "unit tests (make check)"
	rm -f "$BUILD"/tests/*.trs
	timeout 1200 make -C "$BUILD" -j"$(nproc)" check >"$LOGDIR/unit.log" 2>&1
	rc=$?
	n=0
	for trs in "$BUILD"/tests/*.trs; do
		[ -f "$trs" ] || continue
		n=$((n + 1))
		name=$(basename "$trs" .trs)
		log=${trs%.trs}.log
		result=$(sed -n 's/^:test-result: //p' "$trs" | head -1)
		# Each unit test program prints TAP (tests/unit.h): count its cases.
		p=$(grep -cE '^ok [0-9]+' "$log" 2>/dev/null)
		s=$(grep -ciE '^ok [0-9]+ .*# skip' "$log" 2>/dev/null)
		f=$(grep -cE '^not ok [0-9]+' "$log" 2>/dev/null)
		p=$((${p:-0} - ${s:-0}))
		passed=$((passed + p)) skipped=$((skipped + ${s:-0}))
		while read -r line; do
			[ -n "$line" ] && fail_one "unit: $name: $line"
		done < <(grep -E '^not ok [0-9]+' "$log" 2>/dev/null)
		case "$result" in
		PASS | XFAIL) [ $((p + ${s:-0} + ${f:-0})) -gt 0 ] || passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		*)
			# Failed without a failing case: it crashed (ASan/UBSan) or died.
			[ "${f:-0}" -gt 0 ] || fail_one "unit: $name: $result (see $log)"
			;;
		esac
	done
	if [ "$n" -eq 0 ] || { [ "$rc" -ne 0 ] && ! grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]' "$LOGDIR/unit.log"; }; then
		tail -30 "$LOGDIR/unit.log"
		[ "$rc" -eq 0 ] || fail_one "make check exited $rc (see $LOGDIR/unit.log)"
	fi
	grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$LOGDIR/unit.log" | tr '\n' ' '
	echo
fi

# ---- the release tarball builds and passes make check on its own ----
if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
	say "make distcheck"
	if timeout "$(bounded 1800)" make -C "$BUILD" -j"$(nproc)" distcheck >"$LOGDIR/distcheck.log" 2>&1; then
		passed=$((passed + 1))
		grep -A2 'archives ready for distribution' "$LOGDIR/distcheck.log" | head -2
	else
		tail -40 "$LOGDIR/distcheck.log"
		fail_one "make distcheck (see $LOGDIR/distcheck.log)"
	fi
fi

# ---- fuzzers ----
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	if ! command -v clang >/dev/null; then
		say "fuzzers: no clang, not built"
		skipped=$((skipped + 1))
	else
		for src in "$REPO"/tests/fuzz-*.c; do
			[ -f "$src" ] || continue
			name=$(basename "$src" .c)
			say "fuzzer $name (${FUZZ_SECONDS}s)"
			if ! make -C "$BUILD" "tests/$name" >"$LOGDIR/$name-build.log" 2>&1; then
				tail -20 "$LOGDIR/$name-build.log"
				fail_one "fuzz: $name does not build (see $LOGDIR/$name-build.log)"
				continue
			fi
			corpus=$BUILD/fuzz-corpus/$name
			mkdir -p "$corpus"
			seeds=()
			[ -d "$REPO/tests/fuzz-corpus/$name" ] && seeds+=("$REPO/tests/fuzz-corpus/$name")
			if (cd "$BUILD" && timeout $((FUZZ_SECONDS + 120)) "tests/$name" \
				-max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 \
				-artifact_prefix="$LOGDIR/$name-" "$corpus" "${seeds[@]}") \
				>"$LOGDIR/$name.log" 2>&1; then
				passed=$((passed + 1))
				tail -1 "$LOGDIR/$name.log"
			else
				grep -m1 -A12 'ERROR:' "$LOGDIR/$name.log" || tail -20 "$LOGDIR/$name.log"
				fail_one "fuzz: $name found a crash (see $LOGDIR/$name.log)"
			fi
		done
	fi
fi

# ---- bats ----
# run_bats LABEL TIMEOUT FILE...: TAP results counted into the totals.
run_bats() {
	local label=$1 tmo=$2
	shift 2
	local log=$LOGDIR/$label.tap test_timeout=300
	# one VM boot can take minutes under TCG
	[ "$label" = vm ] && test_timeout=1500
	local args=(--tap)
	[ -n "${BATS_FILTER:-}" ] && args+=(--filter "$BATS_FILTER")
	say "bats $label: $*"
	HUSK=$HUSK HUSK_TESTS_BIN=$BUILD/tests \
		HUSK_KERNEL_COMPAT=${KERNEL_COMPAT:-} \
		VM_RUN=$VM_RUN BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-$test_timeout} \
		timeout --kill-after=30 "$tmo" bats "${args[@]}" "$@" </dev/null 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local p f s planned ran
	p=$(grep -cE '^ok [0-9]+' "$log" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+ .*# skip' "$log" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$log" | tr -d ' ')
	p=$((p - s))
	passed=$((passed + p)) skipped=$((skipped + s))
	failed=$((failed + f))
	while read -r line; do failures+=("$label: $line"); done < <(grep -E '^not ok [0-9]+' "$log")
	planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -1)
	ran=$((p + s + f))
	if [ -n "$planned" ] && [ "$ran" -lt "$planned" ]; then
		fail_one "$label: only $ran of $planned tests ran (timeout ${tmo}s or bats died, exit $rc)"
	elif [ -z "$planned" ] && [ "$rc" -ne 0 ]; then
		fail_one "$label: bats exited $rc before running any test"
	fi
}

if [ "${SKIP_BATS:-0}" != 1 ]; then
	if [ -n "${TEST_FILES:-}" ]; then
		# shellcheck disable=SC2086
		run_bats integration "$(bounded 3000)" $TEST_FILES
	else
		run_bats integration "$(bounded 3000)" "$REPO"/integration/*.bats
	fi
fi

# The same suite again with only an old kernel's system calls
# (tests/kernel-compat: ENOSYS for everything newer), so every fallback of
# husk for a missing interface is what runs: the fd-based mount API,
# mount_setattr, openat2, close_range, pidfds, clone3 (runtime/linux/kernel.c).
OLD_KERNEL=${OLD_KERNEL:-4.18}
if [ "${SKIP_BATS:-0}" != 1 ] && [ "${SKIP_OLD_KERNEL:-0}" != 1 ]; then
	if [ -n "${TEST_FILES:-}" ]; then
		# shellcheck disable=SC2086
		KERNEL_COMPAT=$OLD_KERNEL run_bats "linux-$OLD_KERNEL" "$(bounded 3000)" $TEST_FILES
	else
		KERNEL_COMPAT=$OLD_KERNEL run_bats "linux-$OLD_KERNEL" "$(bounded 3000)" \
			"$REPO"/integration/*.bats
	fi
fi

if [ "${SKIP_VM:-0}" != 1 ] && [ -z "${TEST_FILES:-}" ]; then
	vm_files=("$REPO"/integration/vm/*.bats)
	if [ -f "${vm_files[0]}" ]; then
		if [ -x "$VM_RUN" ]; then
			run_bats vm "$(bounded 3600)" "${vm_files[@]}"
		else
			say "VM tests: $VM_RUN missing"
			fail_one "vm: $VM_RUN missing"
		fi
	fi
fi

finish
