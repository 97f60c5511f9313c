/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exec lifecycle (exec.c), driven by `husk exec` (cmd_exec.c). */
#ifndef HUSK_EXEC_H
#define HUSK_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "error.h"

/* The exec options, as the command line gave them. */
struct exec_flags {
	const char *process_file, *console_socket, *pid_file, *pidfd_socket, *cwd, *user, *label,
	    *apparmor;
	bool tty, detach, no_new_privs, ignore_paused;
	int preserve_fds;
	const char *env[256], *gids[256], *caps[256], *cgroups[64];
	size_t n_env, n_gids, n_caps, n_cgroups;
};

/* Run args (or f->process_file) in container id; *code is what husk exits
 * with (the process's status, or 0 with --detach). */
int exec_run(const struct husk_globals *g, const struct exec_flags *f, const char *id, char **args,
	     int n_args, int *code, struct husk_error *err);

#endif
