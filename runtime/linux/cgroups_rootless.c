// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroups without root.  An unprivileged user can write a cgroup only where
 * one was delegated to it (cgroup v2: systemd's user manager owns
 * user@UID.service, Delegate=yes).  Where nothing is writable and nothing
 * was asked of linux.resources, the container runs in the caller's cgroup,
 * as runc and crun do; its processes are then found through its pid
 * namespace instead of a cgroup.
 */
#include "config.h"
#include "linux/cgroups.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool cg_rootless_denied(int errnum)
{
	return errnum == EACCES || errnum == EPERM || errnum == EROFS;
}

/* The first field of linux.resources that needs a cgroup to be applied, or
 * NULL.  Device rules are not among them: without root no device node can
 * be made, and the ones bound from the host are the user's own already. */
const char *cg_rootless_needed_field(const struct spec_resources *r)
{
	if (r == NULL)
		return NULL;
	if (r->memory)
		return r->memory->has_limit ? "linux.resources.memory.limit"
					    : "linux.resources.memory";
	if (r->pids)
		return "linux.resources.pids.limit";
	if (r->cpu)
		return "linux.resources.cpu";
	if (r->block_io)
		return "linux.resources.blockIO";
	if (r->n_hugepage_limits)
		return "linux.resources.hugepageLimits";
	if (r->network)
		return "linux.resources.network";
	if (r->n_rdma)
		return "linux.resources.rdma";
	if (r->n_unified)
		return "linux.resources.unified";
	return NULL;
}

int cg_rootless_field_error(const char *field, const char *why, struct husk_error *err)
{
	return husk_error_set(err, EPERM,
			      "%s: cannot be applied without root: no cgroup is writable by uid "
			      "%u (%s); on cgroup v2 run inside a subtree delegated to the user "
			      "(systemd's user manager), or drop the field",
			      field, (unsigned)geteuid(), why);
}

static bool owned_and_writable(const char *dir)
{
	_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
	struct stat st;

	return stat(dir, &st) == 0 && st.st_uid == geteuid() && access(dir, W_OK) == 0 &&
	       access(procs, W_OK) == 0;
}

/* cgroup v2: the topmost cgroup above (and including) ours that we own,
 * with cgroup.procs writable: where systemd delegated to us.  NULL when
 * our own cgroup is not ours. */
char *cg_rootless_delegated_root(const char *mount)
{
	_cleanup_file_ FILE *f = fopen("/proc/self/cgroup", "re");
	_cleanup_free_ char *line = NULL, *own = NULL;
	size_t cap = 0;

	if (f == NULL)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		if (str_has_prefix(line, "0::/")) {
			line[strcspn(line, "\n")] = '\0';
			own = xstrdup(line + 3);
			break;
		}
	}
	if (own == NULL)
		return NULL;
	_cleanup_free_ char *best = NULL;
	for (;;) {
		_cleanup_free_ char *full = xasprintf("%s%s", mount, own);
		if (strcmp(own, "/") == 0 || !owned_and_writable(full))
			break;
		free(best);
		best = xstrdup(own);
		char *slash = strrchr(own, '/');
		if (slash == own)
			own[1] = '\0';
		else
			*slash = '\0';
	}
	return steal_pointer(&best);
}

/* Inode of /proc/PID/ns/pid, 0 when unreadable. */
static ino_t pidns_of(const char *pid)
{
	_cleanup_free_ char *p = xasprintf("/proc/%s/ns/pid", pid);
	struct stat st;

	return stat(p, &st) == 0 ? st.st_ino : 0;
}

/* The container's processes without a cgroup: every process in the init's
 * pid namespace when it has one of its own, else the init alone. */
int cg_rootless_pids(pid_t init, pid_t **pids, size_t *n)
{
	char buf[32];
	ino_t want, self = pidns_of("self");
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;

	*pids = NULL;
	*n = 0;
	if (init <= 0)
		return 0;
	snprintf(buf, sizeof buf, "%d", (int)init);
	want = pidns_of(buf);
	if (want == 0 || want == self || (d = opendir("/proc")) == NULL) {
		if (want == 0)
			return 0;
		*pids = xcalloc(1, sizeof **pids);
		(*pids)[(*n)++] = init;
		return 0;
	}
	while ((de = readdir(d))) {
		int64_t v;
		if (parse_int64(de->d_name, &v) < 0 || v <= 0)
			continue;
		if (pidns_of(de->d_name) != want)
			continue;
		*pids = xrealloc(*pids, (*n + 1) * sizeof **pids);
		(*pids)[(*n)++] = (pid_t)v;
	}
	return 0;
}
