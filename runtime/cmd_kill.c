// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include <errno.h>
int cmd_kill(struct husk_globals *g, int argc, char **argv)
{
	struct husk_error err = HUSK_ERROR_INIT;
	husk_error_set(&err, ENOSYS, "kill: not implemented");
	return husk_error_report(&err);
}
