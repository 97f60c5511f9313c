// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include <errno.h>
int cmd_pause(struct husk_globals *g, int argc, char **argv)
{
	struct husk_error err = HUSK_ERROR_INIT;
	husk_error_set(&err, ENOSYS, "pause: not implemented");
	return husk_error_report(&err);
}
int cmd_resume(struct husk_globals *g, int argc, char **argv)
{
	struct husk_error err = HUSK_ERROR_INIT;
	husk_error_set(&err, ENOSYS, "resume: not implemented");
	return husk_error_report(&err);
}
