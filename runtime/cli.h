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

struct cli_parser {
	const struct cli_command_help *cmd;
	const struct cli_option *opts;
	int argc;
	char **argv;
	bool stop_at_operand; /* exec: stop at the first operand */
	/* private */
	struct option *long_opts;
	char shortopts[128];
};

void cli_init(struct cli_parser *p, const struct cli_command_help *cmd,
	      const struct cli_option *opts, int argc, char **argv, bool stop_at_operand);
/* Returns the option id, -1 at the end, -2 after printing an error (exit 1)
 * and -3 after printing --help (exit 0). */
int cli_next(struct cli_parser *p, const char **arg);
/* Index of the first operand after cli_next() returned -1. */
int cli_optind(void);
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
