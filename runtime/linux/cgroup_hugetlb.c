// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hugetlb controller, v1 and v2 together: one set of files per huge
 * page size, named hugetlb.<size>.* on both, where only the suffixes differ
 * (v1 limit_in_bytes / usage_in_bytes / failcnt, v2 max / current /
 * events); and the hugetlb statistics for `events`.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "spec/json.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* hugepageLimits into hugetlb.<size>.<suffix>. */
static int write_limits(const struct cg_hier *h, const struct spec_resources *r, const char *suffix,
			struct husk_error *err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *l = &r->hugepage_limits[i];
		_cleanup_free_ char *field =
		    xasprintf("linux.resources.hugepageLimits[%zu] (%s)", i, l->page_size);
		_cleanup_free_ char *file = xasprintf("hugetlb.%s.%s", l->page_size, suffix);
		if (strchr(l->page_size, '/'))
			return husk_error_set(err, EINVAL, "%s: bad page size", field);
		if (cg_writef(h, field, file, err, "%" PRIu64, l->limit) < 0)
			return -1;
	}
	return 0;
}

int cg_hugetlb_v1(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	struct cg_hier *h = cg_v1_hier(cg, "hugetlb");

	return h ? write_limits(h, r, "limit_in_bytes", err) : 0;
}

int cg_hugetlb_v2(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	struct cg_hier *h = cg_v2_hier(cg, "hugetlb");

	return h ? write_limits(h, r, "max", err) : 0;
}

/* ---- statistics ---- */

void cg_hugetlb_stats(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, "hugetlb");
	_cleanup_dir_ DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *de;

	if (h == NULL || h->dirfd < 0 || d == NULL)
		return;
	json_gen_cstr(g, "hugetlb");
	yajl_gen_map_open(g);
	while ((de = readdir(d))) {
		unsigned long kb;
		char size[32];
		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		/* the names the cgroup files use: 2MB, 1GB, 64KB */
		if (kb >= 1024 * 1024)
			snprintf(size, sizeof size, "%luGB", kb / (1024 * 1024));
		else if (kb >= 1024)
			snprintf(size, sizeof size, "%luMB", kb / 1024);
		else
			snprintf(size, sizeof size, "%luKB", kb);
		_cleanup_free_ char *usage = NULL, *max = NULL, *fail = NULL;
		if (cg_is_v2(cg, h)) {
			usage = xasprintf("hugetlb.%s.current", size);
			max = xasprintf("hugetlb.%s.max", size);
			fail = xasprintf("hugetlb.%s.events", size);
		} else {
			usage = xasprintf("hugetlb.%s.usage_in_bytes", size);
			max = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
			fail = xasprintf("hugetlb.%s.failcnt", size);
		}
		if (!cg_has_file(h, usage))
			continue;
		uint64_t failcnt = 0;
		if (cg_is_v2(cg, h)) {
			_cleanup_free_ char *ev = cg_read(h, fail);
			if (ev)
				cg_stat_keyed(ev, "max", &failcnt);
		} else {
			failcnt = cg_stat_u64(h, fail);
		}
		json_gen_cstr(g, size);
		yajl_gen_map_open(g);
		json_gen_kuint(g, "usage", cg_stat_u64(h, usage));
		json_gen_kuint(g, "max", cg_stat_u64(h, max));
		json_gen_kuint(g, "failcnt", failcnt);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}
