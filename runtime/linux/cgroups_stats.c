// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroup statistics (runc's `events` "stats" document, from the v1 and
 * v2 files alike) and OOM notifications (v1 memory.oom_control eventfd,
 * v2 inotify on memory.events), for `husk events`.
 */
#include "config.h"
#include "linux/cgroups.h"
#include "spec/json.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

/* ---- statistics ---- */

static void key(yajl_gen g, const char *k)
{
	json_gen_cstr(g, k);
}

static uint64_t u64_of(const struct cg_hier *h, const char *file)
{
	uint64_t v = 0;

	if (cg_read_u64(h, file, &v) < 0 || v == UINT64_MAX)
		return 0;
	return v;
}

/* The value of "name N" in a flat keyed file (memory.stat, cpu.stat). */
static bool keyed(const char *text, const char *name, uint64_t *out)
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

static void gen_keyed_map(yajl_gen g, const char *text)
{
	yajl_gen_map_open(g);
	for (const char *p = text; p && *p;) {
		const char *sp = strchr(p, ' ');
		const char *nl = strchrnul(p, '\n');
		if (sp && sp < nl) {
			_cleanup_free_ char *k = strndup(p, (size_t)(sp - p));
			key(g, k);
			yajl_gen_integer(g, (long long)strtoull(sp + 1, NULL, 10));
		}
		p = *nl ? nl + 1 : nl;
	}
	yajl_gen_map_close(g);
}

static void gen_cpu(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *acct = cg_find(cg, "cpuacct");
	struct cg_hier *cpu = cg_find(cg, "cpu");
	uint64_t total = 0, user = 0, sys = 0, periods = 0, throttled = 0, ttime = 0;

	if (cpu && cg_is_v2(cg, cpu)) {
		_cleanup_free_ char *st = cg_read(cpu, "cpu.stat");
		if (st) {
			keyed(st, "usage_usec", &total);
			keyed(st, "user_usec", &user);
			keyed(st, "system_usec", &sys);
			keyed(st, "nr_periods", &periods);
			keyed(st, "nr_throttled", &throttled);
			keyed(st, "throttled_usec", &ttime);
			total *= 1000, user *= 1000, sys *= 1000, ttime *= 1000;
		}
	} else {
		_cleanup_free_ char *st = cpu ? cg_read(cpu, "cpu.stat") : NULL;
		if (st) {
			keyed(st, "nr_periods", &periods);
			keyed(st, "nr_throttled", &throttled);
			keyed(st, "throttled_time", &ttime);
		}
		if (acct && !cg_is_v2(cg, acct)) {
			_cleanup_free_ char *as = cg_read(acct, "cpuacct.stat");
			total = u64_of(acct, "cpuacct.usage");
			/* cpuacct.stat counts USER_HZ ticks */
			if (as && keyed(as, "user", &user))
				user = user * (1000000000ULL / 100);
			if (as && keyed(as, "system", &sys))
				sys = sys * (1000000000ULL / 100);
		}
	}
	key(g, "cpu");
	yajl_gen_map_open(g);
	key(g, "usage");
	yajl_gen_map_open(g);
	json_gen_kuint(g, "total", total);
	if (acct && !cg_is_v2(cg, acct)) {
		_cleanup_free_ char *pc = cg_read(acct, "cpuacct.usage_percpu");
		key(g, "percpu");
		yajl_gen_array_open(g);
		for (char *save = NULL, *t = pc ? strtok_r(pc, " \n", &save) : NULL; t;
		     t = strtok_r(NULL, " \n", &save))
			yajl_gen_integer(g, (long long)strtoull(t, NULL, 10));
		yajl_gen_array_close(g);
	}
	json_gen_kuint(g, "kernel", sys);
	json_gen_kuint(g, "user", user);
	yajl_gen_map_close(g);
	key(g, "throttling");
	yajl_gen_map_open(g);
	json_gen_kuint(g, "periods", periods);
	json_gen_kuint(g, "throttled_periods", throttled);
	json_gen_kuint(g, "throttled_time", ttime);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void gen_usage(yajl_gen g, const char *name, uint64_t usage, uint64_t max, uint64_t limit,
		      uint64_t failcnt)
{
	key(g, name);
	yajl_gen_map_open(g);
	json_gen_kuint(g, "limit", limit);
	json_gen_kuint(g, "usage", usage);
	json_gen_kuint(g, "max", max);
	json_gen_kuint(g, "failcnt", failcnt);
	yajl_gen_map_close(g);
}

static void gen_memory(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, "memory");
	_cleanup_free_ char *st = NULL;
	uint64_t cache = 0, limit;

	if (h == NULL || h->dirfd < 0)
		return;
	st = cg_read(h, "memory.stat");
	key(g, "memory");
	yajl_gen_map_open(g);
	if (cg_is_v2(cg, h)) {
		_cleanup_free_ char *ev = cg_read(h, "memory.events");
		uint64_t fail = 0;
		if (ev)
			keyed(ev, "max", &fail);
		if (st)
			keyed(st, "file", &cache);
		json_gen_kuint(g, "cache", cache);
		if (cg_read_u64(h, "memory.max", &limit) < 0)
			limit = 0;
		gen_usage(g, "usage", u64_of(h, "memory.current"), u64_of(h, "memory.peak"), limit,
			  fail);
		if (cg_read_u64(h, "memory.swap.max", &limit) < 0)
			limit = 0;
		gen_usage(g, "swap", u64_of(h, "memory.swap.current"),
			  u64_of(h, "memory.swap.peak"), limit, 0);
	} else {
		if (st)
			keyed(st, "cache", &cache);
		json_gen_kuint(g, "cache", cache);
		gen_usage(g, "usage", u64_of(h, "memory.usage_in_bytes"),
			  u64_of(h, "memory.max_usage_in_bytes"),
			  u64_of(h, "memory.limit_in_bytes"), u64_of(h, "memory.failcnt"));
		gen_usage(g, "swap", u64_of(h, "memory.memsw.usage_in_bytes"),
			  u64_of(h, "memory.memsw.max_usage_in_bytes"),
			  u64_of(h, "memory.memsw.limit_in_bytes"),
			  u64_of(h, "memory.memsw.failcnt"));
		gen_usage(g, "kernel", u64_of(h, "memory.kmem.usage_in_bytes"),
			  u64_of(h, "memory.kmem.max_usage_in_bytes"),
			  u64_of(h, "memory.kmem.limit_in_bytes"),
			  u64_of(h, "memory.kmem.failcnt"));
		gen_usage(g, "kernelTCP", u64_of(h, "memory.kmem.tcp.usage_in_bytes"),
			  u64_of(h, "memory.kmem.tcp.max_usage_in_bytes"),
			  u64_of(h, "memory.kmem.tcp.limit_in_bytes"),
			  u64_of(h, "memory.kmem.tcp.failcnt"));
	}
	if (st) {
		key(g, "raw");
		gen_keyed_map(g, st);
	}
	yajl_gen_map_close(g);
}

static void gen_pids(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, "pids");

	if (h == NULL || h->dirfd < 0)
		return;
	key(g, "pids");
	yajl_gen_map_open(g);
	json_gen_kuint(g, "current", u64_of(h, "pids.current"));
	json_gen_kuint(g, "limit", u64_of(h, "pids.max"));
	yajl_gen_map_close(g);
}

static void gen_blkio_entry(yajl_gen g, unsigned maj, unsigned min, const char *op, uint64_t v)
{
	yajl_gen_map_open(g);
	json_gen_kuint(g, "major", maj);
	json_gen_kuint(g, "minor", min);
	json_gen_kstr(g, "op", op);
	json_gen_kuint(g, "value", v);
	yajl_gen_map_close(g);
}

/* v1: "8:0 Read 123" lines */
static void gen_blkio_v1(yajl_gen g, const struct cg_hier *h, const char *name, const char *file)
{
	_cleanup_free_ char *s = cg_read(h, file);

	key(g, name);
	yajl_gen_array_open(g);
	for (char *save = NULL, *l = s ? strtok_r(s, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char op[32];
		unsigned long long v;
		if (sscanf(l, "%u:%u %31s %llu", &maj, &min, op, &v) == 4)
			gen_blkio_entry(g, maj, min, op, v);
	}
	yajl_gen_array_close(g);
}

/* v2: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." */
static void gen_io_v2(yajl_gen g, const struct cg_hier *h, bool bytes)
{
	_cleanup_free_ char *s = cg_read(h, "io.stat");

	key(g, bytes ? "ioServiceBytesRecursive" : "ioServicedRecursive");
	yajl_gen_array_open(g);
	for (char *save = NULL, *l = s ? strtok_r(s, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		uint64_t r = 0, w = 0;
		if (sscanf(l, "%u:%u", &maj, &min) != 2)
			continue;
		char *rk = strstr(l, bytes ? "rbytes=" : "rios=");
		char *wk = strstr(l, bytes ? "wbytes=" : "wios=");
		if (rk)
			r = strtoull(strchr(rk, '=') + 1, NULL, 10);
		if (wk)
			w = strtoull(strchr(wk, '=') + 1, NULL, 10);
		gen_blkio_entry(g, maj, min, "Read", r);
		gen_blkio_entry(g, maj, min, "Write", w);
		gen_blkio_entry(g, maj, min, "Total", r + w);
	}
	yajl_gen_array_close(g);
}

static void gen_blkio(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, cg->layout == CG_UNIFIED ? "io" : "blkio");

	if (h == NULL || h->dirfd < 0)
		return;
	key(g, "blkio");
	yajl_gen_map_open(g);
	if (cg_is_v2(cg, h)) {
		gen_io_v2(g, h, true);
		gen_io_v2(g, h, false);
	} else {
		gen_blkio_v1(g, h, "ioServiceBytesRecursive",
			     "blkio.throttle.io_service_bytes_recursive");
		gen_blkio_v1(g, h, "ioServicedRecursive", "blkio.throttle.io_serviced_recursive");
	}
	yajl_gen_map_close(g);
}

static void gen_hugetlb(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, "hugetlb");
	_cleanup_dir_ DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *de;

	if (h == NULL || h->dirfd < 0 || d == NULL)
		return;
	key(g, "hugetlb");
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
				keyed(ev, "max", &failcnt);
		} else {
			failcnt = u64_of(h, fail);
		}
		key(g, size);
		yajl_gen_map_open(g);
		json_gen_kuint(g, "usage", u64_of(h, usage));
		json_gen_kuint(g, "max", u64_of(h, max));
		json_gen_kuint(g, "failcnt", failcnt);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
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
	gen_cpu(g, cg);
	gen_memory(g, cg);
	gen_pids(g, cg);
	gen_blkio(g, cg);
	gen_hugetlb(g, cg);
	key(g, "intel_rdt");
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
	key(g, "network_interfaces");
	yajl_gen_null(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return json_gen_finish(g, out, &len, err);
}

/* ---- OOM notifications ---- */

static uint64_t oom_kills(const struct cg_hier *h)
{
	_cleanup_free_ char *ev = cg_read(h, "memory.events");
	uint64_t v = 0;

	if (ev)
		keyed(ev, "oom_kill", &v);
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
