// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v1: one file per setting, in the hierarchy of its controller.
 * Values of -1 are written as they are: v1 reads -1 as "unlimited".  Here
 * only the order the controllers' v1 writers run in (each in its
 * cgroup_<controller>.c) and the freezer.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

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

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

int cg_v1_freeze(struct cg_hier *h, bool freeze, struct husk_error *err)
{
	const char *want = freeze ? "FROZEN" : "THAWED";

	for (int i = 0; i < 1000; i++) {
		_cleanup_free_ char *s = NULL;
		/* FREEZING can get stuck on a task that is busy in the kernel;
		 * writing again retries the freeze. */
		if (i % 50 == 0 &&
		    cg_write(h, freeze ? "pause" : "resume", "freezer.state", want, err) < 0)
			return -1;
		s = cg_read(h, "freezer.state");
		if (s == NULL)
			return husk_error_errno(err, "read freezer.state");
		if (str_has_prefix(s, want))
			return 0;
		sleep_ms(i < 10 ? 1 : 10);
	}
	if (freeze)
		cg_write(h, "pause", "freezer.state", "THAWED", err);
	return husk_error_set(err, EBUSY, "%s: the freezer did not reach %s",
			      freeze ? "pause" : "resume", want);
}
