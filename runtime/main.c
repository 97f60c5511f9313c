// SPDX-License-Identifier: GPL-2.0-or-later
/* husk: global options, then one command (see commands.h). */
#include "config.h"
#include "commands.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*fn)(struct husk_globals *g, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"create", cmd_create, "create a container, stopped just before its process runs"},
    {"start", cmd_start, "run the process of a created container"},
    {"run", cmd_run, "create and start a container"},
    {"state", cmd_state, "print the state of a container as JSON"},
    {"kill", cmd_kill, "send a signal to the container's init (or every process)"},
    {"delete", cmd_delete, "remove a stopped container and everything husk made for it"},
    {"list", cmd_list, "list the containers under the state root"},
    {"exec", cmd_exec, "run another process in a running container"},
    {"pause", cmd_pause, "freeze every process of a container"},
    {"resume", cmd_resume, "thaw a paused container"},
    {"update", cmd_update, "change a container's resource limits"},
    {"ps", cmd_ps, "list the processes of a container"},
    {"events", cmd_events, "print a container's events and statistics"},
    {"spec", cmd_spec, "write a template config.json"},
    {"check", cmd_check, "validate a bundle without creating anything"},
    {"features", cmd_features, "print what this husk supports, as JSON"},
    {"checkpoint", cmd_checkpoint, "checkpoint a container with CRIU"},
    {"restore", cmd_restore, "restore a container from a CRIU checkpoint"},
    {NULL, NULL, NULL},
};

enum {
	OPT_ROOT = 1000,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_CGROUP_MANAGER,
	OPT_ROOTLESS,
	OPT_VERSION,
	OPT_CRIU,
};

static const struct cli_option global_opts[] = {
    {"root", 0, "DIR", "state directory (default /run/husk; rootless: $XDG_RUNTIME_DIR/husk)",
     OPT_ROOT},
    {"log", 0, "FILE", "also write messages to FILE", OPT_LOG},
    {"log-format", 0, "text|json", "format of the --log file", OPT_LOG_FORMAT},
    {"debug", 0, NULL, "debug messages", OPT_DEBUG},
    {"systemd-cgroup", 0, NULL, "use the systemd cgroup driver", OPT_SYSTEMD_CGROUP},
    {"cgroup-manager", 0, "cgroupfs|systemd", "cgroup driver", OPT_CGROUP_MANAGER},
    {"rootless", 0, "true|false|auto",
     "run without a cgroup of our own when none can be made (auto: when not root)", OPT_ROOTLESS},
    {"criu", 0, "PATH", "the criu binary for checkpoint and restore (default: criu in PATH)",
     OPT_CRIU},
    {"version", 'v', NULL, "print the version", OPT_VERSION},
    {NULL, 0, NULL, NULL, 0},
};

static void print_usage(void)
{
	printf("Usage: husk [global options] COMMAND [options] [ID] ...\n\n"
	       "husk is an OCI runtime-spec 1.3 container runtime.\n\nCommands:\n");
	for (const struct command *c = commands; c->name; c++)
		printf("  %-12s %s\n", c->name, c->summary);
	printf("\nGlobal options:\n");
	for (size_t i = 0; global_opts[i].name; i++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s", global_opts[i].name,
			 global_opts[i].arg ? " " : "",
			 global_opts[i].arg ? global_opts[i].arg : "");
		printf("  %-34s %s\n", left, global_opts[i].help);
	}
	printf("\nRun `husk COMMAND --help` for a command's options.\n");
}

static void print_version(void)
{
	printf("husk version %s\nspec: 1.3.0\n+SECCOMP +CAP +YAJL%s\n", PACKAGE_VERSION,
#ifdef HAVE_SYSTEMD
	       " +SYSTEMD"
#else
	       " -SYSTEMD"
#endif
	);
}

int main(int argc, char **argv)
{
	struct husk_globals g = {.root = NULL};
	_cleanup_free_ char *default_root = NULL;
	enum rootless_mode rootless = ROOTLESS_AUTO;
	struct husk_error err = HUSK_ERROR_INIT;
	const char *log_format = "text";
	struct cli_parser p;
	const char *arg;
	int c;

	if (selfexe_protect(argc, argv, &err) < 0)
		return husk_error_report(&err);

	/* No command help: print_usage() is the global --help. */
	cli_init(&p, NULL, global_opts, argc, argv, true);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		switch (c) {
		case CLI_HELP:
			print_usage();
			return 0;
		case CLI_ERROR:
			return CLI_EXIT_USAGE;
		case OPT_ROOT:
			g.root = arg;
			break;
		case OPT_LOG:
			g.log = arg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(arg, "text") && strcmp(arg, "json")) {
				fprintf(stderr,
					"husk: --log-format: expected text or json, got `%s`\n",
					arg);
				return CLI_EXIT_USAGE;
			}
			log_format = arg;
			break;
		case OPT_DEBUG:
			g.debug = true;
			break;
		case OPT_SYSTEMD_CGROUP:
			g.systemd_cgroup = true;
			break;
		case OPT_CGROUP_MANAGER:
			if (strcmp(arg, "systemd") == 0)
				g.systemd_cgroup = true;
			else if (strcmp(arg, "cgroupfs") == 0)
				g.systemd_cgroup = false;
			else {
				fprintf(stderr,
					"husk: --cgroup-manager: expected cgroupfs or systemd, got "
					"`%s`\n",
					arg);
				return CLI_EXIT_USAGE;
			}
			break;
		case OPT_ROOTLESS:
			if (rootless_parse_option(arg, &rootless, &err) < 0) {
				husk_error_report(&err);
				return CLI_EXIT_USAGE;
			}
			break;
		case OPT_CRIU:
			/* linux/criu.c reads it from there, as the tests set it */
			setenv("HUSK_CRIU", arg, 1);
			break;
		case OPT_VERSION:
			print_version();
			return 0;
		}
	}
	int first = cli_optind(&p);
	cli_free(&p);
	rootless_resolve(&g, rootless);
	if (g.root == NULL)
		g.root = default_root = rootless_default_state_root();
	g.log_json = strcmp(log_format, "json") == 0;
	if (husk_log_open(g.log, g.log_json, g.debug) < 0) {
		husk_error_errno(&err, "--log: open `%s`", g.log);
		return husk_error_report(&err);
	}
	if (first >= argc) {
		print_usage();
		return CLI_EXIT_USAGE;
	}
	for (const struct command *cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, argv[first]) == 0)
			return cmd->fn(&g, argc - first, argv + first);
	husk_error_set(&err, 0, "unknown command `%s`; see `husk --help`", argv[first]);
	return husk_error_report(&err);
}
