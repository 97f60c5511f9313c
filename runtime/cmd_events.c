// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * events: runc-compatible JSON lines: {"type":"stats","id":...,"data":{...}}
 * every --interval (or once with --stats), and {"type":"oom","id":...} when
 * the kernel OOM-kills in the container (v1 memory.oom_control eventfd,
 * v2 inotify on memory.events).
 */
#include "config.h"
#include "commands.h"
#include "linux/cgroups.h"
#include "state_store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OPT_STATS = 1, OPT_INTERVAL };

/* ---- the command ---- */

/* "5s", "100ms", "1m", "2h", "1.5s", or bare seconds -> milliseconds. */
static int parse_duration(const char *s, long *ms)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1000;

	if (end == s || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else
		return -1;
	*ms = (long)(v * mul);
	return *ms > 0 ? 0 : -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int print_stats(const struct cgroup_handle *cg, const char *id, struct husk_error *err)
{
	_cleanup_free_ char *doc = NULL;

	if (cgroup_stats_json(cg, id, &doc, err) < 0)
		return -1;
	printf("%s\n", doc);
	fflush(stdout);
	return 0;
}

int cmd_events(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "events", "[--stats] [--interval D] ID",
	    "Print the container's statistics every interval and its OOM events, as JSON "
	    "lines, until it stops; --stats prints the statistics once."};
	static const struct cli_option opts[] = {
	    {"stats", 0, NULL, "print the statistics once and exit", OPT_STATS},
	    {"interval", 0, "D", "time between statistics (default 5s)", OPT_INTERVAL},
	    {NULL, 0, NULL, NULL, 0},
	};
	struct husk_error err = HUSK_ERROR_INIT;
	struct cli_parser p;
	struct container_ref ref;
	struct cgroup_handle *cg = NULL;
	const char *arg;
	bool once = false;
	long interval = 5000;
	int c, ret = 0;

	cli_init(&p, &help, opts, argc, argv, false);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_HELP || c == CLI_ERROR) {
			cli_free(&p);
			return c == CLI_HELP ? 0 : CLI_EXIT_USAGE;
		}
		if (c == OPT_STATS)
			once = true;
		if (c == OPT_INTERVAL && parse_duration(arg, &interval) < 0) {
			fprintf(stderr, "husk events: --interval: `%s` is not a duration\n", arg);
			cli_free(&p);
			return CLI_EXIT_USAGE;
		}
	}
	int first = cli_optind(&p);
	cli_free(&p);
	if (argc - first != 1) {
		fprintf(stderr, "husk events: expected exactly one container id\n");
		return CLI_EXIT_USAGE;
	}
	const char *id = argv[first];
	if (cgroup_open_container(g, id, false, &ref, &cg, &err) < 0)
		return husk_error_report(&err);
	pid_t pid = ref.state->pid;
	uint64_t start = ref.state->start_time;
	if (strcmp(container_status(&ref, g), "stopped") == 0) {
		husk_error_set(&err, 0, "container `%s` is stopped", id);
		container_ref_release(&ref);
		cgroup_handle_free(cg);
		return husk_error_report(&err);
	}
	/* do not hold the container's lock while we watch it */
	container_ref_release(&ref);
	if (once) {
		ret = print_stats(cg, id, &err);
		cgroup_handle_free(cg);
		return ret < 0 ? husk_error_report(&err) : 0;
	}
	uint64_t oom_seen = 0;
	_cleanup_close_ int ofd = cgroup_oom_fd(cg, &oom_seen, &err);
	if (ofd < 0)
		husk_error_clear(&err);
	long next = now_ms() + interval;
	while (process_is_same(pid, start)) {
		long wait = next - now_ms();
		if (wait <= 0) {
			if (print_stats(cg, id, &err) < 0) {
				ret = -1;
				break;
			}
			next = now_ms() + interval;
			continue;
		}
		/* wake at least every second to notice the container stopping */
		struct pollfd pfd = {.fd = ofd, .events = POLLIN};
		int r = poll(&pfd, ofd >= 0 ? 1 : 0, wait > 1000 ? 1000 : (int)wait);
		if (r > 0 && cgroup_oom_check(cg, ofd, &oom_seen)) {
			printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
			fflush(stdout);
		}
	}
	cgroup_handle_free(cg);
	return ret < 0 ? husk_error_report(&err) : 0;
}
