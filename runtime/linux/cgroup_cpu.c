// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cpu and cpuset controllers, v1 and v2 together: shares/quota/period/
 * burst/idle, v1's real-time runtime and period (the budget comes from the
 * parents: cgroup_rt.c), v2's cpu.weight and cpu.max, cpuset.cpus and
 * cpuset.mems (the same files on v1 and v2; linux.resources.cpu holds both
 * controllers' fields, so one writer applies them), and the cpu statistics
 * for `events`.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "spec/json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

uint64_t cg_shares_to_weight(uint64_t shares)
{
	return cg_weight_to_v2(shares, 2, 262144);
}

/* ---- cpuset ---- */

/* linux.resources.cpu.cpus and .mems, when set, to cpuset.cpus / cpuset.mems
 * (the same files on v1 and v2). */
static int write_cpuset(const struct cg_hier *cs, const struct spec_cpu *c, struct husk_error *err)
{
	if (c->cpus && *c->cpus &&
	    cg_write(cs, "linux.resources.cpu.cpus", "cpuset.cpus", c->cpus, err) < 0)
		return -1;
	if (c->mems && *c->mems &&
	    cg_write(cs, "linux.resources.cpu.mems", "cpuset.mems", c->mems, err) < 0)
		return -1;
	return 0;
}

/* A new v1 cpuset starts with no cpus and no mems, and no task may join it
 * until they are set: inherit the parent's. */
int cg_cpuset_init_v1(int parentfd, int dirfd, struct husk_error *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *cur = NULL, *par = NULL;
		size_t len;
		if (read_file_at(dirfd, files[i], 65536, &cur, &len, err) < 0)
			return -1;
		if (cur[strspn(cur, " \n")] != '\0')
			continue;
		if (read_file_at(parentfd, files[i], 65536, &par, &len, err) < 0)
			return -1;
		if (write_file_at(dirfd, files[i], par, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- v1 ---- */

static int cpu_quota(struct cg_hier *h, const struct spec_cpu *c, struct husk_error *err)
{
	const char *fq = "linux.resources.cpu.quota", *fp = "linux.resources.cpu.period";

	if (c->has_period && c->period != 0 && c->has_quota && c->quota != 0) {
		/* the pair must be valid after each write: try both orders */
		if (cg_writef(h, fp, "cpu.cfs_period_us", err, "%" PRIu64, c->period) == 0)
			return cg_writef(h, fq, "cpu.cfs_quota_us", err, "%" PRId64, c->quota);
		husk_error_clear(err);
		if (cg_writef(h, fq, "cpu.cfs_quota_us", err, "%" PRId64, c->quota) < 0)
			return -1;
		return cg_writef(h, fp, "cpu.cfs_period_us", err, "%" PRIu64, c->period);
	}
	if (c->has_period && c->period != 0 &&
	    cg_writef(h, fp, "cpu.cfs_period_us", err, "%" PRIu64, c->period) < 0)
		return -1;
	if (c->has_quota && c->quota != 0 &&
	    cg_writef(h, fq, "cpu.cfs_quota_us", err, "%" PRId64, c->quota) < 0)
		return -1;
	return 0;
}

static int write_rt(struct cg_hier *h, bool period, const struct spec_cpu *c,
		    struct husk_error *err)
{
	if (period)
		return cg_writef(h, "linux.resources.cpu.realtimePeriod", "cpu.rt_period_us", err,
				 "%" PRIu64, c->realtime_period);
	return cg_writef(h, "linux.resources.cpu.realtimeRuntime", "cpu.rt_runtime_us", err,
			 "%" PRId64, c->realtime_runtime);
}

/*
 * The real-time pair (create, and `update` of a running container).  The
 * budget the new pair asks for comes from the parents first.  Then the two
 * writes, in the order whose in-between pair (one value old, one new) asks
 * no more than the old pair or the new one: the kernel checks every write
 * against the parents, and refuses a runtime above the period.  Runtime
 * first, unless both grow: then the longer period first.
 */
static int cpu_rt_v1(struct cgroup_handle *cg, struct cg_hier *h, const struct spec_cpu *c,
		     struct husk_error *err)
{
	bool set_p = c->has_realtime_period && c->realtime_period != 0;
	bool set_r = c->has_realtime_runtime && c->realtime_runtime != 0;

	if (!set_p && !set_r)
		return 0;
	int64_t r0 = cg_rt_read(h, "cpu.rt_runtime_us"), p0 = cg_rt_read(h, "cpu.rt_period_us");
	if (r0 == -2 || p0 <= 0)
		return husk_error_set(err, ENOTSUP,
				      "%s: the container's v1 cpu cgroup has no real-time group "
				      "scheduling (cpu.rt_runtime_us, cpu.rt_period_us)",
				      set_r ? "linux.resources.cpu.realtimeRuntime"
					    : "linux.resources.cpu.realtimePeriod");
	int64_t r1 = set_r ? c->realtime_runtime : r0;
	uint64_t p1 = set_p ? c->realtime_period : (uint64_t)p0;
	if (r1 > 0 && (uint64_t)r1 > p1)
		return husk_error_set(err, EINVAL,
				      "%s: a real-time runtime of %" PRId64 " us is more than its "
				      "period of %" PRIu64
				      " us (linux.resources.cpu.realtimePeriod)",
				      set_r ? "linux.resources.cpu.realtimeRuntime"
					    : "linux.resources.cpu.realtimePeriod",
				      r1, p1);
	if (cg_rt_budget_v1(cg, h, r1, p1,
			    set_r ? "linux.resources.cpu.realtimeRuntime"
				  : "linux.resources.cpu.realtimePeriod",
			    err) < 0)
		return -1;
	bool period_first = set_p && p1 > (uint64_t)p0 && r1 > r0;
	if ((period_first ? set_p : set_r) && write_rt(h, period_first, c, err) < 0)
		goto undo;
	if ((period_first ? set_r : set_p) && write_rt(h, !period_first, c, err) < 0)
		goto undo;
	return 0;
undo:
	/* what was raised for a pair that did not take, given back */
	cg_rt_release_v1(cg);
	return -1;
}

int cg_cpu_v1(struct cgroup_handle *cg, const struct spec_cpu *c, struct husk_error *err)
{
	struct cg_hier *h = cg_v1_hier(cg, "cpu");
	struct cg_hier *cs = cg_v1_hier(cg, "cpuset");

	if (c == NULL)
		return 0;
	if (h) {
		if (c->has_shares && c->shares != 0 &&
		    cg_writef(h, "linux.resources.cpu.shares", "cpu.shares", err, "%" PRIu64,
			      c->shares) < 0)
			return -1;
		if (cpu_quota(h, c, err) < 0)
			return -1;
		if (c->has_burst && cg_writef(h, "linux.resources.cpu.burst", "cpu.cfs_burst_us",
					      err, "%" PRIu64, c->burst) < 0)
			return -1;
		if (cpu_rt_v1(cg, h, c, err) < 0)
			return -1;
		if (c->has_idle && cg_writef(h, "linux.resources.cpu.idle", "cpu.idle", err,
					     "%" PRId64, c->idle) < 0)
			return -1;
	}
	return cs ? write_cpuset(cs, c, err) : 0;
}

/* ---- v2 ---- */

static int cpu_max(struct cg_hier *h, const struct spec_cpu *c, struct husk_error *err)
{
	bool q = c->has_quota && c->quota != 0, p = c->has_period && c->period != 0;
	char quota[32];
	uint64_t period = 100000;

	if (!q && !p)
		return 0;
	if (q) {
		cg_fmt_max(quota, sizeof quota, c->quota);
	} else {
		/* keep the quota that is there */
		_cleanup_free_ char *cur = cg_read(h, "cpu.max");
		snprintf(quota, sizeof quota, "%.*s", cur ? (int)strcspn(cur, " \n") : 3,
			 cur ? cur : "max");
	}
	if (p)
		period = c->period;
	else {
		_cleanup_free_ char *cur = cg_read(h, "cpu.max");
		const char *sp = cur ? strchr(cur, ' ') : NULL;
		uint64_t v;
		if (sp) {
			char tmp[32];
			snprintf(tmp, sizeof tmp, "%.*s", (int)strcspn(sp + 1, " \n"), sp + 1);
			if (parse_uint64(tmp, &v) == 0)
				period = v;
		}
	}
	return cg_writef(h, q ? "linux.resources.cpu.quota" : "linux.resources.cpu.period",
			 "cpu.max", err, "%s %" PRIu64, quota, period);
}

int cg_cpu_v2(struct cgroup_handle *cg, const struct spec_cpu *c, struct husk_error *err)
{
	struct cg_hier *h = cg_v2_hier(cg, "cpu");
	struct cg_hier *cs = cg_v2_hier(cg, "cpuset");

	if (c == NULL)
		return 0;
	/* On a hybrid host the v1 cpu hierarchy takes the real-time budget. */
	if (cg->layout == CG_UNIFIED && c->has_realtime_runtime && c->realtime_runtime != 0)
		return husk_error_set(err, EOPNOTSUPP,
				      "linux.resources.cpu.realtimeRuntime: cgroup v2 has no "
				      "realtime group scheduling");
	if (cg->layout == CG_UNIFIED && c->has_realtime_period && c->realtime_period != 0)
		return husk_error_set(err, EOPNOTSUPP,
				      "linux.resources.cpu.realtimePeriod: cgroup v2 has no "
				      "realtime group scheduling");
	if (h) {
		if (c->has_shares && c->shares != 0 &&
		    cg_writef(h, "linux.resources.cpu.shares", "cpu.weight", err, "%" PRIu64,
			      cg_shares_to_weight(c->shares)) < 0)
			return -1;
		if (cpu_max(h, c, err) < 0)
			return -1;
		if (c->has_burst && cg_writef(h, "linux.resources.cpu.burst", "cpu.max.burst", err,
					      "%" PRIu64, c->burst) < 0)
			return -1;
		if (c->has_idle && cg_writef(h, "linux.resources.cpu.idle", "cpu.idle", err,
					     "%" PRId64, c->idle) < 0)
			return -1;
	}
	return cs ? write_cpuset(cs, c, err) : 0;
}

/* ---- statistics ---- */

void cg_cpu_stats(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *acct = cg_find(cg, "cpuacct");
	struct cg_hier *cpu = cg_find(cg, "cpu");
	uint64_t total = 0, user = 0, sys = 0, periods = 0, throttled = 0, ttime = 0;

	if (cpu && cg_is_v2(cg, cpu)) {
		_cleanup_free_ char *st = cg_read(cpu, "cpu.stat");
		if (st) {
			cg_stat_keyed(st, "usage_usec", &total);
			cg_stat_keyed(st, "user_usec", &user);
			cg_stat_keyed(st, "system_usec", &sys);
			cg_stat_keyed(st, "nr_periods", &periods);
			cg_stat_keyed(st, "nr_throttled", &throttled);
			cg_stat_keyed(st, "throttled_usec", &ttime);
			total *= 1000, user *= 1000, sys *= 1000, ttime *= 1000;
		}
	} else {
		_cleanup_free_ char *st = cpu ? cg_read(cpu, "cpu.stat") : NULL;
		if (st) {
			cg_stat_keyed(st, "nr_periods", &periods);
			cg_stat_keyed(st, "nr_throttled", &throttled);
			cg_stat_keyed(st, "throttled_time", &ttime);
		}
		if (acct && !cg_is_v2(cg, acct)) {
			_cleanup_free_ char *as = cg_read(acct, "cpuacct.stat");
			total = cg_stat_u64(acct, "cpuacct.usage");
			/* cpuacct.stat counts USER_HZ ticks */
			if (as && cg_stat_keyed(as, "user", &user))
				user = user * (1000000000ULL / 100);
			if (as && cg_stat_keyed(as, "system", &sys))
				sys = sys * (1000000000ULL / 100);
		}
	}
	json_gen_cstr(g, "cpu");
	yajl_gen_map_open(g);
	json_gen_cstr(g, "usage");
	yajl_gen_map_open(g);
	json_gen_kuint(g, "total", total);
	if (acct && !cg_is_v2(cg, acct)) {
		_cleanup_free_ char *pc = cg_read(acct, "cpuacct.usage_percpu");
		json_gen_cstr(g, "percpu");
		yajl_gen_array_open(g);
		for (char *save = NULL, *t = pc ? strtok_r(pc, " \n", &save) : NULL; t;
		     t = strtok_r(NULL, " \n", &save))
			yajl_gen_integer(g, (long long)strtoull(t, NULL, 10));
		yajl_gen_array_close(g);
	}
	json_gen_kuint(g, "kernel", sys);
	json_gen_kuint(g, "user", user);
	yajl_gen_map_close(g);
	json_gen_cstr(g, "throttling");
	yajl_gen_map_open(g);
	json_gen_kuint(g, "periods", periods);
	json_gen_kuint(g, "throttled_periods", throttled);
	json_gen_kuint(g, "throttled_time", ttime);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}
