// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "container.h"
#include "create_opts.h"

#include <stdio.h>
#include <unistd.h>

int cmd_create(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "create", "[options] ID",
	    "Create a container from the bundle; its process waits until `husk start ID`."};
	struct husk_error err = HUSK_ERROR_INIT;
	struct create_opts o = {0};
	struct created_container c;
	int r = create_opts_parse(&help, argc, argv, &o, NULL);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	if (reserve_preserved_fds(preserved_fd_count(o.preserve_fds), &err) < 0 ||
	    container_create(g, &o, &c, &err) < 0)
		return husk_error_report(&err);
	if (c.pidfd >= 0)
		close(c.pidfd);
	container_held_free(&c.held);
	return 0;
}
