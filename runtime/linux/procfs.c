// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A procfs handle the container cannot redirect (the CVE-2019-19921 and
 * CVE-2025-52881 class: a container that controls what /proc is, or what is
 * mounted over a file in it, can turn our writes to /proc/self/attr/... or
 * /proc/sys/... into writes somewhere else).
 *
 * We hold our own procfs: a fresh instance from fsopen("proc"), which has no
 * submounts at all; else a non-recursive clone of /proc (open_tree), which
 * has none either; else /proc itself.  Each is checked to be procfs.  Lookups
 * under it never cross a mount (RESOLVE_NO_XDEV), never follow a symlink or
 * magic link, and stay beneath it, so whatever is mounted over a file in some
 * /proc is never what we open.  "self" and "thread-self" are the only
 * symlinks we need; they are read from the handle itself, so they name the
 * caller as seen by that procfs instance's pid namespace.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/kernel.h"
#include "linux/linux.h"
#include "util.h"

static int procfs_cached = -1;
static uint64_t procfs_mnt_id;

static bool is_procfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static int mount_id_of(int fd, uint64_t *id)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

static int procfs_new_instance(void)
{
	_cleanup_close_ int fsfd = fsopen("proc", FSOPEN_CLOEXEC);

	if (fsfd < 0)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(fsfd, FSMOUNT_CLOEXEC,
		       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

static int procfs_try(int fd)
{
	if (fd < 0)
		return -1;
	if (!is_procfs(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

int procfs_fd(struct husk_error *err)
{
	int fd;

	/* A forked child keeps the parent's handle: still procfs, still ours. */
	if (procfs_cached >= 0)
		return procfs_cached;

	fd = procfs_try(procfs_new_instance());
	if (fd < 0)
		fd = procfs_try(open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
	if (fd < 0) {
		fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return husk_error_errno(err, "open /proc");
		if (!is_procfs(fd)) {
			close(fd);
			return husk_error_set(err, EXDEV, "/proc is not a procfs mount");
		}
	}
	if (mount_id_of(fd, &procfs_mnt_id) < 0)
		procfs_mnt_id = 0;
	procfs_cached = fd;
	return fd;
}

/* "self/x" -> "<pid>/x", "thread-self/x" -> "<pid>/task/<tid>/x", as the
 * handle's own pid namespace numbers us. */
static char *expand_self(int procfd, const char *path)
{
	const char *link = NULL, *rest = NULL;
	char target[64];
	ssize_t n;

	if (str_has_prefix(path, "self") && (path[4] == '/' || path[4] == '\0')) {
		link = "self";
		rest = path + 4;
	} else if (str_has_prefix(path, "thread-self") && (path[11] == '/' || path[11] == '\0')) {
		link = "thread-self";
		rest = path + 11;
	}
	if (link == NULL)
		return xstrdup(path);
	n = readlinkat(procfd, link, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL; /* our pid is not visible in that procfs */
	target[n] = '\0';
	return xasprintf("%s%s", target, rest);
}

static int open_beneath(int procfd, const char *path, int flags)
{
	/* openat2 refuses O_PATH with any flag it would ignore. */
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
	};
	long fd = kernel_has(KERNEL_OPENAT2) ? syscall(SYS_openat2, procfd, path, &how, sizeof(how))
					     : (errno = ENOSYS, -1);

	if (fd >= 0 || (errno != ENOSYS && errno != E2BIG))
		return (int)fd;

	/* No openat2: open, then check that no mount was crossed. */
	if (strstr(path, "..")) {
		errno = EXDEV;
		return -1;
	}
	int f = openat(procfd, path, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	uint64_t id;
	if (f >= 0 && (!is_procfs(f) ||
		       (procfs_mnt_id && (mount_id_of(f, &id) < 0 || id != procfs_mnt_id)))) {
		close(f);
		errno = EXDEV;
		return -1;
	}
	return f;
}

int procfs_open(const char *path, int flags, struct husk_error *err)
{
	int procfd = procfs_fd(err);

	if (procfd < 0)
		return procfd;
	while (*path == '/')
		path++;
	_cleanup_free_ char *real = expand_self(procfd, path);
	if (real == NULL)
		return husk_error_set(err, ESRCH, "open /proc/%s: not visible in our procfs", path);
	int fd = open_beneath(procfd, real, flags);
	if (fd < 0)
		return husk_error_errno(err, "open /proc/%s", path);
	return fd;
}

int procfs_write(const char *path, const char *value, struct husk_error *err)
{
	_cleanup_close_ int fd = procfs_open(path, O_WRONLY, err);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return -1;
	/* One write: sysctl and id maps take the whole value at once. */
	n = write(fd, value, len);
	if (n < 0)
		return husk_error_errno(err, "write `%s` to /proc/%s", value, path);
	if ((size_t)n != len)
		return husk_error_set(err, EIO, "short write of `%s` to /proc/%s", value, path);
	return 0;
}

int procfs_cached_fd(void)
{
	return procfs_cached;
}
