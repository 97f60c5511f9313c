// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "create_opts.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

enum {
	OPT_BUNDLE = 1,
	OPT_CONFIG,
	OPT_PID_FILE,
	OPT_CONSOLE_SOCKET,
	OPT_PRESERVE_FDS,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PIDFD_SOCKET,
	OPT_DETACH, /* from here on: run only */
	OPT_KEEP,
	OPT_NO_SUBREAPER,
};

/* run's options; create has those before OPT_DETACH. */
static const struct cli_option run_options[] = {
    {"bundle", 'b', "DIR", "bundle directory (default: the current directory)", OPT_BUNDLE},
    {"config", 'f', "FILE", "config file, relative to the bundle (default config.json)",
     OPT_CONFIG},
    {"pid-file", 0, "FILE", "write the init's pid to FILE", OPT_PID_FILE},
    {"console-socket", 0, "SOCKET", "send the pty master to this unix socket", OPT_CONSOLE_SOCKET},
    {"preserve-fds", 0, "N", "pass N more fds (from 3) to the process", OPT_PRESERVE_FDS},
    {"no-pivot", 0, NULL, "use chroot instead of pivot_root", OPT_NO_PIVOT},
    {"no-new-keyring", 0, NULL, "keep the caller's session keyring", OPT_NO_NEW_KEYRING},
    {"pidfd-socket", 0, "SOCKET", "send a pidfd of the container's init to this unix socket",
     OPT_PIDFD_SOCKET},
    {"detach", 'd', NULL, "do not wait for the process", OPT_DETACH},
    {"keep", 0, NULL, "do not delete the container when it exits", OPT_KEEP},
    {"no-subreaper", 0, NULL, "accepted for compatibility", OPT_NO_SUBREAPER},
    {NULL, 0, NULL, NULL, 0},
};

/* `out` has room for all of run_options; it ends zeroed like them. */
static void create_options(struct cli_option out[static ARRAY_SIZE(run_options)])
{
	size_t n = 0;

	for (size_t i = 0; run_options[i].name; i++)
		if (run_options[i].id < OPT_DETACH)
			out[n++] = run_options[i];
	memset(&out[n], 0, sizeof *out);
}

int create_opts_parse(const struct cli_command_help *help, int argc, char **argv,
		      struct create_opts *o, struct run_extra *extra)
{
	struct cli_parser p;
	const char *arg;
	struct cli_option create[ARRAY_SIZE(run_options)];
	int c, first;

	create_options(create);
	cli_init(&p, help, extra ? run_options : create, argc, argv, false);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		switch (c) {
		case CLI_HELP:
			cli_free(&p);
			return 1;
		case CLI_ERROR:
			cli_free(&p);
			return -1;
		case OPT_BUNDLE:
			o->bundle = arg;
			break;
		case OPT_CONFIG:
			o->config_path = arg;
			break;
		case OPT_PID_FILE:
			o->pid_file = arg;
			break;
		case OPT_CONSOLE_SOCKET:
			o->console_socket = arg;
			break;
		case OPT_PRESERVE_FDS:
			if (cli_parse_int("preserve-fds", arg, &o->preserve_fds) < 0) {
				cli_free(&p);
				return -1;
			}
			break;
		case OPT_NO_PIVOT:
			o->no_pivot = true;
			break;
		case OPT_NO_NEW_KEYRING:
			o->no_new_keyring = true;
			break;
		case OPT_PIDFD_SOCKET:
			o->pidfd_socket = arg;
			break;
		case OPT_DETACH:
			extra->detach = true;
			break;
		case OPT_KEEP:
			extra->keep = true;
			break;
		}
	}
	first = cli_optind(&p);
	cli_free(&p);
	if (argc - first != 1) {
		fprintf(stderr, "husk %s: expected exactly one container id (see --help)\n",
			help->name);
		return -1;
	}
	o->id = argv[first];
	return 0;
}
