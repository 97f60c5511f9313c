// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The freezer, v1 and v2 together: v1's freezer.state (FREEZING may need
 * the write again) and v2's cgroup.freeze (cgroup.events says when every
 * task has stopped), pause and resume, a v1 freezer frozen above ours
 * (freezer.parent_freezing), and whether a container is frozen, for
 * `state` and, cheaply, for every container of `list`.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int freeze_v1(struct cg_hier *h, bool freeze, struct husk_error *err)
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

static int freeze_v2(struct cg_hier *h, bool freeze, struct husk_error *err)
{
	const char *want = freeze ? "frozen 1" : "frozen 0";

	if (cg_write(h, freeze ? "pause" : "resume", "cgroup.freeze", freeze ? "1" : "0", err) < 0)
		return -1;
	/* cgroup.events says when every task has actually stopped */
	for (int i = 0; i < 1000; i++) {
		_cleanup_free_ char *ev = cg_read(h, "cgroup.events");
		if (ev == NULL)
			return husk_error_errno(err, "read cgroup.events");
		if (strstr(ev, want))
			return 0;
		sleep_ms(i < 10 ? 1 : 10);
	}
	if (freeze)
		cg_write(h, "pause", "cgroup.freeze", "0", err);
	return husk_error_set(err, EBUSY, "%s: the cgroup did not become %s",
			      freeze ? "pause" : "resume", freeze ? "frozen" : "thawed");
}

/* ---- pause, resume and the state ---- */

struct cg_hier *cg_freezer_hier(const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, "freezer");

	if (h && !cg_is_v2(cg, h) && h->dirfd >= 0)
		return h;
	if (cg->unified >= 0 && cg->h[cg->unified].dirfd >= 0 &&
	    cg_has_file(&cg->h[cg->unified], "cgroup.freeze"))
		return &cg->h[cg->unified];
	return NULL;
}

int cgroup_freeze(struct cgroup_handle *cg, bool freeze, struct husk_error *err)
{
	struct cg_hier *h = cg_freezer_hier(cg);

	if (h == NULL)
		return husk_error_set(err, ENOTSUP,
				      "%s: no freezer: neither the v1 freezer controller nor "
				      "cgroup.freeze is available",
				      freeze ? "pause" : "resume");
	if (cg_is_v2(cg, h))
		return freeze_v2(h, freeze, err);
	return freeze_v1(h, freeze, err);
}

/* freezer.parent_freezing: a v1 freezer above ours (not ours) is frozen. */
static bool frozen_by_parent(const struct cgroup_handle *cg, struct cg_hier **hp)
{
	struct cg_hier *h = cg_freezer_hier(cg);
	_cleanup_free_ char *s = NULL;

	if (h == NULL || cg_is_v2(cg, h))
		return false;
	s = cg_read(h, "freezer.parent_freezing");
	*hp = h;
	return s && s[0] == '1';
}

int cgroup_check_not_frozen_by_parent(const struct cgroup_handle *cg, struct husk_error *err)
{
	struct cg_hier *h = NULL;

	if (!frozen_by_parent(cg, &h))
		return 0;
	return husk_error_set(err, EBUSY,
			      "the container's processes are frozen by the freezer of a parent "
			      "cgroup of `%s` that husk did not freeze (freezer.parent_freezing "
			      "is 1): thaw it, or delete --force (which takes them out of it)",
			      cg->path);
}

/*
 * The root of the freezer hierarchy as husk sees it is a cgroup of its own
 * when husk runs in a container (a bind of a cgroup) or in a cgroup
 * namespace, and a freezer above it, out of husk's sight, may hold it
 * frozen.  Moved there the processes would stay frozen, their cgroups in
 * the other hierarchies could not be removed: say so before touching
 * anything.  The real root has no freezer.state.
 */
static int check_root_thawed(const struct cgroup_handle *cg, const struct cg_hier *h, int root,
			     struct husk_error *err)
{
	struct husk_error e = HUSK_ERROR_INIT;
	_cleanup_free_ char *s = NULL;
	size_t len = 0;

	if (read_file_at(root, "freezer.state", 64, &s, &len, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	if (strcmp(s, "THAWED") == 0)
		return 0;
	return husk_error_set(
	    err, EBUSY,
	    "the container's processes are frozen by the freezer of a parent "
	    "cgroup of `%s` that husk did not freeze (freezer.parent_freezing "
	    "is 1), and the freezer hierarchy's root as husk sees it, `%s`, is "
	    "%s too (freezer.state): a cgroup frozen from above, out of husk's "
	    "sight (husk runs in a container or a cgroup namespace), so there is "
	    "nowhere to move them to be killed; thaw it, then delete --force again",
	    cg->path, h->mount, s);
}

/*
 * SIGKILL every process of the container, then move each into the freezer
 * hierarchy's root: the kernel thaws a task it attaches to a cgroup that is
 * not freezing, and a thawed task acts on its pending SIGKILL before it runs
 * anything.  The kill comes first so that none of them can fork once awake.
 * Only the container's own processes leave the frozen cgroup: the freezer
 * above, and whatever else it holds, stay frozen.
 */
int cgroup_leave_parent_freezer(const struct cgroup_handle *cg, struct husk_error *err)
{
	struct cg_hier *h = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	if (!frozen_by_parent(cg, &h))
		return 0;
	_cleanup_close_ int root = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return husk_error_errno(err, "open the freezer hierarchy's root `%s`", h->mount);
	if (check_root_thawed(cg, h, root, err) < 0)
		return -1;
	cg_collect_pids(h->dirfd, &pids, &n);
	for (size_t i = 0; i < n; i++)
		(void)kill(pids[i], SIGKILL);
	for (size_t i = 0; i < n; i++) {
		char v[32];
		snprintf(v, sizeof v, "%d", (int)pids[i]);
		if (write_file_at(root, "cgroup.procs", v, err) < 0 && err->errnum != ESRCH)
			return husk_error_prefix(
			    err,
			    "the container's processes are frozen by the freezer of a parent "
			    "cgroup of `%s` that husk did not freeze (freezer.parent_freezing "
			    "is 1), and the kernel refused to move pid %d out of it into `%s` "
			    "to let it die",
			    cg->path, (int)pids[i], h->mount);
		husk_error_clear(err);
	}
	return 0;
}

int cgroup_is_frozen(const struct cgroup_handle *cg, bool *frozen, struct husk_error *err)
{
	struct cg_hier *h = cg_freezer_hier(cg);
	_cleanup_free_ char *s = NULL;

	*frozen = false;
	if (h == NULL)
		return 0;
	s = cg_read(h, cg_is_v2(cg, h) ? "cgroup.freeze" : "freezer.state");
	if (s == NULL)
		return 0;
	*frozen = cg_is_v2(cg, h) ? s[0] == '1' : str_has_prefix(s, "FROZEN");
	return 0;
}

int cgroup_state_frozen(const struct spec_state *st, bool *frozen, struct husk_error *err)
{
	/* `list` asks this for every container: discover the layout once and
	 * read one file, instead of opening every hierarchy each time. */
	static struct cgroup_handle *layout;
	static int mfd = -1; /* the freezer hierarchy's root, kept for the next call */
	_cleanup_free_ char *rel = NULL;
	_cleanup_close_ int fd = -1;
	struct cg_hier *h;
	char buf[32];
	ssize_t n;

	*frozen = false;
	if (st->cgroup_path == NULL || st->cgroup_path[0] == '\0')
		return 0;
	if (layout == NULL) {
		layout = cg_discover(err);
		if (layout == NULL)
			return -1;
	}
	h = cg_find(layout, "freezer");
	if (h == NULL || cg_is_v2(layout, h))
		h = layout->unified >= 0 ? &layout->h[layout->unified] : NULL;
	if (h == NULL)
		return 0;
	if (mfd < 0)
		mfd = open(h->mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return 0;
	rel = xasprintf("%s/%s", st->cgroup_path[0] == '/' ? st->cgroup_path + 1 : st->cgroup_path,
			cg_is_v2(layout, h) ? "cgroup.freeze" : "freezer.state");
	fd = openat(mfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	/* one line ("0", "THAWED", "FREEZING"...), which one read returns whole:
	 * no second read for the end of the file, once per container of `list` */
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	*frozen = cg_is_v2(layout, h) ? buf[0] == '1' : str_has_prefix(buf, "FROZEN");
	return 0;
}
