// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "cli.h"
#include "error.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* getopt_long returns 1 for an operand in "-" mode, so long options carry
 * their id offset by CLI_LONG_BASE: an option whose id is 1 must not read as
 * an operand ("delete --force ID", "create --bundle DIR ID"). */
enum { CLI_HELP_ID = -100, CLI_LONG_BASE = 0x10000 };

/* The long option NAME (len bytes) of p, or NULL. */
static const struct option *find_long(const struct cli_parser *p, size_t n, const char *name,
				      size_t len)
{
	for (size_t j = 0; j < n; j++)
		if (strlen(p->long_opts[j].name) == len &&
		    strncmp(name, p->long_opts[j].name, len) == 0)
			return &p->long_opts[j];
	return NULL;
}

/* Whether the short options in a (after its dash) need the next argument
 * as a value: the first that takes a value takes the rest, or the next. */
static bool shorts_take_next(const struct cli_parser *p, const char *a)
{
	for (const char *c = a + 1; *c; c++) {
		const char *at = *c == ':' ? NULL : strchr(p->shortopts + 2, *c);
		if (at && at[1] == ':')
			return c[1] == '\0';
	}
	return false;
}

/* runc's parser takes a long option after one dash too, and its callers
 * use it: containerd's shim passes `restore -no-subreaper`.  An option
 * argument that is exactly `-NAME` or `-NAME=VALUE` for a long option
 * NAME becomes `--NAME...` (the copy lives as long as the process: optarg
 * may point into it).  Combined short flags (`-it`) name no long option;
 * option values are skipped, and with stop_at_operand nothing after the
 * first operand is touched (exec's command, the global options' command). */
static void accept_single_dash_long(struct cli_parser *p, size_t n)
{
	for (int i = 1; i < p->argc; i++) {
		const char *a = p->argv[i];
		const struct option *o;
		size_t len;

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0') {
			if (p->stop_at_operand)
				break;
			continue;
		}
		if (a[1] == '-') {
			len = strcspn(a + 2, "=");
			o = find_long(p, n, a + 2, len);
			if (o && o->has_arg == required_argument && a[2 + len] == '\0')
				i++;
			continue;
		}
		len = strcspn(a + 1, "=");
		o = a[2] ? find_long(p, n, a + 1, len) : NULL;
		if (o) {
			p->argv[i] = xasprintf("-%s", a);
			if (o->has_arg == required_argument && a[1 + len] == '\0')
				i++;
		} else if (shorts_take_next(p, a)) {
			i++;
		}
	}
}

void cli_init(struct cli_parser *p, const struct cli_command_help *cmd,
	      const struct cli_option *opts, int argc, char **argv, bool stop_at_operand)
{
	size_t n = 0, s = 0;

	memset(p, 0, sizeof *p);
	p->cmd = cmd;
	p->opts = opts;
	p->argc = argc;
	p->argv = argv;
	p->stop_at_operand = stop_at_operand;
	while (opts && opts[n].name)
		n++;
	p->long_opts = xcalloc(n + 2, sizeof(struct option));
	p->shortopts[s++] = stop_at_operand ? '+' : '-';
	p->shortopts[s++] = ':';
	for (size_t i = 0; i < n; i++) {
		p->long_opts[i].name = opts[i].name;
		p->long_opts[i].has_arg = opts[i].arg ? required_argument : no_argument;
		p->long_opts[i].val = CLI_LONG_BASE + opts[i].id;
		if (opts[i].short_name && s + 3 < sizeof p->shortopts) {
			p->shortopts[s++] = (char)opts[i].short_name;
			if (opts[i].arg)
				p->shortopts[s++] = ':';
		}
	}
	p->long_opts[n].name = "help";
	p->long_opts[n].val = CLI_HELP_ID;
	p->shortopts[s++] = 'h';
	p->shortopts[s] = '\0';
	accept_single_dash_long(p, n);
	optind = 0; /* full reinitialisation of getopt */
	opterr = 0;
}

static int short_to_id(const struct cli_parser *p, int c)
{
	for (size_t i = 0; p->opts && p->opts[i].name; i++)
		if (p->opts[i].short_name == c)
			return p->opts[i].id;
	return -1;
}

/* Operands may come before options ("kill ID --all" is not runc's, but
 * "delete ID -f" is common): collect them, then put them in front of
 * whatever follows "--", so that cli_optind() sees all of them in order.
 * The tail after optind already sits where it belongs. */
static int finish_operands(struct cli_parser *p)
{
	p->first_operand = optind - p->n_pending;
	for (int i = 0; i < p->n_pending; i++)
		p->argv[p->first_operand + i] = p->pending[i];
	p->n_pending = 0;
	return CLI_END;
}

static int unknown_option(const struct cli_parser *p)
{
	const char *name = p->cmd ? p->cmd->name : "";

	if (optopt)
		fprintf(stderr, "husk%s%s: unknown option `-%c`\n", *name ? " " : "", name, optopt);
	else
		fprintf(stderr, "husk%s%s: unknown option `%s`\n", *name ? " " : "", name,
			p->argv[optind - 1]);
	return CLI_ERROR;
}

int cli_next(struct cli_parser *p, const char **arg)
{
	const char *name = p->cmd ? p->cmd->name : "";
	int c;

	for (;;) {
		c = getopt_long(p->argc, p->argv, p->shortopts, p->long_opts, NULL);
		if (c != 1) /* 1: an operand, in "-" mode */
			break;
		if (p->n_pending == CLI_MAX_OPERANDS) {
			fprintf(stderr, "husk%s%s: more than %d operands\n", *name ? " " : "", name,
				CLI_MAX_OPERANDS);
			return CLI_ERROR;
		}
		p->pending[p->n_pending++] = optarg;
	}
	if (c == -1)
		return finish_operands(p);
	if (c == CLI_HELP_ID || c == 'h') {
		if (p->cmd)
			cli_print_help(p->cmd, p->opts);
		return CLI_HELP;
	}
	if (c == '?')
		return unknown_option(p);
	if (c == ':') {
		fprintf(stderr, "husk%s%s: option `%s` needs a value\n", *name ? " " : "", name,
			p->argv[optind - 1]);
		return CLI_ERROR;
	}
	if (c >= CLI_LONG_BASE) {
		c -= CLI_LONG_BASE;
	} else if (c < 128 && c > 0) {
		int id = short_to_id(p, c);
		if (id >= 0)
			c = id;
	}
	*arg = optarg;
	return c;
}

int cli_optind(const struct cli_parser *p)
{
	return p->first_operand;
}

void cli_free(struct cli_parser *p)
{
	free(p->long_opts);
	p->long_opts = NULL;
}

void cli_print_help(const struct cli_command_help *cmd, const struct cli_option *opts)
{
	printf("Usage: husk %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
	if (opts && opts[0].name)
		printf("\nOptions:\n");
	for (size_t i = 0; opts && opts[i].name; i++) {
		char left[64];
		if (opts[i].short_name)
			snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].short_name,
				 opts[i].name, opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", opts[i].name,
				 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		printf("  %-30s %s\n", left, opts[i].help);
	}
	printf("  %-30s %s\n", "-h, --help", "show this help");
}

int cli_parse_int(const char *opt, const char *value, int *out)
{
	int64_t v;

	if (parse_int64(value, &v) < 0 || v < 0 || v > 1000000) {
		fprintf(stderr, "husk: --%s: expected a non-negative integer, got `%s`\n", opt,
			value);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int cli_parse_operands(const struct cli_command_help *help, const struct cli_option *opts, int argc,
		       char **argv, cli_flag_fn fn, void *data, int min_operands, int max_operands,
		       char ***operands, int *n_operands)
{
	struct cli_parser p;
	const char *arg;
	int c, first, n;

	cli_init(&p, help, opts, argc, argv, false);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_HELP || c == CLI_ERROR) {
			cli_free(&p);
			return c == CLI_HELP ? 1 : -1;
		}
		if (fn && fn(c, arg, data) < 0) {
			cli_free(&p);
			return -1;
		}
	}
	first = cli_optind(&p);
	cli_free(&p);
	n = argc - first;
	if (n < min_operands || n > max_operands) {
		if (min_operands == 1 && max_operands <= 2 && n == 0)
			fprintf(stderr, "husk %s: missing container id (usage: husk %s %s)\n",
				help->name, help->name, help->usage);
		else
			fprintf(stderr, "husk %s: wrong number of arguments (usage: husk %s %s)\n",
				help->name, help->name, help->usage);
		return -1;
	}
	*operands = argv + first;
	*n_operands = n;
	return 0;
}
