// SPDX-License-Identifier: GPL-2.0-or-later
/* ps: the processes of a container, as a JSON array of pids or through ps(1). */
#include "config.h"
#include "commands.h"
#include "linux/cgroups.h"
#include "state_store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

enum { OPT_FORMAT = 1 };

static bool has_pid(const pid_t *pids, size_t n, long v)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == v)
			return true;
	return false;
}

/* Run ps with the user's options and keep the header plus our pids' lines. */
static int ps_table(const pid_t *pids, size_t n, int argc, char **argv, struct husk_error *err)
{
	_cleanup_strv_ char **args = xcalloc((size_t)argc + 2, sizeof(char *));
	int fds[2];
	size_t k = 0;

	args[k++] = xstrdup("ps");
	if (argc == 0)
		args[k++] = xstrdup("-ef");
	for (int i = 0; i < argc; i++)
		args[k++] = xstrdup(argv[i]);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return husk_error_errno(err, "ps: pipe");
	pid_t child = fork();
	if (child < 0)
		return husk_error_errno(err, "ps: fork");
	if (child == 0) {
		dup2(fds[1], 1);
		execvp("ps", args);
		fprintf(stderr, "husk ps: exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	_cleanup_file_ FILE *f = fdopen(fds[0], "r");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int pidcol = -1;
	bool header = true;
	while (f && getline(&line, &cap, f) > 0) {
		if (header) {
			/* which whitespace-separated column is PID */
			_cleanup_free_ char *copy = xstrdup(line);
			char *save = NULL;
			int col = 0;
			for (char *t = strtok_r(copy, " \t\n", &save); t;
			     t = strtok_r(NULL, " \t\n", &save), col++)
				if (strcmp(t, "PID") == 0)
					pidcol = col;
			fputs(line, stdout);
			header = false;
			continue;
		}
		if (pidcol < 0)
			continue;
		_cleanup_free_ char *copy = xstrdup(line);
		char *save = NULL;
		char *t = strtok_r(copy, " \t\n", &save);
		for (int col = 0; t && col < pidcol; col++)
			t = strtok_r(NULL, " \t\n", &save);
		int64_t v;
		if (t && parse_int64(t, &v) == 0 && has_pid(pids, n, (long)v))
			fputs(line, stdout);
	}
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (pidcol < 0)
		return husk_error_set(err, 0, "ps: the output of ps has no PID column");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return husk_error_set(err, 0, "ps: ps failed (status %d)", status);
	return 0;
}

int cmd_ps(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "ps", "[--format table|json] ID [ps options]",
	    "List the processes of a container: a JSON array of pids, or ps(1)'s table "
	    "filtered to the container (ps options default to -ef)."};
	static const struct cli_option opts[] = {
	    {"format", 'f', "table|json", "output format (default table)", OPT_FORMAT},
	    {NULL, 0, NULL, NULL, 0},
	};
	struct husk_error err = HUSK_ERROR_INIT;
	const char *format = "table", *arg;
	struct container_ref ref;
	struct cgroup_handle *cg = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	struct cli_parser p;
	size_t n = 0;
	int c, r;

	cli_init(&p, &help, opts, argc, argv, true);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_HELP || c == CLI_ERROR) {
			cli_free(&p);
			return c == CLI_HELP ? 0 : CLI_EXIT_USAGE;
		}
		if (c == OPT_FORMAT)
			format = arg;
	}
	int first = cli_optind(&p);
	cli_free(&p);
	if (strcmp(format, "table") && strcmp(format, "json")) {
		fprintf(stderr, "husk ps: --format: expected table or json, got `%s`\n", format);
		return CLI_EXIT_USAGE;
	}
	if (first >= argc) {
		fprintf(stderr, "husk ps: expected a container id\n");
		return CLI_EXIT_USAGE;
	}
	const char *id = argv[first];
	if (strcmp(format, "json") == 0 && argc - first > 1) {
		fprintf(stderr, "husk ps: ps options are only for --format table\n");
		return CLI_EXIT_USAGE;
	}
	if (cgroup_open_container(g, id, false, &ref, &cg, &err) < 0)
		return husk_error_report(&err);
	r = cgroup_pids(cg, &pids, &n, &err);
	cgroup_handle_free(cg);
	container_ref_release(&ref);
	if (r < 0)
		return husk_error_report(&err);
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	fflush(stdout);
	if (ps_table(pids, n, argc - first - 1, argv + first + 1, &err) < 0)
		return husk_error_report(&err);
	return 0;
}
