// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.json mounts, applied in order under the rootfs.  The destination is
 * resolved (and created) inside the rootfs with resolve_in_root(); the mount
 * is prepared detached -- open_tree(OPEN_TREE_CLONE) for binds, fsopen and
 * fsmount for new filesystems -- with its flags set by mount_setattr before
 * it is visible, then attached with move_mount onto the resolved fd.  So a
 * container racing symlinks into a shared volume cannot make us mount
 * anywhere but where the resolved fd is (CVE-2021-30465).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

#include "linux/kernel.h"
#include "linux/linux.h"
#include "linux/mounts.h"
#include "linux/mountinfo.h"
#include "spec/names.h"
#include "sync.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define COPYUP_MAX_DEPTH 64

/* ---- options ---- */

static uint64_t ms_to_attr(unsigned long ms)
{
	uint64_t a = 0;

	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	return a;
}

/* The atime mode is a field, not a bit: every atime option replaces it. */
static bool parse_atime(const char *name, uint64_t *set, uint64_t *clr)
{
	static const struct {
		const char *name;
		uint64_t mode;
	} modes[] = {
	    {"noatime", MOUNT_ATTR_NOATIME},	     {"relatime", MOUNT_ATTR_RELATIME},
	    {"strictatime", MOUNT_ATTR_STRICTATIME}, {"atime", MOUNT_ATTR_RELATIME},
	    {"norelatime", MOUNT_ATTR_STRICTATIME},  {"nostrictatime", MOUNT_ATTR_RELATIME},
	};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		if (strcmp(name, modes[i].name) == 0) {
			*set = (*set & ~(uint64_t)MOUNT_ATTR__ATIME) | modes[i].mode;
			*clr |= MOUNT_ATTR__ATIME;
			return true;
		}
	}
	return false;
}

static void add_data(struct mount_opts *o, const char *s)
{
	o->data = xrealloc(o->data, (o->n_data + 2) * sizeof(char *));
	o->data[o->n_data++] = xstrdup(s);
	o->data[o->n_data] = NULL;
}

static void parse_one(const char *name, struct mount_opts *o)
{
	const struct spec_mount_option *opt = spec_mount_option_lookup(name);

	if (parse_atime(name, &o->set, &o->clr))
		return;
	if (name[0] == 'r' && parse_atime(name + 1, &o->rset, &o->rclr))
		return;
	if (str_has_prefix(name, "x-"))
		return; /* mount(8) convention: for userspace tools, not the kernel */
	if (opt == NULL) {
		add_data(o, name);
		return;
	}
	switch (opt->kind) {
	case SPEC_MOUNT_FLAG: {
		uint64_t a = ms_to_attr(opt->flag);
		if (opt->flag == MS_REMOUNT) {
			o->remount = true;
		} else if (a) {
			if (opt->clear) {
				o->clr |= a;
				o->set &= ~a;
			} else {
				o->set |= a;
				o->clr &= ~a;
			}
			if (a == MOUNT_ATTR_RDONLY) {
				o->has_rw = opt->clear;
				o->has_ro = !opt->clear;
			}
		} else if (!opt->clear && (opt->flag & (MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK |
							MS_LAZYTIME))) {
			add_data(o, name); /* superblock flags: only for a new filesystem */
		}
		break;
	}
	case SPEC_MOUNT_PROPAGATION:
		o->propagation = opt->flag & ~(unsigned long)MS_REC;
		o->propagation_rec = (opt->flag & MS_REC) != 0;
		break;
	case SPEC_MOUNT_RECURSIVE:
		if (opt->clear) {
			o->rclr |= opt->flag;
			o->rset &= ~(uint64_t)opt->flag;
		} else {
			o->rset |= opt->flag;
			o->rclr &= ~(uint64_t)opt->flag;
		}
		break;
	case SPEC_MOUNT_EXTENSION:
		if (strcmp(name, "bind") == 0)
			o->bind = true;
		else if (strcmp(name, "rbind") == 0)
			o->rbind = true;
		else if (strcmp(name, "tmpcopyup") == 0)
			o->tmpcopyup = true;
		else if (strcmp(name, "idmap") == 0)
			o->idmap = true;
		else if (strcmp(name, "ridmap") == 0)
			o->ridmap = true;
		break;
	}
}

void mount_opts_parse(char *const *options, struct mount_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; options && options[i]; i++)
		parse_one(options[i], o);
}

void mount_opts_free(struct mount_opts *o)
{
	for (size_t i = 0; i < o->n_data; i++)
		free(o->data[i]);
	free(o->data);
	o->data = NULL;
	o->n_data = 0;
}

/* ---- the fd-based mount API ---- */

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000 /* Linux 5.10; older C libraries lack the name */
#endif

uint64_t mount_attrs_of(int fd)
{
	static const struct {
		unsigned long st;
		uint64_t attr;
	} map[] = {
	    {ST_RDONLY, MOUNT_ATTR_RDONLY},
	    {ST_NOSUID, MOUNT_ATTR_NOSUID},
	    {ST_NODEV, MOUNT_ATTR_NODEV},
	    {ST_NOEXEC, MOUNT_ATTR_NOEXEC},
	    {ST_NOATIME, MOUNT_ATTR_NOATIME},
	    {ST_NODIRATIME, MOUNT_ATTR_NODIRATIME},
	    {ST_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
	};
	struct statvfs sv;
	uint64_t a = 0;

	if (fstatvfs(fd, &sv) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv.f_flag & map[i].st)
			a |= map[i].attr;
	return a;
}

int mount_set_attrs(int fd, bool recursive, uint64_t set, uint64_t clr, struct husk_error *err)
{
	struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);

	if (set == 0 && clr == 0)
		return 0;
	if (!kernel_has(KERNEL_MOUNT_SETATTR))
		return mount_legacy_set_attrs(fd, recursive, set, clr, err);
	if (mount_setattr(fd, "", flags, &attr, sizeof(attr)) == 0)
		return 0;
	if (errno == EPERM) {
		/* Locked flags (user namespace): keep what the mount has. */
		uint64_t have = mount_attrs_of(fd);
		attr.attr_set = set | (have & (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
		/* nosymfollow is never locked: clearing it is still asked for */
		attr.attr_clr = clr & ~(have & ~(uint64_t)MOUNT_ATTR_NOSYMFOLLOW);
		if (have & MOUNT_ATTR__ATIME) {
			attr.attr_clr &= ~(uint64_t)MOUNT_ATTR__ATIME;
			attr.attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
		}
		if (mount_setattr(fd, "", flags, &attr, sizeof(attr)) == 0)
			return 0;
	}
	return husk_error_errno(err, "set mount flags");
}

int mount_set_propagation(int fd, unsigned long propagation, bool recursive, struct husk_error *err)
{
	struct mount_attr attr = {.propagation = propagation};

	if (propagation == 0)
		return 0;
	if (!kernel_has(KERNEL_MOUNT_SETATTR))
		return mount_legacy_set_propagation(fd, propagation, recursive, err);
	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			  sizeof(attr)) < 0)
		return husk_error_errno(err, "set mount propagation");
	return 0;
}

/* The kernel explains a refused fsconfig in the context's log. */
static int fs_context_error(int fsfd, const char *fstype, const char *what, struct husk_error *err)
{
	int saved = errno;
	char log[256];
	ssize_t n = read(fsfd, log, sizeof(log) - 1);

	if (n > 2) {
		log[n] = '\0';
		log[strcspn(log, "\n")] = '\0';
		errno = saved;
		return husk_error_errno(err, "%s %s: %s", what, fstype, log + 2);
	}
	errno = saved;
	return husk_error_errno(err, "%s %s", what, fstype);
}

int mount_new_fs(const char *fstype, const char *source, char *const *data, uint64_t attrs,
		 struct husk_error *err)
{
	_cleanup_close_ int fsfd = -1;
	int tree;

	if (!kernel_has(KERNEL_MOUNT_API))
		return mount_legacy_new_fs(fstype, source, data, attrs, err);
	fsfd = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return husk_error_errno(err, "fsopen %s", fstype);
	if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return fs_context_error(fsfd, fstype, "source of", err);
	for (size_t i = 0; data && data[i]; i++) {
		_cleanup_free_ char *key = xstrdup(data[i]);
		char *eq = strchr(key, '=');
		int r;
		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
		}
		if (r < 0) {
			_cleanup_free_ char *what = xasprintf("option `%s` of", data[i]);
			return fs_context_error(fsfd, fstype, what, err);
		}
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_context_error(fsfd, fstype, "create", err);
	attrs &= MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
		 MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW;
	tree = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)attrs);
	if (tree < 0)
		return fs_context_error(fsfd, fstype, "fsmount", err);
	return tree;
}

int mount_attach_at(int tree, int dirfd, const char *name, const char *what, struct husk_error *err)
{
	unsigned int flags = MOVE_MOUNT_F_EMPTY_PATH | (*name ? 0 : MOVE_MOUNT_T_EMPTY_PATH);

	if (!kernel_has(KERNEL_MOUNT_API)) {
		if (mount_legacy_attach(tree, dirfd, name, err) < 0)
			return husk_error_prefix(err, "attach %s", what);
		return 0;
	}
	if (move_mount(tree, "", dirfd, name, flags) < 0)
		return husk_error_errno(err, "attach %s", what);
	/* Without mount_setattr its flags could only be set now. */
	if (!kernel_has(KERNEL_MOUNT_SETATTR) && mount_legacy_attached(tree, err) < 0)
		return husk_error_prefix(err, "%s", what);
	return 0;
}

int mount_attach(int tree, int target_fd, const char *what, struct husk_error *err)
{
	return mount_attach_at(tree, target_fd, "", what, err);
}

/* ---- paths ---- */

char *mount_clean_path(const char *path)
{
	size_t len = strlen(path);
	char *out = xmalloc(len + 2);
	size_t o = 0;
	const char *p = path;

	out[o++] = '/';
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	out[o] = '\0';
	return out;
}

bool mount_path_under(const char *p, const char *top)
{
	size_t n = strlen(top);

	return strncmp(p, top, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

char *mount_fd_path(int fd)
{
	struct husk_error err = HUSK_ERROR_INIT;
	int procfd = procfs_fd(&err);
	char buf[PATH_MAX];
	char link[64];
	ssize_t n;

	husk_error_clear(&err);
	if (procfd < 0)
		return NULL;
	snprintf(link, sizeof(link), "self/fd/%d", fd);
	n = readlinkat(procfd, link, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/*
 * /proc and /sys are where the kernel's own files live: a destination there
 * that is reached through a symlink, or is not where it says, would let an
 * image put procfs or a mask somewhere else (CVE-2019-19921,
 * CVE-2023-27561).  The resolved fd must be exactly <rootfs><dest>.
 */
static int check_not_redirected(int rootfd, int fd, const char *dest, struct husk_error *err)
{
	_cleanup_free_ char *root = mount_fd_path(rootfd);
	_cleanup_free_ char *got = mount_fd_path(fd);
	_cleanup_free_ char *want = NULL;

	if (root == NULL || got == NULL)
		return husk_error_errno(err, "read the path of `%s`", dest);
	want = xasprintf("%s%s", strcmp(root, "/") == 0 ? "" : root, dest);
	if (strcmp(got, want) != 0)
		return husk_error_set(
		    err, 0,
		    "`%s` in the rootfs is or goes through a symlink (to `%s`): "
		    "refusing to mount there",
		    dest,
		    got[0] && strncmp(got, root, strlen(root)) == 0 ? got + strlen(root) : got);
	return 0;
}

/* ---- tmpcopyup ---- */

static int copy_file(int sfd, int dfd)
{
	for (;;) {
		ssize_t n = sendfile(dfd, sfd, NULL, 1 << 20);
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
	}
}

static int copy_tree(int src, int dst, int depth, struct husk_error *err);

static int copy_entry(int src, int dst, const char *name, int depth, struct husk_error *err)
{
	struct stat st;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error_errno(err, "stat `%s`", name);
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(dst, name, 0700) < 0)
			return husk_error_errno(err, "mkdir `%s`", name);
		_cleanup_close_ int s =
		    openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int d =
		    openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return husk_error_errno(err, "open `%s`", name);
		if (copy_tree(s, d, depth + 1, err) < 0)
			return husk_error_prefix(err, "%s", name);
	} else if (S_ISREG(st.st_mode)) {
		_cleanup_close_ int s =
		    openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		_cleanup_close_ int d =
		    openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (s < 0 || d < 0 || copy_file(s, d) < 0)
			return husk_error_errno(err, "copy `%s`", name);
	} else if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return husk_error_errno(err, "readlink `%s`", name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return husk_error_errno(err, "symlink `%s`", name);
	} else if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0) {
		if (errno != EPERM)
			return husk_error_errno(err, "mknod `%s`", name);
		return 0; /* a device node in a user namespace: leave it out */
	}
	if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
		return husk_error_errno(err, "chown `%s`", name);
	if (!S_ISLNK(st.st_mode) && fchmodat(dst, name, st.st_mode & 07777, 0) < 0)
		return husk_error_errno(err, "chmod `%s`", name);
	return 0;
}

static int copy_tree(int src, int dst, int depth, struct husk_error *err)
{
	int dupfd;
	_cleanup_dir_ DIR *d = NULL;
	struct dirent *de;

	if (depth > COPYUP_MAX_DEPTH)
		return husk_error_set(err, ELOOP, "tmpcopyup: directories nested too deep");
	dupfd = fcntl(src, F_DUPFD_CLOEXEC, 3);
	if (dupfd < 0 || !(d = fdopendir(dupfd))) {
		if (dupfd >= 0)
			close(dupfd);
		return husk_error_errno(err, "read directory");
	}
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(src, dst, de->d_name, depth, err) < 0)
			return -1;
	}
	return 0;
}

/* Give the new tmpfs the image's contents of the directory it covers. */
static int tmpfs_copyup(int target_fd, int tree, struct husk_error *err)
{
	_cleanup_close_ int src = openat(target_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int dst = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (src < 0 || dst < 0 || fstat(src, &st) < 0)
		return husk_error_errno(err, "tmpcopyup");
	if (copy_tree(src, dst, 0, err) < 0)
		return husk_error_prefix(err, "tmpcopyup");
	if (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0)
		return husk_error_errno(err, "tmpcopyup: set owner and mode");
	return 0;
}

/* ---- one mount ---- */

static char *host_source(const struct init_ctx *ctx, const char *source)
{
	if (source == NULL)
		return NULL;
	if (source[0] == '/' || ctx->bundle == NULL)
		return xstrdup(source);
	return xasprintf("%s/%s", ctx->bundle, source);
}

static char **data_with_label(const struct init_ctx *ctx, const struct mount_opts *o)
{
	const char *label = ctx->cfg->linux ? ctx->cfg->linux->mount_label : NULL;
	size_t n = o->n_data;
	char **v = xcalloc(n + 2, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(o->data[i]);
	if (label && *label && lsm_selinux_enabled() > 0)
		v[n++] = xasprintf("context=%s", label);
	return v;
}

/* ---- idmapped mounts ---- */

static char *id_map_text(const struct spec_id_mapping *m, size_t n)
{
	char *text = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next =
		    xasprintf("%s%u %u %u\n", text, m[i].container_id, m[i].host_id, m[i].size);
		free(text);
		text = next;
	}
	return text;
}

/*
 * A user namespace holding the mount's uidMappings/gidMappings, for
 * MOUNT_ATTR_IDMAP: a child unshares one and waits while we write its maps,
 * naming it by the pid our procfs handle knows it by.
 */
static int idmap_userns(const struct spec_mount *m, struct husk_error *err)
{
	int ready[2], done[2];
	char pidbuf[32] = "";
	int nsfd = -1;
	pid_t pid;

	if (m->n_uid_mappings == 0 || m->n_gid_mappings == 0)
		return husk_error_set(err, EINVAL, "idmap needs uidMappings and gidMappings");
	int procfd = procfs_fd(err);
	if (procfd < 0)
		return -1;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return husk_error_errno(err, "pipe");
	if (pipe2(done, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return husk_error_errno(err, "pipe");
	}
	pid = fork();
	if (pid == 0) {
		char c;
		ssize_t n = -1;
		close(ready[0]);
		close(done[1]); /* or the read below never sees EOF */
		if (unshare(CLONE_NEWUSER) == 0)
			n = readlinkat(procfd, "self", pidbuf, sizeof(pidbuf) - 1);
		if (n > 0 && write(ready[1], pidbuf, (size_t)n) == n)
			(void)!read(done[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	if (pid < 0) {
		husk_error_errno(err, "fork");
		goto out;
	}
	ssize_t n = read(ready[0], pidbuf, sizeof(pidbuf) - 1);
	if (n <= 0) {
		husk_error_set(err, EPERM, "idmap: could not create a user namespace");
		goto out;
	}
	pidbuf[n] = '\0';
	{
		_cleanup_free_ char *uid = id_map_text(m->uid_mappings, m->n_uid_mappings);
		_cleanup_free_ char *gid = id_map_text(m->gid_mappings, m->n_gid_mappings);
		_cleanup_free_ char *up = xasprintf("%s/uid_map", pidbuf);
		_cleanup_free_ char *gp = xasprintf("%s/gid_map", pidbuf);
		_cleanup_free_ char *np = xasprintf("%s/ns/user", pidbuf);
		if (procfs_write(up, uid, err) < 0 || procfs_write(gp, gid, err) < 0)
			goto out;
		/* ns/user is a magic link: open it by its parent directory. */
		_cleanup_free_ char *nsdir = xasprintf("%s/ns", pidbuf);
		_cleanup_close_ int dfd = procfs_open(nsdir, O_PATH | O_DIRECTORY, err);
		if (dfd < 0)
			goto out;
		nsfd = openat(dfd, "user", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			husk_error_errno(err, "open %s", np);
	}
out:
	close(ready[0]);
	close(done[1]); /* lets the child go */
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return nsfd;
}

static int apply_idmap(int tree, const struct spec_mount *m, bool recursive, struct husk_error *err)
{
	_cleanup_close_ int nsfd = idmap_userns(m, err);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};

	if (!kernel_has(KERNEL_MOUNT_SETATTR))
		return husk_error_set(err, ENOSYS,
				      "mounts[].options `%s` needs idmapped mounts (Linux 5.12, "
				      "mount_setattr), which this kernel does not have",
				      recursive ? "ridmap" : "idmap");
	if (nsfd < 0)
		return husk_error_prefix(err, "idmap");
	attr.userns_fd = (uint64_t)nsfd;
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			  sizeof(attr)) < 0)
		return husk_error_errno(err, "idmap the mount");
	return 0;
}

/* The detached tree of a bind, with this mount's flags, attached at target. */
static int bind_tree(int tree, const char *src, int target_fd, const struct mount_opts *o,
		     bool recursive, bool attrs_recursive, const struct spec_mount *idmap,
		     struct husk_error *err)
{
	if (mount_set_attrs(tree, attrs_recursive && recursive, o->set, o->clr, err) < 0 ||
	    mount_set_attrs(tree, true, o->rset, o->rclr, err) < 0)
		return -1;
	if (idmap && (o->idmap || o->ridmap) && apply_idmap(tree, idmap, o->ridmap, err) < 0)
		return -1;
	if (mount_attach(tree, target_fd, src, err) < 0)
		return -1;
	return mount_set_propagation(tree, o->propagation, o->propagation_rec, err);
}

static unsigned int bind_clone_flags(bool recursive)
{
	return OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
}

/* A clone of a host path with this mount's flags, attached at target. */
static int bind_host_path(const char *src, int target_fd, const struct mount_opts *o,
			  bool recursive, bool attrs_recursive, const struct spec_mount *idmap,
			  struct husk_error *err)
{
	_cleanup_close_ int tree = mount_tree_clone(AT_FDCWD, src, bind_clone_flags(recursive));

	if (tree < 0)
		return husk_error_errno(err, "open_tree `%s`", src);
	return bind_tree(tree, src, target_fd, o, recursive, attrs_recursive, idmap, err);
}

/* A config.json bind: the init clones the source itself, as the container's
 * root; only when that root may not reach it does it take the clone the
 * parent made (mounts_open_sources), taking it out of the ctx. */
static int bind_config_source(struct init_ctx *ctx, size_t i, const char *src, int target_fd,
			      const struct mount_opts *o, const struct spec_mount *m,
			      struct husk_error *err)
{
	int *parent_tree = ctx->mount_src_fds ? &ctx->mount_src_fds[i] : NULL;
	_cleanup_close_ int tree = mount_tree_clone(AT_FDCWD, src, bind_clone_flags(o->rbind));

	if (tree < 0 && (errno == EACCES || errno == EPERM) && parent_tree && *parent_tree >= 0) {
		husk_debug("mount %zu: `%s` is out of the container root's reach (%s): using "
			   "what husk opened for it",
			   i, src, strerror(errno));
		if (ctx->mount_src_are_paths)
			tree = mount_tree_clone(*parent_tree, "",
						bind_clone_flags(o->rbind) | AT_EMPTY_PATH);
		else
			tree = steal_fd(parent_tree);
	}
	if (tree < 0)
		return husk_error_errno(err, "open_tree `%s`", src);
	return bind_tree(tree, src, target_fd, o, o->rbind, false, m, err);
}

/* A new filesystem with this mount's flags, attached at target. */
static int mount_fs_at(const struct init_ctx *ctx, const struct spec_mount *m,
		       const struct mount_opts *o, int target_fd, bool labelled,
		       struct husk_error *err)
{
	_cleanup_strv_ char **data = labelled ? data_with_label(ctx, o) : NULL;
	/* A read-only tmpcopyup is filled first and made read-only after. */
	uint64_t late = o->tmpcopyup ? (o->set & MOUNT_ATTR_RDONLY) : 0;
	_cleanup_close_ int tree =
	    mount_new_fs(m->type, m->source, labelled ? data : o->data, o->set & ~late, err);

	/* Without the mount API the tmpfs exists only once attached; the
	 * image's files are still there under it, through target_fd. */
	bool copy_after = o->tmpcopyup && !kernel_has(KERNEL_MOUNT_API);

	if (tree < 0)
		return -1;
	if (copy_after && mount_attach(tree, target_fd, m->type, err) < 0)
		return -1;
	if (o->tmpcopyup && tmpfs_copyup(target_fd, tree, err) < 0)
		return -1;
	if (late && mount_set_attrs(tree, false, late, 0, err) < 0)
		return -1;
	if (mount_set_attrs(tree, true, o->rset, o->rclr, err) < 0)
		return -1;
	if (!copy_after && mount_attach(tree, target_fd, m->type, err) < 0)
		return -1;
	return mount_set_propagation(tree, o->propagation, o->propagation_rec, err);
}

/* devpts with gid=5 fails when gid 5 is not mapped into a user namespace. */
static int mount_devpts(const struct init_ctx *ctx, const struct spec_mount *m,
			struct mount_opts *o, int target_fd, struct husk_error *err)
{
	if (mount_fs_at(ctx, m, o, target_fd, true, err) == 0)
		return 0;
	if (!ctx->new_userns || err->errnum != EINVAL)
		return -1;
	size_t j = 0;
	bool dropped = false;
	for (size_t i = 0; i < o->n_data; i++) {
		if (str_has_prefix(o->data[i], "gid=")) {
			free(o->data[i]);
			dropped = true;
		} else {
			o->data[j++] = o->data[i];
		}
	}
	if (!dropped)
		return -1;
	o->n_data = j;
	o->data[j] = NULL;
	husk_error_clear(err);
	return mount_fs_at(ctx, m, o, target_fd, true, err);
}

/* ---- cgroup ---- */

struct cg_hier {
	char *name; /* directory under /sys/fs/cgroup */
	char *opts; /* super options: controllers, name= */
	bool v2;
};

struct cg_hiers {
	struct cg_hier *v;
	size_t n;
};

static void cg_hiers_free(struct cg_hiers *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].opts);
	}
	free(l->v);
}

/* The super options that name the hierarchy, without rw/ro and settings. */
static char *hierarchy_opts(const char *super)
{
	_cleanup_free_ char *copy = xstrdup(super);
	char *out = xcalloc(1, strlen(super) + 1);

	for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "rw") == 0 || strcmp(t, "ro") == 0 || strcmp(t, "xattr") == 0 ||
		    strcmp(t, "nsdelegate") == 0 || str_has_prefix(t, "release_agent=") ||
		    strcmp(t, "memory_recursiveprot") == 0)
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, t);
	}
	return out;
}

/* Each cgroup or cgroup2 mount directly under /sys/fs/cgroup.  A mount
 * over another at the same place (husk in a container whose
 * /sys/fs/cgroup/freezer is a bind of its own cgroup, or a mount made in a
 * cgroup namespace) hides it: it comes later in mountinfo and takes its
 * entry, so that each directory is mounted once. */
static int collect_hierarchy(const struct mountinfo_entry *e, void *data, struct husk_error *err)
{
	struct cg_hiers *l = data;
	const char *name = e->mount_point + strlen("/sys/fs/cgroup/");
	bool v2 = strcmp(e->fstype, "cgroup2") == 0;
	size_t i;

	(void)err;
	if (!str_has_prefix(e->mount_point, "/sys/fs/cgroup/") || *name == '\0' ||
	    strchr(name, '/'))
		return 0;
	if (!v2 && strcmp(e->fstype, "cgroup") != 0)
		return 0;
	for (i = 0; i < l->n && strcmp(l->v[i].name, name) != 0; i++)
		;
	if (i == l->n) {
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->n++;
	} else {
		free(l->v[i].name);
		free(l->v[i].opts);
	}
	l->v[i] = (struct cg_hier){xstrdup(name), hierarchy_opts(e->super_options), v2};
	return 0;
}

static int host_cgroup_hierarchies(struct cg_hiers *out, struct husk_error *err)
{
	_cleanup_close_ int fd = procfs_open("self/mountinfo", O_RDONLY, err);

	if (fd < 0 || mountinfo_foreach(fd, collect_hierarchy, out, err) < 0)
		return husk_error_prefix(err, "the host's cgroup hierarchies");
	if (out->n == 0)
		return husk_error_set(err, ENOENT,
				      "no cgroup hierarchy found under /sys/fs/cgroup");
	return 0;
}

/* Our cgroup in the hierarchy with these controllers, from /proc/self/cgroup. */
static char *own_cgroup_path(const struct cg_hier *h, const char *self_cgroup)
{
	_cleanup_free_ char *copy = xstrdup(self_cgroup);

	for (char *save, *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = '\0';
		*c2 = '\0';
		const char *ctrls = c1 + 1;
		if (h->v2 ? (strcmp(line, "0") == 0 && *ctrls == '\0')
			  : strcmp(ctrls, h->opts) == 0)
			return xstrdup(c2 + 1);
	}
	return NULL;
}

static int cgroup_v1_hierarchy(const struct init_ctx *ctx, const struct cg_hier *h,
			       const char *self_cgroup, int tmpfs, const struct mount_opts *o,
			       uint64_t ro, struct husk_error *err)
{
	_cleanup_close_ int tree = -1;

	if (mkdirat(tmpfs, h->name, 0755) < 0 && errno != EEXIST)
		return husk_error_errno(err, "mkdir cgroup/%s", h->name);
	if (ctx->new_cgroupns) {
		_cleanup_strv_ char **data = NULL;
		size_t n = 0;
		if (!h->v2) {
			_cleanup_free_ char *copy = xstrdup(h->opts);
			data = xcalloc(strlen(h->opts) + 2, sizeof(char *));
			for (char *s, *t = strtok_r(copy, ",", &s); t; t = strtok_r(NULL, ",", &s))
				data[n++] = xstrdup(t);
		}
		tree = mount_new_fs(h->v2 ? "cgroup2" : "cgroup", "cgroup", data, o->set | ro, err);
	} else {
		_cleanup_free_ char *path = own_cgroup_path(h, self_cgroup);
		_cleanup_free_ char *src = xasprintf("/sys/fs/cgroup/%s%s", h->name,
						     path && strcmp(path, "/") ? path : "");
		tree = mount_tree_clone(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (tree < 0)
			return husk_error_errno(err, "open_tree `%s`", src);
		if (mount_set_attrs(tree, false, o->set | ro, o->clr & ~ro, err) < 0)
			return -1;
	}
	if (tree < 0)
		return husk_error_prefix(err, "cgroup %s", h->name);
	_cleanup_free_ char *what = xasprintf("cgroup %s", h->name);
	return mount_attach_at(tree, tmpfs, h->name, what, err);
}

/* /proc/self/cgroup, once the parent has put us where we belong (it does
 * that while we mount, see container.c). */
static int read_own_cgroups(struct init_ctx *ctx, char **out, struct husk_error *err)
{
	if (wait_until_in_cgroup(ctx, err) < 0)
		return -1;
	_cleanup_close_ int fd = procfs_open("self/cgroup", O_RDONLY, err);
	if (fd < 0 || read_fd_all(fd, 1 << 16, out, NULL, err) < 0)
		return husk_error_prefix(err, "our own cgroups");
	return 0;
}

/* The co-mount links of the host (cpu -> cpu,cpuacct). */
static void cgroup_v1_links(int tmpfs)
{
	_cleanup_dir_ DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *de;
	char target[256];

	while (d && (de = readdir(d))) {
		if (de->d_type != DT_LNK)
			continue;
		ssize_t n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (n <= 0 || memchr(target, '/', (size_t)n))
			continue;
		target[n] = '\0';
		(void)symlinkat(target, tmpfs, de->d_name);
	}
}

/*
 * Where the host's cgroup2 hierarchy is mounted: /sys/fs/cgroup itself on a
 * v2 host, its `unified` directory (or whatever name it has) on a hybrid
 * one.  Our path in /proc/self/cgroup's "0::" line is relative to it.
 */
static int host_cgroup2_root(char **out, struct husk_error *err)
{
	struct statfs sfs;

	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
		*out = xstrdup("/sys/fs/cgroup");
		return 0;
	}
	__attribute__((cleanup(cg_hiers_free))) struct cg_hiers hier = {NULL, 0};
	if (host_cgroup_hierarchies(&hier, err) < 0)
		return -1;
	for (size_t i = 0; i < hier.n; i++)
		if (hier.v[i].v2) {
			*out = xasprintf("/sys/fs/cgroup/%s", hier.v[i].name);
			return 0;
		}
	return husk_error_set(err, ENOENT,
			      "type cgroup2 without a cgroup namespace binds the host's cgroup2 "
			      "hierarchy, and this host has none mounted under /sys/fs/cgroup");
}

/*
 * mounts of type "cgroup".  A cgroup v2 host gets cgroup2.  A v1 or hybrid
 * host gets what v1 software expects: a tmpfs with one directory per host
 * hierarchy, each a fresh cgroup mount in a cgroup namespace or else a bind
 * of our own cgroup (which is all a fresh mount would show anyway).
 */
static int mount_cgroup(struct init_ctx *ctx, const struct spec_mount *m, struct mount_opts *o,
			int target_fd, struct husk_error *err)
{
	struct statfs sfs;
	uint64_t ro = o->has_rw ? 0 : MOUNT_ATTR_RDONLY;

	if (strcmp(m->type, "cgroup2") == 0 ||
	    (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)) {
		/* Bound from the host or made new, an option cgroup2 does not
		 * know is an error, never silently dropped. */
		for (size_t i = 0; i < o->n_data; i++)
			if (!spec_cgroup2_option_known(o->data[i]))
				return husk_error_set(
				    err, EINVAL, "option `%s`: not a cgroup2 option", o->data[i]);
		if (!ctx->new_cgroupns) {
			_cleanup_free_ char *self = NULL;
			if (read_own_cgroups(ctx, &self, err) < 0)
				return -1;
			_cleanup_free_ char *root = NULL;
			if (host_cgroup2_root(&root, err) < 0)
				return -1;
			struct cg_hier h = {.v2 = true};
			_cleanup_free_ char *path = own_cgroup_path(&h, self);
			_cleanup_free_ char *src =
			    xasprintf("%s%s", root, path && strcmp(path, "/") ? path : "");
			struct mount_opts b = *o;
			b.set |= ro;
			return bind_host_path(src, target_fd, &b, false, false, NULL, err);
		}
		_cleanup_close_ int tree =
		    mount_new_fs("cgroup2", "cgroup", o->data, o->set | ro, err);
		if (tree < 0 || mount_attach(tree, target_fd, "cgroup2", err) < 0)
			return -1;
		return mount_set_propagation(tree, o->propagation, o->propagation_rec, err);
	}

	__attribute__((cleanup(cg_hiers_free))) struct cg_hiers hier = {NULL, 0};
	if (host_cgroup_hierarchies(&hier, err) < 0)
		return -1;
	_cleanup_free_ char *self = NULL;
	if (!ctx->new_cgroupns && read_own_cgroups(ctx, &self, err) < 0)
		return -1;

	char *tmpfs_data[] = {"mode=755", NULL};
	_cleanup_close_ int tmpfs =
	    mount_new_fs("tmpfs", "tmpfs", tmpfs_data,
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
	if (tmpfs < 0 || mount_attach(tmpfs, target_fd, "cgroup tmpfs", err) < 0)
		return -1;
	for (size_t i = 0; i < hier.n; i++)
		if (cgroup_v1_hierarchy(ctx, &hier.v[i], self, tmpfs, o, ro, err) < 0)
			return -1;
	cgroup_v1_links(tmpfs);
	if (mount_set_attrs(tmpfs, false, ro, 0, err) < 0)
		return -1;
	return mount_set_propagation(tmpfs, o->propagation, o->propagation_rec, err);
}

/* ---- dispatch ---- */

static bool has_namespace(const struct init_ctx *ctx, enum spec_ns_type t)
{
	return spec_config_namespace(ctx->cfg, t) != NULL;
}

static int mount_kind_at(struct init_ctx *ctx, size_t i, struct mount_opts *o, bool bind,
			 int target_fd, struct husk_error *err)
{
	const struct spec_mount *m = &ctx->cfg->mounts[i];
	const char *type = m->type;

	if (bind) {
		_cleanup_free_ char *src = host_source(ctx, m->source);
		if (src == NULL)
			return husk_error_set(err, EINVAL, "a bind mount needs a source");
		return bind_config_source(ctx, i, src, target_fd, o, m, err);
	}
	if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
		return mount_cgroup(ctx, m, o, target_fd, err);
	if (strcmp(type, "sysfs") == 0 && !has_namespace(ctx, SPEC_NS_NETWORK)) {
		/* Only the owner of a network namespace may mount sysfs: reuse ours. */
		struct mount_opts b = *o;
		b.rset |= o->set;
		b.rclr |= o->clr;
		return bind_host_path("/sys", target_fd, &b, true, true, NULL, err);
	}
	if (strcmp(type, "devpts") == 0)
		return mount_devpts(ctx, m, o, target_fd, err);
	bool labelled = strcmp(type, "tmpfs") == 0 || strcmp(type, "mqueue") == 0;
	if (mount_fs_at(ctx, m, o, target_fd, labelled, err) == 0)
		return 0;
	/* In a user namespace without its own pid or ipc namespace the kernel
	 * refuses a new proc or mqueue: bind what we can see instead. */
	if (err->errnum == EPERM && ctx->new_userns &&
	    (strcmp(type, "proc") == 0 || strcmp(type, "mqueue") == 0)) {
		bool proc = strcmp(type, "proc") == 0;
		struct mount_opts b = *o;
		b.rset |= o->set;
		husk_error_clear(err);
		if (bind_host_path(proc ? "/proc" : "/dev/mqueue", target_fd, &b, true, true, NULL,
				   err) == 0)
			return 0;
		/* No mqueue on the host to share: the container goes without. */
		if (!proc && err->errnum == ENOENT) {
			husk_warn("mqueue on `%s` skipped: %s", m->destination,
				  husk_error_text(err));
			husk_error_clear(err);
			return 0;
		}
		return -1;
	}
	return -1;
}

/* What the source is; when the container's root cannot see it, the parent's
 * clone of it (if any) says. */
static bool source_is_dir(const struct init_ctx *ctx, size_t i)
{
	_cleanup_free_ char *src = host_source(ctx, ctx->cfg->mounts[i].source);
	int parent_tree = ctx->mount_src_fds ? ctx->mount_src_fds[i] : -1;
	struct stat st;

	if (src == NULL)
		return true;
	if (stat(src, &st) < 0 && (parent_tree < 0 || fstat(parent_tree, &st) < 0))
		return true;
	return S_ISDIR(st.st_mode);
}

/* A config.json mount that binds a path rather than making a filesystem. */
static bool mount_is_bind(const struct spec_mount *m, const struct mount_opts *o)
{
	return o->bind || o->rbind || (m->type && strcmp(m->type, "bind") == 0);
}

static int mount_one(struct init_ctx *ctx, int rootfd, size_t i, struct husk_error *err)
{
	const struct spec_mount *m = &ctx->cfg->mounts[i];
	struct mount_opts o;
	_cleanup_free_ char *dest = mount_clean_path(m->destination ? m->destination : "");
	_cleanup_close_ int target = -1;
	bool bind;
	int ret = -1;

	mount_opts_parse(m->options, &o);
	bind = mount_is_bind(m, &o);
	if (!bind && (m->type == NULL || *m->type == '\0')) {
		husk_error_set(err, EINVAL, "mount type missing");
		goto out;
	}
	if ((o.idmap || o.ridmap) && !bind) {
		husk_error_set(err, ENOTSUP, "idmap is supported on bind mounts only");
		goto out;
	}
	if (strcmp(dest, "/") == 0) {
		husk_error_set(err, EINVAL, "cannot mount over the root");
		goto out;
	}

	enum resolve_create create = RESOLVE_MKDIR;
	if (o.remount)
		create = RESOLVE_NO_CREATE;
	else if (bind && !source_is_dir(ctx, i))
		create = RESOLVE_MKFILE;
	target = resolve_in_root(rootfd, dest, O_PATH, create, 0755, err);
	if (target < 0)
		goto out;

	bool kernel_fs = m->type && (strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0);
	if (mount_path_under(dest, "/proc") || mount_path_under(dest, "/sys")) {
		if (check_not_redirected(rootfd, target, dest, err) < 0)
			goto out;
		struct stat st;
		if (kernel_fs && (fstat(target, &st) < 0 || !S_ISDIR(st.st_mode))) {
			husk_error_set(err, ENOTDIR, "`%s` in the rootfs is not a directory", dest);
			goto out;
		}
	}

	if (o.remount) {
		ret =
		    mount_set_attrs(target, false, o.set, o.clr, err) < 0 ||
			    mount_set_attrs(target, true, o.rset, o.rclr, err) < 0 ||
			    mount_set_propagation(target, o.propagation, o.propagation_rec, err) < 0
			? -1
			: 0;
		goto out;
	}
	ret = mount_kind_at(ctx, i, &o, bind, target, err);
out:
	mount_opts_free(&o);
	return ret;
}

static void close_parent_trees(struct init_ctx *ctx)
{
	for (size_t i = 0; ctx->mount_src_fds && i < ctx->cfg->n_mounts; i++)
		if (ctx->mount_src_fds[i] >= 0) {
			close(ctx->mount_src_fds[i]);
			ctx->mount_src_fds[i] = -1;
		}
}

int mounts_apply(struct init_ctx *ctx, int rootfd, struct husk_error *err)
{
	const struct spec_config *cfg = ctx->cfg;
	int ret = 0;

	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct spec_mount *m = &cfg->mounts[i];
		if (mount_one(ctx, rootfd, i, err) < 0) {
			ret = husk_error_prefix(
			    err, "mount %s `%s` on `%s`", m->type ? m->type : "bind",
			    m->source ? m->source : "none", m->destination ? m->destination : "");
			break;
		}
	}
	/* The trees the container did not need must not reach it. */
	close_parent_trees(ctx);
	return ret;
}

/* Rootless podman's --uidmap gives the container a user namespace whose root
 * is one of the user's subordinate ids: it cannot search podman's 0700
 * userdata, where /etc/hosts and friends come from.  So the parent, still the
 * user (root of podman's namespace), clones every bind source before the
 * init exists, and the init takes a clone only where its own open fails.
 * Only when husk itself runs in a user namespace (not the initial one):
 * then whatever the clone leaves unlocked, its flags or submounts, is the
 * caller's to change anyway, while the flags the host locked stay locked in
 * the clone.  A clone made by real root would carry no lock at all, which
 * the container's own open keeps; and without the mount API (before Linux
 * 5.2) a tree cannot be handed over. */
int *mounts_open_sources(const struct spec_config *cfg, const char *bundle, bool new_userns)
{
	struct init_ctx host = {.cfg = cfg, .bundle = bundle};
	struct rlimit nofile;
	int *fds;

	if (!new_userns || cfg->n_mounts == 0 || !rootless_in_user_namespace() ||
	    !kernel_has(KERNEL_MOUNT_API))
		return NULL;
	/* The init inherits them all: leave it half of its fd table, so a
	 * config with very many binds still gets its own opens. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) < 0 || nofile.rlim_cur == RLIM_INFINITY)
		nofile.rlim_cur = 1024;
	fds = xcalloc(cfg->n_mounts, sizeof(int));
	for (size_t i = 0; i < cfg->n_mounts; i++)
		fds[i] = -1;
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct spec_mount *m = &cfg->mounts[i];
		struct mount_opts o;
		_cleanup_free_ char *src = host_source(&host, m->source);

		mount_opts_parse(m->options, &o);
		if (mount_is_bind(m, &o) && !o.remount && src)
			fds[i] = open_tree(AT_FDCWD, src, bind_clone_flags(o.rbind));
		mount_opts_free(&o);
		if (fds[i] >= 0 && (rlim_t)fds[i] >= nofile.rlim_cur / 2) {
			close(fds[i]);
			fds[i] = -1;
			break;
		}
	}
	return fds;
}

/* The same need when real root runs husk (podman --uidmap as root): a clone
 * made in the host's mount namespace would carry no lock, so instead husk
 * opens each bind source, as root, inside the init's own mount namespace
 * (through /proc/PID/root, resolved there, before the pivot), where the
 * host's flags are locked, and sends the O_PATH fd; the init clones from it
 * only where its own open fails.  Also works with mount(2), before 5.2. */
int mounts_send_sources(const struct spec_config *cfg, const char *bundle, pid_t pid, int sock,
			struct husk_error *err)
{
	struct init_ctx host = {.cfg = cfg, .bundle = bundle};
	_cleanup_free_ char *root_path = xasprintf("/proc/%d/root", (int)pid);
	_cleanup_close_ int root = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return husk_error_errno(err, "open %s", root_path);
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct spec_mount *m = &cfg->mounts[i];
		struct mount_opts o;
		_cleanup_free_ char *src = host_source(&host, m->source);
		_cleanup_close_ int fd = -1;
		struct husk_error ignored = HUSK_ERROR_INIT;
		bool bind;

		mount_opts_parse(m->options, &o);
		bind = mount_is_bind(m, &o) && !o.remount;
		mount_opts_free(&o);
		if (!bind || src == NULL || src[0] != '/')
			continue;
		/* A source that is not there: the init's own open says so. */
		fd = resolve_in_root(root, src, O_PATH | O_CLOEXEC, RESOLVE_NO_CREATE, 0, &ignored);
		husk_error_clear(&ignored);
		if (fd >= 0 && sync_send_fd(sock, SYNC_MOUNT_SOURCE, (int)i, fd, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- husk check ---- */

/* mount_setattr came with idmapped mounts (Linux 5.12): on a kernel that
 * has it, a bad fd fails with EBADF, on one without, ENOSYS. */
static bool kernel_has_idmapped_mounts(void)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};

	return mount_setattr(-1, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0 || errno != ENOSYS;
}

static void mount_problem(struct check_report *r, size_t i, const char *field, const char *msg)
{
	_cleanup_free_ char *path = xasprintf("mounts[%zu].%s", i, field);

	check_add(r, CHECK_ERROR, path, "%s", msg);
}

static void check_mount(const char *bundle, const struct spec_mount *m, size_t i,
			struct check_report *r)
{
	struct init_ctx ctx = {.bundle = bundle};
	_cleanup_free_ char *dest = mount_clean_path(m->destination ? m->destination : "");
	struct mount_opts o;
	bool bind;
	struct stat st;

	mount_opts_parse(m->options, &o);
	bind = mount_is_bind(m, &o);
	if (!bind && (m->type == NULL || *m->type == '\0'))
		mount_problem(r, i, "type", "missing, and not a bind mount");
	if (strcmp(dest, "/") == 0)
		mount_problem(r, i, "destination", "cannot mount over the root");
	if ((o.idmap || o.ridmap) && !bind)
		mount_problem(r, i, "options", "idmap is supported on bind mounts only");
	if ((o.idmap || o.ridmap || m->n_uid_mappings) && !kernel_has_idmapped_mounts())
		mount_problem(r, i, "options",
			      "this kernel has no idmapped mounts (mount_setattr, Linux 5.12)");
	if (bind && m->source) {
		_cleanup_free_ char *src = host_source(&ctx, m->source);
		if (stat(src, &st) < 0) {
			_cleanup_free_ char *msg = xasprintf("`%s`: %s", src, strerror(errno));
			mount_problem(r, i, "source", msg);
		}
	}
	mount_opts_free(&o);
}

void mounts_check(const struct spec_config *cfg, const char *bundle, struct check_report *r)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		_cleanup_free_ char *at = xasprintf("mounts[%zu]", i);
		/* husk check: a mount the parse complained about is half-read */
		if (!check_report_parse_error_near(r, at))
			check_mount(bundle, &cfg->mounts[i], i, r);
	}
}
