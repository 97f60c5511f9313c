// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resolve_in_root() against a tree full of hostile symlinks, with openat2
 * and with the component walk; the procfs handle; the mount option parser
 * and the sysctl namespace checks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "linux/linux.h"
#include "linux/mounts.h"
#include "tests/unit.h"
#include "util.h"

static char base[128]; /* tmp dir: root/ and outside/ */
static char root[256];
static int rootfd = -1;

static void put(const char *rel, const char *content)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) < 0) {
		perror(p);
		exit(2);
	}
	close(fd);
}

static void dir(const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		perror(p);
		exit(2);
	}
}

static void link_(const char *target, const char *rel)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (symlink(target, p) < 0) {
		perror(p);
		exit(2);
	}
}

static void build_tree(void)
{
	snprintf(base, sizeof(base), "/tmp/husk-test-resolve-XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(root, sizeof(root), "%s/root", base);
	dir("root");
	dir("outside");
	put("outside/secret", "host secret");
	dir("root/a");
	dir("root/a/b");
	put("root/a/b/file", "inside");
	dir("root/etc");
	put("root/etc/passwd", "fake passwd");
	link_("../../..", "root/up");
	link_("/etc", "root/abs");
	link_("/etc/passwd", "root/abs_passwd");
	link_("../../../../../../etc/passwd", "root/dotdot_passwd");
	link_("../outside", "root/esc");
	link_(base, "root/hostabs");
	link_("loop2", "root/loop1");
	link_("loop1", "root/loop2");
	link_(".", "root/self");
	link_("../etc", "root/a/rel");
	link_("/newdir/sub", "root/dangling");
	link_("a/b/file", "root/file_link");
	link_("/tmp", "root/tmp_link");
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		perror(root);
		exit(2);
	}
}

static char *fd_path(int fd)
{
	char l[64], buf[PATH_MAX];
	snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(l, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/* Resolve and return the path the fd really names ("" on failure, errno set). */
static char *where(const char *path, int flags, enum resolve_create create, int *err_out)
{
	struct husk_error err = HUSK_ERROR_INIT;
	int fd = resolve_in_root(rootfd, path, flags, create, 0755, &err);
	if (fd < 0) {
		*err_out = err.errnum;
		husk_error_clear(&err);
		return xstrdup("");
	}
	*err_out = 0;
	char *p = fd_path(fd);
	close(fd);
	return p;
}

static char *in_root(const char *rel)
{
	return xasprintf("%s%s", root, rel);
}

static void check_lands(const char *path, const char *expect_rel)
{
	int e;
	_cleanup_free_ char *got = where(path, O_PATH, RESOLVE_NO_CREATE, &e);
	_cleanup_free_ char *want = in_root(expect_rel);
	if (strcmp(got, want) != 0)
		unit_fail_at(__FILE__, __LINE__,
			     "%s (fallback=%d): got \"%s\" (errno %d), want \"%s\"", path,
			     resolve_force_fallback, got, e, want);
}

static void check_fails(const char *path, int flags, int expect_errno)
{
	int e;
	_cleanup_free_ char *got = where(path, flags, RESOLVE_NO_CREATE, &e);
	if (e != expect_errno)
		unit_fail_at(__FILE__, __LINE__,
			     "%s (fallback=%d): got \"%s\" errno %d, want errno %d", path,
			     resolve_force_fallback, got, e, expect_errno);
}

static void hostile_symlinks_stay_inside(void)
{
	check_lands("up/etc/passwd", "/etc/passwd");
	check_lands("abs/passwd", "/etc/passwd");
	check_lands("abs_passwd", "/etc/passwd");
	check_lands("dotdot_passwd", "/etc/passwd");
	check_lands("/../../../etc/passwd", "/etc/passwd");
	check_lands("a/rel/passwd", "/etc/passwd");
	check_lands("a/b/../../a/b/file", "/a/b/file");
	check_lands("self/self/self/a/b/file", "/a/b/file");
	check_lands("up", "");
	check_lands("", "");
	check_lands("/", "");
	check_lands("..", "");
	check_lands("file_link", "/a/b/file");
	check_lands("a//b///file", "/a/b/file");
	check_fails("esc/secret", O_PATH, ENOENT);
	check_fails("hostabs/outside/secret", O_PATH, ENOENT);
	check_fails("loop1", O_PATH, ELOOP);
	check_fails("loop1/x", O_PATH, ELOOP);
	check_fails("a/b/file/", O_PATH, ENOTDIR);
	check_fails("a/b/file/x", O_PATH, ENOTDIR);
	check_fails("a/b/file", O_PATH | O_DIRECTORY, ENOTDIR);
	check_fails("nope", O_PATH, ENOENT);
}

TEST(openat2_stays_in_root)
{
	resolve_force_fallback = false;
	hostile_symlinks_stay_inside();
}

TEST(fallback_stays_in_root)
{
	resolve_force_fallback = true;
	hostile_symlinks_stay_inside();
	resolve_force_fallback = false;
}

static void nofollow_and_reopen(void)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct stat st;
	char buf[64] = "";

	int fd = resolve_in_root(rootfd, "abs", O_PATH | O_NOFOLLOW, RESOLVE_NO_CREATE, 0, &err);
	ASSERT_OK(fd, &err);
	ASSERT(fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
	close(fd);

	fd = resolve_in_root(rootfd, "abs_passwd", O_RDONLY, RESOLVE_NO_CREATE, 0, &err);
	ASSERT_OK(fd, &err);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT(n > 0);
	buf[n] = '\0';
	ASSERT_STREQ(buf, "fake passwd");

	fd = resolve_in_root(rootfd, "up/a", O_RDONLY | O_DIRECTORY, RESOLVE_NO_CREATE, 0, &err);
	ASSERT_OK(fd, &err);
	ASSERT(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
	close(fd);
}

TEST(nofollow_and_reopen_openat2)
{
	resolve_force_fallback = false;
	nofollow_and_reopen();
}

TEST(nofollow_and_reopen_fallback)
{
	resolve_force_fallback = true;
	nofollow_and_reopen();
	resolve_force_fallback = false;
}

static void creates_inside(bool fallback)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct stat st;
	char name[64];
	int e;

	resolve_force_fallback = fallback;
	/* A dangling absolute symlink: created under the root, not at /newdir. */
	_cleanup_free_ char *got = where("dangling", O_PATH, RESOLVE_MKDIR, &e);
	_cleanup_free_ char *want = in_root("/newdir/sub");
	ASSERT_STREQ(got, want);
	ASSERT(stat("/newdir", &st) < 0);

	/* Parents and an empty file, through ../.. that clamps at the root. */
	snprintf(name, sizeof(name), "up/d%d/e/f", fallback);
	_cleanup_free_ char *f = where(name, O_PATH, RESOLVE_MKFILE, &e);
	_cleanup_free_ char *fwant = xasprintf("%s/d%d/e/f", root, fallback);
	ASSERT_STREQ(f, fwant);
	ASSERT(stat(fwant, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);

	/* Through a symlink to the host's /tmp: lands in the root's tmp. */
	snprintf(name, sizeof(name), "tmp_link/husk-resolve-%d-%d", (int)getpid(), fallback);
	_cleanup_free_ char *t = where(name, O_PATH, RESOLVE_MKFILE, &e);
	_cleanup_free_ char *hostp = xasprintf("/tmp/husk-resolve-%d-%d", (int)getpid(), fallback);
	ASSERT(stat(hostp, &st) < 0 && errno == ENOENT);
	ASSERT(str_has_prefix(t, root));

	/* Existing things are opened, not replaced. */
	int fd = resolve_in_root(rootfd, "a/b/file", O_RDONLY, RESOLVE_MKFILE, 0600, &err);
	ASSERT_OK(fd, &err);
	ASSERT(fstat(fd, &st) == 0 && st.st_size == 6);
	close(fd);

	/* A file in the way of a directory. */
	fd = resolve_in_root(rootfd, "a/b/file/sub", O_PATH, RESOLVE_MKDIR, 0755, &err);
	ASSERT(fd < 0 && err.errnum == ENOTDIR);
	husk_error_clear(&err);

	/* Loops stay loops when creating. */
	fd = resolve_in_root(rootfd, "loop1/x", O_PATH, RESOLVE_MKDIR, 0755, &err);
	ASSERT(fd < 0 && err.errnum == ELOOP);
	husk_error_clear(&err);
	resolve_force_fallback = false;
}

TEST(creates_inside_openat2)
{
	creates_inside(false);
}

TEST(creates_inside_fallback)
{
	creates_inside(true);
}

/* Both resolvers must agree on what a path names. */
TEST(walk_agrees_with_openat2)
{
	static const char *const paths[] = {
	    "up/etc/passwd", "abs",	 "a/rel",      "self/up/abs/../a/b", "file_link",
	    "a/b/file",	     "esc",	 "a/../../..", "dangling",	     "loop1",
	    "etc/passwd/",   "a/b/../b", "up/up/up",
	};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		int e1, e2;
		resolve_force_fallback = false;
		_cleanup_free_ char *a = where(paths[i], O_PATH, RESOLVE_NO_CREATE, &e1);
		resolve_force_fallback = true;
		_cleanup_free_ char *b = where(paths[i], O_PATH, RESOLVE_NO_CREATE, &e2);
		resolve_force_fallback = false;
		if (strcmp(a, b) != 0 || e1 != e2)
			unit_fail_at(__FILE__, __LINE__, "%s: openat2 \"%s\"/%d, walk \"%s\"/%d",
				     paths[i], a, e1, b, e2);
	}
}

TEST(procfs_handle)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct statfs sfs;
	char buf[64];

	int pfd = procfs_fd(&err);
	ASSERT_OK(pfd, &err);
	ASSERT(fstatfs(pfd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC);
	ASSERT_INT_EQ(procfs_fd(&err), pfd); /* cached */

	ASSERT_OK(procfs_write("self/comm", "husk-unit", &err), &err);
	int fd = procfs_open("thread-self/comm", O_RDONLY, &err);
	ASSERT_OK(fd, &err);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT(n > 0);
	buf[n] = '\0';
	ASSERT_STREQ(buf, "husk-unit\n");

	/* O_PATH takes no other flag in openat2: still works. */
	fd = procfs_open("self/ns", O_PATH | O_DIRECTORY, &err);
	ASSERT_OK(fd, &err);
	close(fd);

	/* Magic links and escapes are refused. */
	fd = procfs_open("self/fd/0", O_RDONLY, &err);
	ASSERT(fd < 0);
	husk_error_clear(&err);
	fd = procfs_open("self/../../etc/passwd", O_RDONLY, &err);
	ASSERT(fd < 0);
	husk_error_clear(&err);
	fd = procfs_open("self/cwd/etc", O_RDONLY, &err);
	ASSERT(fd < 0);
	husk_error_clear(&err);
}

TEST(mount_options)
{
	char *opts[] = {"ro",	    "nosuid", "rbind",	   "rro",  "mode=755", "noatime",
			"rprivate", "x-foo",  "tmpcopyup", "sync", NULL};
	struct mount_opts o;

	mount_opts_parse(opts, &o);
	EXPECT(o.set & MOUNT_ATTR_RDONLY);
	EXPECT(o.set & MOUNT_ATTR_NOSUID);
	EXPECT((o.set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_NOATIME);
	EXPECT(o.clr & MOUNT_ATTR__ATIME);
	EXPECT(o.rset & MOUNT_ATTR_RDONLY);
	EXPECT(o.rbind && !o.bind && o.tmpcopyup && o.has_ro && !o.has_rw);
	EXPECT(o.propagation == MS_PRIVATE && o.propagation_rec);
	ASSERT_INT_EQ(o.n_data, 2);
	ASSERT_STREQ(o.data[0], "mode=755");
	ASSERT_STREQ(o.data[1], "sync");
	mount_opts_free(&o);

	char *opts2[] = {"ro", "rw", "dev", "nodev", "exec", "strictatime", "relatime", NULL};
	mount_opts_parse(opts2, &o);
	EXPECT(!(o.set & MOUNT_ATTR_RDONLY) && (o.clr & MOUNT_ATTR_RDONLY) && o.has_rw);
	EXPECT((o.set & MOUNT_ATTR_NODEV) && !(o.clr & MOUNT_ATTR_NODEV));
	EXPECT(o.clr & MOUNT_ATTR_NOEXEC);
	EXPECT((o.set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_RELATIME);
	ASSERT_INT_EQ(o.n_data, 0);
	mount_opts_free(&o);
}

TEST(clean_paths)
{
	static const char *const cases[][2] = {
	    {"/proc", "/proc"},
	    {"//proc/", "/proc"},
	    {"/a/./b/../c", "/a/c"},
	    {"../../proc", "/proc"},
	    {"/", "/"},
	    {"", "/"},
	    {"/sys/../proc/x", "/proc/x"},
	    {"dev//pts", "/dev/pts"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *c = mount_clean_path(cases[i][0]);
		if (strcmp(c, cases[i][1]) != 0)
			unit_fail_at(__FILE__, __LINE__, "%s -> %s, want %s", cases[i][0], c,
				     cases[i][1]);
	}
	EXPECT(mount_path_under("/proc", "/proc"));
	EXPECT(mount_path_under("/proc/sys", "/proc"));
	EXPECT(!mount_path_under("/process", "/proc"));
}

static int sysctl_one(const char *key, const char *value, bool with_net, bool with_ipc,
		      struct husk_error *err)
{
	struct spec_namespace ns[2];
	size_t n = 0;
	if (with_net)
		ns[n++] = (struct spec_namespace){.type = SPEC_NS_NETWORK};
	if (with_ipc)
		ns[n++] = (struct spec_namespace){.type = SPEC_NS_IPC};
	struct spec_kv kv = {(char *)key, (char *)value};
	struct spec_linux l = {.namespaces = ns, .n_namespaces = n, .sysctl = &kv, .n_sysctl = 1};
	struct spec_config cfg = {.linux = &l};
	return sysctl_apply(&cfg, err);
}

TEST(sysctl_refuses_host_keys)
{
	struct husk_error err = HUSK_ERROR_INIT;

	ASSERT(sysctl_one("kernel.core_pattern", "|/tmp/x", true, true, &err) < 0);
	ASSERT_STRSTR(err.msg, "not namespaced");
	husk_error_clear(&err);
	ASSERT(sysctl_one("net.ipv4.ip_forward", "1", false, true, &err) < 0);
	ASSERT_STRSTR(err.msg, "network namespace");
	husk_error_clear(&err);
	ASSERT(sysctl_one("kernel.shmmax", "1", true, false, &err) < 0);
	ASSERT_STRSTR(err.msg, "ipc namespace");
	husk_error_clear(&err);
	ASSERT(sysctl_one("net/../kernel/core_pattern", "x", true, true, &err) < 0);
	husk_error_clear(&err);
	ASSERT(sysctl_one("fs.mqueue.msg_max", "1", true, false, &err) < 0);
	husk_error_clear(&err);
}

static void remove_tree(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", base);
}

int main(void)
{
	build_tree();
	RUN(openat2_stays_in_root);
	RUN(fallback_stays_in_root);
	RUN(nofollow_and_reopen_openat2);
	RUN(nofollow_and_reopen_fallback);
	RUN(creates_inside_openat2);
	RUN(creates_inside_fallback);
	RUN(walk_agrees_with_openat2);
	RUN(procfs_handle);
	RUN(mount_options);
	RUN(clean_paths);
	RUN(sysctl_refuses_host_keys);
	remove_tree();
	return unit_done();
}
