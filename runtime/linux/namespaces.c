// SPDX-License-Identifier: GPL-2.0-or-later
/* linux.namespaces, linux.uidMappings and linux.gidMappings. */
#include "config.h"
#include "linux/linux.h"
#include "spec/names.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int namespaces_clone_flags(const struct spec_config *cfg)
{
	int flags = 0;

	if (cfg->linux == NULL)
		return 0;
	for (size_t i = 0; i < cfg->linux->n_namespaces; i++)
		if (cfg->linux->namespaces[i].path == NULL)
			flags |= spec_ns_clone_flag(cfg->linux->namespaces[i].type);
	return flags;
}

static int open_namespace(const struct spec_namespace *ns, struct husk_error *err)
{
	const char *name = spec_ns_type_name(ns->type);
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	int type;

	if (fd < 0)
		return husk_error_errno(err, "linux.namespaces: %s namespace `%s`", name, ns->path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 || type != spec_ns_clone_flag(ns->type)) {
		close(fd);
		return husk_error_set(err, EINVAL, "linux.namespaces: `%s` is not a %s namespace",
				      ns->path, name);
	}
	return fd;
}

int namespaces_open_paths(const struct spec_config *cfg, int fds[SPEC_NS_COUNT],
			  struct husk_error *err)
{
	for (int i = 0; i < SPEC_NS_COUNT; i++)
		fds[i] = -1;
	for (size_t i = 0; cfg->linux && i < cfg->linux->n_namespaces; i++) {
		const struct spec_namespace *ns = &cfg->linux->namespaces[i];
		if (ns->path == NULL)
			continue;
		fds[ns->type] = open_namespace(ns, err);
		if (fds[ns->type] < 0) {
			namespaces_close(fds);
			return -1;
		}
	}
	return 0;
}

int namespaces_join(int fds[SPEC_NS_COUNT], struct husk_error *err)
{
	/* The user namespace first: it grants the rights to join the rest. */
	static const enum spec_ns_type order[] = {SPEC_NS_USER,	   SPEC_NS_IPC,	   SPEC_NS_UTS,
						  SPEC_NS_NETWORK, SPEC_NS_CGROUP, SPEC_NS_MOUNT};

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		enum spec_ns_type t = order[i];
		if (fds[t] < 0)
			continue;
		if (setns(fds[t], spec_ns_clone_flag(t)) < 0)
			return husk_error_errno(err, "linux.namespaces: join the %s namespace",
						spec_ns_type_name(t));
	}
	return 0;
}

static char *format_mappings(const struct spec_id_mapping *m, size_t n)
{
	size_t cap = n * 40 + 1, used = 0;
	char *buf = xmalloc(cap);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%u %u %u\n", m[i].container_id,
					 m[i].host_id, m[i].size);
	return buf;
}

/* One map file: written directly when we may (root, or the single mapping
 * of our own id), else through newuidmap/newgidmap. */
static int write_id_map(pid_t pid, const char *kind, const struct spec_id_mapping *m, size_t n,
			bool direct, const char *field, struct husk_error *err)
{
	char path[64];

	if (!direct)
		return rootless_run_idmap_helper(kind[0] == 'u' ? "newuidmap" : "newgidmap", field,
						 pid, m, n, err);
	_cleanup_free_ char *map = format_mappings(m, n);
	snprintf(path, sizeof path, "%d/%s_map", pid, kind);
	if (procfs_write(path, map, err) < 0)
		return husk_error_prefix(err, "%s", field);
	return 0;
}

int namespaces_write_id_maps(pid_t pid, const struct spec_config *cfg, struct husk_error *err)
{
	const struct spec_linux *l = cfg->linux;
	bool any = rootless_can_map_any();
	bool own_uid =
	    rootless_is_single_own_mapping(l->uid_mappings, l->n_uid_mappings, geteuid());
	bool own_gid =
	    rootless_is_single_own_mapping(l->gid_mappings, l->n_gid_mappings, getegid());
	char path[64];

	if (l->n_uid_mappings && write_id_map(pid, "uid", l->uid_mappings, l->n_uid_mappings,
					      any || own_uid, "linux.uidMappings", err) < 0)
		return -1;
	if (l->n_gid_mappings) {
		/* Without CAP_SETGID the kernel takes our own gid only once
		 * setgroups is denied (newgidmap decides for itself). */
		if (!any && own_gid) {
			snprintf(path, sizeof path, "%d/setgroups", pid);
			if (procfs_write(path, "deny", err) < 0)
				return husk_error_prefix(err, "linux.gidMappings: setgroups");
		}
		if (write_id_map(pid, "gid", l->gid_mappings, l->n_gid_mappings, any || own_gid,
				 "linux.gidMappings", err) < 0)
			return -1;
	}
	return 0;
}

void namespaces_close(int fds[SPEC_NS_COUNT])
{
	for (int i = 0; i < SPEC_NS_COUNT; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* ---- husk check ---- */

/* Whether this kernel has namespaces of type t: /proc/self/ns/<name>. */
static bool kernel_has_namespace(enum spec_ns_type t)
{
	_cleanup_free_ char *path = xasprintf("/proc/self/ns/%s", spec_ns_proc_name(t));

	return access(path, F_OK) == 0;
}

void namespaces_check(const struct spec_config *cfg, struct check_report *r)
{
	struct husk_error err = HUSK_ERROR_INIT;

	for (size_t i = 0; cfg->linux && i < cfg->linux->n_namespaces; i++) {
		const struct spec_namespace *ns = &cfg->linux->namespaces[i];
		_cleanup_free_ char *at = xasprintf("linux.namespaces[%zu]", i);
		/* husk check: one the parse complained about is half-read */
		if (check_report_parse_error_near(r, at))
			continue;
		if (!kernel_has_namespace(ns->type)) {
			check_add(r, CHECK_ERROR, at, "this kernel has no %s namespaces",
				  spec_ns_type_name(ns->type));
			continue;
		}
		if (ns->path == NULL || ns->path[0] != '/')
			continue;
		_cleanup_close_ int fd = open_namespace(ns, &err);
		if (fd < 0) {
			_cleanup_free_ char *p = xasprintf("%s.path", at);
			check_add_error(r, p, &err);
		}
	}
}
