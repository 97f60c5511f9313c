// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "container.h"
#include "spec/json.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

enum { OPT_FORMAT = 1, OPT_QUIET };

struct list_flags {
	bool json;
	bool quiet;
};

static int list_flag(int id, const char *arg, void *data)
{
	struct list_flags *f = data;

	if (id == OPT_QUIET)
		f->quiet = true;
	if (id == OPT_FORMAT) {
		if (strcmp(arg, "json") == 0)
			f->json = true;
		else if (strcmp(arg, "table") != 0) {
			fprintf(stderr, "husk list: --format: expected table or json, got `%s`\n",
				arg);
			return -1;
		}
	}
	return 0;
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void print_entry(struct container_ref *ref, const char *status, bool json, bool first)
{
	const struct spec_state *s = ref->state;
	pid_t pid = strcmp(status, "stopped") ? s->pid : 0;

	if (!json) {
		printf("%-20s %-10d %-10s %-40s %-30s %s\n", s->id, pid, status, s->bundle,
		       s->created ? s->created : "", s->owner ? s->owner : "");
		return;
	}
	printf("%s{\"ociVersion\":", first ? "" : ",");
	print_json_string(s->oci_version ? s->oci_version : "1.3.0");
	printf(",\"id\":");
	print_json_string(s->id);
	printf(",\"pid\":%d,\"status\":\"%s\",\"bundle\":", pid, status);
	print_json_string(s->bundle ? s->bundle : "");
	printf(",\"rootfs\":");
	print_json_string(s->rootfs ? s->rootfs : "");
	printf(",\"created\":");
	print_json_string(s->created ? s->created : "");
	printf(",\"owner\":");
	print_json_string(s->owner ? s->owner : "");
	printf("}");
}

int cmd_list(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {"list", "[--format table|json] [-q]",
						     "List the containers under the state root."};
	static const struct cli_option opts[] = {
	    {"format", 'f', "table|json", "output format", OPT_FORMAT},
	    {"quiet", 'q', NULL, "print only the ids", OPT_QUIET},
	    {NULL, 0, NULL, NULL, 0},
	};
	struct husk_error err = HUSK_ERROR_INIT;
	struct list_flags f = {false, false};
	_cleanup_strv_ char **ids = NULL;
	_cleanup_close_ int rootfd = -1;
	char **ops;
	int n, r = cli_parse_operands(&help, opts, argc, argv, list_flag, &f, 0, 0, &ops, &n);
	bool first = true;

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	if (state_store_list(g->root, &ids, &err) < 0)
		return husk_error_report(&err);
	rootfd = state_root_open(g->root, false, &err);
	husk_error_clear(&err); /* a root that vanished since: entries below fail */
	if (f.json)
		printf("[");
	else if (!f.quiet)
		printf("%-20s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (size_t i = 0; ids[i]; i++) {
		struct container_ref ref;
		if (f.quiet) {
			printf("%s\n", ids[i]);
			continue;
		}
		if (state_store_open_at(rootfd, g->root, ids[i], false, &ref, &err) < 0) {
			container_ref_release(&ref);
			husk_error_clear(&err);
			continue;
		}
		print_entry(&ref, container_status(&ref, g), f.json, first);
		first = false;
		container_ref_release(&ref);
	}
	if (f.json)
		printf("]\n");
	return 0;
}
