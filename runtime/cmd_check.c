// SPDX-License-Identifier: GPL-2.0-or-later
/* husk check: options and output; the checks are container_check's. */
#include "config.h"
#include "commands.h"
#include "container.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

enum { OPT_BUNDLE = 1, OPT_CONFIG, OPT_FORMAT };

struct check_opts {
	const char *bundle;
	const char *config;
	bool json;
};

static int check_flag(int id, const char *arg, void *data)
{
	struct check_opts *o = data;

	if (id == OPT_BUNDLE)
		o->bundle = arg;
	else if (id == OPT_CONFIG)
		o->config = arg;
	else if (strcmp(arg, "json") == 0 || strcmp(arg, "text") == 0)
		o->json = strcmp(arg, "json") == 0;
	else {
		fprintf(stderr, "husk check: --format: expected text or json, got `%s`\n", arg);
		return -1;
	}
	return 0;
}

static void print_text(const struct check_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct check_problem *p = &r->items[i];
		printf("%s: %s%s%s\n", p->severity == CHECK_ERROR ? "error" : "warning",
		       *p->path ? p->path : "", *p->path ? ": " : "", p->message);
	}
	if (r->n_errors)
		printf("%zu error(s), %zu warning(s): the bundle would not start\n", r->n_errors,
		       r->n - r->n_errors);
	else
		printf("ok: %zu warning(s)\n", r->n);
}

int cmd_check(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "check", "[options]",
	    "Validate a bundle without creating anything: print every problem with the JSON "
	    "path of its field.\nExits 0 when the bundle would start."};
	static const struct cli_option opts[] = {
	    {"bundle", 'b', "DIR", "bundle directory (default: the current directory)", OPT_BUNDLE},
	    {"config", 'f', "FILE", "config file, relative to the bundle (default config.json)",
	     OPT_CONFIG},
	    {"format", 0, "text|json", "output format (default text)", OPT_FORMAT},
	    {NULL, 0, NULL, NULL, 0},
	};
	struct check_opts o = {.bundle = "."};
	struct husk_error err = HUSK_ERROR_INIT;
	struct check_report report = {0};
	_cleanup_free_ char *json = NULL;
	size_t len;
	char **ops;
	int n, r = cli_parse_operands(&help, opts, argc, argv, check_flag, &o, 0, 0, &ops, &n);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	container_check(g, o.bundle, o.config, &report);
	if (!o.json)
		print_text(&report);
	else if (check_report_emit_json(&report, &json, &len, &err) < 0)
		return husk_error_report(&err);
	else
		printf("%s\n", json);
	r = report.n_errors ? 1 : 0;
	check_report_free(&report);
	return r;
}
