// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rdma controller, v1 and v2 together: rdma.max has the same name and
 * format on both ("DEVICE hca_handle=N hca_object=N"), so the writer only
 * differs in the hierarchy it is given.  The kernel keeps no statistics
 * that `events` reports for it.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

#include <stdio.h>

/* h NULL: the controller is not there, nothing to do. */
static int write_rdma(const struct cg_hier *h, const struct spec_resources *r,
		      struct husk_error *err)
{
	for (size_t i = 0; h && i < r->n_rdma; i++) {
		const struct spec_rdma *d = &r->rdma[i];
		_cleanup_free_ char *f = xasprintf("linux.resources.rdma.%s", d->device);
		char hh[32] = "", ho[32] = "";
		if (!d->has_hca_handles && !d->has_hca_objects)
			continue;
		if (d->has_hca_handles)
			snprintf(hh, sizeof hh, " hca_handle=%u", d->hca_handles);
		if (d->has_hca_objects)
			snprintf(ho, sizeof ho, " hca_object=%u", d->hca_objects);
		if (cg_writef(h, f, "rdma.max", err, "%s%s%s", d->device, hh, ho) < 0)
			return -1;
	}
	return 0;
}

int cg_rdma_v1(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	return write_rdma(cg_v1_hier(cg, "rdma"), r, err);
}

int cg_rdma_v2(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	return write_rdma(cg_v2_hier(cg, "rdma"), r, err);
}
