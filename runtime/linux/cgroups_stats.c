// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroup statistics for `husk events` (runc's "stats" document, from the
 * v1 and v2 files alike): the document itself, the controllers whose files
 * need no v1/v2 split (pids, hugetlb), and the file readers every
 * controller's statistics use.  Memory, cpu and I/O statistics live with
 * their controller (cgroup_memory.c, cgroup_cpu.c, cgroup_io.c); the OOM
 * notifications with memory.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "spec/json.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void key(yajl_gen g, const char *k)
{
	json_gen_cstr(g, k);
}

uint64_t cg_stat_u64(const struct cg_hier *h, const char *file)
{
	uint64_t v = 0;

	if (cg_read_u64(h, file, &v) < 0 || v == UINT64_MAX)
		return 0;
	return v;
}

/* The value of "name N" in a flat keyed file (memory.stat, cpu.stat). */
bool cg_stat_keyed(const char *text, const char *name, uint64_t *out)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p;) {
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			*out = strtoull(p + n + 1, NULL, 10);
			return true;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return false;
}

int cgroup_stats_json(const struct cgroup_handle *cg, const char *id, char **out,
		      struct husk_error *err)
{
	yajl_gen g = json_gen_new(false);
	size_t len;

	yajl_gen_map_open(g);
	json_gen_kstr(g, "type", "stats");
	json_gen_kstr(g, "id", id);
	key(g, "data");
	yajl_gen_map_open(g);
	cg_cpu_stats(g, cg);
	cg_memory_stats(g, cg);
	cg_pids_stats(g, cg);
	cg_io_stats(g, cg);
	cg_hugetlb_stats(g, cg);
	key(g, "intel_rdt");
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
	key(g, "network_interfaces");
	yajl_gen_null(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return json_gen_finish(g, out, &len, err);
}
