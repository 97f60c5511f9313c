// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "container.h"

enum { OPT_FORCE = 1 };

static int delete_flag(int id, const char *arg, void *data)
{
	if (id == OPT_FORCE)
		*(bool *)data = true;
	return 0;
}

int cmd_delete(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "delete", "[-f|--force] ID",
	    "Remove a stopped (or, with --force, any) container: its processes, cgroup and "
	    "state."};
	static const struct cli_option opts[] = {
	    {"force", 'f', NULL, "kill the container first if it is still running", OPT_FORCE},
	    {NULL, 0, NULL, NULL, 0},
	};
	struct husk_error err = HUSK_ERROR_INIT;
	bool force = false;
	char **ids;
	int n, r = cli_parse_operands(&help, opts, argc, argv, delete_flag, &force, 1, 1, &ids, &n);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	if (container_delete(g, ids[0], force, NULL, &err) < 0)
		return husk_error_report(&err);
	return 0;
}
