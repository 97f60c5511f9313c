// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "state_store.h"
#include "linux/kernel.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define STATE_FILE "state.json"
#define CONFIG_FILE "config.json"
#define FIFO_FILE "exec.fifo"
#define MAX_ID_LEN 1024

int container_id_check(const char *id, struct husk_error *err)
{
	size_t len;

	if (id == NULL || *id == '\0')
		return husk_error_set(err, EINVAL, "container id is empty");
	len = strlen(id);
	if (len > MAX_ID_LEN)
		return husk_error_set(err, EINVAL, "container id is longer than %d bytes",
				      MAX_ID_LEN);
	if (id[0] == '.')
		return husk_error_set(err, EINVAL,
				      "invalid container id `%s`: it starts with a dot", id);
	for (const char *p = id; *p; p++) {
		if (isalnum((unsigned char)*p) || strchr("_+.-", *p))
			continue;
		return husk_error_set(
		    err, EINVAL,
		    "invalid container id `%s`: only letters, digits and `_+.-` are allowed", id);
	}
	return 0;
}

/*
 * The root is trusted with every container's pid, cgroup paths and config:
 * one that another user can write to (or swap for a symlink) would let
 * that user plant state this husk then acts on, and so would any directory
 * on the way to it, which that user could rename and replace.  Like sshd's
 * StrictModes:
 *   - the root itself is a real directory (not a symlink) owned by us or by
 *     root and writable by its owner alone;
 *   - every directory on the way from / is owned by us or by root and
 *     writable by nobody else, or by others only with the sticky bit (/tmp,
 *     /var/tmp), where they may add entries but not rename or remove ours
 *     (and whatever they add is owned by them, so refused in turn);
 *   - a symlink on the way (/var/run -> /run) is followed when it is owned
 *     by us or by root, its directory being checked already.
 * The walk goes one component at a time through directory fds opened
 * without following links, so the path used is the path checked.
 * In a user namespace that does not map the host's root (rootless podman
 * runs the runtime in one), /, /run and /run/user show as owned by the
 * overflow uid: on the way there (not for the root itself) that owner is
 * taken for root, since no other owner can be told apart from it.
 */
#define MAX_ROOT_LINKS 40

static bool host_root_unmapped(void)
{
	static int unmapped = -1;
	unsigned long inside, outside, count;
	_cleanup_file_ FILE *f = NULL;

	if (unmapped >= 0)
		return unmapped;
	unmapped = 0;
	f = fopen("/proc/self/uid_map", "re");
	if (f == NULL)
		return false;
	unmapped = 1;
	while (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
		if (outside == 0)
			unmapped = 0;
	return unmapped;
}

static uid_t overflow_uid(void)
{
	unsigned long uid = 65534;
	_cleanup_file_ FILE *f = fopen("/proc/sys/kernel/overflowuid", "re");

	if (f && fscanf(f, "%lu", &uid) != 1)
		uid = 65534;
	return (uid_t)uid;
}

static bool trusted_owner(uid_t uid, bool on_the_way)
{
	if (uid == 0 || uid == geteuid())
		return true;
	return on_the_way && host_root_unmapped() && uid == overflow_uid();
}

static int untrusted_owner(const char *root, const char *what, const char *where, uid_t uid,
			   struct husk_error *err)
{
	return husk_error_set(
	    err, EPERM,
	    "state root `%s`: %s `%s` on the way to it is owned by uid %u, not by "
	    "us (uid %u) or root",
	    root, what, where, (unsigned)uid, (unsigned)geteuid());
}

static int check_dir_on_the_way(int fd, const char *where, const char *root, struct husk_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return husk_error_errno(err, "state root `%s`: stat `%s`", root, where);
	if (!trusted_owner(st.st_uid, true))
		return untrusted_owner(root, "the directory", where, st.st_uid, err);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return husk_error_set(
		    err, EPERM,
		    "state root `%s`: the directory `%s` on the way to it is "
		    "writable by its group or by others and not sticky (mode %04o)",
		    root, where, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int open_dir_on_the_way(int dirfd, const char *name, const char *where, const char *root,
			       struct husk_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return husk_error_errno(err, "state root `%s`: open `%s`", root, where);
	if (check_dir_on_the_way(fd, where, root, err) < 0)
		return -1;
	return steal_fd(&fd);
}

static char *join_path(const char *dir, const char *name)
{
	return xasprintf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
}

/* The state root as an absolute path: a relative one is taken from the
 * working directory's real path (getcwd has no symlinks in it). */
static char *absolute_root(const char *root, struct husk_error *err)
{
	_cleanup_free_ char *cwd = NULL;

	if (root[0] == '/')
		return xstrdup(root);
	cwd = getcwd(NULL, 0);
	if (cwd == NULL) {
		husk_error_errno(err, "state root `%s`: the working directory", root);
		return NULL;
	}
	return join_path(cwd, root);
}

/*
 * Walk from / to the directory that holds the root's last component,
 * checking each directory on the way and following trusted symlinks; with
 * create, missing directories are made (0755, as mkdir -p: containerd's
 * shim passes --root <runc-root>/<namespace>).  Returns that directory's
 * fd and its name for the root in *last ("." for the root /).
 */
static int open_root_parent(const char *root, bool create, char **last, struct husk_error *err)
{
	_cleanup_free_ char *todo = absolute_root(root, err);
	_cleanup_free_ char *where = xstrdup("/");
	_cleanup_close_ int dir = -1;
	int links = 0;

	if (todo == NULL)
		return -1;
	dir = open_dir_on_the_way(AT_FDCWD, "/", "/", root, err);
	if (dir < 0)
		return -1;
	for (;;) {
		char *name = todo + strspn(todo, "/"), *end = name + strcspn(name, "/");
		char *rest = end + strspn(end, "/");
		_cleanup_free_ char *next = NULL, *comp = NULL;
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;
		int fd;

		if (*rest == '\0') {
			*last = *name ? strndup(name, (size_t)(end - name)) : xstrdup(".");
			if (*last == NULL)
				return husk_error_set(err, ENOMEM, "state root `%s`", root);
			return steal_fd(&dir);
		}
		comp = strndup(name, (size_t)(end - name));
		if (comp == NULL)
			return husk_error_set(err, ENOMEM, "state root `%s`", root);
		next = join_path(where, comp);
		if (fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT || !create)
				return husk_error_errno(err, "open state root `%s`: `%s`", root,
							next);
			if (mkdirat(dir, comp, 0755) < 0 && errno != EEXIST)
				return husk_error_errno(err, "create state root `%s`: `%s`", root,
							next);
			if (fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return husk_error_errno(err, "create state root `%s`: `%s`", root,
							next);
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > MAX_ROOT_LINKS)
				return husk_error_set(
				    err, ELOOP,
				    "state root `%s`: more than %d symbolic links "
				    "on the way to it",
				    root, MAX_ROOT_LINKS);
			if (!trusted_owner(st.st_uid, true))
				return untrusted_owner(root, "the symbolic link", next, st.st_uid,
						       err);
			n = readlinkat(dir, comp, target, sizeof target - 1);
			if (n < 0)
				return husk_error_errno(err, "state root `%s`: read the link `%s`",
							root, next);
			target[n] = '\0';
			free(comp);
			comp = xasprintf("%s/%s", target, rest);
			free(todo);
			todo = comp;
			comp = NULL;
			if (target[0] == '/') {
				cleanup_closep(&dir);
				dir = open_dir_on_the_way(AT_FDCWD, "/", "/", root, err);
				if (dir < 0)
					return -1;
				free(where);
				where = xstrdup("/");
			}
			continue;
		}
		fd = open_dir_on_the_way(dir, comp, next, root, err);
		if (fd < 0)
			return -1;
		cleanup_closep(&dir);
		dir = fd;
		free(where);
		where = next;
		next = NULL;
		memmove(todo, rest, strlen(rest) + 1);
	}
}

static int check_root_fd(int fd, const char *root, struct husk_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return husk_error_errno(err, "stat state root `%s`", root);
	if (!trusted_owner(st.st_uid, false))
		return husk_error_set(
		    err, EPERM, "state root `%s` is owned by uid %u, not by us (uid %u) or root",
		    root, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return husk_error_set(err, EPERM,
				      "state root `%s` is writable by its group or by others (mode "
				      "%04o); it must be writable by its owner only",
				      root, (unsigned)(st.st_mode & 07777));
	return 0;
}

int state_root_open(const char *root, bool create, struct husk_error *err)
{
	_cleanup_close_ int parent = -1, fd = -1;
	_cleanup_free_ char *last = NULL;

	if (root == NULL)
		return husk_error_set(err, 0,
				      "no state root: not running as root and XDG_RUNTIME_DIR is "
				      "not set; set XDG_RUNTIME_DIR (e.g. /run/user/%u) or pass "
				      "--root DIR",
				      (unsigned)getuid());
	parent = open_root_parent(root, create, &last, err);
	if (parent < 0)
		return -1;
	if (create && mkdirat(parent, last, 0700) < 0 && errno != EEXIST)
		return husk_error_errno(err, "create state root `%s`", root);
	fd = openat(parent, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR) {
			struct stat st;
			if (fstatat(parent, last, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				return husk_error_set(err, ELOOP,
						      "state root `%s` is a symbolic link; give "
						      "the directory itself",
						      root);
		}
		return husk_error_errno(err, "open state root `%s`", root);
	}
	if (check_root_fd(fd, root, err) < 0)
		return -1;
	return steal_fd(&fd);
}

static int lock_dir(int dirfd, const char *id, struct husk_error *err)
{
	while (flock(dirfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return husk_error_errno(err, "lock container `%s`", id);
	}
	return 0;
}

int state_store_create(const char *root, const char *id, struct container_ref *out,
		       struct husk_error *err)
{
	_cleanup_close_ int rootfd = -1;
	int dirfd;

	memset(out, 0, sizeof *out);
	out->dirfd = -1;
	if (container_id_check(id, err) < 0)
		return -1;
	rootfd = state_root_open(root, true, err);
	if (rootfd < 0)
		return -1;
	if (mkdirat(rootfd, id, 0700) < 0) {
		if (errno == EEXIST)
			return husk_error_set(err, EEXIST, "container `%s` already exists", id);
		return husk_error_errno(err, "create state directory for `%s`", id);
	}
	dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd < 0)
		return husk_error_errno(err, "open state directory for `%s`", id);
	out->dirfd = dirfd;
	out->id = xstrdup(id);
	out->locked = true;
	return lock_dir(dirfd, id, err);
}

static int read_state(struct container_ref *ref, struct husk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (read_file_at(ref->dirfd, STATE_FILE, 1 << 20, &buf, &len, err) < 0)
		return -1;
	return spec_state_parse(buf, len, &ref->state, err);
}

static struct spec_state *placeholder_state(const char *id)
{
	struct spec_state *st = xcalloc(1, sizeof *st);

	st->oci_version = xstrdup("1.3.0");
	st->id = xstrdup(id);
	st->status = xstrdup("creating");
	st->bundle = xstrdup("");
	return st;
}

int state_store_open(const char *root, const char *id, struct container_ref *out,
		     struct husk_error *err)
{
	return state_store_open_at(-1, root, id, true, out, err);
}

int state_store_open_at(int rootfd_in, const char *root, const char *id, bool lock,
			struct container_ref *out, struct husk_error *err)
{
	_cleanup_close_ int rootfd = -1;

	memset(out, 0, sizeof *out);
	out->dirfd = -1;
	if (container_id_check(id, err) < 0)
		return -1;
	if (rootfd_in < 0) {
		rootfd = state_root_open(root, false, err);
		if (rootfd < 0) {
			if (err->errnum != ENOENT)
				return -1;
			husk_error_clear(err);
			return husk_error_set(err, ENOENT, "container `%s` does not exist", id);
		}
	}
	out->dirfd = openat(rootfd_in >= 0 ? rootfd_in : rootfd, id,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (out->dirfd < 0) {
		if (errno == ENOENT)
			return husk_error_set(err, ENOENT, "container `%s` does not exist", id);
		return husk_error_errno(err, "open container `%s`", id);
	}
	out->id = xstrdup(id);
	out->locked = lock;
	if (lock && lock_dir(out->dirfd, id, err) < 0)
		return -1;
	if (read_state(out, err) < 0) {
		struct stat st;

		if (err->errnum != ENOENT)
			return husk_error_prefix(err, "container `%s`", id);
		/* A delete that held the lock while we waited has removed it
		 * (an unlinked directory is empty: asked only on ENOENT, which
		 * saves `list` a syscall per container). */
		if (fstat(out->dirfd, &st) == 0 && st.st_nlink == 0) {
			husk_error_clear(err);
			return husk_error_set(err, ENOENT, "container `%s` does not exist", id);
		}
		/* A create killed between making the directory and recording its
		 * intent: nothing else of it exists.  Answer for it as "creating"
		 * (stopped once no create holds it) so every command sees it. */
		husk_error_clear(err);
		out->state = placeholder_state(id);
	}
	return 0;
}

int state_store_write(struct container_ref *ref, struct husk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (spec_state_emit(ref->state, SPEC_STATE_STORED, &buf, &len, err) < 0)
		return -1;
	return write_file_atomic_at(ref->dirfd, STATE_FILE, buf, len, 0600, err);
}

int state_store_load_config(struct container_ref *ref, struct husk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (ref->config)
		return 0;
	if (read_file_at(ref->dirfd, CONFIG_FILE, 64 << 20, &buf, &len, err) < 0)
		return husk_error_prefix(err, "container `%s`", ref->id);
	if (spec_config_parse(buf, len, &ref->config, err) < 0)
		return husk_error_prefix(err, "container `%s`: stored config.json", ref->id);
	return 0;
}

static int remove_tree_at(int dirfd, struct husk_error *err)
{
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;
	int fd = dup(dirfd);

	if (fd < 0)
		return husk_error_errno(err, "dup");
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return husk_error_errno(err, "fdopendir");
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) < 0 && errno != ENOENT)
			return husk_error_errno(err, "remove `%s`", de->d_name);
	}
	return 0;
}

int state_store_remove(const char *root, struct container_ref *ref, struct husk_error *err)
{
	_cleanup_close_ int rootfd = state_root_open(root, false, err);

	if (rootfd < 0)
		return -1;
	if (remove_tree_at(ref->dirfd, err) < 0)
		return husk_error_prefix(err, "remove state of `%s`", ref->id);
	if (unlinkat(rootfd, ref->id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return husk_error_errno(err, "remove state directory of `%s`", ref->id);
	return 0;
}

void container_ref_release(struct container_ref *ref)
{
	if (ref->dirfd >= 0)
		close(ref->dirfd);
	ref->dirfd = -1;
	spec_state_free(ref->state);
	ref->state = NULL;
	spec_config_free(ref->config);
	ref->config = NULL;
	free(ref->id);
	ref->id = NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_store_list(const char *root, char ***ids, struct husk_error *err)
{
	_cleanup_dir_ DIR *d = NULL;
	int fd = state_root_open(root, false, err);
	struct dirent *de;
	size_t n = 0, cap = 16;
	char **v;

	*ids = NULL;
	if (fd < 0) {
		if (err->errnum == ENOENT) {
			husk_error_clear(err);
			*ids = xcalloc(1, sizeof(char *));
			return 0;
		}
		return -1;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return husk_error_errno(err, "open state root `%s`", root);
	}
	v = xcalloc(cap + 1, sizeof(char *));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (n == cap) {
			cap *= 2;
			v = xrealloc(v, (cap + 1) * sizeof(char *));
		}
		v[n++] = xstrdup(de->d_name);
	}
	v[n] = NULL;
	qsort(v, n, sizeof(char *), cmp_str);
	*ids = v;
	return 0;
}

/* Fields 3 (state) and 22 (start time) of /proc/PID/stat, in one read. */
static int read_proc_stat(pid_t pid, char *state, uint64_t *start_time)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return -1;
	*state = p[2];
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return -1;
	*start_time = strtoull(p + 1, NULL, 10);
	return 0;
}

uint64_t process_start_time(pid_t pid)
{
	char state;
	uint64_t t;

	return read_proc_stat(pid, &state, &t) == 0 ? t : 0;
}

bool process_is_same(pid_t pid, uint64_t start_time)
{
	char state = 0;
	uint64_t t = 0;

	if (pid <= 0 || read_proc_stat(pid, &state, &t) < 0 || t != start_time)
		return false;
	/* A zombie is gone for our purposes. */
	return state != 'Z' && state != 'X';
}

int process_pidfd_open(pid_t pid, uint64_t start_time)
{
	int fd;

	if (!kernel_has(KERNEL_PIDFD_OPEN)) {
		errno = ENOSYS;
		return -1;
	}
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -1;
	/* Checked after opening: the pidfd pins the process, so it cannot be
	 * reused between this check and any later use. */
	if (!process_is_same(pid, start_time)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

/* Whether another command holds the container's lock (a create still at
 * work).  Only for a ref opened without the lock: on our own locked fd a
 * second flock would convert our lock instead of testing theirs. */
static bool locked_by_other(const struct container_ref *ref)
{
	if (ref->locked)
		return false;
	if (flock(ref->dirfd, LOCK_SH | LOCK_NB) == 0) {
		flock(ref->dirfd, LOCK_UN);
		return false;
	}
	return errno == EWOULDBLOCK;
}

static bool status_is(const struct spec_state *s, const char *status)
{
	return s->status && strcmp(s->status, status) == 0;
}

const char *container_status(struct container_ref *ref, const struct husk_globals *g)
{
	struct stat st;
	const struct spec_state *s = ref->state;

	/* A create that has not finished: still at work, or killed with its
	 * init left waiting (delete --force removes both). */
	if (s->status && strcmp(s->status, "creating") == 0) {
		if (process_is_same(s->pid, s->start_time) || locked_by_other(ref))
			return "creating";
		return "stopped";
	}
	if (!process_is_same(s->pid, s->start_time))
		return "stopped";
	/* start removes exec.fifo before it records "running": only a
	 * container recorded as created can still have it. */
	if (!status_is(s, "running") && !status_is(s, "paused") &&
	    fstatat(ref->dirfd, FIFO_FILE, &st, 0) == 0)
		return "created";
	if (s->cgroup_path) {
		struct husk_error err = HUSK_ERROR_INIT;
		bool frozen = false;
		int r = cgroup_state_frozen(s, &frozen, &err);
		husk_error_clear(&err);
		if (r == 0 && frozen)
			return "paused";
	}
	return "running";
}
