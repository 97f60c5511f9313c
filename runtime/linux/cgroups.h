/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup manager, shared by cgroups.c (layout, paths, lifecycle),
 * cgroups_v1.c and cgroups_v2.c (the order resources are applied in, v2's
 * controller enabling), one file per controller (cgroup_<controller>.c:
 * its v1 and v2 code and its statistics side by side, declared in
 * cgroup_controllers.h), cgroups_stats.c (the `events` document) and
 * cgroups_systemd.c (transient scopes).
 *
 * A handle is one cgroup path ("/husk/<id>") present in several
 * hierarchies: every mounted v1 hierarchy and/or the unified one.  Each
 * resource goes to the hierarchy that has its controller: on a hybrid host
 * that is the v1 one, except for controllers only the unified hierarchy
 * has (hugetlb on some hosts).
 */
#ifndef HUSK_CGROUPS_H
#define HUSK_CGROUPS_H

#include <stdint.h>
#include <stdio.h>

#include "linux/linux.h"

enum cg_layout {
	CG_LEGACY,  /* v1 only */
	CG_HYBRID,  /* v1 controllers plus cgroup2 at /sys/fs/cgroup/unified */
	CG_UNIFIED, /* v2 only */
};

struct cg_hier {
	char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; NULL: unified */
	char *mount;	   /* where it is mounted */
	int dirfd;	   /* the container's directory; -1 when absent */
	bool created_leaf; /* we made the leaf directory (so we remove it) */
	/* trailing components of the path we created in this hierarchy: a
	 * parent can exist in one hierarchy and not in another */
	unsigned created_depth;
};

struct cgroup_handle {
	enum cg_layout layout;
	char *path; /* absolute, relative to each hierarchy's root */
	struct cg_hier *h;
	size_t n;
	int unified;		/* index into h of the cgroup2 hierarchy, -1 when none */
	char *unified_ctrls;	/* hybrid: the unified root's cgroup.controllers */
	unsigned created_depth; /* the most of any hierarchy's created_depth */
	/* systemd driver */
	bool systemd;
	char *unit;
	char *slice;
	bool user_manager;		      /* the user's own systemd manager, on the user bus */
	const struct spec_resources *pending; /* applied once the scope has the pid */
	const struct spec_config *cfg;
	bool entered;
	bool rootless;	/* --rootless: device rules are not ours to apply */
	pid_t init_pid; /* for finding the processes of a container without a cgroup */
};

/* Which hierarchy serves a controller ("memory", "cpu", ...); NULL when
 * none mounted.  The v1 hierarchy wins on hybrid hosts. */
struct cg_hier *cg_find(const struct cgroup_handle *cg, const char *controller);
static inline bool cg_is_v2(const struct cgroup_handle *cg, const struct cg_hier *h)
{
	return cg->unified >= 0 && h == &cg->h[cg->unified];
}
/* The directory of the primary hierarchy for reading processes (freezer,
 * else the unified one, else the first). */
struct cg_hier *cg_primary(const struct cgroup_handle *cg);

/* Write value to file in h; the error names field and file:
 *   linux.resources.memory.limit: write `1` to memory.limit_in_bytes: Device or resource busy */
int cg_write(const struct cg_hier *h, const char *field, const char *file, const char *value,
	     struct husk_error *err);
int cg_writef(const struct cg_hier *h, const char *field, const char *file, struct husk_error *err,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool cg_has_file(const struct cg_hier *h, const char *file);
/* Read a file of the container's cgroup; NULL (errno set) when unreadable. */
char *cg_read(const struct cg_hier *h, const char *file);
int cg_read_u64(const struct cg_hier *h, const char *file, uint64_t *out);

/* cgroups_rootless.c */
bool cg_rootless_denied(int errnum);
/* The first linux.resources field that needs a cgroup, or NULL. */
const char *cg_rootless_needed_field(const struct spec_resources *r);
/* "<field>: cannot be applied without root ... (<why>)": what create says
 * when a rootless container needs a cgroup and none is writable. */
int cg_rootless_field_error(const char *field, const char *why, struct husk_error *err);
/* cgroup v2: the topmost ancestor of our cgroup that was delegated to us. */
char *cg_rootless_delegated_root(const char *mount);
/* A container without a cgroup: the processes of its pid namespace. */
int cg_rootless_pids(pid_t init, pid_t **pids, size_t *n);

/* cgroups_v1.c */
int cg_v1_apply(struct cgroup_handle *cg, const struct spec_resources *res, bool update,
		struct husk_error *err);

/* cgroups_v2.c */
int cg_v2_apply(struct cgroup_handle *cg, const struct spec_resources *res, bool update,
		struct husk_error *err);
/* Enable controllers in every ancestor's cgroup.subtree_control (from the
 * hierarchy's root down to the leaf's parent). */
int cg_v2_enable_controllers(struct cgroup_handle *cg, const char *const *ctrls,
			     struct husk_error *err);
/* husk check: every controller the resources need in the unified
 * hierarchy can be enabled down to cg->path (available at the root, no
 * ancestor that must enable it holding processes); unified keys for a
 * controller that cgroup v1 serves here. */
struct check_report;
void cg_v2_check(struct cgroup_handle *cg, const struct spec_resources *r,
		 struct check_report *report);
/* cpu.weight for v1 cpu.shares (cgroup_cpu.c), io.weight for blkio.weight
 * (cgroup_io.c). */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_to_io_weight(uint64_t weight);

/* cgroups_systemd.c */
/* Parse "slice:prefix:name" into the unit and slice (default_slice when
 * the slice part is empty or there is no path). */
int cg_systemd_parse_path(const char *cgroups_path, const char *id, const char *default_slice,
			  char **slice, char **unit, struct husk_error *err);
/* Start the transient scope with pid in it, Delegate=yes and the resources
 * systemd knows as properties; *path is the scope's cgroup. */
/* Whether the manager create would ask for the scope answers (husk
 * check): connects and hangs up. */
int cg_systemd_reachable(const struct cgroup_handle *cg, struct husk_error *err);
int cg_systemd_start(struct cgroup_handle *cg, pid_t pid, char **path, struct husk_error *err);
int cg_systemd_stop(struct cgroup_handle *cg, struct husk_error *err);

/* cgroups_stats.c: statistics for `events`. */
int cgroup_stats_json(const struct cgroup_handle *cg, const char *id, char **out,
		      struct husk_error *err);
/* cgroup_memory.c: OOM events for `events`.
 * An fd that becomes readable when the cgroup records an OOM kill; -1 when
 * the memory controller offers no such notification.  cgroup_oom_check
 * consumes the notification and says whether a new OOM happened.  *seen is
 * the watcher's count of OOM kills so far (v2 reports a count, not an
 * event): cgroup_oom_fd sets it, cgroup_oom_check keeps it current. */
int cgroup_oom_fd(const struct cgroup_handle *cg, uint64_t *seen, struct husk_error *err);
bool cgroup_oom_check(const struct cgroup_handle *cg, int fd, uint64_t *seen);
enum cg_layout cgroup_layout(const struct cgroup_handle *cg);

/* For the commands (cmd_pause.c): open a container's state and its cgroup.
 * A rootless container may have none: an error when need_cgroup, else a
 * handle without directories (its processes found by pid namespace). */
struct container_ref;
int cgroup_open_container(const struct husk_globals *g, const char *id, bool need_cgroup,
			  struct container_ref *ref, struct cgroup_handle **cg,
			  struct husk_error *err);

#endif
