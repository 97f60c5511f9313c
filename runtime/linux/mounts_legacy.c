// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Mount flags and propagation without mount_setattr (Linux before 5.12).
 *
 * mount(2) takes paths, so every path we give it is the magic link of an fd
 * we hold ("N" in our procfs handle's self/fd, made the working directory
 * for the call): the kernel follows the link to exactly the mount the fd
 * is on, and no path inside the rootfs is looked up by name.
 *
 * Flags are set with a bind-remount, which works only on a mount in our
 * namespace.  A detached tree (open_tree, fsmount) is not, so what is asked
 * of it is kept here and applied the moment mount_attach() attaches it,
 * before anything of the container runs.  A remount is not recursive: for
 * AT_RECURSIVE each submount, found in mountinfo, is opened inside the
 * tree and checked to be that mount before it is remounted.
 *
 * Without the fd-based mount API at all (before 5.2) there are no detached
 * trees: mount_tree_clone() and mount_new_fs() hand out a placeholder fd
 * (the O_PATH fd of a bind's source, or an eventfd) standing for the mount
 * to make, and mount_attach() makes it with mount(2) onto the target's fd,
 * opens the new mount by the target's path, checks in mountinfo that it is
 * the mount just made there, and puts it in the placeholder's place, so the
 * caller's fd is the attached mount, as after move_mount.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/kernel.h"
#include "linux/linux.h"
#include "linux/mountinfo.h"
#include "linux/mounts.h"
#include "util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* ---- mount ids ---- */

int mount_fd_id(int fd, uint64_t *id)
{
	struct husk_error err = HUSK_ERROR_INIT;
	char path[64];

	/* fdinfo has mnt_id on every kernel we run on; statx only from 5.8. */
	snprintf(path, sizeof(path), "self/fdinfo/%d", fd);
	_cleanup_close_ int f = procfs_open(path, O_RDONLY, &err);
	_cleanup_free_ char *buf = NULL;
	husk_error_clear(&err);
	if (f < 0 || read_fd_all(f, 1 << 16, &buf, NULL, &err) < 0) {
		husk_error_clear(&err);
		return -1;
	}
	char *line = strstr(buf, "\nmnt_id:");
	if (line == NULL || sscanf(line + 8, "%" SCNu64, id) != 1) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

struct minfo {
	uint64_t id, parent;
	char *point; /* mount point, unescaped */
};

static void minfo_free(struct minfo *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].point);
	free(m);
}

static int collect(const struct mountinfo_entry *e, void *data, struct husk_error *err)
{
	struct {
		struct minfo *m;
		size_t n;
	} *c = data;

	(void)err;
	c->m = xrealloc(c->m, (c->n + 1) * sizeof(*c->m));
	c->m[c->n++] =
	    (struct minfo){.id = e->id, .parent = e->parent_id, .point = xstrdup(e->mount_point)};
	return 0;
}

static int read_mountinfo(struct minfo **out, size_t *n_out, struct husk_error *err)
{
	_cleanup_close_ int fd = procfs_open("self/mountinfo", O_RDONLY, err);
	struct {
		struct minfo *m;
		size_t n;
	} c = {NULL, 0};

	if (fd < 0)
		return -1;
	if (mountinfo_foreach(fd, collect, &c, err) < 0) {
		minfo_free(c.m, c.n);
		return -1;
	}
	*out = c.m;
	*n_out = c.n;
	return 0;
}

/* Whether the mount fd is on belongs to our namespace (else it is a
 * detached tree, or another namespace's). */
static int mount_is_ours(int fd, uint64_t *id, struct husk_error *err)
{
	struct minfo *m = NULL;
	size_t n = 0;
	bool found = false;

	if (mount_fd_id(fd, id) < 0)
		return husk_error_errno(err, "find the mount id of fd %d", fd);
	if (read_mountinfo(&m, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && !found; i++)
		found = m[i].id == *id;
	minfo_free(m, n);
	return found ? 1 : 0;
}

/* ---- mount(2) on fds ---- */

int mount_at_fd(const char *source, int source_fd, int target_fd, const char *type,
		unsigned long flags, const char *data)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_close_ int fddir = procfs_open("self/fd", O_PATH | O_DIRECTORY, &err);
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char src[32], dst[32];
	int r, saved;

	husk_error_clear(&err);
	if (fddir < 0 || cwd < 0)
		return -1;
	snprintf(dst, sizeof(dst), "%d", target_fd);
	if (source_fd >= 0) {
		snprintf(src, sizeof(src), "%d", source_fd);
		source = src;
	}
	if (fchdir(fddir) < 0)
		return -1;
	r = mount(source, dst, type, flags, data);
	saved = errno;
	if (fchdir(cwd) < 0)
		abort(); /* we cannot go on from the wrong directory */
	errno = saved;
	return r;
}

/* ---- flags ---- */

static unsigned long attrs_to_ms(uint64_t a, bool set_atime)
{
	unsigned long ms = 0;

	if (a & MOUNT_ATTR_RDONLY)
		ms |= MS_RDONLY;
	if (a & MOUNT_ATTR_NOSUID)
		ms |= MS_NOSUID;
	if (a & MOUNT_ATTR_NODEV)
		ms |= MS_NODEV;
	if (a & MOUNT_ATTR_NOEXEC)
		ms |= MS_NOEXEC;
	if (a & MOUNT_ATTR_NODIRATIME)
		ms |= MS_NODIRATIME;
	if (a & MOUNT_ATTR_NOSYMFOLLOW)
		ms |= MS_NOSYMFOLLOW;
	/* Without an atime flag a remount keeps the mount's atime mode. */
	if (set_atime) {
		switch (a & MOUNT_ATTR__ATIME) {
		case MOUNT_ATTR_NOATIME:
			ms |= MS_NOATIME;
			break;
		case MOUNT_ATTR_STRICTATIME:
			ms |= MS_STRICTATIME;
			break;
		default:
			ms |= MS_RELATIME;
			break;
		}
	}
	return ms;
}

/* One bind-remount of the mount whose root fd is: the flags it has, with
 * set added and clr taken away. */
static int remount_one(int fd, uint64_t set, uint64_t clr)
{
	uint64_t have = mount_attrs_of(fd);
	bool atime = (clr & MOUNT_ATTR__ATIME) != 0;
	uint64_t want = (have & ~clr) | set;
	unsigned long flags = MS_REMOUNT | MS_BIND;

	if (mount_at_fd(NULL, -1, fd, NULL, flags | attrs_to_ms(want, atime), NULL) == 0)
		return 0;
	if (errno != EPERM)
		return -1;
	/* Locked flags (user namespace): keep what the mount has. */
	want |= have & (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME);
	return mount_at_fd(NULL, -1, fd, NULL, flags | attrs_to_ms(want, false), NULL);
}

/* The mounts under the one with this id, in mountinfo order. */
static int submount_ids(uint64_t top, struct minfo *m, size_t n, bool *below)
{
	bool grew = true;
	int count = 0;

	for (size_t i = 0; i < n; i++)
		below[i] = false;
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (below[i] || m[i].id == top)
				continue;
			bool parent_below = m[i].parent == top;
			for (size_t j = 0; j < n && !parent_below; j++)
				parent_below = below[j] && m[j].id == m[i].parent;
			if (parent_below) {
				below[i] = grew = true;
				count++;
			}
		}
	}
	return count;
}

static const char *point_of(uint64_t id, struct minfo *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].id == id)
			return m[i].point;
	return NULL;
}

/* Open submount sub of the tree at top (mount top_id), inside the tree,
 * and check it is the root of that very mount. */
static int open_submount(int top, uint64_t top_id, const struct minfo *sub, struct minfo *m,
			 size_t n, struct husk_error *err)
{
	const char *tp = point_of(top_id, m, n);
	size_t tl = tp ? strlen(tp) : 0;
	uint64_t id, up_id;

	if (tp == NULL || strncmp(sub->point, tp, tl) != 0 ||
	    (sub->point[tl] != '/' && strcmp(tp, "/") != 0))
		return husk_error_set(err, EXDEV, "submount `%s` is not under `%s`", sub->point,
				      tp ? tp : "?");
	const char *rel = sub->point + (strcmp(tp, "/") == 0 ? 0 : tl);
	_cleanup_close_ int fd = resolve_in_root(top, rel, O_PATH, RESOLVE_NO_CREATE, 0, err);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || mount_fd_id(fd, &id) < 0)
		return husk_error_errno(err, "inspect submount `%s`", sub->point);
	/* A file mount holds that one file: being on it is being at its root. */
	up_id = 0;
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0 || mount_fd_id(up, &up_id) < 0)
			return husk_error_errno(err, "inspect submount `%s`", sub->point);
	}
	if (id != sub->id || up_id == id)
		return husk_error_set(err, EXDEV, "submount `%s` moved while we set its flags",
				      sub->point);
	return steal_fd(&fd);
}

static int remount_tree(int fd, uint64_t id, bool recursive, uint64_t set, uint64_t clr,
			struct husk_error *err)
{
	struct minfo *m = NULL;
	size_t n = 0;
	int ret = 0;

	if (remount_one(fd, set, clr) < 0)
		return husk_error_errno(err, "set mount flags (bind-remount)");
	if (!recursive)
		return 0;
	if (read_mountinfo(&m, &n, err) < 0)
		return -1;
	bool *below = xcalloc(n ? n : 1, sizeof(bool));
	submount_ids(id, m, n, below);
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (!below[i])
			continue;
		_cleanup_close_ int sub = open_submount(fd, id, &m[i], m, n, err);
		if (sub < 0)
			ret = -1;
		else if (remount_one(sub, set, clr) < 0)
			ret = husk_error_errno(err, "set mount flags of submount `%s`", m[i].point);
	}
	free(below);
	minfo_free(m, n);
	return ret;
}

/* ---- what waits for a detached tree to be attached ---- */

struct pending {
	uint64_t id;   /* the detached tree's mount */
	unsigned plan; /* or the planned mount's serial (no mount API) */
	bool recursive, propagation_rec;
	uint64_t set, clr;
	unsigned long propagation;
};
static struct pending *pend;
static size_t n_pend;

static void defer(const struct pending *p)
{
	pend = xrealloc(pend, (n_pend + 1) * sizeof(*pend));
	pend[n_pend++] = *p;
}

static struct plan *plan_of(int fd);
static unsigned plan_serial(const struct plan *p);

int mount_legacy_set_attrs(int fd, bool recursive, uint64_t set, uint64_t clr,
			   struct husk_error *err)
{
	uint64_t id;
	struct plan *p = plan_of(fd);

	if (p) {
		defer(&(struct pending){
		    .plan = plan_serial(p), .recursive = recursive, .set = set, .clr = clr});
		return 0;
	}
	int ours = mount_is_ours(fd, &id, err);

	if (ours < 0)
		return -1;
	if (!ours) {
		defer(&(struct pending){.id = id, .recursive = recursive, .set = set, .clr = clr});
		return 0;
	}
	return remount_tree(fd, id, recursive, set, clr, err);
}

int mount_legacy_set_propagation(int fd, unsigned long propagation, bool recursive,
				 struct husk_error *err)
{
	uint64_t id;
	struct plan *p = plan_of(fd);

	if (p) {
		defer(&(struct pending){.plan = plan_serial(p),
					.propagation = propagation,
					.propagation_rec = recursive});
		return 0;
	}
	int ours = mount_is_ours(fd, &id, err);

	if (ours < 0)
		return -1;
	if (!ours) {
		defer(&(struct pending){
		    .id = id, .propagation = propagation, .propagation_rec = recursive});
		return 0;
	}
	if (mount_at_fd(NULL, -1, fd, NULL, propagation | (recursive ? MS_REC : 0), NULL) < 0)
		return husk_error_errno(err, "set mount propagation");
	return 0;
}

static int apply_pending(int tree, uint64_t id, unsigned plan, struct husk_error *err)
{
	int ret = 0;

	for (size_t i = 0; i < n_pend; i++) {
		struct pending p = pend[i];
		if (plan ? p.plan != plan : (p.plan || p.id != id))
			continue;
		memmove(&pend[i], &pend[i + 1], (n_pend - i - 1) * sizeof(*pend));
		n_pend--;
		i--;
		if (ret < 0)
			continue;
		if (p.set || p.clr)
			ret = remount_tree(tree, id, p.recursive, p.set, p.clr, err);
		else if (p.propagation)
			ret = mount_legacy_set_propagation(tree, p.propagation, p.propagation_rec,
							   err);
	}
	return ret;
}

int mount_legacy_attached(int tree, struct husk_error *err)
{
	uint64_t id;

	if (n_pend == 0)
		return 0;
	if (mount_fd_id(tree, &id) < 0)
		return husk_error_errno(err, "find the mount id of the attached tree");
	return apply_pending(tree, id, 0, err);
}

/* ---- without the fd-based mount API ---- */

struct plan {
	unsigned serial;
	int fd; /* the placeholder */
	dev_t dev;
	ino_t ino;
	bool bind, recursive;
	char *type, *source, *data;
	unsigned long flags;
};
static struct plan *plans;
static size_t n_plans;

static unsigned plan_serial(const struct plan *p)
{
	return p->serial;
}

static struct plan *plan_of(int fd)
{
	struct stat st;

	if (n_plans == 0 || fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	for (size_t i = 0; i < n_plans; i++)
		if (plans[i].fd == fd && plans[i].dev == st.st_dev && plans[i].ino == st.st_ino)
			return &plans[i];
	return NULL;
}

static void plan_drop(struct plan *p)
{
	free(p->type);
	free(p->source);
	free(p->data);
	size_t i = (size_t)(p - plans);
	memmove(&plans[i], &plans[i + 1], (n_plans - i - 1) * sizeof(*plans));
	n_plans--;
}

static int plan_add(int fd, struct plan p)
{
	static unsigned serial;
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	/* A placeholder number closed and reused is not the same plan. */
	for (size_t i = 0; i < n_plans; i++)
		if (plans[i].fd == fd)
			plan_drop(&plans[i--]);
	p.serial = ++serial;
	p.fd = fd;
	p.dev = st.st_dev;
	p.ino = st.st_ino;
	plans = xrealloc(plans, (n_plans + 1) * sizeof(*plans));
	plans[n_plans++] = p;
	return fd;
}

int mount_tree_clone(int dirfd, const char *path, unsigned int flags)
{
	int fd;

	if (kernel_has(KERNEL_MOUNT_API))
		return open_tree(dirfd, path, flags);
	if ((flags & AT_EMPTY_PATH) && *path == '\0')
		fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	else
		fd = openat(dirfd, path,
			    O_PATH | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0));
	return plan_add(fd, (struct plan){.bind = true, .recursive = (flags & AT_RECURSIVE) != 0});
}

int mount_legacy_new_fs(const char *fstype, const char *source, char *const *data, uint64_t attrs,
			struct husk_error *err)
{
	_cleanup_free_ char *joined = xstrdup("");

	for (size_t i = 0; data && data[i]; i++) {
		char *next = xasprintf("%s%s%s", joined, *joined ? "," : "", data[i]);
		free(joined);
		joined = next;
	}
	int fd = plan_add(eventfd(0, EFD_CLOEXEC),
			  (struct plan){.type = xstrdup(fstype),
					.source = xstrdup(source ? source : fstype),
					.data = *joined ? steal_pointer(&joined) : NULL,
					.flags = attrs_to_ms(attrs, true)});
	if (fd < 0)
		return husk_error_errno(err, "%s: a placeholder for the mount", fstype);
	return fd;
}

/* The mount just made on target: opened by target's path, and checked in
 * mountinfo to be the topmost mount there, and to be entered at its root. */
static int open_new_top(int target, struct husk_error *err)
{
	_cleanup_free_ char *path = mount_fd_path(target);
	_cleanup_free_ char *got = NULL;
	struct minfo *m = NULL;
	size_t n = 0;
	uint64_t id, under;
	bool found = false, covered = false;

	if (path == NULL || path[0] != '/')
		return husk_error_set(err, ENOENT, "the mount target has no path");
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || mount_fd_id(fd, &id) < 0 || mount_fd_id(target, &under) < 0)
		return husk_error_errno(err, "open the new mount at `%s`", path);
	got = mount_fd_path(fd);
	if (read_mountinfo(&m, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		found |= m[i].id == id && strcmp(m[i].point, path) == 0;
		covered |= m[i].parent == id && strcmp(m[i].point, path) == 0;
	}
	minfo_free(m, n);
	if (id == under || !found || covered || got == NULL || strcmp(got, path) != 0)
		return husk_error_set(err, EXDEV, "`%s` changed while it was mounted on", path);
	return steal_fd(&fd);
}

int mount_legacy_attach(int tree, int dirfd, const char *name, struct husk_error *err)
{
	struct plan *p = plan_of(tree);
	_cleanup_close_ int named = -1, top = -1;
	int target = dirfd, r;
	unsigned serial;

	if (p == NULL)
		return husk_error_set(err, EINVAL, "not a mount husk prepared");
	if (*name) {
		named = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (named < 0)
			return husk_error_errno(err, "open `%s`", name);
		target = named;
	}
	if (p->bind)
		r = mount_at_fd(NULL, tree, target, NULL, MS_BIND | (p->recursive ? MS_REC : 0),
				NULL);
	else
		r = mount_at_fd(p->source, -1, target, p->type, p->flags, p->data);
	if (r < 0)
		return husk_error_errno(err, "mount(2)");
	serial = p->serial;
	plan_drop(p);
	top = open_new_top(target, err);
	if (top < 0)
		return -1;
	/* The caller's fd is now the attached mount, as after move_mount. */
	if (dup3(top, tree, O_CLOEXEC) < 0)
		return husk_error_errno(err, "dup3");
	uint64_t id;
	if (mount_fd_id(tree, &id) < 0)
		return husk_error_errno(err, "find the mount id of the new mount");
	return apply_pending(tree, id, serial, err);
}
