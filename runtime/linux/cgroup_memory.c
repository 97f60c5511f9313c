// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory controller, v1 and v2 together: the limits (v1
 * memory.limit_in_bytes and memsw, v2 memory.max and memory.swap.max), its
 * statistics for `events`, and OOM notifications (v1 memory.oom_control
 * eventfd, v2 inotify on memory.events).
 * v1 writes -1 as it is (v1 reads -1 as "unlimited"), v2 as "max".
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "spec/json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

/* ---- v1 ---- */

/* Kernel features that newer kernels dropped (kmem limits): accepted, and
 * ignored when the kernel no longer has them. */
static int write_optional(const struct cg_hier *h, const char *field, const char *file,
			  int64_t value, struct husk_error *err)
{
	if (!cg_has_file(h, file)) {
		husk_debug("%s: ignored, this kernel has no %s", field, file);
		return 0;
	}
	if (cg_writef(h, field, file, err, "%" PRId64, value) < 0) {
		if (err->errnum == EOPNOTSUPP || err->errnum == EINVAL) {
			husk_debug("%s: ignored: %s", field, husk_error_text(err));
			husk_error_clear(err);
			return 0;
		}
		return -1;
	}
	return 0;
}

static int memory_limits(struct cg_hier *h, const struct spec_memory *m, struct husk_error *err)
{
	const char *fl = "linux.resources.memory.limit", *fs = "linux.resources.memory.swap";
	bool memsw = cg_has_file(h, "memory.memsw.limit_in_bytes");

	if (m->has_swap && !memsw && m->swap != 0 && !(m->has_limit && m->swap == m->limit)) {
		/* no swap accounting: the kernel cannot limit swap at all */
		husk_warn("%s: ignored, this kernel has no swap accounting", fs);
	}
	if (m->has_limit && m->has_swap && memsw && m->swap != 0) {
		if (m->swap != -1 && m->limit != -1 && m->swap < m->limit)
			return husk_error_set(err, EINVAL,
					      "%s: %" PRId64 " is less than memory.limit %" PRId64
					      " (swap counts memory plus swap)",
					      fs, m->swap, m->limit);
		/* memsw must stay >= limit at every step: raise memsw first when
		 * growing, the limit first when shrinking. */
		if (cg_writef(h, fl, "memory.limit_in_bytes", err, "%" PRId64, m->limit) == 0)
			return cg_writef(h, fs, "memory.memsw.limit_in_bytes", err, "%" PRId64,
					 m->swap);
		husk_error_clear(err);
		if (cg_writef(h, fs, "memory.memsw.limit_in_bytes", err, "%" PRId64, m->swap) < 0)
			return -1;
		return cg_writef(h, fl, "memory.limit_in_bytes", err, "%" PRId64, m->limit);
	}
	if (m->has_limit) {
		if (cg_writef(h, fl, "memory.limit_in_bytes", err, "%" PRId64, m->limit) < 0) {
			/* a lower limit than the current memsw one fails; with
			 * swap unset runc sets memsw = limit too */
			if (!memsw || err->errnum != EINVAL)
				return -1;
			husk_error_clear(err);
			if (cg_writef(h, fs, "memory.memsw.limit_in_bytes", err, "%" PRId64,
				      m->limit) < 0)
				return -1;
			if (cg_writef(h, fl, "memory.limit_in_bytes", err, "%" PRId64, m->limit) <
			    0)
				return -1;
		}
	} else if (m->has_swap && memsw && m->swap != 0) {
		if (cg_writef(h, fs, "memory.memsw.limit_in_bytes", err, "%" PRId64, m->swap) < 0)
			return -1;
	}
	return 0;
}

static int check_before_update(struct cg_hier *h, const struct spec_memory *m,
			       struct husk_error *err)
{
	uint64_t usage;

	if (!m->has_check_before_update || !m->check_before_update || !m->has_limit || m->limit < 0)
		return 0;
	if (cg_read_u64(h, "memory.usage_in_bytes", &usage) == 0 && usage > (uint64_t)m->limit)
		return husk_error_set(err, EBUSY,
				      "linux.resources.memory.limit: %" PRId64
				      " is below the current usage %" PRIu64 " (checkBeforeUpdate)",
				      m->limit, usage);
	return 0;
}

int cg_memory_v1(struct cgroup_handle *cg, const struct spec_memory *m, bool update,
		 struct husk_error *err)
{
	struct cg_hier *h = cg_v1_hier(cg, "memory");

	if (m == NULL || h == NULL)
		return 0;
	if (update && check_before_update(h, m, err) < 0)
		return -1;
	if (m->has_use_hierarchy && cg_has_file(h, "memory.use_hierarchy") &&
	    cg_write(h, "linux.resources.memory.useHierarchy", "memory.use_hierarchy",
		     m->use_hierarchy ? "1" : "0", err) < 0)
		return -1;
	if (memory_limits(h, m, err) < 0)
		return -1;
	if (m->has_reservation &&
	    cg_writef(h, "linux.resources.memory.reservation", "memory.soft_limit_in_bytes", err,
		      "%" PRId64, m->reservation) < 0)
		return -1;
	if (m->has_kernel && write_optional(h, "linux.resources.memory.kernel",
					    "memory.kmem.limit_in_bytes", m->kernel, err) < 0)
		return -1;
	if (m->has_kernel_tcp &&
	    write_optional(h, "linux.resources.memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes",
			   m->kernel_tcp, err) < 0)
		return -1;
	if (m->has_swappiness && m->swappiness <= 100 &&
	    cg_writef(h, "linux.resources.memory.swappiness", "memory.swappiness", err, "%" PRIu64,
		      m->swappiness) < 0)
		return -1;
	if (m->has_swappiness && m->swappiness > 100 && m->swappiness != UINT64_MAX)
		return husk_error_set(err, EINVAL,
				      "linux.resources.memory.swappiness: %" PRIu64
				      " is out of range 0-100",
				      m->swappiness);
	if (m->has_disable_oom_killer && (m->disable_oom_killer || update) &&
	    cg_write(h, "linux.resources.memory.disableOOMKiller", "memory.oom_control",
		     m->disable_oom_killer ? "1" : "0", err) < 0)
		return -1;
	return 0;
}

/* ---- v2 ---- */

int cg_memory_v2(struct cgroup_handle *cg, const struct spec_memory *m, bool update,
		 struct husk_error *err)
{
	struct cg_hier *h = cg_v2_hier(cg, "memory");
	char buf[32];

	if (m == NULL || h == NULL)
		return 0;
	if (update && m->has_check_before_update && m->check_before_update && m->has_limit &&
	    m->limit >= 0) {
		uint64_t cur;
		if (cg_read_u64(h, "memory.current", &cur) == 0 && cur > (uint64_t)m->limit)
			return husk_error_set(err, EBUSY,
					      "linux.resources.memory.limit: %" PRId64
					      " is below the current usage %" PRIu64
					      " (checkBeforeUpdate)",
					      m->limit, cur);
	}
	if (m->has_swap && m->swap != 0) {
		const char *f = "linux.resources.memory.swap";
		if (m->swap == -1) {
			snprintf(buf, sizeof buf, "max");
		} else if (!m->has_limit || m->limit <= 0) {
			return husk_error_set(err, EINVAL,
					      "%s: cgroup v2 needs memory.limit to set swap "
					      "(memory.swap.max = swap - limit)",
					      f);
		} else if (m->swap < m->limit) {
			return husk_error_set(err, EINVAL,
					      "%s: %" PRId64 " is less than memory.limit %" PRId64
					      " (swap counts memory plus swap)",
					      f, m->swap, m->limit);
		} else {
			snprintf(buf, sizeof buf, "%" PRId64, m->swap - m->limit);
		}
		if (!cg_has_file(h, "memory.swap.max"))
			husk_warn("%s: ignored, this kernel has no swap accounting", f);
		else if (cg_write(h, f, "memory.swap.max", buf, err) < 0)
			return -1;
	}
	if (m->has_limit) {
		cg_fmt_max(buf, sizeof buf, m->limit);
		if (cg_write(h, "linux.resources.memory.limit", "memory.max", buf, err) < 0)
			return -1;
	}
	if (m->has_reservation) {
		cg_fmt_max(buf, sizeof buf, m->reservation);
		if (cg_write(h, "linux.resources.memory.reservation", "memory.low", buf, err) < 0)
			return -1;
	}
	if (m->has_disable_oom_killer && m->disable_oom_killer)
		husk_warn("linux.resources.memory.disableOOMKiller: ignored, cgroup v2 cannot "
			  "disable the OOM killer");
	if (m->has_swappiness && m->swappiness != 0 && m->swappiness <= 100)
		husk_debug("linux.resources.memory.swappiness: ignored on cgroup v2");
	return 0;
}

/* ---- statistics ---- */

static void gen_keyed_map(yajl_gen g, const char *text)
{
	yajl_gen_map_open(g);
	for (const char *p = text; p && *p;) {
		const char *sp = strchr(p, ' ');
		const char *nl = strchrnul(p, '\n');
		if (sp && sp < nl) {
			_cleanup_free_ char *k = strndup(p, (size_t)(sp - p));
			json_gen_cstr(g, k);
			yajl_gen_integer(g, (long long)strtoull(sp + 1, NULL, 10));
		}
		p = *nl ? nl + 1 : nl;
	}
	yajl_gen_map_close(g);
}

static void gen_usage(yajl_gen g, const char *name, uint64_t usage, uint64_t max, uint64_t limit,
		      uint64_t failcnt)
{
	json_gen_cstr(g, name);
	yajl_gen_map_open(g);
	json_gen_kuint(g, "limit", limit);
	json_gen_kuint(g, "usage", usage);
	json_gen_kuint(g, "max", max);
	json_gen_kuint(g, "failcnt", failcnt);
	yajl_gen_map_close(g);
}

/* v1 names each counter <prefix>.usage_in_bytes, .max_usage_in_bytes,
 * .limit_in_bytes and .failcnt. */
static void gen_usage_v1(yajl_gen g, const char *name, const struct cg_hier *h, const char *prefix)
{
	static const char *const suffix[] = {"usage_in_bytes", "max_usage_in_bytes",
					     "limit_in_bytes", "failcnt"};
	uint64_t v[ARRAY_SIZE(suffix)];

	for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
		_cleanup_free_ char *file = xasprintf("%s.%s", prefix, suffix[i]);
		v[i] = cg_stat_u64(h, file);
	}
	gen_usage(g, name, v[0], v[1], v[2], v[3]);
}

void cg_memory_stats(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, "memory");
	_cleanup_free_ char *st = NULL;
	uint64_t cache = 0, limit;

	if (h == NULL || h->dirfd < 0)
		return;
	st = cg_read(h, "memory.stat");
	json_gen_cstr(g, "memory");
	yajl_gen_map_open(g);
	if (cg_is_v2(cg, h)) {
		_cleanup_free_ char *ev = cg_read(h, "memory.events");
		uint64_t fail = 0;
		if (ev)
			cg_stat_keyed(ev, "max", &fail);
		if (st)
			cg_stat_keyed(st, "file", &cache);
		json_gen_kuint(g, "cache", cache);
		if (cg_read_u64(h, "memory.max", &limit) < 0)
			limit = 0;
		gen_usage(g, "usage", cg_stat_u64(h, "memory.current"),
			  cg_stat_u64(h, "memory.peak"), limit, fail);
		if (cg_read_u64(h, "memory.swap.max", &limit) < 0)
			limit = 0;
		gen_usage(g, "swap", cg_stat_u64(h, "memory.swap.current"),
			  cg_stat_u64(h, "memory.swap.peak"), limit, 0);
	} else {
		if (st)
			cg_stat_keyed(st, "cache", &cache);
		json_gen_kuint(g, "cache", cache);
		gen_usage_v1(g, "usage", h, "memory");
		gen_usage_v1(g, "swap", h, "memory.memsw");
		gen_usage_v1(g, "kernel", h, "memory.kmem");
		gen_usage_v1(g, "kernelTCP", h, "memory.kmem.tcp");
	}
	if (st) {
		json_gen_cstr(g, "raw");
		gen_keyed_map(g, st);
	}
	yajl_gen_map_close(g);
}

/* ---- OOM notifications ---- */

static uint64_t oom_kills(const struct cg_hier *h)
{
	_cleanup_free_ char *ev = cg_read(h, "memory.events");
	uint64_t v = 0;

	if (ev)
		cg_stat_keyed(ev, "oom_kill", &v);
	return v;
}

int cgroup_oom_fd(const struct cgroup_handle *cg, uint64_t *seen, struct husk_error *err)
{
	struct cg_hier *h = cg_find(cg, "memory");

	if (h == NULL || h->dirfd < 0)
		return -1;
	if (cg_is_v2(cg, h)) {
		_cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		_cleanup_free_ char *path = xasprintf("/proc/self/fd/%d/memory.events", h->dirfd);
		if (fd < 0)
			return husk_error_errno(err, "events: inotify_init1");
		if (inotify_add_watch(fd, path, IN_MODIFY) < 0)
			return husk_error_errno(err, "events: watch memory.events");
		*seen = oom_kills(h);
		return steal_fd(&fd);
	}
	_cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	_cleanup_close_ int ofd = openat(h->dirfd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
	if (efd < 0 || ofd < 0)
		return husk_error_errno(err, "events: open memory.oom_control");
	if (cg_writef(h, "events", "cgroup.event_control", err, "%d %d", efd, ofd) < 0)
		return -1;
	/* the registration lives as long as efd; ofd may close */
	return steal_fd(&efd);
}

bool cgroup_oom_check(const struct cgroup_handle *cg, int fd, uint64_t *seen)
{
	struct cg_hier *h = cg_find(cg, "memory");
	char buf[4096];

	if (h && cg_is_v2(cg, h)) {
		while (read(fd, buf, sizeof buf) > 0)
			;
		uint64_t now = oom_kills(h);
		bool fired = now > *seen;
		*seen = now;
		return fired;
	}
	uint64_t n;
	return read(fd, &n, sizeof n) == (ssize_t)sizeof n && n > 0;
}
