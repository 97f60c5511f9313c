// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Paths inside the container's rootfs.  The rootfs belongs to whoever built
 * the image, and shared volumes may be changed by a running container while
 * we work, so every path is looked up as if rootfd were "/": symlinks,
 * absolute or relative, and ".." are resolved against rootfd and can never
 * name anything outside it.
 *
 * The kernel does that for us with openat2(RESOLVE_IN_ROOT).  Where openat2
 * is missing (or the test suite forces it), and whenever something has to be
 * created, a walk opens one component at a time with O_NOFOLLOW, keeps a
 * stack of the directories it went through (so ".." is a pop and never a
 * kernel lookup that a rename could move outside the root), and expands each
 * symlink itself.  Creation uses mkdirat and O_CREAT|O_EXCL|O_NOFOLLOW on a
 * single name under an fd we hold, so a planted symlink is never followed by
 * the kernel: it comes back to the walk, which resolves it inside the root.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/kernel.h"
#include "linux/linux.h"
#include "util.h"

#define RESOLVE_MAX_SYMLINKS 40 /* the kernel's MAXSYMLINKS */
#define RESOLVE_EAGAIN_RETRIES 16

bool resolve_force_fallback;

/* The walk's directory stack; rootfd is the bottom and is not ours. */
struct walk {
	int rootfd;
	int *fds;
	size_t n, cap;
};

static int walk_top(const struct walk *w)
{
	return w->n ? w->fds[w->n - 1] : w->rootfd;
}

static void walk_pop(struct walk *w)
{
	if (w->n)
		close(w->fds[--w->n]);
}

static void walk_reset(struct walk *w)
{
	while (w->n)
		walk_pop(w);
}

static void walk_push(struct walk *w, int fd)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->fds = xrealloc(w->fds, w->cap * sizeof(*w->fds));
	}
	w->fds[w->n++] = fd;
}

static void walk_free(struct walk *w)
{
	walk_reset(w);
	free(w->fds);
	w->fds = NULL;
}

static bool use_fallback(void)
{
	return resolve_force_fallback || !kernel_has(KERNEL_OPENAT2);
}

/* Create `name` under dirfd when it is missing; never follows a symlink. */
static int create_missing(int dirfd, const char *name, bool as_file, mode_t mode)
{
	if (!as_file)
		return mkdirat(dirfd, name, mode) < 0 && errno != EEXIST ? -1 : 0;

	int fd = openat(dirfd, name,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EEXIST ? 0 : -1;
}

/* Open the walk's result with the caller's flags, checking that the name
 * still refers to what the walk found. */
static int reopen_final(int parent, const char *name, int pathfd, int flags)
{
	struct stat a, b;
	int fd;

	flags |= O_CLOEXEC;
	if (flags & O_PATH) {
		if ((flags & O_DIRECTORY) && (fstat(pathfd, &a) < 0 || !S_ISDIR(a.st_mode))) {
			errno = ENOTDIR;
			return -1;
		}
		return fcntl(pathfd, F_DUPFD_CLOEXEC, 3);
	}
	if (name == NULL)
		fd = openat(pathfd, ".", flags);
	else
		fd = openat(parent, name, flags | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &a) < 0 || fstat(pathfd, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		close(fd);
		errno = EXDEV; /* swapped under us */
		return -1;
	}
	return fd;
}

static int walk_resolve(int rootfd, const char *path, int flags, enum resolve_create create,
			mode_t mode)
{
	struct walk w = {.rootfd = rootfd};
	_cleanup_free_ char *todo = xstrdup(path);
	char name[NAME_MAX + 1] = "";
	bool have_name = false; /* the top of the stack was reached by a name */
	int links = 0, ret = -1, saved;
	char *rest = todo;

	for (;;) {
		while (*rest == '/')
			rest++;
		if (*rest == '\0')
			break;

		char *end = strchrnul(rest, '/');
		size_t len = (size_t)(end - rest);
		if (len > NAME_MAX) {
			errno = ENAMETOOLONG;
			goto out;
		}
		memcpy(name, rest, len);
		name[len] = '\0';
		rest = end;
		const char *after = rest;
		while (*after == '/')
			after++;
		bool last = *after == '\0';
		bool trailing_slash = last && *rest == '/';

		if (strcmp(name, ".") == 0) {
			continue;
		}
		if (strcmp(name, "..") == 0) {
			walk_pop(&w); /* clamped at the root */
			have_name = false;
			continue;
		}

		int fd = openat(walk_top(&w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create != RESOLVE_NO_CREATE) {
			bool as_file = create == RESOLVE_MKFILE && last && !trailing_slash;
			mode_t m = (create == RESOLVE_MKDIR || as_file) ? mode : 0755;
			if (create_missing(walk_top(&w), name, as_file, m) < 0)
				goto out;
			fd = openat(walk_top(&w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0)
			goto out;

		struct stat st;
		if (fstat(fd, &st) < 0) {
			close(fd);
			goto out;
		}
		if (S_ISLNK(st.st_mode) && !(last && !trailing_slash && (flags & O_NOFOLLOW))) {
			char target[PATH_MAX];
			ssize_t n;

			if (++links > RESOLVE_MAX_SYMLINKS) {
				close(fd);
				errno = ELOOP;
				goto out;
			}
			n = readlinkat(fd, "", target, sizeof(target));
			close(fd);
			if (n < 0)
				goto out;
			if ((size_t)n >= sizeof(target)) {
				errno = ENAMETOOLONG;
				goto out;
			}
			target[n] = '\0';
			/* rest is empty or starts with '/' */
			char *next = xasprintf("%s%s", target, rest);
			free(todo);
			todo = rest = next;
			if (target[0] == '/') {
				walk_reset(&w);
				have_name = false;
			}
			continue;
		}
		if ((!last || trailing_slash) && !S_ISDIR(st.st_mode)) {
			close(fd);
			errno = ENOTDIR;
			goto out;
		}
		walk_push(&w, fd);
		have_name = true;
	}

	if (w.n == 0) {
		ret = reopen_final(-1, NULL, rootfd, flags);
	} else {
		int parent = w.n >= 2 ? w.fds[w.n - 2] : rootfd;
		struct stat st;
		bool dir = fstat(walk_top(&w), &st) == 0 && S_ISDIR(st.st_mode);
		ret = reopen_final(parent, (have_name && !dir) ? name : NULL, walk_top(&w), flags);
	}
out:
	saved = errno;
	walk_free(&w);
	errno = saved;
	return ret;
}

/* -1 with ENOSYS when openat2 cannot be used at all. */
static int openat2_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	static bool unavailable;

	if (unavailable) {
		errno = ENOSYS;
		return -1;
	}
	for (int i = 0; i < RESOLVE_EAGAIN_RETRIES; i++) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno == ENOSYS || errno == E2BIG) {
			unavailable = true;
			errno = ENOSYS;
			return -1;
		}
		if (errno != EAGAIN)
			return -1;
	}
	errno = ENOSYS; /* a rename storm: let the walk, which has no ".." race, do it */
	return -1;
}

int resolve_in_root(int rootfd, const char *path, int flags, enum resolve_create create,
		    mode_t mode, struct husk_error *err)
{
	const char *p = path;
	int fd = -1;

	while (*p == '/')
		p++;
	if (*p == '\0')
		p = ".";
	flags &= ~(O_CREAT | O_EXCL | O_TRUNC);

	if (!use_fallback()) {
		fd = openat2_in_root(rootfd, p, flags);
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS && !(errno == ENOENT && create != RESOLVE_NO_CREATE))
			return husk_error_errno(err, "open `%s` inside the rootfs", path);
	}
	fd = walk_resolve(rootfd, p, flags, create, mode);
	if (fd < 0)
		return husk_error_errno(err, "%s `%s` inside the rootfs",
					create == RESOLVE_NO_CREATE ? "open" : "create", path);
	return fd;
}
