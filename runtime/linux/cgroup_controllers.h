/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the cgroup module: one file per controller (cgroup_memory.c,
 * cgroup_cpu.c with cpuset, cgroup_io.c, cgroup_rt.c, cgroup_pids.c,
 * cgroup_hugetlb.c, cgroup_rdma.c, cgroup_net.c, cgroup_devices.c,
 * cgroup_freezer.c), each holding the v1
 * writer, the v2 writer and the statistics, so a controller's code lives
 * together.  cgroups_v1.c and cgroups_v2.c only pick the hierarchy and call
 * them in order; cgroups_stats.c assembles the `events` document.
 */
#ifndef HUSK_CGROUP_CONTROLLERS_H
#define HUSK_CGROUP_CONTROLLERS_H

#include <yajl/yajl_gen.h>

#include "linux/cgroups.h"

/* The v1 hierarchy of a controller, NULL when cgroup2 serves it or it is absent. */
static inline struct cg_hier *cg_v1_hier(const struct cgroup_handle *cg, const char *controller)
{
	struct cg_hier *h = cg_find(cg, controller);

	if (h == NULL || cg_is_v2(cg, h) || h->dirfd < 0)
		return NULL;
	return h;
}

/* The unified hierarchy when it serves the controller, else NULL. */
static inline struct cg_hier *cg_v2_hier(const struct cgroup_handle *cg, const char *controller)
{
	struct cg_hier *h = cg_find(cg, controller);

	if (h == NULL || !cg_is_v2(cg, h) || h->dirfd < 0)
		return NULL;
	return h;
}

/* v1's weight range lo..hi onto v2's 1..10000, linearly (0 stays 0: unset). */
static inline uint64_t cg_weight_to_v2(uint64_t v, uint64_t lo, uint64_t hi)
{
	if (v == 0)
		return 0;
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return 1 + ((v - lo) * 9999) / (hi - lo);
}

/* cgroups_v2.c: v2 spells "unlimited" (-1) as "max". */
void cg_fmt_max(char *buf, size_t len, int64_t v);

/* cgroup_memory.c */
int cg_memory_v1(struct cgroup_handle *cg, const struct spec_memory *m, bool update,
		 struct husk_error *err);
int cg_memory_v2(struct cgroup_handle *cg, const struct spec_memory *m, bool update,
		 struct husk_error *err);
void cg_memory_stats(yajl_gen g, const struct cgroup_handle *cg);

/* cgroup_cpu.c (cpu and cpuset: linux.resources.cpu holds both) */
int cg_cpu_v1(struct cgroup_handle *cg, const struct spec_cpu *c, struct husk_error *err);
int cg_cpu_v2(struct cgroup_handle *cg, const struct spec_cpu *c, struct husk_error *err);
void cg_cpu_stats(yajl_gen g, const struct cgroup_handle *cg);
/* A new v1 cpuset (dirfd) inherits its parent's cpus and mems when empty:
 * no task may join it until they are set. */
int cg_cpuset_init_v1(int parentfd, int dirfd, struct husk_error *err);

/* cgroup_rt.c: v1's real-time budget (cpu.rt_runtime_us).  Raise the
 * levels above the leaf so that it can be given `want` us every `period`
 * us (the leaf's period once written: it may not be yet); an error names
 * `field` and the level that cannot give it. */
int cg_rt_budget_v1(struct cgroup_handle *cg, struct cg_hier *h, int64_t want, uint64_t period,
		    const char *field, struct husk_error *err);
/* A number in a file of the leaf (cpu.rt_runtime_us may be -1); -2: unreadable. */
int64_t cg_rt_read(const struct cg_hier *h, const char *file);
/* process.scheduler SCHED_FIFO/SCHED_RR without a realtimeRuntime: a
 * default budget for the leaf, from its parents. */
int cg_rt_for_scheduler_v1(struct cgroup_handle *cg, struct husk_error *err);
/* Before the container's cgroups are removed: their budgets to 0 (a
 * removed cgroup counts in its parent's sum until the kernel frees it). */
void cg_rt_zero_v1(const struct cgroup_handle *cg);
/* After the container's cgroups are removed: lower what husk raised. */
void cg_rt_release_v1(const struct cgroup_handle *cg);

/* cgroup_io.c (v1 blkio, v2 io) */
int cg_blkio_v1(struct cgroup_handle *cg, const struct spec_block_io *b, struct husk_error *err);
int cg_io_v2(struct cgroup_handle *cg, const struct spec_block_io *b, struct husk_error *err);
void cg_io_stats(yajl_gen g, const struct cgroup_handle *cg);

/* cgroup_pids.c: pids.max (the same file on v1 and v2) */
int cg_pids_v1(struct cgroup_handle *cg, const struct spec_pids *p, struct husk_error *err);
int cg_pids_v2(struct cgroup_handle *cg, const struct spec_pids *p, struct husk_error *err);
void cg_pids_stats(yajl_gen g, const struct cgroup_handle *cg);

/* cgroup_hugetlb.c: hugetlb.<size>.* (v1 limit_in_bytes, v2 max) */
int cg_hugetlb_v1(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err);
int cg_hugetlb_v2(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err);
void cg_hugetlb_stats(yajl_gen g, const struct cgroup_handle *cg);

/* cgroup_rdma.c: rdma.max (the same file on v1 and v2; no statistics) */
int cg_rdma_v1(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err);
int cg_rdma_v2(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err);

/* cgroup_net.c: net_cls and net_prio (v1 only; no statistics) */
int cg_net_v1(struct cgroup_handle *cg, const struct spec_network *n, struct husk_error *err);

/* cgroup_devices.c: linux.resources.devices and the devices every container
 * may use, to v1's devices.deny/allow or a v2 BPF device program. */
int cg_devices_apply(struct cgroup_handle *cg, struct husk_error *err);

/* cgroup_freezer.c: the hierarchy that freezes the container (the v1
 * freezer, else the unified one when it has cgroup.freeze), or NULL. */
struct cg_hier *cg_freezer_hier(const struct cgroup_handle *cg);

/* cgroups.c, for the controllers' files */
/* Append the pids of dirfd's cgroup.procs and of every child cgroup's. */
void cg_collect_pids(int dirfd, pid_t **pids, size_t *n);
/* A handle of the hierarchies mounted here, without a container path. */
struct cgroup_handle *cg_discover(struct husk_error *err);

/* cgroups_stats.c: reading the statistics files. */
/* A file's single number; 0 when unreadable or "max". */
uint64_t cg_stat_u64(const struct cg_hier *h, const char *file);
/* The value of "name N" in a flat keyed file (memory.stat, cpu.stat). */
bool cg_stat_keyed(const char *text, const char *name, uint64_t *out);

#endif
