// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pids controller, v1 and v2 together: pids.max has the same name and
 * meaning on both, so the writer only differs in the hierarchy it is given;
 * and the pids statistics for `events`.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "spec/json.h"
#include "util.h"

#include <inttypes.h>

/* h NULL: the controller is not there, nothing to do. */
static int write_pids(const struct cg_hier *h, const struct spec_pids *p, struct husk_error *err)
{
	if (p == NULL || h == NULL || !p->has_limit || p->limit == 0)
		return 0;
	if (p->limit < 0)
		return cg_write(h, "linux.resources.pids.limit", "pids.max", "max", err);
	return cg_writef(h, "linux.resources.pids.limit", "pids.max", err, "%" PRId64, p->limit);
}

int cg_pids_v1(struct cgroup_handle *cg, const struct spec_pids *p, struct husk_error *err)
{
	return write_pids(cg_v1_hier(cg, "pids"), p, err);
}

int cg_pids_v2(struct cgroup_handle *cg, const struct spec_pids *p, struct husk_error *err)
{
	return write_pids(cg_v2_hier(cg, "pids"), p, err);
}

/* ---- statistics ---- */

void cg_pids_stats(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, "pids");

	if (h == NULL || h->dirfd < 0)
		return;
	json_gen_cstr(g, "pids");
	yajl_gen_map_open(g);
	json_gen_kuint(g, "current", cg_stat_u64(h, "pids.current"));
	json_gen_kuint(g, "limit", cg_stat_u64(h, "pids.max"));
	yajl_gen_map_close(g);
}
