/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One function per command; each parses its own options (see cli.h). */
#ifndef HUSK_COMMANDS_H
#define HUSK_COMMANDS_H

#include "cli.h"
#include "error.h"
#include "linux/linux.h"

#define HUSK_COMMAND(name) int cmd_##name(struct husk_globals *g, int argc, char **argv)
HUSK_COMMAND(create);
HUSK_COMMAND(start);
HUSK_COMMAND(run);
HUSK_COMMAND(state);
HUSK_COMMAND(kill);
HUSK_COMMAND(delete);
HUSK_COMMAND(list);
HUSK_COMMAND(spec);
HUSK_COMMAND(check);
HUSK_COMMAND(features);
HUSK_COMMAND(exec);
HUSK_COMMAND(pause);
HUSK_COMMAND(resume);
HUSK_COMMAND(update);
HUSK_COMMAND(ps);
HUSK_COMMAND(events);
HUSK_COMMAND(checkpoint);
HUSK_COMMAND(restore);

#endif
