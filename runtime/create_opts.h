/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The options create and run share. */
#ifndef HUSK_CREATE_OPTS_H
#define HUSK_CREATE_OPTS_H

#include "cli.h"
#include "container.h"

struct run_extra {
	bool detach;
	bool keep;
};

/* 0: parsed; 1: --help printed; -1: usage error printed. extra: run only. */
int create_opts_parse(const struct cli_command_help *help, int argc, char **argv,
		      struct create_opts *o, struct run_extra *extra);

#endif
