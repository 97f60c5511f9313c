// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "container.h"
#include "util.h"

#include <stdio.h>

int cmd_state(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {"state", "ID",
						     "Print the state of a container as JSON."};
	static const struct cli_option opts[] = {{NULL, 0, NULL, NULL, 0}};
	struct husk_error err = HUSK_ERROR_INIT;
	struct container_ref ref;
	_cleanup_free_ char *json = NULL;
	char **ids;
	int n, r = cli_parse_operands(&help, opts, argc, argv, NULL, NULL, 1, 1, &ids, &n);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	r = state_store_open(g->root, ids[0], &ref, &err);
	if (r == 0)
		r = container_state_json(g, &ref, &json, &err);
	container_ref_release(&ref);
	if (r < 0)
		return husk_error_report(&err);
	printf("%s\n", json);
	return 0;
}
