// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The container's mount namespace, from the host's copy to the finished
 * root: propagation, the rootfs bind, the config mounts and devices (before
 * the pivot), then maskedPaths, readonlyPaths, the read-only root and the
 * final propagation (after it).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/kernel.h"
#include "linux/linux.h"
#include "linux/mounts.h"
#include "spec/names.h"
#include "util.h"

/*
 * What maskedPaths binds over files: a detached clone of the host's
 * /dev/null, made before the pivot (after it the host's /dev is gone from
 * our namespace), never the container's /dev/null, which an image or a
 * racing container could have replaced (CVE-2025-31133).  Once attached, the
 * next masks are clones of the attached one.
 */
static int mask_null = -1;
static int mask_dir = -1; /* the first read-only tmpfs over a masked directory */

static bool is_devnull(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

static int propagation_of(const struct spec_config *cfg, unsigned long *flag, bool *rec,
			  struct husk_error *err)
{
	const char *name = cfg->linux ? cfg->linux->rootfs_propagation : NULL;
	const struct spec_mount_option *opt;

	*flag = 0;
	*rec = true;
	if (name == NULL || *name == '\0')
		return 0;
	opt = spec_mount_option_lookup(name);
	if (opt == NULL || opt->kind != SPEC_MOUNT_PROPAGATION)
		return husk_error_set(err, EINVAL, "linux.rootfsPropagation: unknown value `%s`",
				      name);
	*flag = opt->flag & ~(unsigned long)MS_REC;
	*rec = (opt->flag & MS_REC) != 0;
	return 0;
}

static int mount_id(int fd, uint64_t *id)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return -1;
	*id = stx.stx_mnt_id;
	return 0;
}

/* With shared propagation, the rootfs bind must not become a peer of the
 * host's mount it lives on: make that mount private in our namespace. */
static int make_rootfs_parent_private(int rootfs_fd, struct husk_error *err)
{
	_cleanup_close_ int fd = fcntl(rootfs_fd, F_DUPFD_CLOEXEC, 3);
	uint64_t id, up_id;

	if (fd < 0 || mount_id(fd, &id) < 0)
		return husk_error_errno(err, "find the mount of the rootfs");
	for (int depth = 0; depth < 4096; depth++) {
		_cleanup_close_ int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct stat a, b;
		if (up < 0 || mount_id(up, &up_id) < 0 || fstat(fd, &a) < 0 || fstat(up, &b) < 0)
			return husk_error_errno(err, "find the mount of the rootfs");
		if (up_id != id || (a.st_dev == b.st_dev && a.st_ino == b.st_ino))
			return mount_set_propagation(fd, MS_PRIVATE, false, err);
		close(fd);
		fd = steal_fd(&up);
	}
	return husk_error_set(err, ELOOP, "find the mount of the rootfs: too deep");
}

static bool same_inode(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/*
 * The parent's fds name mounts of the parent's namespace, which the mount
 * API refuses to clone or mount onto from ours: open the same files again
 * in our copy of that namespace and check they are the same inodes.
 */
static int reopen_in_our_namespace(struct init_ctx *ctx, struct husk_error *err)
{
	int fd;

	if (ctx->rootfs == NULL)
		return husk_error_set(err, EINVAL, "no rootfs path");
	fd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "open the rootfs `%s`", ctx->rootfs);
	if (ctx->rootfs_fd >= 0 && !same_inode(fd, ctx->rootfs_fd)) {
		close(fd);
		return husk_error_set(err, EXDEV, "the rootfs `%s` was replaced", ctx->rootfs);
	}
	if (ctx->rootfs_fd >= 0)
		close(ctx->rootfs_fd);
	ctx->rootfs_fd = fd;

	fd = open("/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return husk_error_errno(err, "open the host's /dev/null");
	if (!is_devnull(fd)) {
		close(fd);
		return husk_error_set(err, ENODEV, "the host's /dev/null is not device 1:3");
	}
	if (ctx->devnull_fd >= 0)
		close(ctx->devnull_fd);
	ctx->devnull_fd = fd;
	return 0;
}

/* process.cwd may name a directory the image lacks: make it (after the
 * mounts, so one on a volume is made there), inside the root:
 * resolve_in_root never follows a link out of it. */
static int create_cwd(struct init_ctx *ctx, struct husk_error *err)
{
	const char *cwd = ctx->cfg->process ? ctx->cfg->process->cwd : NULL;
	_cleanup_close_ int fd = -1;

	if (cwd == NULL || strcmp(cwd, "/") == 0)
		return 0;
	fd = resolve_in_root(ctx->rootfs_fd, cwd, O_PATH, RESOLVE_MKDIR, 0755, err);
	if (fd < 0)
		return husk_error_prefix(err, "process.cwd `%s`", cwd);
	return 0;
}

/*
 * NOTIFY_SOCKET: the host's socket, bound onto NOTIFY_SOCKET_INSIDE (after
 * the mounts, so onto a /run tmpfs when there is one), so the process's
 * READY=1, STATUS= and WATCHDOG=1 go straight to whoever waits for them:
 * the container becomes ready when, and only when, its process says so.
 * Only the socket is bound, never the directory around it.
 */
static int bind_notify_socket(struct init_ctx *ctx, struct husk_error *err)
{
	_cleanup_close_ int target = -1, tree = -1;

	if (ctx->notify_socket == NULL)
		return 0;
	target = resolve_in_root(ctx->rootfs_fd, NOTIFY_SOCKET_INSIDE, O_PATH, RESOLVE_MKFILE, 0755,
				 err);
	if (target < 0)
		return husk_error_prefix(err, "NOTIFY_SOCKET: make %s", NOTIFY_SOCKET_INSIDE);
	tree = mount_tree_clone(AT_FDCWD, ctx->notify_socket, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return husk_error_errno(err, "NOTIFY_SOCKET: bind `%s`", ctx->notify_socket);
	if (mount_attach(tree, target, ctx->notify_socket, err) < 0)
		return husk_error_prefix(err, "NOTIFY_SOCKET");
	ctx->notify_bound = true;
	return 0;
}

/* A path of maskedPaths in the rootfs: an O_PATH fd and *st, or
 * MASK_TARGET_ABSENT when the rootfs has no such path (nothing to mask), or
 * -1 with err set. */
#define MASK_TARGET_ABSENT (-2)
static int open_mask_target(struct init_ctx *ctx, const char *path, struct stat *st,
			    struct husk_error *err)
{
	_cleanup_close_ int fd =
	    resolve_in_root(ctx->rootfs_fd, path, O_PATH, RESOLVE_NO_CREATE, 0, err);

	if (fd < 0) {
		if (err->errnum == ENOENT || err->errnum == ENOTDIR) {
			husk_error_clear(err);
			return MASK_TARGET_ABSENT;
		}
		return -1;
	}
	if (fstat(fd, st) < 0)
		return husk_error_errno(err, "stat `%s`", path);
	return steal_fd(&fd);
}

/* One file of maskedPaths, bound over with the host's /dev/null now. */
static int mask_file_now(struct init_ctx *ctx, const char *path, struct husk_error *err)
{
	struct stat st;
	_cleanup_close_ int fd = open_mask_target(ctx, path, &st, err);
	_cleanup_close_ int tree = -1;

	if (fd < 0)
		return fd == MASK_TARGET_ABSENT ? 0 : -1;
	if (S_ISDIR(st.st_mode))
		return 0; /* a read-only tmpfs, after the pivot */
	tree = mount_tree_clone(ctx->devnull_fd, "",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return husk_error_errno(err, "bind the host's /dev/null");
	return mount_attach(tree, fd, path, err);
}

/*
 * Without the mount API (before 5.2) mount(2) binds only from a mount of our
 * namespace, and the host's /dev/null leaves it with the old root at the
 * pivot: the files of maskedPaths are masked here, before it, from the
 * host's node (checked to be 1:3 when it was opened).  Never from the
 * container's /dev/null, which an image or a racing container could have
 * replaced (CVE-2025-31133), and which a /dev of the image's own may lack.
 * Nothing of the container runs yet, so masking earlier changes nothing it
 * can see.
 */
static int mask_files_before_pivot(struct init_ctx *ctx, struct husk_error *err)
{
	const struct spec_linux *l = ctx->cfg->linux;

	if (kernel_has(KERNEL_MOUNT_API) || l == NULL || l->masked_paths == NULL)
		return 0;
	for (size_t i = 0; l->masked_paths[i]; i++)
		if (mask_file_now(ctx, l->masked_paths[i], err) < 0)
			return husk_error_prefix(err, "maskedPaths `%s`", l->masked_paths[i]);
	return 0;
}

/*
 * No mount namespace of its own: we share the runtime's, so nothing may be
 * mounted (a mount would land on the host and outlive the container), no
 * pivot_root: only a chroot into the rootfs.  /proc, /dev and masks are
 * whatever the image has; config mounts and a read-only root were refused
 * before create began.
 */
static int rootfs_enter_without_mntns(struct init_ctx *ctx, struct husk_error *err)
{
	if (procfs_fd(err) < 0)
		return husk_error_prefix(err, "procfs");
	if (fchdir(ctx->rootfs_fd) < 0)
		return husk_error_errno(err, "chdir to the rootfs");
	if (chroot(".") < 0)
		return husk_error_errno(err, "chroot into the rootfs");
	if (chdir("/") < 0)
		return husk_error_errno(err, "chdir /");
	ctx->chrooted = true;
	return 0;
}

int rootfs_setup(struct init_ctx *ctx, struct husk_error *err)
{
	const struct spec_config *cfg = ctx->cfg;
	unsigned long prop;
	bool rec;
	int tree;

	if (spec_config_namespace(cfg, SPEC_NS_MOUNT) == NULL)
		return rootfs_enter_without_mntns(ctx, err);
	if (propagation_of(cfg, &prop, &rec, err) < 0)
		return -1;
	/* Our procfs handle, while /proc is still the host's. */
	if (procfs_fd(err) < 0)
		return husk_error_prefix(err, "procfs");
	if (reopen_in_our_namespace(ctx, err) < 0)
		return -1;

	/* Nothing we mount may reach the host: private unless asked otherwise,
	 * and recursive whatever was asked.  Unbindable comes at the end: the
	 * rootfs could not be bound from an unbindable mount. */
	unsigned long setup_prop = (prop == MS_SHARED || prop == MS_SLAVE) ? prop : MS_PRIVATE;
	if (mount(NULL, "/", NULL, MS_REC | setup_prop, NULL) < 0)
		return husk_error_errno(err, "make / %s",
					cfg->linux && cfg->linux->rootfs_propagation
					    ? cfg->linux->rootfs_propagation
					    : "rprivate");
	if (prop == MS_SHARED && make_rootfs_parent_private(ctx->rootfs_fd, err) < 0)
		return -1;

	/* The rootfs bound onto itself: a mount we can pivot into. */
	tree = mount_tree_clone(ctx->rootfs_fd, "",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0)
		return husk_error_errno(err, "bind the rootfs `%s`", ctx->rootfs);
	if (mount_attach(tree, ctx->rootfs_fd, "the rootfs", err) < 0) {
		close(tree);
		return -1;
	}
	/* From now on the rootfs is the bind: its tree fd is its root. */
	if (ctx->rootfs_fd >= 0)
		close(ctx->rootfs_fd);
	ctx->rootfs_fd = tree;

	if (mounts_apply(ctx, ctx->rootfs_fd, err) < 0)
		return -1;
	if (devices_setup(ctx, ctx->rootfs_fd, err) < 0)
		return husk_error_prefix(err, "devices");
	if (create_cwd(ctx, err) < 0 || bind_notify_socket(ctx, err) < 0 ||
	    mask_files_before_pivot(ctx, err) < 0)
		return -1;

	/* With the mount API the host's /dev/null is kept as a detached clone
	 * for the masks made after the pivot. */
	if (cfg->linux && cfg->linux->masked_paths && cfg->linux->masked_paths[0] &&
	    kernel_has(KERNEL_MOUNT_API)) {
		mask_null = open_tree(ctx->devnull_fd, "",
				      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (mask_null < 0)
			return husk_error_errno(err, "clone the host's /dev/null");
	}
	return 0;
}

int rootfs_pivot(struct init_ctx *ctx, struct husk_error *err)
{
	if (ctx->chrooted)
		return 0;
	if (fchdir(ctx->rootfs_fd) < 0)
		return husk_error_errno(err, "chdir to the rootfs");
	if (ctx->no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return husk_error_errno(err, "move the rootfs to /");
		if (chroot(".") < 0)
			return husk_error_errno(err, "chroot");
	} else {
		/* The old root ends up stacked on the new one, at "."; detach it
		 * after making sure the unmount cannot propagate to the host.
		 * Only the old root's tree becomes a slave, through an fd taken
		 * before the pivot: "." names the new root, and making that
		 * tree a slave would cut a shared volume from the host's peer
		 * group (rshared binds, Bidirectional propagation). */
		_cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (old_root < 0)
			return husk_error_errno(err, "open the old root");
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return husk_error_errno(err, "pivot_root");
		if (mount_set_propagation(old_root, MS_SLAVE, true, err) < 0)
			return husk_error_prefix(err, "make the old root a slave");
		if (umount2(".", MNT_DETACH) < 0)
			return husk_error_errno(err, "detach the old root");
	}
	if (chdir("/") < 0)
		return husk_error_errno(err, "chdir /");
	return 0;
}

/* Attach the shared mask (or a clone of it once it is attached). */
static int attach_mask(int *mask, int target, const char *path, struct husk_error *err)
{
	static bool null_attached, dir_attached;
	bool *attached = mask == &mask_null ? &null_attached : &dir_attached;
	_cleanup_close_ int clone = -1;

	if (!*attached) {
		if (mount_attach(*mask, target, path, err) < 0)
			return -1;
		*attached = true;
		return 0;
	}
	clone = mount_tree_clone(*mask, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (clone < 0)
		return husk_error_errno(err, "clone the mask for `%s`", path);
	return mount_attach(clone, target, path, err);
}

static int mask_path(struct init_ctx *ctx, const char *path, struct husk_error *err)
{
	struct stat st;
	_cleanup_close_ int fd = open_mask_target(ctx, path, &st, err);

	if (fd < 0)
		return fd == MASK_TARGET_ABSENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode)) {
		if (!kernel_has(KERNEL_MOUNT_API))
			return 0; /* masked before the pivot: mask_files_before_pivot() */
		if (mask_null < 0)
			return husk_error_set(err, EBADF, "no /dev/null to mask `%s` with", path);
		return attach_mask(&mask_null, fd, path, err);
	}
	if (mask_dir < 0) {
		const char *label = ctx->cfg->linux ? ctx->cfg->linux->mount_label : NULL;
		_cleanup_free_ char *ctxopt = NULL;
		char *data[2] = {NULL, NULL};
		if (label && *label && lsm_selinux_enabled() > 0)
			data[0] = ctxopt = xasprintf("context=%s", label);
		mask_dir = mount_new_fs("tmpfs", "tmpfs", data,
					MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					    MOUNT_ATTR_NOEXEC,
					err);
		if (mask_dir < 0)
			return -1;
	}
	return attach_mask(&mask_dir, fd, path, err);
}

static int readonly_path(struct init_ctx *ctx, const char *path, struct husk_error *err)
{
	_cleanup_close_ int fd =
	    resolve_in_root(ctx->rootfs_fd, path, O_PATH, RESOLVE_NO_CREATE, 0, err);
	_cleanup_close_ int tree = -1;

	if (fd < 0) {
		if (err->errnum == ENOENT || err->errnum == ENOTDIR) {
			husk_error_clear(err);
			return 0;
		}
		return -1;
	}
	tree = mount_tree_clone(fd, "",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0)
		return husk_error_errno(err, "bind `%s`", path);
	/* Only ever adding flags: whatever the mount has locked stays. */
	if (mount_set_attrs(tree, true,
			    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				MOUNT_ATTR_NOEXEC,
			    0, err) < 0)
		return -1;
	return mount_attach(tree, fd, path, err);
}

int rootfs_finish(struct init_ctx *ctx, struct husk_error *err)
{
	const struct spec_config *cfg = ctx->cfg;
	const struct spec_linux *l = cfg->linux;
	unsigned long prop;
	bool rec;

	if (ctx->chrooted)
		return 0; /* nothing mounted, nothing to mask */
	for (size_t i = 0; l && l->masked_paths && l->masked_paths[i]; i++)
		if (mask_path(ctx, l->masked_paths[i], err) < 0)
			return husk_error_prefix(err, "maskedPaths `%s`", l->masked_paths[i]);
	for (size_t i = 0; l && l->readonly_paths && l->readonly_paths[i]; i++)
		if (readonly_path(ctx, l->readonly_paths[i], err) < 0)
			return husk_error_prefix(err, "readonlyPaths `%s`", l->readonly_paths[i]);
	if (mask_null >= 0) {
		close(mask_null);
		mask_null = -1;
	}
	if (mask_dir >= 0) {
		close(mask_dir);
		mask_dir = -1;
	}
	if (cfg->root && cfg->root->readonly &&
	    mount_set_attrs(ctx->rootfs_fd, false, MOUNT_ATTR_RDONLY, 0, err) < 0)
		return husk_error_prefix(err, "read-only root");
	if (propagation_of(cfg, &prop, &rec, err) < 0)
		return -1;
	if (prop && mount_set_propagation(ctx->rootfs_fd, prop, rec, err) < 0)
		return husk_error_prefix(err, "linux.rootfsPropagation");
	return 0;
}
