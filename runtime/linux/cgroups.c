// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cgroup manager: which hierarchies are mounted, where the container's
 * cgroup lives in each, and its lifecycle (create, enter, freeze, kill,
 * destroy).  Resources are written by each controller's
 * cgroup_<controller>.c, in the order cgroups_v1.c / cgroups_v2.c call them;
 * the systemd driver is in cgroups_systemd.c.
 */
#include "config.h"
#include "cli.h"
#include "linux/cgroup_controllers.h"
#include "linux/cgroups.h"
#include "linux/mountinfo.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CG_ROOT "/sys/fs/cgroup"
#define CG_DEFAULT_PARENT "/husk"

/* ---- small file helpers ---- */

int cg_write(const struct cg_hier *h, const char *field, const char *file, const char *value,
	     struct husk_error *err)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);

	if (h->dirfd < 0)
		return husk_error_set(err, ENOENT, "%s: write `%s` to %s: no cgroup directory",
				      field, value, file);
	fd = openat(h->dirfd, file, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return husk_error_errno(err, "%s: open %s", field, file);
	if (write(fd, value, len) != (ssize_t)len)
		return husk_error_errno(err, "%s: write `%s` to %s", field, value, file);
	husk_debug("cgroup %s/%s <- %s", h->controllers ? h->controllers : "unified", file, value);
	return 0;
}

int cg_writef(const struct cg_hier *h, const char *field, const char *file, struct husk_error *err,
	      const char *fmt, ...)
{
	_cleanup_free_ char *value = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) < 0)
		value = NULL;
	va_end(ap);
	if (value == NULL)
		return husk_error_set(err, ENOMEM, "%s: out of memory", field);
	return cg_write(h, field, file, value, err);
}

bool cg_has_file(const struct cg_hier *h, const char *file)
{
	return h && h->dirfd >= 0 && faccessat(h->dirfd, file, F_OK, 0) == 0;
}

char *cg_read(const struct cg_hier *h, const char *file)
{
	struct husk_error err = HUSK_ERROR_INIT;
	char *buf = NULL;
	size_t len;

	if (h == NULL || h->dirfd < 0) {
		errno = ENOENT;
		return NULL;
	}
	if (read_file_at(h->dirfd, file, 1 << 20, &buf, &len, &err) < 0) {
		errno = err.errnum ? err.errnum : EIO;
		husk_error_clear(&err);
		return NULL;
	}
	return buf;
}

int cg_read_u64(const struct cg_hier *h, const char *file, uint64_t *out)
{
	_cleanup_free_ char *s = cg_read(h, file);

	if (s == NULL)
		return -1;
	s[strcspn(s, "\n")] = '\0';
	if (strcmp(s, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	return parse_uint64(s, out);
}

/* ---- hierarchies ---- */

static const char *const known_controllers[] = {
    "cpuset",  "cpu",	   "cpuacct",	 "blkio",   "memory", "devices", "freezer",
    "net_cls", "net_prio", "perf_event", "hugetlb", "pids",   "rdma",	 "misc",
};

static bool is_controller_token(const char *t)
{
	if (str_has_prefix(t, "name="))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(known_controllers); i++)
		if (strcmp(t, known_controllers[i]) == 0)
			return true;
	return false;
}

/* "rw,cpu,cpuacct,xattr" -> "cpu,cpuacct"; NULL when no controller. */
static char *controllers_of(const char *superopts)
{
	_cleanup_free_ char *copy = xstrdup(superopts);
	char *out = xcalloc(1, strlen(superopts) + 1);
	char *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!is_controller_token(t))
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, t);
	}
	if (*out == '\0') {
		free(out);
		return NULL;
	}
	return out;
}

static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p && *p;) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) == n && strncmp(p, item, n) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

static void add_hier(struct cgroup_handle *cg, char *controllers, const char *mount)
{
	cg->h = xrealloc(cg->h, (cg->n + 1) * sizeof *cg->h);
	cg->h[cg->n] =
	    (struct cg_hier){.controllers = controllers, .mount = xstrdup(mount), .dirfd = -1};
	if (controllers == NULL)
		cg->unified = (int)cg->n;
	cg->n++;
}

static bool fs_is_cgroup2(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && (unsigned long)sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* A v1 hierarchy mounted at its root under /sys/fs/cgroup, once per
 * controller set (a hierarchy can be mounted twice). */
static int add_v1_hierarchy(const struct mountinfo_entry *e, void *data, struct husk_error *err)
{
	struct cgroup_handle *cg = data;
	char *ctrls;

	(void)err;
	if (strcmp(e->fstype, "cgroup") != 0 || strcmp(e->root, "/") != 0 ||
	    !str_has_prefix(e->mount_point, CG_ROOT "/"))
		return 0;
	ctrls = controllers_of(e->super_options);
	if (ctrls == NULL)
		return 0;
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->h[i].controllers && strcmp(cg->h[i].controllers, ctrls) == 0) {
			free(ctrls);
			return 0;
		}
	}
	add_hier(cg, ctrls, e->mount_point);
	return 0;
}

static int discover(struct cgroup_handle *cg, struct husk_error *err)
{
	_cleanup_close_ int fd = -1;

	cg->unified = -1;
	if (fs_is_cgroup2(CG_ROOT))
		cg->layout = CG_UNIFIED;
	else if (fs_is_cgroup2(CG_ROOT "/unified"))
		cg->layout = CG_HYBRID;
	else
		cg->layout = CG_LEGACY;

	if (cg->layout == CG_UNIFIED) {
		add_hier(cg, NULL, CG_ROOT);
		return 0;
	}
	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "cgroups: open /proc/self/mountinfo");
	if (mountinfo_foreach(fd, add_v1_hierarchy, cg, err) < 0)
		return husk_error_prefix(err, "cgroups");
	if (cg->layout == CG_HYBRID) {
		struct husk_error e = HUSK_ERROR_INIT;
		_cleanup_close_ int ufd =
		    open(CG_ROOT "/unified", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		size_t len;
		add_hier(cg, NULL, CG_ROOT "/unified");
		if (ufd < 0 ||
		    read_file_at(ufd, "cgroup.controllers", 4096, &cg->unified_ctrls, &len, &e) < 0)
			cg->unified_ctrls = NULL;
		husk_error_clear(&e);
	}
	if (cg->n == 0)
		return husk_error_set(err, ENOENT,
				      "cgroups: no cgroup hierarchy is mounted under " CG_ROOT);
	return 0;
}

struct cg_hier *cg_find(const struct cgroup_handle *cg, const char *controller)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].controllers && list_has(cg->h[i].controllers, controller))
			return &cg->h[i];
	if (cg->unified < 0)
		return NULL;
	struct cg_hier *u = &cg->h[cg->unified];
	if (cg->layout == CG_UNIFIED)
		return u;
	/* hybrid: a controller that only the unified hierarchy has */
	size_t n = strlen(controller);
	for (const char *p = cg->unified_ctrls; p && *p;) {
		p += strspn(p, " \n");
		size_t l = strcspn(p, " \n");
		if (l == n && strncmp(p, controller, n) == 0)
			return u;
		p += l;
	}
	return NULL;
}

struct cg_hier *cg_primary(const struct cgroup_handle *cg)
{
	struct cg_hier *h = NULL;

	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].dirfd >= 0 && cg->h[i].controllers &&
		    list_has(cg->h[i].controllers, "freezer"))
			return &cg->h[i];
	if (cg->unified >= 0 && cg->h[cg->unified].dirfd >= 0)
		return &cg->h[cg->unified];
	for (size_t i = 0; i < cg->n && !h; i++)
		if (cg->h[i].dirfd >= 0)
			h = &cg->h[i];
	return h;
}

enum cg_layout cgroup_layout(const struct cgroup_handle *cg)
{
	return cg->layout;
}

/* ---- paths ---- */

/* Normalise to "/a/b": no empty, "." or ".." components. */
static int normalise_path(const char *in, char **out, struct husk_error *err)
{
	_cleanup_free_ char *copy = xstrdup(in);
	char *res = xcalloc(1, strlen(in) + 2);
	char *save = NULL;

	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			free(res);
			return husk_error_set(err, EINVAL,
					      "linux.cgroupsPath: `%s` must not contain `..`", in);
		}
		strcat(res, "/");
		strcat(res, t);
	}
	if (*res == '\0') {
		free(res);
		return husk_error_set(err, EINVAL, "linux.cgroupsPath: `%s` names the root cgroup",
				      in);
	}
	*out = res;
	return 0;
}

static int cgroupfs_path(const struct spec_config *cfg, const char *id, char **out,
			 struct husk_error *err)
{
	const char *p = cfg && cfg->linux ? cfg->linux->cgroups_path : NULL;

	if (p == NULL || *p == '\0') {
		_cleanup_free_ char *def = xasprintf(CG_DEFAULT_PARENT "/%s", id);
		return normalise_path(def, out, err);
	}
	return normalise_path(p, out, err);
}

/* ---- creating and opening the directories ---- */

/* Walk path below the hierarchy's mount, creating what is missing (and
 * initialising cpuset on v1).  Sets h->dirfd, returns how many trailing
 * components were created. */
/* The usual case, by path: every parent is there and only the leaf is new
 * (two syscalls where the walk below takes seven per hierarchy).  1 when
 * done, 0 to leave it to the walk (a missing parent, an existing leaf, a
 * race).  Not for cpuset, whose parents the walk must check too. */
static int create_leaf_fast(struct cgroup_handle *cg, struct cg_hier *h)
{
	_cleanup_free_ char *full = xasprintf("%s%s", h->mount, cg->path);
	int fd;

	if (mkdir(full, 0755) < 0)
		return 0;
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rmdir(full);
		return 0;
	}
	h->dirfd = fd;
	h->created_leaf = true;
	h->created_depth = 1;
	return 1;
}

/* A walk that failed part way made the last n components of the first len
 * bytes of path in h: remove them, deepest first, and nothing above. */
static void unmake_partial(const struct cg_hier *h, const char *path, size_t len, int n)
{
	_cleanup_free_ char *full = xasprintf("%s%.*s", h->mount, (int)len, path);
	size_t base = strlen(h->mount);

	while (n-- > 0 && rmdir(full) == 0) {
		char *slash = strrchr(full + base, '/');
		if (slash == NULL || slash == full + base)
			break;
		*slash = '\0';
	}
}

/* create_in failed at component t (made: by us): undo what it made in h,
 * which destroy cannot see (h has no directory yet). */
static int create_in_failed(const struct cgroup_handle *cg, const struct cg_hier *h,
			    const char *copy, const char *t, bool made, int created)
{
	size_t upto = (size_t)(t - copy) + (made ? strlen(t) : 0);

	if (!made && upto > 0)
		upto--; /* the '/' before t */
	unmake_partial(h, cg->path, upto, made ? created + 1 : created);
	return -1;
}

static int create_in(struct cgroup_handle *cg, struct cg_hier *h, struct husk_error *err)
{
	bool cpuset = h->controllers && list_has(h->controllers, "cpuset");

	if (!cpuset && cg->path[0] == '/' && cg->path[1] != '\0' && create_leaf_fast(cg, h))
		return 1;

	_cleanup_close_ int fd = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *copy = xstrdup(cg->path);
	int created = 0;
	char *save = NULL;

	if (fd < 0)
		return husk_error_errno(err, "cgroups: open %s", h->mount);
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		bool made = false;
		int tries = 0;
	again:
		if (mkdirat(fd, t, 0755) == 0) {
			made = true;
		} else if (errno != EEXIST) {
			husk_error_errno(err, "cgroups: create %s%s", h->mount, cg->path);
			return create_in_failed(cg, h, copy, t, false, created);
		}
		int child = openat(fd, t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child < 0) {
			/* another container's delete removed a shared parent */
			if (errno == ENOENT && tries++ < 5)
				goto again;
			husk_error_errno(err, "cgroups: open %s%s", h->mount, cg->path);
			return create_in_failed(cg, h, copy, t, made, created);
		}
		/* a parent someone else made may have empty cpus/mems too; no
		 * task could join below it */
		if (cpuset && cg_cpuset_init_v1(fd, child, err) < 0) {
			close(child);
			husk_error_prefix(err, "cgroups: %s%s", h->mount, cg->path);
			return create_in_failed(cg, h, copy, t, made, created);
		}
		created = made ? created + 1 : 0;
		close(fd);
		fd = child;
	}
	h->dirfd = steal_fd(&fd);
	h->created_leaf = created > 0;
	h->created_depth = (unsigned)created;
	return created;
}

static int open_in(const struct cgroup_handle *cg, struct cg_hier *h)
{
	_cleanup_free_ char *full = xasprintf("%s%s", h->mount, cg->path);

	h->dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return h->dirfd;
}

static bool hier_writable(const struct cg_hier *h)
{
	return access(h->mount, W_OK) == 0;
}

static int check_empty(const struct cgroup_handle *cg, struct husk_error *err)
{
	struct cg_hier *h = cg_primary(cg);
	_cleanup_free_ char *procs = h ? cg_read(h, "cgroup.procs") : NULL;

	if (procs && *procs)
		return husk_error_set(err, EBUSY,
				      "cgroups: %s already has processes; refusing to share it",
				      cg->path);
	return 0;
}

/* On hybrid hosts the unified tree is a courtesy for cgroup2 readers; a
 * read-only one is no reason to fail, and create_all skips it. */
static bool create_skips(const struct cgroup_handle *cg, const struct cg_hier *h)
{
	return cg->layout == CG_HYBRID && cg_is_v2(cg, h) && !hier_writable(h);
}

static int create_all(struct cgroup_handle *cg, struct husk_error *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		h->created_depth = 0;
	}
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (create_skips(cg, h))
			continue;
		int r = create_in(cg, h, err);
		if (r < 0) {
			if (cg->layout == CG_HYBRID && cg_is_v2(cg, h)) {
				husk_debug("cgroups: skipping the unified hierarchy: %s",
					   husk_error_text(err));
				husk_error_clear(err);
				continue;
			}
			return -1;
		}
		if ((unsigned)r > cg->created_depth)
			cg->created_depth = (unsigned)r;
	}
	return 0;
}

/* ---- the interface in linux.h ---- */

static struct cgroup_handle *handle_new(void)
{
	struct cgroup_handle *cg = xcalloc(1, sizeof *cg);

	cg->unified = -1;
	return cg;
}

struct cgroup_handle *cg_discover(struct husk_error *err)
{
	struct cgroup_handle *cg = handle_new();

	if (discover(cg, err) < 0) {
		cgroup_handle_free(cg);
		return NULL;
	}
	return cg;
}

/* Calls fn with each linux.resources field that no mounted controller can
 * apply: create goes on without it (and warns), check reports it. */
typedef void (*cg_unserved_fn)(const char *field, const char *why, void *data);

static void for_each_unserved(const struct cgroup_handle *cg, const struct spec_resources *res,
			      cg_unserved_fn fn, void *data)
{
	static const struct {
		const char *ctrl, *field;
	} need[] = {
	    {"memory", "memory"},
	    {"cpu", "cpu"},
	    {"pids", "pids"},
	    {"blkio", "blockIO"},
	    {"hugetlb", "hugepageLimits"},
	    {"net_cls", "network.classID"},
	    {"net_prio", "network.priorities"},
	    {"rdma", "rdma"},
	};
	bool set[] = {
	    res->memory != NULL,
	    res->cpu != NULL,
	    res->pids != NULL,
	    res->block_io != NULL,
	    res->n_hugepage_limits > 0,
	    res->network && res->network->has_class_id,
	    res->network && res->network->n_priorities > 0,
	    res->n_rdma > 0,
	};
	char why[128];

	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		const char *c = need[i].ctrl;
		if (cg->layout == CG_UNIFIED && strcmp(c, "blkio") == 0)
			continue;
		if (cg->layout == CG_UNIFIED &&
		    (strcmp(c, "net_cls") == 0 || strcmp(c, "net_prio") == 0)) {
			snprintf(why, sizeof why, "cgroup v2 has no %s controller", c);
			if (set[i])
				fn(need[i].field, why, data);
			continue;
		}
		snprintf(why, sizeof why, "the %s controller is not mounted", c);
		if (set[i] && cg_find(cg, c) == NULL)
			fn(need[i].field, why, data);
	}
}

static void warn_unserved(const char *field, const char *why, void *data)
{
	husk_warn("linux.resources.%s: ignored, %s", field, why);
}

static void warn_unmounted(const struct cgroup_handle *cg, const struct spec_resources *res)
{
	for_each_unserved(cg, res, warn_unserved, NULL);
}

static int apply(struct cgroup_handle *cg, const struct spec_resources *res, bool update,
		 struct husk_error *err)
{
	if (res == NULL)
		return 0;
	if (!update)
		warn_unmounted(cg, res);
	if (cg->layout != CG_UNIFIED && cg_v1_apply(cg, res, update, err) < 0)
		return -1;
	if (cg->unified >= 0 && cg->h[cg->unified].dirfd >= 0 &&
	    cg_v2_apply(cg, res, update, err) < 0)
		return -1;
	if (res->n_unified > 0 && (cg->unified < 0 || cg->h[cg->unified].dirfd < 0))
		return husk_error_set(err, EOPNOTSUPP,
				      "linux.resources.unified.%s: needs cgroup v2, and this host "
				      "has no (writable) cgroup2 hierarchy",
				      res->unified[0].key);
	return 0;
}

static int setup_resources(struct cgroup_handle *cg, struct husk_error *err)
{
	const struct spec_resources *res =
	    cg->cfg && cg->cfg->linux ? cg->cfg->linux->resources : NULL;

	if (apply(cg, res, false, err) < 0)
		return -1;
	if (cg->layout != CG_UNIFIED && cg_rt_for_scheduler_v1(cg, err) < 0)
		return -1;
	if (cg->rootless) {
		husk_debug("cgroups: rootless: device rules left to the user namespace (no "
			   "device node can be made in it)");
		return 0;
	}
	return cg_devices_apply(cg, err);
}

/* Where systemd puts unit in slice: "a-b.slice" nests as /a.slice/a-b.slice. */
static char *systemd_scope_path(const char *slice, const char *unit)
{
	size_t len = strlen(slice);
	char *out = xstrdup("");

	if (strcmp(slice, "-.slice") != 0) {
		const char *base_end = slice + len - strlen(".slice");
		for (const char *p = slice;; p++) {
			if (p == base_end || *p == '-') {
				char *n = xasprintf("%s/%.*s.slice", out, (int)(p - slice), slice);
				free(out);
				out = n;
				if (p == base_end)
					break;
			}
		}
	}
	char *n = xasprintf("%s/%s", out, unit);
	free(out);
	return n;
}

/* Rootless on cgroup v2: our path, below the subtree delegated to us (no
 * other place would let us move a process in). */
static void place_under_delegation(struct cgroup_handle *cg)
{
	if (cg->layout != CG_UNIFIED)
		return;
	_cleanup_free_ char *root = cg_rootless_delegated_root(cg->h[cg->unified].mount);
	if (root == NULL)
		return;
	size_t len = strlen(root);
	if (strncmp(cg->path, root, len) == 0 && cg->path[len] == '/')
		return;
	char *p = xasprintf("%s%s", root, cg->path);
	husk_debug("cgroups: rootless: using %s, in the subtree delegated to us", p);
	free(cg->path);
	cg->path = p;
}

/* The user manager's slices are below the cgroup delegated to it
 * (/user.slice/user-UID.slice/user@UID.service): our guess of the scope's
 * path until systemd tells where it put it. */
static void prefix_user_manager(struct cgroup_handle *cg)
{
	if (cg->layout != CG_UNIFIED)
		return;
	_cleanup_free_ char *root = cg_rootless_delegated_root(cg->h[cg->unified].mount);
	if (root == NULL)
		return;
	char *p = xasprintf("%s%s", root, cg->path);
	free(cg->path);
	cg->path = p;
}

/* Rootless and no cgroup we may create: fine when nothing needs one (the
 * container stays in our cgroup), an error naming the field otherwise. */
static int run_without_cgroup(struct cgroup_handle *cg, struct husk_error *err)
{
	const struct spec_config *cfg = cg->cfg;
	const char *field =
	    cg_rootless_needed_field(cfg && cfg->linux ? cfg->linux->resources : NULL);
	struct husk_error tmp = HUSK_ERROR_INIT;
	_cleanup_free_ char *why = xstrdup(husk_error_text(err));

	cgroup_destroy(cg, &tmp);
	husk_error_clear(&tmp);
	husk_error_clear(err);
	if (field)
		return cg_rootless_field_error(field, why, err);
	husk_debug("cgroups: rootless: no cgroup of our own (%s); the container stays in ours",
		   why);
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->h[i].dirfd >= 0)
			close(cg->h[i].dirfd);
		cg->h[i].dirfd = -1;
		cg->h[i].created_leaf = false;
		cg->h[i].created_depth = 0;
	}
	free(cg->path);
	cg->path = NULL;
	cg->created_depth = 0;
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* How many trailing components of cg->path do not exist yet in each
 * hierarchy create_all() will write to: what it is about to own there (a
 * parent an admin made in one hierarchy only is not ours in that one).
 * Returns the most of them.  One stat per prefix, longest first: usually
 * two per hierarchy (the leaf is new, its parent is there), where walking
 * down with an fd per component was five syscalls in each of a v1 host's
 * ten hierarchies. */
static unsigned planned_depth(struct cgroup_handle *cg)
{
	unsigned depth = 0;

	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		_cleanup_free_ char *full = xasprintf("%s%s", h->mount, cg->path);
		size_t base = strlen(h->mount);
		unsigned missing = 0;

		if (create_skips(cg, h))
			continue;
		/* cut components off the end until what is left exists */
		for (;;) {
			size_t len = strlen(full);
			char *slash;

			while (len > base && full[len - 1] == '/')
				full[--len] = '\0';
			if (len <= base) { /* nothing of it, if the mount is there at all */
				if (!is_dir(full))
					missing = 0;
				break;
			}
			if (is_dir(full))
				break;
			slash = strrchr(full + base, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
			missing++;
		}
		h->created_depth = missing;
		if (missing > depth)
			depth = missing;
	}
	return depth;
}

int cgroup_prepare(const struct spec_config *cfg, const char *id, const struct husk_globals *g,
		   struct cgroup_handle **out, struct husk_error *err)
{
	struct cgroup_handle *cg = handle_new();

	cg->cfg = cfg;
	if (discover(cg, err) < 0)
		goto fail;
	if (g && g->systemd_cgroup) {
		const char *p = cfg && cfg->linux ? cfg->linux->cgroups_path : NULL;
		cg->systemd = true;
		cg->rootless = g->rootless;
		/* not root: the user's own manager, whose slices live under
		 * user@UID.service; its default slice for work is user.slice */
		cg->user_manager = geteuid() != 0 || rootless_in_user_namespace();
		if (cg_systemd_parse_path(p, id, cg->user_manager ? "user.slice" : "system.slice",
					  &cg->slice, &cg->unit, err) < 0)
			goto fail;
#ifndef HAVE_SYSTEMD
		husk_error_set(err, ENOTSUP,
			       "--systemd-cgroup: this husk was built without libsystemd "
			       "(sd-bus); use the cgroupfs driver or rebuild with libsystemd-dev");
		goto fail;
#endif
		cg->pending = cfg && cfg->linux ? cfg->linux->resources : NULL;
		cg->path = systemd_scope_path(cg->slice, cg->unit);
		if (cg->user_manager)
			prefix_user_manager(cg);
		*out = cg;
		return 0;
	}
	if (cgroupfs_path(cfg, id, &cg->path, err) < 0)
		goto fail;
	cg->rootless = g && g->rootless;
	if (cg->rootless)
		place_under_delegation(cg);
	cg->created_depth = planned_depth(cg);
	*out = cg;
	return 0;
fail:
	cgroup_handle_free(cg);
	return -1;
}

int cgroup_create(struct cgroup_handle *cg, struct husk_error *err)
{
	struct husk_error tmp = HUSK_ERROR_INIT;

	/* The scope needs a pid to exist: everything happens in cgroup_enter. */
	if (cg->systemd)
		return 0;
	/* what we really create, which a racing creator may have made smaller */
	cg->created_depth = 0;
	if (create_all(cg, err) < 0) {
		if (cg->rootless && cg_rootless_denied(err->errnum))
			return run_without_cgroup(cg, err);
		goto undo;
	}
	if (cg->created_depth == 0 && check_empty(cg, err) < 0)
		goto undo;
	if (setup_resources(cg, err) < 0)
		goto undo;
	return 0;
undo:
	cgroup_destroy(cg, &tmp);
	husk_error_clear(&tmp);
	return -1;
}

int cgroup_clone_into_fd(const struct cgroup_handle *cg)
{
	if (cg == NULL || cg->systemd || cg->layout != CG_UNIFIED || cg->unified < 0)
		return -1;
	return cg->h[cg->unified].dirfd;
}

/* Read the pid's cgroup in the unified or name=systemd hierarchy. */
static char *cgroup_of_pid(pid_t pid, bool unified)
{
	_cleanup_free_ char *file = xasprintf("/proc/%d/cgroup", (int)pid);
	_cleanup_file_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c1 = '\0';
		*c2 = '\0';
		if ((unified && strcmp(line, "0") == 0 && c1[1] == '\0') ||
		    (!unified && strcmp(c1 + 1, "name=systemd") == 0))
			return xstrdup(c2 + 1);
	}
	return NULL;
}

static int systemd_enter(struct cgroup_handle *cg, pid_t pid, struct husk_error *err)
{
	_cleanup_free_ char *path = NULL;

	if (cg_systemd_start(cg, pid, &path, err) < 0)
		return -1;
	cg->entered = true; /* from now on destroy stops the unit */
	if (path == NULL)
		path = cgroup_of_pid(pid, cg->layout == CG_UNIFIED);
	if (path == NULL)
		return husk_error_set(err, ENOENT, "systemd: cannot find the cgroup of unit %s",
				      cg->unit);
	if (cg->path && strcmp(cg->path, path) != 0 && !cg->user_manager)
		husk_warn("systemd put %s at %s, not %s", cg->unit, path, cg->path);
	free(cg->path);
	cg->path = steal_pointer(&path);
	/* systemd made the scope in the hierarchies it manages; join or make
	 * the rest (delegated to us) and apply what unit properties could not. */
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (open_in(cg, h) < 0) {
			if (create_skips(cg, h))
				continue;
			if (create_in(cg, h, err) < 0)
				return -1;
		}
		_cleanup_free_ char *v = xasprintf("%d", (int)pid);
		if (cg_write(h, "cgroups", "cgroup.procs", v, err) < 0)
			return husk_error_prefix(err, "systemd scope %s in %s", cg->unit, h->mount);
	}
	return setup_resources(cg, err);
}

int cgroup_enter(struct cgroup_handle *cg, pid_t pid, struct husk_error *err)
{
	_cleanup_free_ char *v = xasprintf("%d", (int)pid);

	/* The scope is made once, with the init in it; a later pid (exec's
	 * process) joins the scope's cgroups like any other. */
	if (cg->systemd && !cg->entered)
		return systemd_enter(cg, pid, err);
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		if (h->dirfd < 0)
			continue;
		if (cg_write(h, "cgroups", "cgroup.procs", v, err) < 0)
			return husk_error_prefix(err, "move pid %d into %s%s", (int)pid, h->mount,
						 cg->path);
	}
	cg->entered = true;
	return 0;
}

/* How the state file names a hierarchy (spec/state.h). */
static const char *hier_name(const struct cg_hier *h)
{
	return h->controllers ? h->controllers : SPEC_CGROUP_UNIFIED;
}

static void save_owned(const struct cgroup_handle *cg, struct spec_state *st)
{
	spec_cgroup_owned_free(st->cgroup_owned, st->n_cgroup_owned);
	st->cgroup_owned = xcalloc(cg->n + 1, sizeof *st->cgroup_owned);
	st->n_cgroup_owned = 0;
	st->has_cgroup_owned = !cg->systemd;
	if (cg->systemd)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		st->cgroup_owned[i].hierarchy = xstrdup(hier_name(&cg->h[i]));
		st->cgroup_owned[i].depth = cg->h[i].created_depth;
		st->n_cgroup_owned++;
	}
}

/* What create made in h: per hierarchy when the file says so; a file
 * from before that has one depth for all of them. */
static unsigned load_owned(const struct spec_state *st, const struct cg_hier *h)
{
	if (!st->has_cgroup_owned)
		return st->cgroup_owned_depth;
	for (size_t i = 0; i < st->n_cgroup_owned; i++)
		if (strcmp(st->cgroup_owned[i].hierarchy, hier_name(h)) == 0)
			return st->cgroup_owned[i].depth;
	return 0; /* mounted since: nothing of it is ours */
}

void cgroup_save(const struct cgroup_handle *cg, struct spec_state *st)
{
	free(st->cgroup_path);
	st->cgroup_path = cg->path ? xstrdup(cg->path) : NULL;
	st->systemd_cgroup = cg->systemd;
	free(st->systemd_unit);
	st->systemd_unit = cg->unit ? xstrdup(cg->unit) : NULL;
	st->cgroup_owned_depth = cg->created_depth;
	save_owned(cg, st);
}

int cgroup_load(const struct spec_state *st, const struct husk_globals *g,
		struct cgroup_handle **out, struct husk_error *err)
{
	struct cgroup_handle *cg = handle_new();

	if (discover(cg, err) < 0) {
		cgroup_handle_free(cg);
		return -1;
	}
	cg->systemd = st->systemd_cgroup;
	cg->unit = st->systemd_unit ? xstrdup(st->systemd_unit) : NULL;
	cg->created_depth = st->cgroup_owned_depth;
	cg->entered = true;
	cg->rootless = g && g->rootless;
	cg->user_manager = cg->systemd && (geteuid() != 0 || rootless_in_user_namespace());
	cg->init_pid = st->pid;
	if (st->cgroup_path && *st->cgroup_path) {
		cg->path = xstrdup(st->cgroup_path);
		for (size_t i = 0; i < cg->n; i++) {
			struct cg_hier *h = &cg->h[i];
			open_in(cg, h);
			h->created_depth = cg->systemd ? cg->created_depth : load_owned(st, h);
			h->created_leaf = h->created_depth > 0 || cg->systemd;
		}
	}
	*out = cg;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* visit(dirfd, name, subfd, depth + 1, data) for each child cgroup of dirfd;
 * subfd is -1 when it cannot be opened.  Nothing below depth 32. */
static void for_each_child_cgroup(int dirfd, int depth,
				  void (*visit)(int dirfd, const char *name, int subfd, int depth,
						void *data),
				  void *data)
{
	if (depth > 32)
		return;
	/* a fresh open file description: a dup would share the offset */
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (d == NULL) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_close_ int sub =
		    openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		visit(dirfd, de->d_name, sub, depth + 1, data);
	}
}

static void collect_pids(int dirfd, pid_t **pids, size_t *n, int depth);

struct collect_ctx {
	pid_t **pids;
	size_t *n;
};

static void collect_visit(int dirfd, const char *name, int subfd, int depth, void *data)
{
	struct collect_ctx *ctx = data;

	(void)dirfd;
	(void)name;
	if (subfd >= 0)
		collect_pids(subfd, ctx->pids, ctx->n, depth);
}

/* pids in dirfd's cgroup.procs and every child cgroup's. */
static void collect_pids(int dirfd, pid_t **pids, size_t *n, int depth)
{
	_cleanup_free_ char *buf = NULL;
	struct husk_error e = HUSK_ERROR_INIT;
	size_t len;

	if (read_file_at(dirfd, "cgroup.procs", 16 << 20, &buf, &len, &e) == 0) {
		char *save = NULL;
		for (char *t = strtok_r(buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
			int64_t v;
			if (parse_int64(t, &v) < 0 || v <= 0)
				continue;
			*pids = xrealloc(*pids, (*n + 1) * sizeof **pids);
			(*pids)[(*n)++] = (pid_t)v;
		}
	}
	husk_error_clear(&e);
	struct collect_ctx ctx = {pids, n};
	for_each_child_cgroup(dirfd, depth, collect_visit, &ctx);
}

void cg_collect_pids(int dirfd, pid_t **pids, size_t *n)
{
	collect_pids(dirfd, pids, n, 0);
}

int cgroup_pids(const struct cgroup_handle *cg, pid_t **pids, size_t *n, struct husk_error *err)
{
	struct cg_hier *h = cg_primary(cg);

	*pids = NULL;
	*n = 0;
	if (h == NULL)
		return cg_rootless_pids(cg->init_pid, pids, n);
	collect_pids(h->dirfd, pids, n, 0);
	return 0;
}

int cgroup_update(struct cgroup_handle *cg, const struct spec_resources *res,
		  struct husk_error *err)
{
	return apply(cg, res, true, err);
}

int cgroup_kill_all(const struct cgroup_handle *cg, int sig, struct husk_error *err)
{
	struct cgroup_handle *mut = (struct cgroup_handle *)cg;
	struct husk_error e = HUSK_ERROR_INIT;
	_cleanup_free_ pid_t *pids = NULL;
	bool was_frozen = false, froze = false;
	size_t n = 0;

	if (sig == SIGKILL && cg->unified >= 0 && cg_has_file(&cg->h[cg->unified], "cgroup.kill") &&
	    cg_write(&cg->h[cg->unified], "kill", "cgroup.kill", "1", &e) == 0)
		return 0;
	husk_error_clear(&e);
	/* No cgroup.kill (before 5.14, or cgroup v1), or another signal. */
	if (sig == SIGKILL)
		husk_debug("kernel: cgroup.kill (Linux 5.14, cgroup v2): not used, killing each "
			   "pid of cgroup.procs");
	/* Frozen, nobody can fork between our reading the list and the kill. */
	cgroup_is_frozen(cg, &was_frozen, &e);
	if (!was_frozen && cg_freezer_hier(cg) && cgroup_freeze(mut, true, &e) == 0)
		froze = true;
	husk_error_clear(&e);
	cgroup_pids(cg, &pids, &n, &e);
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH) {
			int saved = errno;
			if (froze)
				cgroup_freeze(mut, false, &e);
			husk_error_clear(&e);
			return husk_error_set(err, saved, "kill pid %d", (int)pids[i]);
		}
	if (froze && cgroup_freeze(mut, false, &e) < 0) {
		husk_error_set(err, e.errnum, "%s", e.msg);
		husk_error_clear(&e);
		return -1;
	}
	return 0;
}

/* Remove child cgroups (the container may have made some), deepest first. */
static void rmdir_children(int dirfd, int depth);

static void rmdir_visit(int dirfd, const char *name, int subfd, int depth, void *data)
{
	(void)data;
	if (subfd >= 0)
		rmdir_children(subfd, depth);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void rmdir_children(int dirfd, int depth)
{
	for_each_child_cgroup(dirfd, depth, rmdir_visit, NULL);
}

static bool all_empty(const struct cgroup_handle *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;
		if (cg->h[i].dirfd < 0)
			continue;
		collect_pids(cg->h[i].dirfd, &pids, &n, 0);
		if (n > 0)
			return false;
	}
	return true;
}

/* Parents we created in h, as long as no other container uses them. */
static void remove_created_parents(const struct cg_hier *h, int mfd, char *rel)
{
	unsigned depth = h->created_depth;

	while (depth-- > 1) {
		char *slash = strrchr(rel, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		if (unlinkat(mfd, rel, AT_REMOVEDIR) < 0)
			break;
	}
}

/* One rmdir attempt without children or retries: 1 removed (or nothing to
 * remove), 0 busy. */
static int remove_in_fast(const struct cgroup_handle *cg, struct cg_hier *h)
{
	_cleanup_close_ int mfd = -1;
	_cleanup_free_ char *rel = NULL, *full = NULL;

	if (h->dirfd < 0 || (!h->created_leaf && !cg->systemd))
		return 1;
	/* one rmdir by path; the mount is opened only for parents we made
	 * (two syscalls fewer per hierarchy: ten hierarchies on v1) */
	full = xasprintf("%s%s", h->mount, cg->path);
	if (rmdir(full) < 0 && errno != ENOENT)
		return 0;
	close(h->dirfd);
	h->dirfd = -1;
	if (h->created_depth > 1) {
		mfd = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rel = xstrdup(cg->path + 1);
		if (mfd >= 0)
			remove_created_parents(h, mfd, rel);
	}
	return 1;
}

static int remove_in(const struct cgroup_handle *cg, struct cg_hier *h, struct husk_error *err)
{
	_cleanup_close_ int mfd = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *rel = xstrdup(cg->path + 1);

	if (mfd < 0 || h->dirfd < 0)
		return 0;
	if (!h->created_leaf && !cg->systemd)
		return 0;
	rmdir_children(h->dirfd, 0);
	close(h->dirfd);
	h->dirfd = -1;
	for (int tries = 0;; tries++) {
		if (unlinkat(mfd, rel, AT_REMOVEDIR) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY || tries >= 100)
			return husk_error_errno(err, "cgroups: remove %s%s", h->mount, cg->path);
		sleep_ms(10);
	}
	remove_created_parents(h, mfd, rel);
	return 0;
}

/* The common case after `run`: the init was pid 1 of its namespace, so its
 * processes are gone and one rmdir per hierarchy is all it takes. */
static bool remove_all_fast(struct cgroup_handle *cg)
{
	if (cg->systemd)
		return false;
	for (size_t i = 0; i < cg->n; i++)
		if (!remove_in_fast(cg, &cg->h[i]))
			return false;
	return true;
}

static int destroy_all(struct cgroup_handle *cg, struct husk_error *err);

int cgroup_destroy(struct cgroup_handle *cg, struct husk_error *err)
{
	if (cg == NULL || cg->path == NULL)
		return 0;
	if (cg->layout != CG_UNIFIED)
		cg_rt_zero_v1(cg);
	int r = destroy_all(cg, err);
	/* what husk raised for the container's real-time budget, given back */
	if (cg->layout != CG_UNIFIED)
		cg_rt_release_v1(cg);
	return r;
}

static int destroy_all(struct cgroup_handle *cg, struct husk_error *err)
{
	struct husk_error e = HUSK_ERROR_INIT;
	int ret = 0;

	if (cg == NULL)
		return 0;
	if (cg->path == NULL)
		return 0;
	if (remove_all_fast(cg))
		return 0;
	cgroup_kill_all(cg, SIGKILL, &e);
	husk_error_clear(&e);
	/* A frozen cgroup keeps its killed processes around: thaw it. */
	bool frozen = false;
	cgroup_is_frozen(cg, &frozen, &e);
	if (frozen)
		cgroup_freeze(cg, false, &e);
	husk_error_clear(&e);
	for (int i = 0; i < 500 && !all_empty(cg); i++) {
		if (i % 50 == 49)
			cgroup_kill_all(cg, SIGKILL, &e);
		husk_error_clear(&e);
		sleep_ms(10);
	}
	/* SIGKILL first: stopping the scope would only send SIGTERM */
	if (cg->systemd && cg->unit && cg->entered && cg_systemd_stop(cg, &e) < 0)
		husk_warn("%s", husk_error_text(&e));
	husk_error_clear(&e);
	for (size_t i = 0; i < cg->n; i++) {
		if (remove_in(cg, &cg->h[i], &e) < 0 && ret == 0) {
			husk_error_set(err, e.errnum, "%s", e.msg);
			ret = -1;
		}
		husk_error_clear(&e);
	}
	return ret;
}

uint64_t cgroup_oom_kills(const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg ? cg_find(cg, "memory") : NULL;
	_cleanup_free_ char *s = NULL;
	uint64_t v = 0;

	if (h == NULL || h->dirfd < 0)
		return 0;
	s = cg_read(h, cg_is_v2(cg, h) ? "memory.events" : "memory.oom_control");
	for (char *p = s; p && *p;) {
		if (str_has_prefix(p, "oom_kill ")) {
			v = strtoull(p + strlen("oom_kill "), NULL, 10);
			break;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return v;
}

const char *cgroup_path(const struct cgroup_handle *cg)
{
	return cg && cg->path ? cg->path : "/";
}

void cgroup_handle_free(struct cgroup_handle *cg)
{
	if (cg == NULL)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->h[i].controllers);
		free(cg->h[i].mount);
		if (cg->h[i].dirfd >= 0)
			close(cg->h[i].dirfd);
	}
	free(cg->h);
	free(cg->unified_ctrls);
	free(cg->path);
	free(cg->unit);
	free(cg->slice);
	free(cg);
}

/* ---- husk check ---- */

static void report_unserved(const char *field, const char *why, void *data)
{
	_cleanup_free_ char *path = xasprintf("linux.resources.%s", field);

	check_add(data, CHECK_WARNING, path, "ignored, %s", why);
}

/* Whether create_in would be let into cg->path in h, without making
 * anything: the leaf's cgroup.procs writable when it exists, else its
 * deepest existing ancestor writable.  The error reads as create_in's. */
static int probe_create_in(const struct cgroup_handle *cg, const struct cg_hier *h,
			   struct husk_error *err)
{
	_cleanup_free_ char *full = xasprintf("%s%s", h->mount, cg->path);
	_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", full);
	size_t base = strlen(h->mount);
	int r;

	if (is_dir(full))
		r = access(procs, W_OK);
	else {
		/* cut components off the end until what is left exists */
		char *dir = xstrdup(full), *slash;
		while (strlen(dir) > base && !is_dir(dir) && (slash = strrchr(dir + base, '/')))
			*slash = '\0';
		r = access(*dir ? dir : "/", W_OK);
		free(dir);
	}
	if (r < 0)
		return husk_error_errno(err, "cgroups: create %s", full);
	return 0;
}

/* What create_all would meet first, found without creating anything. */
static int probe_create_all(const struct cgroup_handle *cg, struct husk_error *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &cg->h[i];
		/* create_all gets over any failure in a hybrid host's v2 tree */
		if (create_skips(cg, h) || (cg->layout == CG_HYBRID && cg_is_v2(cg, h)))
			continue;
		if (probe_create_in(cg, h, err) < 0)
			return -1;
	}
	return 0;
}

/* The cgroup create would make or join, decided as create decides it:
 * the driver's form of linux.cgroupsPath (--systemd-cgroup), where a
 * rootless container goes, and whether it may go there at all. */
static void check_placement(const struct cgroup_handle *cg, const struct spec_resources *res,
			    struct check_report *r)
{
	struct husk_error err = HUSK_ERROR_INIT;
	const char *field;

	/* systemd makes the scope: its manager must answer */
	if (cg->systemd) {
		/* "systemd: ..." whole: no path of the document starts it */
		if (cg_systemd_reachable(cg, &err) < 0)
			check_add(r, CHECK_ERROR, "linux.cgroupsPath", "%s", husk_error_text(&err));
		husk_error_clear(&err);
		return;
	}
	if (probe_create_all(cg, &err) == 0)
		return;
	if (!cg->rootless || !cg_rootless_denied(err.errnum)) {
		check_add_error(r, "linux.cgroupsPath", &err);
		return;
	}
	/* rootless: create goes on in our own cgroup unless a field needs one */
	field = cg_rootless_needed_field(res);
	if (field) {
		_cleanup_free_ char *why = xstrdup(husk_error_text(&err));
		husk_error_clear(&err);
		cg_rootless_field_error(field, why, &err);
		check_add_error(r, field, &err);
	}
	husk_error_clear(&err);
}

void cgroup_check(const struct spec_config *cfg, const struct husk_globals *g,
		  struct check_report *r)
{
	const struct spec_resources *res = cfg->linux ? cfg->linux->resources : NULL;
	struct husk_error err = HUSK_ERROR_INIT;
	struct cgroup_handle *cg = NULL;

	/* the leaf's name does not matter, only where it goes */
	if (cgroup_prepare(cfg, "check", g, &cg, &err) < 0) {
		check_add_error(r, "linux.cgroupsPath", &err);
		return;
	}
	check_placement(cg, res, r);
	if (res) {
		for_each_unserved(cg, res, report_unserved, r);
		if (res->n_unified && cg->unified < 0)
			check_add(r, CHECK_ERROR, "linux.resources.unified",
				  "needs cgroup v2, and this host has no cgroup2 hierarchy");
		/* under systemd the slices are systemd's to enable controllers in */
		else if (!cg->systemd && cg->path)
			cg_v2_check(cg, res, r);
	}
	cgroup_handle_free(cg);
}
