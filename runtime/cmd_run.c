// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "container.h"
#include "create_opts.h"
#include "foreground.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int cmd_run(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "run", "[options] ID",
	    "Create and start a container; without --detach, wait for it, delete it and exit "
	    "with its status."};
	struct husk_error err = HUSK_ERROR_INIT;
	struct create_opts o = {0};
	struct run_extra extra = {false, false};
	struct created_container c;
	int status, r = create_opts_parse(&help, argc, argv, &o, &extra);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	o.foreground = !extra.detach;
	if (reserve_preserved_fds(preserved_fd_count(o.preserve_fds), &err) < 0 ||
	    container_create(g, &o, &c, &err) < 0)
		return husk_error_report(&err);
	if (!extra.detach)
		/* run forwards SIGINT and SIGQUIT even with a terminal (unlike exec) */
		foreground_forward_signals(c.pid, false);
	if (container_start(g, o.id, &c.held, &err) < 0) {
		husk_error_report(&err);
		husk_error_clear(&err);
		if (!extra.detach)
			foreground_wait(c.pid);
		if (container_delete(g, o.id, true, &c.held, &err) < 0)
			husk_error_report(&err);
		container_held_free(&c.held);
		return 1;
	}
	if (extra.detach) {
		container_held_free(&c.held);
		return 0;
	}
	if (c.pty_master >= 0) {
		if (terminal_proxy(c.pty_master, &err) < 0) {
			husk_error_report(&err);
			husk_error_clear(&err);
		}
		close(c.pty_master);
	}
	status = foreground_wait(c.pid);
	if (!extra.keep && container_delete(g, o.id, true, &c.held, &err) < 0)
		husk_error_report(&err);
	container_held_free(&c.held);
	return status;
}
