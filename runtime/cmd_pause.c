// SPDX-License-Identifier: GPL-2.0-or-later
/* pause / resume: freeze or thaw every process of a container. */
#include "config.h"
#include "commands.h"
#include "linux/cgroups.h"
#include "state_store.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cgroup_open_container(const struct husk_globals *g, const char *id, bool need_cgroup,
			  struct container_ref *ref, struct cgroup_handle **cg,
			  struct husk_error *err)
{
	memset(ref, 0, sizeof *ref);
	ref->dirfd = -1;
	*cg = NULL;
	if (state_store_open(g->root, id, ref, err) < 0)
		return -1;
	if (need_cgroup && ref->state->cgroup_path == NULL && !ref->state->systemd_cgroup) {
		container_ref_release(ref);
		return husk_error_set(err, ENOENT,
				      "container `%s` has no cgroup of its own (rootless, and no "
				      "cgroup was writable when it was created)",
				      id);
	}
	if (cgroup_load(ref->state, g, cg, err) < 0) {
		container_ref_release(ref);
		return -1;
	}
	return 0;
}

/* Only an operand: the container id. */
static int parse_id(const struct cli_command_help *help, int argc, char **argv, const char **id)
{
	static const struct cli_option opts[] = {{NULL, 0, NULL, NULL, 0}};
	struct cli_parser p;
	const char *arg;
	int c;

	cli_init(&p, help, opts, argc, argv, false);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_HELP) {
			cli_free(&p);
			return 0;
		}
		if (c == CLI_ERROR) {
			cli_free(&p);
			return CLI_EXIT_USAGE;
		}
	}
	int first = cli_optind(&p);
	cli_free(&p);
	if (argc - first != 1) {
		fprintf(stderr, "husk %s: expected exactly one container id\n", help->name);
		return CLI_EXIT_USAGE;
	}
	*id = argv[first];
	return -1;
}

static int freeze_cmd(struct husk_globals *g, int argc, char **argv, bool freeze)
{
	static const struct cli_command_help pause_help = {
	    "pause", "ID", "Freeze every process of a running container (cgroup freezer)."};
	static const struct cli_command_help resume_help = {
	    "resume", "ID", "Thaw the processes of a paused container."};
	struct husk_error err = HUSK_ERROR_INIT;
	struct container_ref ref;
	struct cgroup_handle *cg = NULL;
	const char *id = NULL;
	int r = parse_id(freeze ? &pause_help : &resume_help, argc, argv, &id);

	if (r >= 0)
		return r;
	if (cgroup_open_container(g, id, true, &ref, &cg, &err) < 0)
		return husk_error_report(&err);
	/* As runc: a created container may be paused too; its status stays
	 * "created" (exec.fifo), so resume goes by the freezer itself. */
	const char *status = container_status(&ref, g);
	bool frozen = false;
	cgroup_is_frozen(cg, &frozen, &err);
	husk_error_clear(&err);
	if (freeze && strcmp(status, "running") != 0 && strcmp(status, "created") != 0) {
		husk_error_set(&err, 0, "container `%s` is %s, not running", id, status);
		r = -1;
	} else if (!freeze && (!frozen || strcmp(status, "stopped") == 0)) {
		husk_error_set(&err, 0, "container `%s` is %s, not paused", id, status);
		r = -1;
	} else {
		r = cgroup_freeze(cg, freeze, &err);
	}
	cgroup_handle_free(cg);
	container_ref_release(&ref);
	if (r < 0) {
		husk_error_prefix(&err, "%s `%s`", freeze ? "pause" : "resume", id);
		return husk_error_report(&err);
	}
	return 0;
}

int cmd_pause(struct husk_globals *g, int argc, char **argv)
{
	return freeze_cmd(g, argc, argv, true);
}

int cmd_resume(struct husk_globals *g, int argc, char **argv)
{
	return freeze_cmd(g, argc, argv, false);
}
