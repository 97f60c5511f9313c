// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "util.h"

#include <stdio.h>

int cmd_features(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {"features", "",
						     "Print what this husk supports, as JSON."};
	static const struct cli_option opts[] = {{NULL, 0, NULL, NULL, 0}};
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *json = NULL;
	size_t len;
	char **ops;
	int n, r = cli_parse_operands(&help, opts, argc, argv, NULL, NULL, 0, 0, &ops, &n);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	if (spec_features_emit(&json, &len, &err) < 0)
		return husk_error_report(&err);
	printf("%s\n", json);
	return 0;
}
