/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line parsing shared by the commands: getopt_long with a table
 * that also produces each command's --help.  Options take `--opt value`
 * and `--opt=value`, as runc and crun do.
 */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <getopt.h>
#include <stdbool.h>

/* Global command-line options, shared by every command. */
struct husk_globals {
	/* state root: --root, else /run/husk, or $XDG_RUNTIME_DIR/husk when
	 * rootless; NULL when not root and XDG_RUNTIME_DIR is unset */
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
	bool systemd_cgroup;
	bool rootless; /* --rootless, resolved: no cgroup is fine when none is needed */
};

struct cli_option {
	const char *name; /* long name */
	int short_name;	  /* 0 when none */
	const char *arg;  /* metavar, NULL for a flag */
	const char *help;
	int id; /* returned by cli_next(); unique per command */
};

struct cli_command_help {
	const char *name;
	const char *usage; /* after "husk <name> " */
	const char *summary;
};

/* The most operands a command line may put before its options or between
 * them ("delete ID -f"); more is a usage error, never a silent cut. */
#define CLI_MAX_OPERANDS 256

struct cli_parser {
	const struct cli_command_help *cmd; /* NULL: the caller prints --help */
	const struct cli_option *opts;
	int argc;
	char **argv;
	bool stop_at_operand; /* exec: stop at the first operand */
	/* private */
	struct option *long_opts;
	char shortopts[128];
	char *pending[CLI_MAX_OPERANDS]; /* operands seen among the options */
	int n_pending;
	int first_operand; /* set when cli_next() returns CLI_END */
};

/* What cli_next() returns besides an option id (ids are >= 0). */
enum cli_result {
	CLI_END = -1,	/* no more options: operands from cli_optind() */
	CLI_ERROR = -2, /* a usage error, already printed: exit CLI_EXIT_USAGE */
	CLI_HELP = -3,	/* --help or -h, already printed (unless cmd is NULL): exit 0 */
};

void cli_init(struct cli_parser *p, const struct cli_command_help *cmd,
	      const struct cli_option *opts, int argc, char **argv, bool stop_at_operand);
/* The next option's id (its value in *arg), or an enum cli_result. */
int cli_next(struct cli_parser *p, const char **arg);
/* Index of the first operand after cli_next() returned CLI_END. */
int cli_optind(const struct cli_parser *p);
void cli_free(struct cli_parser *p);
void cli_print_help(const struct cli_command_help *cmd, const struct cli_option *opts);
/* Parse a non-negative int option; prints an error naming the option. */
int cli_parse_int(const char *opt, const char *value, int *out);

/* Exit code for a usage error, as runc and crun use. */
#define CLI_EXIT_USAGE 1

#endif

/* For commands that take only flags from opts and exactly n_ids operands:
 * parses, stores each flag's presence/value via the callback, and points
 * operands[] into argv. Returns 0, 1 (--help printed) or -1 (usage error). */
typedef int (*cli_flag_fn)(int id, const char *arg, void *data);
int cli_parse_operands(const struct cli_command_help *help, const struct cli_option *opts, int argc,
		       char **argv, cli_flag_fn fn, void *data, int min_operands, int max_operands,
		       char ***operands, int *n_operands);
