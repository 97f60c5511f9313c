# SPDX-License-Identifier: GPL-2.0-or-later
# Scenarios that podman.bats (podman as root) and podman-rootless.bats
# (podman as the test user) both run, each through its own podman: P is
# the file's podman function (hpodman or upodman), with P_rm_f beside it;
# ctr_pid, ctr_status and logs_contain are the file's own.

# podman_exec_scenario P NAME: exec runs in the container, passes its
# output and exit code, and honours --user and --workdir.
podman_exec_scenario() {
	local P=$1 name=$2
	$P run -d --name "$name" $IMG sleep 1000
	run $P exec "$name" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	assert_status 0
	assert_output_contains "in-exec"
	assert_output_contains "sleep 1000"
	run $P exec "$name" sh -c 'exit 5'
	assert_status 5
	run $P exec --user 1000 --workdir /home/user "$name" sh -c 'id -u; pwd'
	assert_status 0
	[ "$output" = "1000
/home/user" ] || fail "exec --user --workdir: $output"
	"${P}_rm_f" "$name"
}

# podman_exec_tty_scenario P NAME TTY_PODMAN...: exec -it through
# TTY_PODMAN (podman run with a terminal on stdin/stdout) gets a pty.
podman_exec_tty_scenario() {
	local P=$1 name=$2
	shift 2
	$P run -d --name "$name" $IMG sleep 1000
	run "$@" exec -it "$name" sh -c 'tty; stty size >/dev/null && echo stty-ok; exit 3'
	assert_status 3
	assert_output_contains "/dev/pts/"
	assert_output_contains "stty-ok"
	"${P}_rm_f" "$name"
}

# podman_stop_scenario P NAME: stop sends TERM (the container's trap logs
# got-term and exits 0): podman sees it exited with 0, then removes it.
podman_stop_scenario() {
	local P=$1 name=$2
	run $P stop -t 10 "$name"
	assert_status 0
	retry 50 logs_contain "$name" got-term
	[ "$(ctr_status "$name")" = exited ] || fail "status after stop: $(ctr_status "$name")"
	[ "$($P inspect --format '{{.State.ExitCode}}' "$name")" = 0 ] || fail "exit code after TERM"
	$P rm "$name"
}
