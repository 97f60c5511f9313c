// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net_cls and net_prio (linux.resources.network): two v1 controllers that
 * cgroup v2 does not have (there a BPF program attached to the cgroup
 * takes their place), so there is only a v1 writer.  Nothing of theirs is
 * in the `events` statistics.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

int cg_net_v1(struct cgroup_handle *cg, const struct spec_network *n, struct husk_error *err)
{
	struct cg_hier *cls = cg_v1_hier(cg, "net_cls");
	struct cg_hier *prio = cg_v1_hier(cg, "net_prio");

	if (n == NULL)
		return 0;
	if (cls && n->has_class_id &&
	    cg_writef(cls, "linux.resources.network.classID", "net_cls.classid", err, "%u",
		      n->class_id) < 0)
		return -1;
	for (size_t i = 0; prio && i < n->n_priorities; i++) {
		_cleanup_free_ char *f = xasprintf("linux.resources.network.priorities[%zu]", i);
		if (cg_writef(prio, f, "net_prio.ifpriomap", err, "%s %u", n->priorities[i].name,
			      n->priorities[i].priority) < 0)
			return -1;
	}
	return 0;
}
