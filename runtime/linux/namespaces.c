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

int namespaces_write_id_maps(pid_t pid, const struct spec_config *cfg, struct husk_error *err)
{
	const struct spec_linux *l = cfg->linux;
	char path[64];

	if (l->n_uid_mappings) {
		_cleanup_free_ char *map = format_mappings(l->uid_mappings, l->n_uid_mappings);
		snprintf(path, sizeof path, "%d/uid_map", pid);
		if (procfs_write(path, map, err) < 0)
			return husk_error_prefix(err, "linux.uidMappings");
	}
	if (l->n_gid_mappings) {
		_cleanup_free_ char *map = format_mappings(l->gid_mappings, l->n_gid_mappings);
		snprintf(path, sizeof path, "%d/gid_map", pid);
		if (procfs_write(path, map, err) < 0)
			return husk_error_prefix(err, "linux.gidMappings");
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
