// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v1: one file per setting, in the hierarchy of its controller.
 * Values of -1 are written as they are: v1 reads -1 as "unlimited".  Here
 * only the order the controllers' v1 writers run in (each in its
 * cgroup_<controller>.c).
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

int cg_v1_apply(struct cgroup_handle *cg, const struct spec_resources *res, bool update,
		struct husk_error *err)
{
	if (cg_memory_v1(cg, res->memory, update, err) < 0 || cg_cpu_v1(cg, res->cpu, err) < 0 ||
	    cg_pids_v1(cg, res->pids, err) < 0 || cg_blkio_v1(cg, res->block_io, err) < 0 ||
	    cg_hugetlb_v1(cg, res, err) < 0 || cg_net_v1(cg, res->network, err) < 0 ||
	    cg_rdma_v1(cg, res, err) < 0)
		return -1;
	return 0;
}
