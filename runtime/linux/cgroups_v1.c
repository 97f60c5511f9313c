// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup v1: one file per setting, in the hierarchy of its controller.
 * Values of -1 are written as they are: v1 reads -1 as "unlimited".
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

static int pids(struct cgroup_handle *cg, const struct spec_pids *p, struct husk_error *err)
{
	return cg_write_pids(cg_v1_hier(cg, "pids"), p, err);
}

static int hugetlb(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	struct cg_hier *h = cg_v1_hier(cg, "hugetlb");

	return h ? cg_write_hugepage_limits(h, r, "limit_in_bytes", err) : 0;
}

static int network(struct cgroup_handle *cg, const struct spec_network *n, struct husk_error *err)
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

static int rdma(struct cgroup_handle *cg, const struct spec_resources *r, struct husk_error *err)
{
	return cg_write_rdma(cg_v1_hier(cg, "rdma"), r, err);
}

int cg_v1_apply(struct cgroup_handle *cg, const struct spec_resources *res, bool update,
		struct husk_error *err)
{
	if (cg_memory_v1(cg, res->memory, update, err) < 0 || cg_cpu_v1(cg, res->cpu, err) < 0 ||
	    pids(cg, res->pids, err) < 0 || cg_blkio_v1(cg, res->block_io, err) < 0 ||
	    hugetlb(cg, res, err) < 0 || network(cg, res->network, err) < 0 ||
	    rdma(cg, res, err) < 0)
		return -1;
	return 0;
}

static void format_rule(const struct cg_dev_rule *r, char *buf, size_t len)
{
	char maj[24], min[24];

	if (r->type == 'a') {
		snprintf(buf, len, "a");
		return;
	}
	if (r->major < 0)
		snprintf(maj, sizeof maj, "*");
	else
		snprintf(maj, sizeof maj, "%" PRId64, r->major);
	if (r->minor < 0)
		snprintf(min, sizeof min, "*");
	else
		snprintf(min, sizeof min, "%" PRId64, r->minor);
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, r->access);
}

/* Each write(2) to devices.allow or devices.deny is one rule, so the two
 * files are opened once for all the rules (a default config has a dozen:
 * two syscalls fewer for each). */
int cg_v1_devices(struct cg_hier *h, const struct cg_dev_rule *rules, size_t n,
		  struct husk_error *err)
{
	static const char *const files[2] = {"devices.deny", "devices.allow"};
	_cleanup_close_ int deny = -1;
	_cleanup_close_ int allow = -1;

	if (n > 0 && h->dirfd < 0)
		return husk_error_set(err, ENOENT,
				      "linux.resources.devices: no cgroup directory to write to");
	for (size_t i = 0; i < n; i++) {
		int *fd = rules[i].allow ? &allow : &deny;
		const char *file = files[rules[i].allow];
		char buf[96];
		size_t len;

		format_rule(&rules[i], buf, sizeof buf);
		len = strlen(buf);
		if (*fd < 0)
			*fd = openat(h->dirfd, file, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (*fd < 0)
			return husk_error_errno(err, "linux.resources.devices: open %s", file);
		if (write(*fd, buf, len) != (ssize_t)len)
			return husk_error_errno(err, "linux.resources.devices: write `%s` to %s",
						buf, file);
		husk_debug("cgroup devices/%s <- %s", file, buf);
	}
	return 0;
}

/* A new v1 cpuset starts with no cpus and no mems, and no task may join it
 * until they are set: inherit the parent's. */
int cg_v1_init_cpuset(int parentfd, int dirfd, struct husk_error *err)
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
