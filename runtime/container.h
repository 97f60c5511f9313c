/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container lifecycle: create, start, kill, delete (parent side), and
 * the init process that runs inside the new namespaces (init.c). */
#ifndef HUSK_CONTAINER_H
#define HUSK_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "cli.h"
#include "error.h"
#include "linux/linux.h"
#include "state_store.h"

struct create_opts {
	const char *id;
	const char *bundle;	 /* default "." */
	const char *config_path; /* default "config.json" in the bundle */
	const char *pid_file;
	const char *console_socket;
	const char *pidfd_socket; /* receives a pidfd of the init */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	/* run: keep the init as our child, and take the pty master when the
	 * process has a terminal and there is no console socket */
	bool foreground;
};

/*
 * What create already holds, handed on so that `run`'s own start and delete
 * need not reread config.json nor rediscover the cgroup layout.  They still
 * reopen, lock and reread state.json (another command may act between
 * them), and use this only while the stored state names the same init, pid
 * and start time: the id may have been deleted and created again meanwhile.
 */
struct container_held {
	pid_t pid;
	uint64_t start_time;
	struct spec_config *config;
	struct cgroup_handle *cg;
};

void container_held_free(struct container_held *h);

struct created_container {
	pid_t pid;
	int pidfd;
	int pty_master; /* -1 unless foreground with a terminal */
	struct container_held held;
};

int container_create(const struct husk_globals *g, const struct create_opts *o,
		     struct created_container *out, struct husk_error *err);
/* held: NULL, or what this process's own create of id holds */
int container_start(const struct husk_globals *g, const char *id, const struct container_held *held,
		    struct husk_error *err);
int container_kill(const struct husk_globals *g, const char *id, int sig, bool all,
		   struct husk_error *err);
int container_delete(const struct husk_globals *g, const char *id, bool force,
		     const struct container_held *held, struct husk_error *err);
/* Fill a public state for ref with its live status. */
int container_state_json(const struct husk_globals *g, struct container_ref *ref, char **json,
			 struct husk_error *err);

struct criu_opts;
/* Checkpoint a running or paused container with CRIU; without
 * --leave-running (or --pre-dump) it is stopped afterwards. */
int container_checkpoint(const struct husk_globals *g, const char *id, const struct criu_opts *co,
			 struct husk_error *err);
/* Make container o->id from o->bundle's config and CRIU's images: state,
 * cgroup and pid file as create makes them; *pid is the restored init. */
int container_restore(const struct husk_globals *g, const struct create_opts *o,
		      const struct criu_opts *co, pid_t *pid, struct husk_error *err);

/* husk check: every problem create would meet with this bundle (an
 * unreadable config.json included), added to r; creates nothing. */
void container_check(const struct husk_globals *g, const char *bundle, const char *config_path,
		     struct check_report *r);

/* What the init writes first to <state>/init.error when a startContainer
 * hook failed (then its message): start then destroys the container. */
#define INIT_ERROR_HOOK_MARK "hook-failed\n"

/* init.c: the body of the init process; never returns. */
void __attribute__((noreturn)) container_init_main(struct init_ctx *ctx);

/* Make sure fds 3 .. 3+n-1 exist (opened on /dev/null where free), so our
 * own fds never land in the range that --preserve-fds hands on. */
int reserve_preserved_fds(int n, struct husk_error *err);
/* --preserve-fds plus LISTEN_FDS from our environment. */
int preserved_fd_count(int preserve_fds);

#endif
