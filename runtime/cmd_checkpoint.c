// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * checkpoint and restore are not implemented.  podman asks
 * `checkpoint --help` and trusts its exit status, so --help fails too:
 * podman then says the runtime does not support checkpointing.
 */
#include "config.h"
#include "commands.h"

#include <errno.h>

static int not_supported(const char *what)
{
	struct husk_error err = HUSK_ERROR_INIT;
	husk_error_set(&err, EOPNOTSUPP, "%s is not supported by this husk", what);
	return husk_error_report(&err);
}

int cmd_checkpoint(struct husk_globals *g, int argc, char **argv)
{
	return not_supported("checkpoint");
}

int cmd_restore(struct husk_globals *g, int argc, char **argv)
{
	return not_supported("restore");
}
