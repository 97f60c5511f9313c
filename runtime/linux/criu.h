/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checkpoint and restore through CRIU's command line (`criu dump`,
 * `criu pre-dump`, `criu restore`, `criu check`).  The container lifecycle
 * around a restore (state, cgroup, pid file) stays in container.c; this
 * file only knows how to describe a husk container to CRIU.
 */
#ifndef HUSK_CRIU_H
#define HUSK_CRIU_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec/oci_config.h"
#include "state_store.h"

struct cgroup_handle;

/* runc's checkpoint and restore options. */
struct criu_opts {
	const char *image_path;		 /* default: ./checkpoint */
	const char *work_path;		 /* logs; default: the image path */
	const char *parent_path;	 /* checkpoint: the pre-dump, relative to image_path */
	const char *manage_cgroups_mode; /* soft, full, strict, ignore (CRIU's names) */
	const char *page_server;	 /* ADDRESS:PORT */
	const char *empty_ns;		 /* "network" */
	const char *lsm_profile;	 /* restore: TYPE:NAME for the restored processes */
	const char *lsm_mount_context;	 /* restore: SELinux context for the mounts */
	int status_fd;			 /* lazy pages: told when ready; -1: none */
	bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump,
	    auto_dedup, lazy_pages;
};

void criu_opts_init(struct criu_opts *o);

/* Whether CRIU works here.  0 and *version ("3.17.1"), or -1 with one line
 * in err saying why not (not installed, or `criu check`'s first error). */
int criu_usable(char **version, struct husk_error *err);

/* Checkpoint the running or paused container ref (its config loaded).
 * Without --leave-running or --pre-dump CRIU kills its processes. */
int criu_checkpoint(struct container_ref *ref, const struct cgroup_handle *cg,
		    const struct criu_opts *o, struct husk_error *err);

/* What a restore recreates: a new container from the bundle's config. */
struct criu_restore_target {
	const struct spec_config *cfg;
	const char *bundle; /* absolute */
	const char *rootfs; /* absolute */
	const struct cgroup_handle *cg;
	int console_socket_fd; /* -1 when none */
};

/* Run `criu restore` with images from o->image_path.  The restored init is
 * left as a child of this process when it is a subreaper; *pid is its pid. */
int criu_restore(const struct criu_restore_target *t, const struct criu_opts *o, pid_t *pid,
		 struct husk_error *err);

#endif
