// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The v1 cpu controller's real-time budget (CONFIG_RT_GROUP_SCHED):
 * cpu.rt_runtime_us out of every cpu.rt_period_us.  A new cgroup starts
 * with a runtime of 0, where nothing can run SCHED_FIFO or SCHED_RR, and
 * the kernel wants every cgroup to hold at least the sum of what its
 * children hold (as fractions of their periods).  So a container that
 * needs a budget takes it from its parents: each level between it and the
 * hierarchy's root is raised, top down, just enough.
 *
 * What husk raised it gives back.  Before raising a level for the first
 * time husk writes down its value as it found it, in RT_RECORDS; when a
 * container goes, each recorded level above it is lowered to what its
 * remaining children need, never below that first value, and the record
 * goes once the level is back to it.  Concurrent containers compose: a
 * level stays up while any of them needs it.  A lock on RT_RECORDS keeps
 * two husks from computing the sums at once.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RT_RECORDS "/run/husk-cgroup-rt"
#define BW_SHIFT 20	    /* the kernel's fixed point for runtime/period */
#define RT_DEFAULT_SHARE 20 /* process.scheduler alone: period / 20 */

struct rt_level {
	int fd;		 /* the level's directory */
	char *rel;	 /* its path below the hierarchy's root ("" for the root) */
	int64_t runtime; /* cpu.rt_runtime_us now, -1: unlimited */
	uint64_t period; /* cpu.rt_period_us */
	uint64_t need;	 /* the ratio it must be raised to */
};

static int64_t read_num(int dirfd, const char *file)
{
	_cleanup_free_ char *s = NULL;
	struct husk_error e = HUSK_ERROR_INIT;
	size_t len;
	int64_t v;

	if (read_file_at(dirfd, file, 64, &s, &len, &e) < 0) {
		husk_error_clear(&e);
		return -2;
	}
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	return parse_int64(s, &v) == 0 ? v : -2;
}

/* runtime/period in the kernel's fixed point; -1 (unlimited) counts as all. */
static uint64_t ratio(int64_t runtime, uint64_t period)
{
	if (period == 0)
		return 0;
	if (runtime < 0)
		return (uint64_t)1 << BW_SHIFT;
	return ((uint64_t)runtime << BW_SHIFT) / period;
}

/* The smallest runtime whose ratio at this period is at least r. */
static int64_t runtime_for(uint64_t r, uint64_t period)
{
	return (int64_t)((r * period + ((uint64_t)1 << BW_SHIFT) - 1) >> BW_SHIFT);
}

/* What the children of dirfd hold, but `skip`, as a ratio. */
static uint64_t children_ratio(int dirfd, const char *skip)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	uint64_t sum = 0;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    (skip && strcmp(de->d_name, skip) == 0))
			continue;
		_cleanup_close_ int c =
		    openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c < 0)
			continue;
		int64_t rt = read_num(c, "cpu.rt_runtime_us");
		int64_t p = read_num(c, "cpu.rt_period_us");
		if (rt == -2 || p <= 0 || rt == 0)
			continue;
		sum += ratio(rt, (uint64_t)p);
	}
	return sum;
}

/* The record's file name: the level's path, '/' and '%' escaped. */
static char *record_name(const char *rel)
{
	char *out = xcalloc(strlen(rel) * 3 + 2, 1), *o = out;

	for (const char *p = rel; *p; p++) {
		if (*p == '/' || *p == '%')
			o += sprintf(o, "%%%02X", (unsigned char)*p);
		else
			*o++ = *p;
	}
	return out;
}

/* RT_RECORDS, locked; -1 with create false when there is none. */
static int records_open(bool create, struct husk_error *err)
{
	if (create && mkdir(RT_RECORDS, 0700) < 0 && errno != EEXIST)
		return husk_error_errno(err, "mkdir %s", RT_RECORDS);
	int fd = open(RT_RECORDS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return create ? husk_error_errno(err, "open %s", RT_RECORDS) : -1;
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return husk_error_errno(err, "lock %s", RT_RECORDS);
	}
	return fd;
}

static void levels_free(struct rt_level *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (l[i].fd >= 0)
			close(l[i].fd);
		free(l[i].rel);
	}
	free(l);
}

/* The hierarchy's root and each existing directory down to (not including)
 * the leaf of `path`, with their budgets.  *leaf_name: the last component. */
static int levels_open(const struct cg_hier *h, const char *path, struct rt_level **out, size_t *n,
		       char **leaf_name, struct husk_error *err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	struct rt_level *l = xcalloc(1, sizeof *l);
	size_t k = 1;
	char *save = NULL, *comp, *next;

	l[0].fd = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	l[0].rel = xstrdup("");
	if (l[0].fd < 0) {
		levels_free(l, 1);
		return husk_error_errno(err, "open `%s`", h->mount);
	}
	*leaf_name = NULL;
	comp = strtok_r(copy, "/", &save);
	while (comp) {
		next = strtok_r(NULL, "/", &save);
		if (next == NULL) {
			*leaf_name = xstrdup(comp);
			break;
		}
		int fd = openat(l[k - 1].fd, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			break; /* gone (after a delete): the levels above are what is left */
		l = xrealloc(l, (k + 1) * sizeof *l);
		l[k].fd = fd;
		l[k].rel = xasprintf("%s/%s", l[k - 1].rel, comp);
		k++;
		comp = next;
	}
	for (size_t i = 0; i < k; i++) {
		l[i].runtime = read_num(l[i].fd, "cpu.rt_runtime_us");
		int64_t p = read_num(l[i].fd, "cpu.rt_period_us");
		l[i].period = p > 0 ? (uint64_t)p : 0;
	}
	*out = l;
	*n = k;
	return 0;
}

/* The component of levels[i + 1] (or the leaf) below levels[i]. */
static const char *child_name(const struct rt_level *l, size_t n, size_t i, const char *leaf)
{
	if (i + 1 >= n)
		return leaf;
	return strrchr(l[i + 1].rel, '/') + 1;
}

static int record_first_value(int rec, const struct rt_level *lv, struct husk_error *err)
{
	_cleanup_free_ char *name = record_name(lv->rel);
	_cleanup_free_ char *v = xasprintf("%" PRId64 "\n", lv->runtime);
	_cleanup_close_ int fd = openat(rec, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : husk_error_errno(err, "record %s", lv->rel);
	if (write_all(fd, v, strlen(v)) < 0)
		return husk_error_errno(err, "record %s", lv->rel);
	return 0;
}

int64_t cg_rt_read(const struct cg_hier *h, const char *file)
{
	return read_num(h->dirfd, file);
}

int cg_rt_budget_v1(struct cgroup_handle *cg, struct cg_hier *h, int64_t want, uint64_t period,
		    const char *field, struct husk_error *err)
{
	struct rt_level *l = NULL;
	size_t n = 0;
	_cleanup_free_ char *leaf = NULL;
	int ret = -1;

	if (want <= 0)
		return 0;
	if (period == 0)
		return husk_error_set(err, EINVAL, "%s: a real-time period of 0", field);
	int64_t leaf_period = (int64_t)period;
	_cleanup_close_ int rec = records_open(true, err);
	if (rec < 0)
		return husk_error_prefix(err, "%s", field);
	if (levels_open(h, cg->path, &l, &n, &leaf, err) < 0)
		return husk_error_prefix(err, "%s", field);
	if (leaf == NULL || n < 1) {
		husk_error_set(err, EINVAL, "%s: no cgroup path", field);
		goto out;
	}
	/* Bottom up: what each level must hold for its children, the one on
	 * our way down counted at what it will be; stop at the first level
	 * that already holds enough. */
	uint64_t child_need = ratio(want, (uint64_t)leaf_period);
	size_t top = n; /* the highest level to raise; n: none */
	for (size_t i = n; i-- > 0;) {
		uint64_t need = children_ratio(l[i].fd, child_name(l, n, i, leaf)) + child_need;
		if (ratio(l[i].runtime, l[i].period) >= need)
			break;
		if (i == 0) {
			husk_error_set(err, EBUSY,
				       "%s: %" PRId64 " us of real-time budget every %" PRId64
				       " us is more than the cpu hierarchy's root `%s` has left "
				       "(cpu.rt_runtime_us, its children's share counted)",
				       field, want, leaf_period, h->mount);
			goto out;
		}
		top = i;
		child_need = need;
		l[i].need = need;
	}
	for (size_t i = top; i < n; i++) {
		if (record_first_value(rec, &l[i], err) < 0)
			goto prefix;
		_cleanup_free_ char *v = xasprintf("%" PRId64, runtime_for(l[i].need, l[i].period));
		if (write_file_at(l[i].fd, "cpu.rt_runtime_us", v, err) < 0) {
			husk_error_set(
			    err, err->errnum,
			    "%s: the parent cgroup `%s` cannot be given %s us of real-time "
			    "budget every %" PRIu64 " us (cpu.rt_runtime_us): its own "
			    "parent has too little left",
			    field, l[i].rel, v, l[i].period);
			goto out;
		}
	}
	ret = 0;
	goto out;
prefix:
	husk_error_prefix(err, "%s", field);
out:
	levels_free(l, n);
	return ret;
}

/* A recorded level: down to what its children need, not below its first value. */
static void give_back(int rec, struct rt_level *lv)
{
	_cleanup_free_ char *name = record_name(lv->rel);
	int64_t first = read_num(rec, name);

	if (first == -2)
		return;
	int64_t target = runtime_for(children_ratio(lv->fd, NULL), lv->period);
	if (first < 0 || target < first)
		target = first;
	if (lv->runtime >= 0 && target < lv->runtime) {
		_cleanup_free_ char *v = xasprintf("%" PRId64, target);
		struct husk_error e = HUSK_ERROR_INIT;
		int r;
		/* A child rmdir'ed a moment ago still counts until the kernel
		 * has released it (after an RCU grace period): EINVAL, briefly. */
		for (int tries = 0; (r = write_file_at(lv->fd, "cpu.rt_runtime_us", v, &e)) < 0 &&
				    e.errnum == EINVAL && tries < 200;
		     tries++) {
			husk_error_clear(&e);
			nanosleep(&(struct timespec){0, 5 * 1000000L}, NULL);
		}
		if (r < 0) {
			husk_warn("cgroups: give back the real-time budget of `%s`: %s", lv->rel,
				  husk_error_text(&e));
			husk_error_clear(&e);
			return;
		}
	}
	if (target == first)
		(void)unlinkat(rec, name, 0);
}

void cg_rt_release_v1(const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, "cpu");
	struct husk_error e = HUSK_ERROR_INIT;
	struct rt_level *l = NULL;
	size_t n = 0;
	_cleanup_free_ char *leaf = NULL;

	if (h == NULL || cg_is_v2(cg, h) || cg->path == NULL)
		return;
	_cleanup_close_ int rec = records_open(false, &e);
	if (rec < 0)
		return;
	if (levels_open(h, cg->path, &l, &n, &leaf, &e) < 0) {
		husk_error_clear(&e);
		return;
	}
	/* Bottom up: a child lowered first leaves its parent free to follow. */
	for (size_t i = n; i-- > 1;)
		give_back(rec, &l[i]);
	/* Levels removed with the container: their records go too. */
	_cleanup_free_ char *copy = xstrdup(cg->path);
	for (char *slash; (slash = strrchr(copy, '/')) && strlen(copy) > strlen(l[n - 1].rel);
	     *slash = '\0') {
		_cleanup_free_ char *name = record_name(copy);
		(void)unlinkat(rec, name, 0);
	}
	levels_free(l, n);
}

int cg_rt_for_scheduler_v1(struct cgroup_handle *cg, struct husk_error *err)
{
	const struct spec_config *cfg = cg->cfg;
	const struct spec_scheduler *s = cfg && cfg->process ? cfg->process->scheduler : NULL;
	const struct spec_cpu *c =
	    cfg && cfg->linux && cfg->linux->resources ? cfg->linux->resources->cpu : NULL;
	struct cg_hier *h = cg_v1_hier(cg, "cpu");

	if (s == NULL || s->policy == NULL ||
	    (strcmp(s->policy, "SCHED_FIFO") != 0 && strcmp(s->policy, "SCHED_RR") != 0))
		return 0;
	if (c && c->has_realtime_runtime && c->realtime_runtime != 0)
		return 0; /* asked for in so many words: cg_cpu_v1 gave it */
	if (h == NULL || !cg_has_file(h, "cpu.rt_runtime_us"))
		return 0; /* no real-time group scheduling: nothing to give */
	int64_t period = read_num(h->dirfd, "cpu.rt_period_us");
	if (period <= 0)
		return husk_error_set(
		    err, EINVAL, "process.scheduler: cannot read the cgroup's cpu.rt_period_us");
	/* A twentieth of the period: the kernel keeps 5% for the rest by
	 * default, so some twenty such containers fit under its root. */
	int64_t want = period / RT_DEFAULT_SHARE > 0 ? period / RT_DEFAULT_SHARE : 1;
	_cleanup_free_ char *field = xasprintf(
	    "process.scheduler: %s needs a real-time budget in the container's v1 cpu cgroup, and "
	    "without linux.resources.cpu.realtimeRuntime husk gives it %" PRId64 " us every "
	    "%" PRId64 " us from its parents",
	    s->policy, want, period);
	if (cg_rt_budget_v1(cg, h, want, (uint64_t)period, field, err) < 0)
		return -1;
	return cg_writef(h, "process.scheduler", "cpu.rt_runtime_us", err, "%" PRId64, want);
}

void cg_rt_zero_v1(const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_v1_hier(cg, "cpu");
	struct husk_error e = HUSK_ERROR_INIT;

	/* no budget was ever given on this host: nothing to take back */
	if (access(RT_RECORDS, F_OK) < 0)
		return;
	if (h == NULL || !cg_has_file(h, "cpu.rt_runtime_us"))
		return;
	_cleanup_close_ int mfd = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *rel = xstrdup(cg->path[0] == '/' ? cg->path + 1 : cg->path);
	if (mfd < 0)
		return;
	/* the leaf, then each parent made for it: children before parents */
	for (unsigned depth = h->created_depth ? h->created_depth : 1; depth-- > 0;) {
		_cleanup_close_ int fd = openat(mfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || read_num(fd, "cpu.rt_runtime_us") == 0 ||
		    write_file_at(fd, "cpu.rt_runtime_us", "0", &e) < 0)
			break;
		char *slash = strrchr(rel, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
	}
	husk_error_clear(&e);
}
