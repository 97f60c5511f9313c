// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v2: controllers enabled on the way down, the order the
 * controllers' v2 writers run in (each in its cgroup_<controller>.c),
 * linux.resources.unified, and -1 written as "max".
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "spec/check.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

void cg_fmt_max(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
}

/* ---- controllers ---- */

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && *p;) {
		p += strspn(p, " \n");
		size_t l = strcspn(p, " \n");
		if (l == n && strncmp(p, w, n) == 0)
			return true;
		p += l;
	}
	return false;
}

/* One ancestor of the leaf: fd its directory, where its path below the
 * hierarchy's mount ("" for the root). */
typedef int (*cg_ancestor_fn)(int fd, const char *where, void *data, struct husk_error *err);

/* Call fn on every ancestor of the leaf, the hierarchy's root included,
 * top down.  An ancestor that does not exist yet ends the walk when
 * missing_ends (husk check: create would make it), else is an error. */
static int each_ancestor(struct cgroup_handle *cg, cg_ancestor_fn fn, void *data, bool missing_ends,
			 struct husk_error *err)
{
	struct cg_hier *u = &cg->h[cg->unified];
	_cleanup_close_ int fd = open(u->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *copy = xstrdup(cg->path);
	_cleanup_free_ char *where = xstrdup("");
	char *save = NULL;
	char *next;

	if (fd < 0)
		return husk_error_errno(err, "cgroups: open %s", u->mount);
	for (char *t = strtok_r(copy, "/", &save); t; t = next) {
		next = strtok_r(NULL, "/", &save);
		if (fn(fd, where, data, err) < 0)
			return -1;
		int child = openat(fd, t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child < 0 && errno == ENOENT && missing_ends)
			return 0;
		if (child < 0)
			return husk_error_errno(err, "cgroups: open %s%s/%s", u->mount, where, t);
		close(fd);
		fd = child;
		char *w2 = xasprintf("%s/%s", where, t);
		free(where);
		where = w2;
		if (next == NULL)
			break;
	}
	return 0;
}

struct enable_walk {
	const char *mount;
	const char *const *ctrls;
};

static int enable_in(int fd, const char *where, void *data, struct husk_error *err)
{
	const struct enable_walk *w = data;
	_cleanup_free_ char *avail = NULL, *on = NULL;
	struct husk_error e = HUSK_ERROR_INIT;
	size_t len;

	read_file_at(fd, "cgroup.controllers", 4096, &avail, &len, &e);
	husk_error_clear(&e);
	read_file_at(fd, "cgroup.subtree_control", 4096, &on, &len, &e);
	husk_error_clear(&e);
	for (size_t i = 0; w->ctrls[i]; i++) {
		if (word_in(on, w->ctrls[i]))
			continue;
		if (!word_in(avail, w->ctrls[i]))
			return husk_error_set(
			    err, ENOTSUP, "cgroups: the %s controller is not available in %s%s/",
			    w->ctrls[i], w->mount, where);
		_cleanup_free_ char *v = xasprintf("+%s", w->ctrls[i]);
		_cleanup_close_ int wfd =
		    openat(fd, "cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
		if (wfd < 0 || write(wfd, v, strlen(v)) < 0)
			return husk_error_errno(err,
						"cgroups: enable %s in %s%s/cgroup.subtree_control",
						w->ctrls[i], w->mount, where);
	}
	return 0;
}

int cg_v2_enable_controllers(struct cgroup_handle *cg, const char *const *ctrls,
			     struct husk_error *err)
{
	struct enable_walk w = {cg->h[cg->unified].mount, ctrls};

	if (ctrls == NULL || ctrls[0] == NULL)
		return 0;
	return each_ancestor(cg, enable_in, &w, false, err);
}

/* husk check: what enable_in would meet, written nowhere.  Only the root's
 * cgroup.controllers can lack a controller (below it, enabling it in the
 * parent makes it available); below the root, enabling fails while the
 * cgroup holds processes of its own (cgroup v2's no-internal-processes rule). */
static int could_enable_in(int fd, const char *where, void *data, struct husk_error *err)
{
	const struct enable_walk *w = data;
	_cleanup_free_ char *avail = NULL, *on = NULL, *procs = NULL;
	struct husk_error e = HUSK_ERROR_INIT;
	const char *c = w->ctrls[0];
	size_t len;

	read_file_at(fd, "cgroup.subtree_control", 4096, &on, &len, &e);
	husk_error_clear(&e);
	if (word_in(on, c))
		return 0;
	if (*where == '\0') {
		read_file_at(fd, "cgroup.controllers", 4096, &avail, &len, &e);
		husk_error_clear(&e);
		if (!word_in(avail, c))
			return husk_error_set(err, ENOTSUP,
					      "cgroups: the %s controller is not available in %s/",
					      c, w->mount);
		return 0;
	}
	read_file_at(fd, "cgroup.procs", 4096, &procs, &len, &e);
	husk_error_clear(&e);
	if (procs && procs[strspn(procs, " \n")] != '\0')
		return husk_error_set(
		    err, EBUSY,
		    "cgroups: %s is not in %s%s/cgroup.subtree_control and cannot "
		    "be enabled there: that cgroup has processes of its own",
		    c, w->mount, where);
	return 0;
}

/* The controllers the typed resources need, each with its field; only
 * those the unified hierarchy serves (and, to apply, has opened). */
static size_t typed_controllers(const struct cgroup_handle *cg, const struct spec_resources *r,
				bool opened, const char **out, const char **fields, size_t max)
{
	size_t n = 0;
	const struct spec_cpu *c = r->cpu;
	struct {
		const char *name, *field;
		bool want;
	} all[] = {
	    {"memory", "linux.resources.memory", r->memory != NULL},
	    {"cpu", "linux.resources.cpu",
	     c && (c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_idle)},
	    {"cpuset", "linux.resources.cpu",
	     c && ((c->cpus && *c->cpus) || (c->mems && *c->mems))},
	    {"pids", "linux.resources.pids", r->pids != NULL},
	    {"io", "linux.resources.blockIO", r->block_io != NULL},
	    {"hugetlb", "linux.resources.hugepageLimits", r->n_hugepage_limits > 0},
	    {"rdma", "linux.resources.rdma", r->n_rdma > 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(all) && n + 1 < max; i++) {
		struct cg_hier *h = cg_find(cg, all[i].name);
		if (!all[i].want || h == NULL || !cg_is_v2(cg, h) || (opened && h->dirfd < 0))
			continue;
		if (fields)
			fields[n] = all[i].field;
		out[n++] = all[i].name;
	}
	return n;
}

/* The controller of a linux.resources.unified key ("memory" for
 * "memory.max"); NULL for the core "cgroup.*" files and names without a dot. */
static char *unified_key_controller(const char *k)
{
	size_t l = strcspn(k, ".");

	if (k[l] == '\0' || (l == 6 && strncmp(k, "cgroup", 6) == 0))
		return NULL;
	return strndup(k, l);
}

/* The controllers the resources need in the unified hierarchy. */
static void needed_controllers(struct cgroup_handle *cg, const struct spec_resources *r,
			       const char **out, size_t max)
{
	size_t n = typed_controllers(cg, r, true, out, NULL, max);

	for (size_t i = 0; i < r->n_unified && n + 1 < max; i++) {
		_cleanup_free_ char *name = unified_key_controller(r->unified[i].key);
		bool dup = false;
		if (name == NULL)
			continue;
		for (size_t j = 0; j < n; j++)
			dup = dup || strcmp(out[j], name) == 0;
		if (dup || cg_v2_hier(cg, name) == NULL)
			continue;
		/* point into the static table when we can, else skip: only
		 * known controllers are worth enabling */
		static const char *const known[] = {"memory", "cpu",	 "cpuset", "pids",
						    "io",     "hugetlb", "rdma",   "misc"};
		for (size_t j = 0; j < ARRAY_SIZE(known); j++)
			if (strcmp(known[j], name) == 0)
				out[n++] = known[j];
	}
	out[n] = NULL;
}

/* Whether enabling ctrl down to cg->path could work; the error says why not. */
static int check_enable(struct cgroup_handle *cg, const char *ctrl, struct husk_error *err)
{
	const char *one[] = {ctrl, NULL};
	struct enable_walk w = {cg->h[cg->unified].mount, one};

	return each_ancestor(cg, could_enable_in, &w, true, err);
}

void cg_v2_check(struct cgroup_handle *cg, const struct spec_resources *r,
		 struct check_report *report)
{
	struct husk_error err = HUSK_ERROR_INIT;
	const char *ctrls[16], *fields[16];
	size_t n;

	if (cg->unified < 0)
		return;
	n = typed_controllers(cg, r, false, ctrls, fields, ARRAY_SIZE(ctrls));
	for (size_t i = 0; i < n; i++)
		if (check_enable(cg, ctrls[i], &err) < 0)
			check_add_error(report, fields[i], &err);
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		_cleanup_free_ char *name = unified_key_controller(k);
		_cleanup_free_ char *field = xasprintf("linux.resources.unified.%s", k);
		struct cg_hier *h = name ? cg_find(cg, name) : NULL;
		if (name == NULL)
			continue;
		if (h == NULL)
			check_add(report, CHECK_ERROR, field,
				  "no cgroup hierarchy here has a %s controller", name);
		else if (!cg_is_v2(cg, h))
			check_add(
			    report, CHECK_ERROR, field,
			    "needs cgroup v2, and this host uses cgroup v1 for that controller");
		else if (check_enable(cg, name, &err) < 0)
			check_add_error(report, field, &err);
	}
}

/* ---- resources ---- */

static int unified(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	struct cg_hier *h = &cg->h[cg->unified];

	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		_cleanup_free_ char *f = xasprintf("linux.resources.unified.%s", k);
		if (*k == '\0' || strchr(k, '/') || k[0] == '.')
			return husk_error_set(err, EINVAL, "%s: not a cgroup file name", f);
		/* hybrid: only what the unified hierarchy really controls here */
		if (cg->layout != CG_UNIFIED && !cg_has_file(h, k))
			return husk_error_set(err, EOPNOTSUPP,
					      "%s: needs cgroup v2, and this host uses cgroup v1 "
					      "for that controller",
					      f);
		if (cg_write(h, f, k, r->unified[i].value, err) < 0)
			return -1;
	}
	return 0;
}

int cg_v2_apply(struct cgroup_handle *cg, const struct spec_resources *res, bool update,
		struct husk_error *err)
{
	const char *ctrls[16];

	needed_controllers(cg, res, ctrls, ARRAY_SIZE(ctrls));
	if (cg_v2_enable_controllers(cg, ctrls, err) < 0)
		return -1;
	if (cg_memory_v2(cg, res->memory, update, err) < 0 || cg_cpu_v2(cg, res->cpu, err) < 0 ||
	    cg_pids_v2(cg, res->pids, err) < 0 || cg_io_v2(cg, res->block_io, err) < 0 ||
	    cg_hugetlb_v2(cg, res, err) < 0 || cg_rdma_v2(cg, res, err) < 0 ||
	    unified(cg, res, err) < 0)
		return -1;
	return 0;
}
