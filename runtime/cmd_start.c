// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "container.h"

int cmd_start(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {"start", "ID",
						     "Run the process of a created container."};
	static const struct cli_option opts[] = {{NULL, 0, NULL, NULL, 0}};
	struct husk_error err = HUSK_ERROR_INIT;
	char **ids;
	int n, r = cli_parse_operands(&help, opts, argc, argv, NULL, NULL, 1, 1, &ids, &n);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	if (container_start(g, ids[0], NULL, &err) < 0)
		return husk_error_report(&err);
	return 0;
}
