// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "container.h"
#include "spec/names.h"

#include <errno.h>
#include <signal.h>

enum { OPT_ALL = 1, OPT_PID };

struct kill_flags {
	bool all;
};

static int kill_flag(int id, const char *arg, void *data)
{
	struct kill_flags *f = data;
	if (id == OPT_ALL)
		f->all = true;
	return 0;
}

int cmd_kill(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "kill", "[--all] ID [SIGNAL]",
	    "Send SIGNAL (a name like KILL or SIGKILL, or a number; default TERM) to the "
	    "container's init, or with --all to every process in its cgroup."};
	static const struct cli_option opts[] = {
	    {"all", 'a', NULL, "signal every process of the container", OPT_ALL},
	    {NULL, 0, NULL, NULL, 0},
	};
	struct husk_error err = HUSK_ERROR_INIT;
	struct kill_flags f = {false};
	char **ops;
	int n, sig = SIGTERM;
	int r = cli_parse_operands(&help, opts, argc, argv, kill_flag, &f, 1, 2, &ops, &n);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	if (n == 2) {
		sig = spec_signal_from_name(ops[1]);
		if (sig <= 0) {
			husk_error_set(&err, EINVAL, "kill: unknown signal `%s`", ops[1]);
			return husk_error_report(&err);
		}
	}
	if (container_kill(g, ops[0], sig, f.all, &err) < 0)
		return husk_error_report(&err);
	return 0;
}
