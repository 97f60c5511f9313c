// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linux.intelRdt: the container's resctrl group.
 *
 * The group is `closID` or, without one, the container id.  A closID group
 * may be shared by several containers (or made by the administrator), so
 * husk never removes it; the per-container group, and the monitoring group
 * made for enableMonitoring, are removed on delete.
 */
#include "config.h"
#include "linux/linux.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#define RESCTRL_PATH "/sys/fs/resctrl"
#define RDTGROUP_SUPER_MAGIC 0x7655821

/* The resctrl root, checked to be resctrl (not a plain directory). */
static int open_resctrl(struct husk_error *err)
{
	_cleanup_close_ int fd = open(RESCTRL_PATH, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct statfs sfs;

	if (fd < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_type != RDTGROUP_SUPER_MAGIC)
		return husk_error_set(err, 0, "linux.intelRdt: resctrl is not mounted at %s",
				      RESCTRL_PATH);
	return steal_fd(&fd);
}

static const char *group_name(const struct spec_intel_rdt *rdt, const char *id)
{
	return rdt->clos_id ? rdt->clos_id : id;
}

/* The kernel says why a write was refused in info/last_cmd_status. */
static int resctrl_write(int root, int dir, const char *file, const char *value, const char *what,
			 struct husk_error *err)
{
	_cleanup_close_ int fd = openat(dir, file, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *why = NULL;
	size_t len = strlen(value);
	int e;

	if (fd < 0)
		return husk_error_errno(err, "linux.intelRdt: open `%s`", file);
	if (write(fd, value, len) == (ssize_t)len)
		return 0;
	e = errno;
	if (read_file_at(root, "info/last_cmd_status", 4096, &why, NULL, NULL) == 0 && why) {
		why[strcspn(why, "\n")] = '\0';
		return husk_error_set(err, e, "linux.intelRdt: %s (%s)", what, why);
	}
	return husk_error_set(err, e, "linux.intelRdt: %s", what);
}

/*
 * The lines to write, in the order the spec gives: l3CacheSchema without
 * its MB: lines when memBwSchema is set, then memBwSchema, then schemata.
 */
static char *schemata_text(const struct spec_intel_rdt *rdt)
{
	size_t cap = 64, len = 0;
	char *out = xmalloc(cap);

	out[0] = '\0';
#define APPEND_LINE(s, n)                                                                          \
	do {                                                                                       \
		while (len + (n) + 2 > cap)                                                        \
			out = xrealloc(out, cap *= 2);                                             \
		memcpy(out + len, (s), (n));                                                       \
		len += (n);                                                                        \
		out[len++] = '\n';                                                                 \
		out[len] = '\0';                                                                   \
	} while (0)
	for (const char *l = rdt->l3_cache_schema; l && *l;) {
		size_t n = strcspn(l, "\n");

		if (n && !(rdt->mem_bw_schema && str_has_prefix(l, "MB:")))
			APPEND_LINE(l, n);
		l += n + (l[n] == '\n');
	}
	if (rdt->mem_bw_schema && *rdt->mem_bw_schema)
		APPEND_LINE(rdt->mem_bw_schema, strlen(rdt->mem_bw_schema));
	for (size_t i = 0; rdt->schemata && rdt->schemata[i]; i++)
		if (*rdt->schemata[i])
			APPEND_LINE(rdt->schemata[i], strlen(rdt->schemata[i]));
#undef APPEND_LINE
	return out;
}

/* Copy of s without blanks, for comparing with what resctrl prints. */
static char *squeeze(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			*o++ = s[i];
	*o = '\0';
	return out;
}

/* An existing closID group: each requested line must be what it has. */
static int check_existing(int group, const char *want, const char *name, struct husk_error *err)
{
	_cleanup_free_ char *have = NULL;

	if (read_file_at(group, "schemata", 65536, &have, NULL, err) < 0)
		return husk_error_prefix(err, "linux.intelRdt: closID `%s`", name);
	for (const char *l = want; *l;) {
		size_t n = strcspn(l, "\n");
		_cleanup_free_ char *line = squeeze(l, n);
		bool found = false;

		for (const char *h = have; *h && !found;) {
			size_t m = strcspn(h, "\n");
			_cleanup_free_ char *hl = squeeze(h, m);

			found = strcasecmp(hl, line) == 0;
			h += m + (h[m] == '\n');
		}
		if (*line && !found)
			return husk_error_set(err, 0,
					      "linux.intelRdt: closID `%s` exists with a different "
					      "schemata (no `%s`)",
					      name, line);
		l += n + (l[n] == '\n');
	}
	return 0;
}

/* enableCMT / enableMBM: the monitoring features must be there. */
static int check_monitoring_features(int root, const struct spec_intel_rdt *rdt,
				     struct husk_error *err)
{
	_cleanup_free_ char *features = NULL;

	if (!rdt->enable_cmt && !rdt->enable_mbm)
		return 0;
	if (read_file_at(root, "info/L3_MON/mon_features", 65536, &features, NULL, NULL) < 0)
		features = xstrdup("");
	if (rdt->enable_cmt && !strstr(features, "llc_occupancy"))
		return husk_error_set(err, ENOTSUP,
				      "linux.intelRdt.enableCMT: the kernel reports no cache "
				      "monitoring (llc_occupancy)");
	if (rdt->enable_mbm && !strstr(features, "mbm_total_bytes") &&
	    !strstr(features, "mbm_local_bytes"))
		return husk_error_set(err, ENOTSUP,
				      "linux.intelRdt.enableMBM: the kernel reports no memory "
				      "bandwidth monitoring (mbm_*_bytes)");
	return 0;
}

/* enableMonitoring: a monitoring group named after the container inside
 * the control group, holding the container's tasks. */
static int join_mon_group(int root, int group, const char *id, const char *pidstr,
			  struct husk_error *err)
{
	_cleanup_close_ int mon = -1;
	_cleanup_free_ char *rel = xasprintf("mon_groups/%s", id);

	if (mkdirat(group, rel, 0755) < 0 && errno != EEXIST)
		return husk_error_errno(err, "linux.intelRdt.enableMonitoring: create `%s`", rel);
	mon = openat(group, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (mon < 0)
		return husk_error_errno(err, "linux.intelRdt.enableMonitoring: open `%s`", rel);
	return resctrl_write(root, mon, "tasks", pidstr,
			     "enableMonitoring: add the container to its monitoring group", err);
}

int intelrdt_setup(const struct spec_config *cfg, const char *id, pid_t pid, struct husk_error *err)
{
	const struct spec_intel_rdt *rdt = cfg->linux ? cfg->linux->intel_rdt : NULL;
	_cleanup_close_ int root = -1, group = -1;
	_cleanup_free_ char *text = NULL, *pidstr = NULL;
	const char *name;
	bool existed = false;

	if (rdt == NULL)
		return 0;
	root = open_resctrl(err);
	if (root < 0)
		return -1;
	if (check_monitoring_features(root, rdt, err) < 0)
		return -1;
	name = group_name(rdt, id);
	text = schemata_text(rdt);
	if (mkdirat(root, name, 0755) < 0) {
		if (errno != EEXIST)
			return husk_error_errno(err, "linux.intelRdt: create the group `%s`", name);
		existed = true;
	} else if (rdt->clos_id && !*text) {
		/* Without a schema, closID names a group that must exist. */
		unlinkat(root, name, AT_REMOVEDIR);
		return husk_error_set(err, ENOENT, "linux.intelRdt: closID `%s`", name);
	}
	group = openat(root, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (group < 0)
		return husk_error_errno(err, "linux.intelRdt: open the group `%s`", name);
	if (existed && rdt->clos_id) {
		if (check_existing(group, text, name, err) < 0)
			return -1;
	} else if (*text &&
		   resctrl_write(root, group, "schemata", text, "write the schemata", err) < 0) {
		return -1;
	}
	pidstr = xasprintf("%d", (int)pid);
	if (resctrl_write(root, group, "tasks", pidstr, "add the container to its group", err) < 0)
		return -1;
	if (rdt->enable_monitoring && join_mon_group(root, group, id, pidstr, err) < 0)
		return -1;
	return 0;
}

int intelrdt_destroy(const struct spec_config *cfg, const char *id, struct husk_error *err)
{
	const struct spec_intel_rdt *rdt = cfg->linux ? cfg->linux->intel_rdt : NULL;
	struct husk_error ignored = HUSK_ERROR_INIT;
	_cleanup_close_ int root = -1;
	_cleanup_free_ char *mon = NULL;
	const char *name;

	if (rdt == NULL)
		return 0;
	/* Not mounted: setup failed before making anything. */
	root = open_resctrl(&ignored);
	husk_error_clear(&ignored);
	if (root < 0)
		return 0;
	name = group_name(rdt, id);
	if (rdt->enable_monitoring) {
		mon = xasprintf("%s/mon_groups/%s", name, id);
		if (unlinkat(root, mon, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return husk_error_errno(err, "linux.intelRdt: remove `%s`", mon);
	}
	if (!rdt->clos_id && unlinkat(root, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return husk_error_errno(err, "linux.intelRdt: remove the group `%s`", name);
	return 0;
}

int intelrdt_update(const struct spec_config *cfg, const char *id, const char *l3_cache_schema,
		    const char *mem_bw_schema, struct husk_error *err)
{
	const struct spec_intel_rdt *rdt = cfg->linux ? cfg->linux->intel_rdt : NULL;
	struct spec_intel_rdt want = {.l3_cache_schema = (char *)l3_cache_schema,
				      .mem_bw_schema = (char *)mem_bw_schema};
	_cleanup_close_ int root = open_resctrl(err), group = -1;
	_cleanup_free_ char *text = NULL;
	const char *name;

	if (root < 0)
		return -1;
	/* Only the group create made holds the container (and no other). */
	if (rdt == NULL)
		return husk_error_set(err, EINVAL,
				      "linux.intelRdt: the container was created without it, so it "
				      "has no resctrl group to update");
	name = group_name(rdt, id);
	group = openat(root, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (group < 0)
		return husk_error_errno(err, "linux.intelRdt: open the group `%s`", name);
	text = schemata_text(&want);
	return resctrl_write(root, group, "schemata", text, "write the schemata", err);
}
