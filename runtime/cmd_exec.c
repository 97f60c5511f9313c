// SPDX-License-Identifier: GPL-2.0-or-later
/* husk exec: its options; the lifecycle is exec.c's. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "container.h"
#include "exec.h"
#include "util.h"

enum {
	OPT_PROCESS = 1,
	OPT_TTY,
	OPT_CONSOLE_SOCKET,
	OPT_DETACH,
	OPT_PID_FILE,
	OPT_PRESERVE_FDS,
	OPT_CWD,
	OPT_ENV,
	OPT_USER,
	OPT_ADDITIONAL_GIDS,
	OPT_CAP,
	OPT_NO_NEW_PRIVS,
	OPT_PROCESS_LABEL,
	OPT_APPARMOR,
	OPT_CGROUP,
	OPT_IGNORE_PAUSED,
	OPT_PIDFD_SOCKET,
};

static const struct cli_command_help exec_help = {
    "exec", "[OPTIONS] ID [--process FILE | COMMAND [ARG...]]",
    "Run a process inside a created or running container: from an OCI process "
    "document (--process) or COMMAND with the container's process settings, "
    "adjusted by the options."};

static const struct cli_option exec_opts_table[] = {
    {"process", 'p', "FILE", "the process as an OCI process JSON document", OPT_PROCESS},
    {"tty", 't', NULL, "allocate a pseudo-terminal", OPT_TTY},
    {"console-socket", 0, "PATH", "unix socket that receives the pty master", OPT_CONSOLE_SOCKET},
    {"detach", 'd', NULL, "return once the process runs", OPT_DETACH},
    {"pid-file", 0, "FILE", "write the process's pid to FILE", OPT_PID_FILE},
    {"pidfd-socket", 0, "SOCKET", "send a pidfd of the process to this unix socket",
     OPT_PIDFD_SOCKET},
    {"preserve-fds", 0, "N", "pass fds 3 .. 3+N-1 to the process", OPT_PRESERVE_FDS},
    {"cwd", 0, "DIR", "working directory inside the container", OPT_CWD},
    {"env", 'e', "KEY=VALUE", "set an environment variable (repeatable)", OPT_ENV},
    {"user", 'u', "UID[:GID]", "user (and group) to run as", OPT_USER},
    {"additional-gids", 'g', "GID", "an additional group (repeatable)", OPT_ADDITIONAL_GIDS},
    {"cap", 'c', "CAP", "add a capability (repeatable)", OPT_CAP},
    {"no-new-privs", 0, NULL, "set NoNewPrivileges", OPT_NO_NEW_PRIVS},
    {"process-label", 0, "LABEL", "SELinux label of the process", OPT_PROCESS_LABEL},
    {"apparmor", 0, "PROFILE", "AppArmor profile of the process", OPT_APPARMOR},
    {"cgroup", 0, "[CTRL:]PATH", "run in this sub-cgroup of the container (repeatable)",
     OPT_CGROUP},
    {"ignore-paused", 0, NULL, "exec even when the container is paused", OPT_IGNORE_PAUSED},
    {NULL, 0, NULL, NULL, 0},
};

static int add_repeated(const char **list, size_t *n, size_t max, const char *opt, const char *v)
{
	if (*n >= max) {
		fprintf(stderr, "husk exec: too many --%s options\n", opt);
		return -1;
	}
	list[(*n)++] = v;
	return 0;
}

static int exec_flag(struct exec_flags *f, int id, const char *arg)
{
	switch (id) {
	case OPT_PROCESS:
		f->process_file = arg;
		return 0;
	case OPT_TTY:
		f->tty = true;
		return 0;
	case OPT_CONSOLE_SOCKET:
		f->console_socket = arg;
		return 0;
	case OPT_DETACH:
		f->detach = true;
		return 0;
	case OPT_PID_FILE:
		f->pid_file = arg;
		return 0;
	case OPT_PIDFD_SOCKET:
		f->pidfd_socket = arg;
		return 0;
	case OPT_PRESERVE_FDS:
		return cli_parse_int("preserve-fds", arg, &f->preserve_fds);
	case OPT_CWD:
		f->cwd = arg;
		return 0;
	case OPT_ENV:
		return add_repeated(f->env, &f->n_env, ARRAY_SIZE(f->env), "env", arg);
	case OPT_USER:
		f->user = arg;
		return 0;
	case OPT_ADDITIONAL_GIDS:
		return add_repeated(f->gids, &f->n_gids, ARRAY_SIZE(f->gids), "additional-gids",
				    arg);
	case OPT_CAP:
		return add_repeated(f->caps, &f->n_caps, ARRAY_SIZE(f->caps), "cap", arg);
	case OPT_NO_NEW_PRIVS:
		f->no_new_privs = true;
		return 0;
	case OPT_PROCESS_LABEL:
		f->label = arg;
		return 0;
	case OPT_APPARMOR:
		f->apparmor = arg;
		return 0;
	case OPT_CGROUP:
		return add_repeated(f->cgroups, &f->n_cgroups, ARRAY_SIZE(f->cgroups), "cgroup",
				    arg);
	case OPT_IGNORE_PAUSED:
		f->ignore_paused = true;
		return 0;
	}
	return -1;
}

/* ---- building the process ---- */

int cmd_exec(struct husk_globals *g, int argc, char **argv)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct exec_flags f = {0};
	struct cli_parser p;
	const char *arg;
	char **args;
	int c, first, n_args, code = 1;

	cli_init(&p, &exec_help, exec_opts_table, argc, argv, true);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_HELP || c == CLI_ERROR) {
			cli_free(&p);
			return c == CLI_HELP ? 0 : CLI_EXIT_USAGE;
		}
		if (exec_flag(&f, c, arg) < 0) {
			cli_free(&p);
			return CLI_EXIT_USAGE;
		}
	}
	first = cli_optind(&p);
	cli_free(&p);
	if (first >= argc) {
		fprintf(stderr, "husk exec: missing container id (usage: husk exec %s)\n",
			exec_help.usage);
		return CLI_EXIT_USAGE;
	}
	args = argv + first + 1;
	n_args = argc - first - 1;
	if (n_args > 0 && strcmp(args[0], "--") == 0) {
		args++;
		n_args--;
	}
	if (reserve_preserved_fds(preserved_fd_count(f.preserve_fds), &err) < 0 ||
	    exec_run(g, &f, argv[first], args, n_args, &code, &err) < 0)
		return husk_error_report(&err);
	return code;
}
