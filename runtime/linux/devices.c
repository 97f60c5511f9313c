// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /dev inside the container: the default devices every container gets,
 * linux.devices, the standard symlinks, and the /dev/console placeholder the
 * terminal code binds the pty over.  Without a user namespace nodes are made
 * with mknod; in one, mknod is not allowed, so the host's node is
 * bind-mounted over an empty file, after checking it is the device asked for.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/linux.h"
#include "linux/mounts.h"
#include "util.h"

struct dev_node {
	const char *path;
	char type;
	unsigned int major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct dev_node default_devices[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

static const struct {
	const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

static mode_t type_bits(char type)
{
	switch (type) {
	case 'c':
	case 'u':
		return S_IFCHR;
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return 0;
	}
}

/* The directory of clean path (created), and the name in it. */
static int open_parent(int rootfd, const char *path, const char **name, struct husk_error *err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash == NULL || slash[1] == '\0')
		return husk_error_set(err, EINVAL, "device path `%s` has no name", path);
	*name = strrchr(path, '/') + 1;
	*slash = '\0';
	return resolve_in_root(rootfd, dir[0] ? dir : "/", O_PATH | O_DIRECTORY, RESOLVE_MKDIR,
			       0755, err);
}

static bool same_node(const struct stat *st, const struct dev_node *d)
{
	return (st->st_mode & S_IFMT) == type_bits(d->type) &&
	       (d->type == 'p' || st->st_rdev == makedev(d->major, d->minor));
}

/* The umask is 0 here, so mknod's mode is the one asked for. */
static int make_node(int parent, const char *name, const struct dev_node *d, struct husk_error *err)
{
	mode_t mode = type_bits(d->type) | (d->mode & 07777);
	dev_t dev = makedev(d->major, d->minor);
	struct stat st;

	if (mknodat(parent, name, mode, dev) < 0) {
		/* Already there (from the image, or listed twice): make it anew. */
		if (errno != EEXIST || unlinkat(parent, name, 0) < 0 ||
		    mknodat(parent, name, mode, dev) < 0)
			return husk_error_errno(err, "mknod `%s`", d->path);
	}
	/* chown through an fd on the node itself, which cannot be redirected. */
	_cleanup_close_ int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return husk_error_errno(err, "open `%s`", d->path);
	if (!same_node(&st, d))
		return husk_error_set(err, EEXIST, "`%s` was replaced while being created",
				      d->path);
	if ((st.st_uid != d->uid || st.st_gid != d->gid) &&
	    fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
		return husk_error_errno(err, "chown `%s`", d->path);
	return 0;
}

/* A clone of the host's node at path when it is device d, else -1. */
static int clone_if_node(int dirfd, const char *path, unsigned int flags, const struct dev_node *d)
{
	struct stat st;
	int tree = mount_tree_clone(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags);

	if (tree >= 0 && (fstat(tree, &st) < 0 || !same_node(&st, d))) {
		close(tree);
		return -1;
	}
	return tree;
}

/* The host's node for d's numbers under another name: udev's
 * /dev/char/MAJ:MIN or /dev/block/MAJ:MIN link, else /dev and its
 * directories one level down (where devtmpfs alone puts them). */
static int clone_host_node_by_numbers(const struct dev_node *d)
{
	char byno[64];
	_cleanup_dir_ DIR *dev = NULL;
	struct dirent *e;
	int tree;

	snprintf(byno, sizeof byno, "/dev/%s/%u:%u", d->type == 'b' ? "block" : "char", d->major,
		 d->minor);
	tree = clone_if_node(AT_FDCWD, byno, 0, d);
	if (tree >= 0 || (dev = opendir("/dev")) == NULL)
		return tree;
	while ((e = readdir(dev)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = xasprintf("/dev/%s", e->d_name);
		if (e->d_type == DT_DIR) {
			_cleanup_dir_ DIR *sub = opendir(p);
			struct dirent *f;
			while (sub && (f = readdir(sub)) != NULL) {
				if (f->d_type != DT_CHR && f->d_type != DT_BLK)
					continue;
				_cleanup_free_ char *q = xasprintf("%s/%s", p, f->d_name);
				if ((tree = clone_if_node(AT_FDCWD, q, AT_SYMLINK_NOFOLLOW, d)) >=
				    0)
					return tree;
			}
		} else if ((e->d_type == DT_CHR || e->d_type == DT_BLK) &&
			   (tree = clone_if_node(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, d)) >= 0) {
			return tree;
		}
	}
	return -1;
}

static int bind_node(struct init_ctx *ctx, int rootfd, const struct dev_node *d,
		     struct husk_error *err)
{
	_cleanup_close_ int target = -1, tree = -1;
	struct stat st;

	if (strcmp(d->path, "/dev/null") == 0 && ctx->devnull_fd >= 0)
		tree = mount_tree_clone(ctx->devnull_fd, "",
					OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	else
		tree = clone_if_node(AT_FDCWD, d->path, AT_SYMLINK_NOFOLLOW, d);
	/* linux.devices may give an existing device a new name. */
	if (tree < 0)
		tree = clone_host_node_by_numbers(d);
	if (tree < 0)
		return husk_error_set(err, ENODEV,
				      "no node for device %c %u:%u on the host (as `%s` or "
				      "under /dev)",
				      d->type, d->major, d->minor, d->path);
	/* A device bind never carries setuid programs or code to run. */
	if (mount_set_attrs(tree, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0, err) < 0)
		return husk_error_prefix(err, "`%s`", d->path);
	target = resolve_in_root(rootfd, d->path, O_PATH | O_NOFOLLOW, RESOLVE_MKFILE, 0, err);
	if (target < 0)
		return -1;
	if (fstat(target, &st) < 0 || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode))
		return husk_error_set(err, EEXIST, "`%s` in the rootfs is a directory or a symlink",
				      d->path);
	return mount_attach(tree, target, d->path, err);
}

static int create_device(struct init_ctx *ctx, int rootfd, const struct dev_node *d,
			 struct husk_error *err)
{
	if (type_bits(d->type) == 0)
		return husk_error_set(err, EINVAL, "device `%s`: unknown type `%c`", d->path,
				      d->type);
	if (ctx->new_userns && d->type != 'p')
		return bind_node(ctx, rootfd, d, err);

	const char *name = NULL;
	_cleanup_close_ int parent = open_parent(rootfd, d->path, &name, err);
	if (parent < 0)
		return -1;
	if (make_node(parent, name, d, err) == 0)
		return 0;
	/* mknod can be refused outside a user namespace too (a joined user
	 * namespace, a device cgroup or an LSM of the caller): the host's node,
	 * bound, is the same device. */
	if (err->errnum != EPERM || d->type == 'p')
		return -1;
	husk_error_clear(err);
	return bind_node(ctx, rootfd, d, err);
}

static bool configured(const struct spec_linux *l, const char *path)
{
	for (size_t i = 0; l && i < l->n_devices; i++) {
		_cleanup_free_ char *p = mount_clean_path(l->devices[i].path);
		if (strcmp(p, path) == 0)
			return true;
	}
	return false;
}

/* /dev bind-mounted from somewhere: its contents are not ours to change. */
static bool dev_is_bind(const struct spec_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct spec_mount *m = &cfg->mounts[i];
		_cleanup_free_ char *p = mount_clean_path(m->destination ? m->destination : "");
		if (strcmp(p, "/dev") != 0)
			continue;
		bool bind = m->type && strcmp(m->type, "bind") == 0;
		for (size_t j = 0; m->options && m->options[j]; j++)
			if (strcmp(m->options[j], "bind") == 0 ||
			    strcmp(m->options[j], "rbind") == 0)
				bind = true;
		return bind;
	}
	return false;
}

static int dev_symlinks(int devfd, bool terminal, struct husk_error *err)
{
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0 && errno != EEXIST)
			return husk_error_errno(err, "symlink /dev/%s", dev_links[i].name);

	/* /dev/ptmx must be the container's devpts instance's, not the host's. */
	if (fstatat(devfd, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode) &&
	    unlinkat(devfd, "ptmx", 0) < 0)
		return husk_error_errno(err, "remove /dev/ptmx");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0 && errno != EEXIST)
		return husk_error_errno(err, "symlink /dev/ptmx");

	if (terminal) {
		int fd = openat(devfd, "console",
				O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0);
		if (fd < 0 && errno != EEXIST)
			return husk_error_errno(err, "create the /dev/console placeholder");
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

int devices_setup(struct init_ctx *ctx, int rootfd, struct husk_error *err)
{
	const struct spec_config *cfg = ctx->cfg;
	const struct spec_linux *l = cfg->linux;
	bool manage_dev = !dev_is_bind(cfg);
	mode_t old_umask = umask(0);
	int ret = -1;

	if (manage_dev) {
		for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
			if (configured(l, default_devices[i].path))
				continue;
			if (create_device(ctx, rootfd, &default_devices[i], err) < 0)
				goto out;
		}
	}
	for (size_t i = 0; l && i < l->n_devices; i++) {
		const struct spec_device *sd = &l->devices[i];
		_cleanup_free_ char *path = mount_clean_path(sd->path ? sd->path : "");
		struct dev_node d = {
		    .path = path,
		    .type = sd->type && sd->type[0] && !sd->type[1] ? sd->type[0] : '?',
		    .major = (unsigned int)sd->major,
		    .minor = (unsigned int)sd->minor,
		    .mode = sd->has_file_mode ? (mode_t)sd->file_mode & 07777 : 0666,
		    .uid = sd->has_uid ? sd->uid : 0,
		    .gid = sd->has_gid ? sd->gid : 0,
		};
		if (create_device(ctx, rootfd, &d, err) < 0)
			goto out;
	}
	if (manage_dev) {
		_cleanup_close_ int devfd =
		    resolve_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, RESOLVE_MKDIR, 0755, err);
		if (devfd < 0)
			goto out;
		if (dev_symlinks(devfd, cfg->process && cfg->process->terminal, err) < 0)
			goto out;
	}
	ret = 0;
out:
	umask(old_umask);
	return ret;
}
