/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state store: <root>/<id>/ holds state.json (spec_state, STORED
 * format), config.json (the bundle's config as it was at create), and
 * exec.fifo while the container is created but not started.  The root and
 * each container directory are 0700.  A per-container flock on the
 * container directory serialises commands on one id.
 */
#ifndef HUSK_STATE_STORE_H
#define HUSK_STATE_STORE_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec/oci_config.h"
#include "spec/state.h"
#include "linux/linux.h"

struct container_ref {
	char *id;
	int dirfd;   /* <root>/<id>, O_DIRECTORY; holds the lock while open */
	bool locked; /* opened with the lock */
	struct spec_state *state;
	struct spec_config *config; /* loaded on demand by state_store_load_config */
};

/* Letters, digits, `_ + . -`, no leading dot, at most 1024 bytes. */
int container_id_check(const char *id, struct husk_error *err);

/* Open the state root (made 0700 with its parents when create), refusing
 * a symlink, a root owned by another user than us or root, and one its
 * group or others can write to. */
int state_root_open(const char *root, bool create, struct husk_error *err);
/* Create <root>/<id> (fails with EEXIST naming the id), locked. */
int state_store_create(const char *root, const char *id, struct container_ref *out,
		       struct husk_error *err);
/* Open and lock an existing container and read its state. Fails with a
 * clear "container `x` does not exist" when it is not there. */
int state_store_open(const char *root, const char *id, struct container_ref *out,
		     struct husk_error *err);
/* The same relative to an open root (or root when rootfd < 0); without
 * the lock for readers like `list` (state.json is replaced by rename, so
 * it is always whole). */
int state_store_open_at(int rootfd, const char *root, const char *id, bool lock,
			struct container_ref *out, struct husk_error *err);
int state_store_write(struct container_ref *ref, struct husk_error *err);
int state_store_load_config(struct container_ref *ref, struct husk_error *err);
/* Remove the directory and everything in it. */
int state_store_remove(const char *root, struct container_ref *ref, struct husk_error *err);
void container_ref_release(struct container_ref *ref);
/* The ids under root, sorted. */
int state_store_list(const char *root, char ***ids, struct husk_error *err);

/*
 * The live status of a container: "created" (init alive, exec.fifo
 * present), "running", "paused" (cgroup frozen), or "stopped" (the init,
 * identified by pid AND start time, is gone).
 */
const char *container_status(struct container_ref *ref, const struct husk_globals *g);

/* Process identity: start time (field 22 of /proc/PID/stat), 0 when gone. */
uint64_t process_start_time(pid_t pid);
/* True when pid is alive and still the process that had start_time. */
bool process_is_same(pid_t pid, uint64_t start_time);
/* A pidfd for (pid, start_time), checked after opening; -1 when gone
 * (ESRCH), or -1 with ENOSYS when the kernel has no pidfd_open (before 5.3):
 * then the caller checks the start time itself, just before using the pid. */
int process_pidfd_open(pid_t pid, uint64_t start_time);

#endif
