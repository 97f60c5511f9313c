// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checkpoint and restore on CRIU's command line.
 *
 * A husk container reaches outside itself in a few places CRIU cannot dump
 * on its own; each is named to CRIU as an external resource at dump and
 * handed back at restore:
 *   - bind mounts from config.json: `mnt[DEST]` at dump, the bundle's
 *     source at restore;
 *   - nodes of the host's devtmpfs bound into the container (masked files
 *     are /dev/null binds; /dev entries where mknod is refused): recorded
 *     in the image directory with their host path;
 *   - network and pid namespaces joined by path (a pod's shared pid
 *     namespace): `net[INODE]` and `pid[INODE]` under a key at dump; at
 *     restore the namespace of the restoring config's path is inherited
 *     under that key (--inherit-fd);
 *   - ipc and uts namespaces joined by path: CRIU has no external key for
 *     them, so the restore joins the restoring config's paths (--join-ns)
 *     instead of making new ones from the images;
 *   - the init's stdio (pipes, files, a tty whose master is outside): at
 *     restore, husk's own stdio or the new console take their place.
 * What restore needs beyond config.json goes to HUSK_FILE in the images.
 */
#include "config.h"
#include "linux/criu.h"
#include "linux/cgroups.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define HUSK_FILE "husk-criu.txt"
#define NETNS_KEY "extRootNetNS"
#define PIDNS_KEY "extRootPidNS"
#define DUMP_LOG "dump.log"
#define RESTORE_LOG "restore.log"
#define RESTORE_PIDFILE "restore.pid"

void criu_opts_init(struct criu_opts *o)
{
	memset(o, 0, sizeof *o);
	o->status_fd = -1;
}

/* ---- argv ---- */

struct argv_buf {
	char **v;
	size_t n, cap;
};

static void argv_add(struct argv_buf *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? 2 * a->cap : 32;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void __attribute__((format(printf, 2, 3)))
argv_addf(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	argv_add(a, s);
	free(s);
}

static void argv_free(struct argv_buf *a)
{
	strv_free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* ---- finding and running criu ---- */

/* $HUSK_CRIU, or `criu` in $PATH (with the sbin directories Debian puts it
 * in, for callers whose PATH lacks them).  NULL when there is none. */
static char *find_criu(void)
{
	const char *env = getenv("HUSK_CRIU");
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = NULL;
	char *save = NULL;

	if (env && *env)
		return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
	dirs = xasprintf("%s:/usr/local/sbin:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = xasprintf("%s/criu", *d ? d : ".");
		if (access(p, X_OK) == 0)
			return steal_pointer(&p);
	}
	return NULL;
}

/* How criu's child side is set up. */
struct criu_child {
	int stdio[3];	 /* -1: /dev/null (0) or inherited (1, 2) */
	int capture_fd;	 /* >= 0: stdout and stderr go here */
	const int *keep; /* fds criu inherits at their numbers */
	size_t n_keep;
	const char *root; /* restore: bind this onto itself in a private mount namespace */
};

static void __attribute__((noreturn)) child_fail(const char *what)
{
	dprintf(2, "husk: %s: %s\n", what, strerror(errno));
	_exit(127);
}

static void __attribute__((noreturn))
exec_criu(const char *bin, char **argv, const struct criu_child *c)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (int i = 0; i < 3; i++) {
		int fd = c->stdio[i] >= 0 ? c->stdio[i] : (i == 0 ? devnull : -1);
		if (c->capture_fd >= 0 && i > 0)
			fd = c->capture_fd;
		if (fd >= 0 && fd != i && dup2(fd, i) < 0)
			child_fail("dup2");
		if (fd == i)
			fcntl(i, F_SETFD, 0);
	}
	for (size_t i = 0; i < c->n_keep; i++)
		if (fcntl(c->keep[i], F_SETFD, 0) < 0)
			child_fail("keep an fd for criu");
	if (c->root) {
		/* CRIU wants the root it restores into to be a mount point; the
		 * bind lives only in this private namespace, gone with criu. */
		if (unshare(CLONE_NEWNS) < 0)
			child_fail("unshare the mount namespace for criu");
		if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			child_fail("make / a slave mount");
		if (mount(c->root, c->root, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_fail("bind the rootfs onto itself");
	}
	signal(SIGPIPE, SIG_DFL);
	execv(bin, argv);
	child_fail(bin);
}

/* Run criu; *status is its exit code (or 128 + signal). */
static int run_criu(const char *bin, char **argv, const struct criu_child *c, int *status,
		    struct husk_error *err)
{
	int ws;
	pid_t pid = fork();

	if (pid < 0)
		return husk_error_errno(err, "fork for criu");
	if (pid == 0)
		exec_criu(bin, argv, c);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return husk_error_errno(err, "wait for criu");
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}

/* The first "Error (file:line): what" line of CRIU's output, as "what". */
static char *first_criu_error(const char *text)
{
	const char *line = strstr(text, "Error (");
	const char *end, *msg;

	if (line == NULL)
		return NULL;
	end = strchrnul(line, '\n');
	msg = strstr(line, "): ");
	msg = msg && msg < end ? msg + 3 : line;
	return strndup(msg, (size_t)(end - msg));
}

/* ---- criu check ---- */

static int criu_output(const char *bin, const char *arg, char **out, int *status,
		       struct husk_error *err)
{
	char *argv[] = {(char *)"criu", (char *)arg, NULL};
	_cleanup_close_ int fd = -1;
	struct criu_child c = {.stdio = {-1, -1, -1}};
	size_t len;
	char name[] = "/tmp/husk-criu-XXXXXX";

	/* a file, not a pipe: criu's output is small but we must not block */
	fd = mkostemp(name, O_CLOEXEC);
	if (fd < 0)
		return husk_error_errno(err, "create a temporary file for criu's output");
	unlink(name);
	c.capture_fd = fd;
	if (run_criu(bin, argv, &c, status, err) < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return husk_error_errno(err, "read criu's output");
	return read_fd_all(fd, 1 << 20, out, &len, err);
}

/* `criu check` takes a second or more (it probes the kernel): a pass is
 * remembered for this criu binary until the next boot.  Only a pass is
 * kept, and only to skip this diagnosis: dump and restore still fail on
 * their own if CRIU cannot work. */
#define CHECK_CACHE_DIR "/run"
#define CHECK_CACHE_NAME "husk-criu-check"
#define CHECK_CACHE CHECK_CACHE_DIR "/" CHECK_CACHE_NAME

static char *check_cache_key(const char *bin)
{
	_cleanup_free_ char *boot = NULL;
	struct husk_error e = HUSK_ERROR_INIT;
	struct stat st;
	size_t len;

	if (stat(bin, &st) < 0 ||
	    read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 64, &boot, &len, &e) < 0) {
		husk_error_clear(&e);
		return NULL;
	}
	boot[strcspn(boot, "\n")] = '\0';
	return xasprintf("%s %s %lld %lld\n", boot, bin, (long long)st.st_mtime,
			 (long long)st.st_size);
}

static bool check_cached(const char *key)
{
	_cleanup_free_ char *text = NULL;
	struct husk_error e = HUSK_ERROR_INIT;
	size_t len;

	if (key == NULL || read_file_at(AT_FDCWD, CHECK_CACHE, 4096, &text, &len, &e) < 0) {
		husk_error_clear(&e);
		return false;
	}
	return strcmp(text, key) == 0;
}

static void check_remember(const char *key)
{
	struct husk_error e = HUSK_ERROR_INIT;
	_cleanup_close_ int dfd = open(CHECK_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (key && dfd >= 0 &&
	    write_file_atomic_at(dfd, CHECK_CACHE_NAME, key, strlen(key), 0644, &e) < 0)
		husk_error_clear(&e);
}

int criu_usable(char **version, struct husk_error *err)
{
	_cleanup_free_ char *bin = find_criu(), *out = NULL, *why = NULL, *key = NULL;
	int status;

	if (version)
		*version = NULL;
	if (bin == NULL && getenv("HUSK_CRIU") && *getenv("HUSK_CRIU"))
		return husk_error_set(
		    err, 0,
		    "CRIU is not installed: `%s` (--criu or $HUSK_CRIU) is not an "
		    "executable",
		    getenv("HUSK_CRIU"));
	if (bin == NULL)
		return husk_error_set(err, 0,
				      "CRIU is not installed (no `criu` in PATH): install the criu "
				      "package to checkpoint and restore containers");
	key = check_cache_key(bin);
	if (check_cached(key))
		goto usable;
	if (criu_output(bin, "check", &out, &status, err) < 0)
		return husk_error_prefix(err, "criu check");
	if (status == 0)
		check_remember(key);
	if (status != 0) {
		why = first_criu_error(out);
		if (why == NULL) {
			char *nl = strchr(out, '\n');
			if (nl)
				*nl = '\0';
			why = xstrdup(*out ? out : "no reason given");
		}
		return husk_error_set(err, 0,
				      "CRIU cannot checkpoint or restore on this system: `criu "
				      "check` failed: %s",
				      why);
	}
usable:
	if (version) {
		free(out);
		out = NULL;
		if (criu_output(bin, "--version", &out, &status, err) < 0)
			return husk_error_prefix(err, "criu --version");
		const char *v = strstr(out, "Version: ");
		*version = v ? strndup(v + 9, strcspn(v + 9, "\n")) : xstrdup("unknown");
	}
	return 0;
}

/* ---- directories ---- */

/* mkdir -p with mode 0700 for what we create; the leaves CRIU writes into
 * keep whatever mode they already had. */
static int mkdir_p(const char *path, struct husk_error *err)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST)
				return husk_error_errno(err, "mkdir `%s`", p);
			*s = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

/* The images and logs must not land in the container's own rootfs: the
 * container could read or replace them. */
static int check_outside_rootfs(const char *what, const char *dir, const char *rootfs, char **abs,
				struct husk_error *err)
{
	char real_root[PATH_MAX];
	size_t n;

	*abs = realpath(dir, NULL);
	if (*abs == NULL)
		return husk_error_errno(err, "%s `%s`", what, dir);
	if (rootfs == NULL || realpath(rootfs, real_root) == NULL)
		return 0;
	n = strlen(real_root);
	if (strcmp(real_root, "/") != 0 && strncmp(*abs, real_root, n) == 0 &&
	    ((*abs)[n] == '\0' || (*abs)[n] == '/'))
		return husk_error_set(err, EINVAL,
				      "%s `%s` is inside the container's rootfs `%s`: choose a "
				      "directory outside it",
				      what, dir, real_root);
	return 0;
}

static int prepare_dir(const char *what, const char *dir, const char *rootfs, bool create,
		       char **abs, struct husk_error *err)
{
	if (create && mkdir_p(dir, err) < 0)
		return husk_error_prefix(err, "%s", what);
	return check_outside_rootfs(what, dir, rootfs, abs, err);
}

/* ---- what a container holds from outside ---- */

static bool mount_is_bind(const struct spec_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (char **o = m->options; o && *o; o++)
		if (strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0)
			return true;
	return false;
}

/* Unescape mountinfo's octal escapes (\040 for a space) in place. */
static void mountinfo_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Nodes of the host's devtmpfs bound into the container: "MOUNTPOINT
 * HOSTPATH" lines for HUSK_FILE.  CRIU cannot reach the host's /dev from
 * inside the container's mount namespace. */
static int list_devtmpfs_binds(pid_t pid, FILE *out, struct argv_buf *a, struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/mountinfo", pid);
	_cleanup_file_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return husk_error_errno(err, "open %s", path);
	while (getline(&line, &cap, f) > 0) {
		char root[PATH_MAX], mp[PATH_MAX], fstype[64];
		const char *dash = strstr(line, " - ");

		if (dash == NULL || sscanf(line, "%*d %*d %*s %4095s %4095s", root, mp) != 2 ||
		    sscanf(dash + 3, "%63s", fstype) != 1)
			continue;
		mountinfo_unescape(root);
		mountinfo_unescape(mp);
		if (strcmp(mp, "/dev/console") == 0 && strcmp(fstype, "devpts") == 0) {
			/* the pty slave: a new one takes its place at restore */
			fprintf(out, "console %s\n", mp);
			argv_addf(a, "--external");
			argv_addf(a, "mnt[%s]:%s", mp, mp);
			continue;
		}
		if (strcmp(fstype, "devtmpfs") != 0)
			continue;
		fprintf(out, "mount %s /dev%s\n", mp, strcmp(root, "/") == 0 ? "" : root);
		argv_addf(a, "--external");
		argv_addf(a, "mnt[%s]:%s", mp, mp);
	}
	return 0;
}

/* The init's stdio: recorded so restore can put its own in their place;
 * files and ttys are external to CRIU (pipes and sockets it handles). */
static int record_stdio(pid_t pid, FILE *out, struct argv_buf *a, bool *tty, struct husk_error *err)
{
	*tty = false;
	for (int fd = 0; fd < 3; fd++) {
		_cleanup_free_ char *link = xasprintf("/proc/%d/fd/%d", pid, fd);
		char target[PATH_MAX];
		struct stat st;
		ssize_t n = readlink(link, target, sizeof target - 1);

		if (n < 0) {
			if (errno == ENOENT)
				continue; /* closed */
			return husk_error_errno(err, "readlink %s", link);
		}
		target[n] = '\0';
		if (stat(link, &st) < 0)
			return husk_error_errno(err, "stat %s", link);
		if (str_has_prefix(target, "pipe:") || str_has_prefix(target, "socket:")) {
			fprintf(out, "stdio %d %s\n", fd, target);
		} else if (S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
			   major(st.st_rdev) <= 143) {
			/* a pty slave: its master is outside (console socket) */
			*tty = true;
			fprintf(out, "stdio %d tty[%lx:%lx]\n", fd, (unsigned long)st.st_rdev,
				(unsigned long)st.st_dev);
			argv_add(a, "--external");
			argv_addf(a, "tty[%lx:%lx]", (unsigned long)st.st_rdev,
				  (unsigned long)st.st_dev);
		} else {
			_cleanup_free_ char *info = NULL,
					    *fdinfo = xasprintf("/proc/%d/fdinfo/%d", pid, fd);
			size_t len;
			const char *m;
			if (read_file_at(AT_FDCWD, fdinfo, 1 << 16, &info, &len, err) < 0)
				return -1;
			m = strstr(info, "mnt_id:");
			if (m == NULL)
				return husk_error_set(err, EINVAL, "no mnt_id in %s", fdinfo);
			unsigned long mnt_id = strtoul(m + 7, NULL, 10);
			fprintf(out, "stdio %d file[%lx:%lx]\n", fd, mnt_id,
				(unsigned long)st.st_ino);
			argv_add(a, "--external");
			argv_addf(a, "file[%lx:%lx]", mnt_id, (unsigned long)st.st_ino);
		}
	}
	return 0;
}

/* The namespaces CRIU leaves out of the dump as external, under a key, and
 * takes at restore as an inherited fd of the namespace. */
static const struct {
	enum spec_ns_type type;
	const char *criu; /* CRIU's name, also /proc/PID/ns/NAME */
	const char *spec; /* the config's name */
	const char *line; /* its line in HUSK_FILE */
	const char *key;
} external_ns[] = {{SPEC_NS_NETWORK, "net", "network", "netns", NETNS_KEY},
		   {SPEC_NS_PID, "pid", "pid", "pidns", PIDNS_KEY}};

/* A namespace joined by path is someone else's: CRIU must not dump it (a
 * pid namespace whose init is outside the container cannot be dumped at
 * all) and the restore puts the container back into the one its config
 * names. */
static int mark_external_ns(pid_t pid, const struct spec_config *cfg, FILE *out, struct argv_buf *a,
			    struct husk_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(external_ns); i++) {
		const struct spec_namespace *ns = spec_config_namespace(cfg, external_ns[i].type);
		_cleanup_free_ char *link = NULL;
		struct stat st;

		if (ns == NULL || ns->path == NULL)
			continue;
		link = xasprintf("/proc/%d/ns/%s", pid, external_ns[i].criu);
		if (stat(link, &st) < 0)
			return husk_error_errno(err, "stat %s", link);
		argv_add(a, "--external");
		argv_addf(a, "%s[%lu]:%s", external_ns[i].criu, (unsigned long)st.st_ino,
			  external_ns[i].key);
		fprintf(out, "%s external\n", external_ns[i].line);
	}
	return 0;
}

/* The namespaces CRIU restores by joining a path (--join-ns). */
static const struct {
	enum spec_ns_type type;
	const char *criu; /* CRIU's name */
} joined_ns[] = {{SPEC_NS_IPC, "ipc"}, {SPEC_NS_UTS, "uts"}};

static void record_joined_ns(const struct spec_config *cfg, FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(joined_ns); i++) {
		const struct spec_namespace *ns = spec_config_namespace(cfg, joined_ns[i].type);
		if (ns && ns->path)
			fprintf(out, "joinns %s\n", joined_ns[i].criu);
	}
}

static void add_bind_mounts(const struct spec_config *cfg, const char *bundle, bool restore,
			    struct argv_buf *a)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct spec_mount *m = &cfg->mounts[i];
		if (!mount_is_bind(m) || m->source == NULL)
			continue;
		argv_add(a, "--external");
		if (!restore)
			argv_addf(a, "mnt[%s]:%s", m->destination, m->destination);
		else if (m->source[0] == '/' || bundle == NULL)
			argv_addf(a, "mnt[%s]:%s", m->destination, m->source);
		else
			argv_addf(a, "mnt[%s]:%s/%s", m->destination, bundle, m->source);
	}
}

/* Whether mount i's destination lies inside another mount of the config
 * (a tmpfs /dev or /run): CRIU restores that one's contents itself. */
static bool inside_other_mount(const struct spec_config *cfg, size_t i)
{
	const char *d = cfg->mounts[i].destination;

	for (size_t j = 0; j < cfg->n_mounts; j++) {
		const char *o = cfg->mounts[j].destination;
		size_t n = strlen(o);
		if (j != i && n > 1 && strncmp(d, o, n) == 0 && d[n] == '/')
			return true;
	}
	return false;
}

/* CRIU mounts onto what the rootfs holds: a destination the rootfs lacks
 * (podman's /etc/hosts in a fresh layer after --import, a tmpfs /run
 * containerd asks for in a busybox image) is made first, inside the root,
 * as create makes it: a directory, or an empty file for a file's bind. */
static int make_mountpoints(const struct criu_restore_target *t, struct husk_error *err)
{
	const struct spec_config *cfg = t->cfg;
	_cleanup_close_ int rootfd = open(t->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return husk_error_errno(err, "open the rootfs `%s`", t->rootfs);
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct spec_mount *m = &cfg->mounts[i];
		_cleanup_free_ char *src = NULL;
		struct stat st;
		int fd;

		bool dir = true;

		if (inside_other_mount(cfg, i))
			continue;
		if (mount_is_bind(m) && m->source) {
			src = m->source[0] == '/' ? xstrdup(m->source)
						  : xasprintf("%s/%s", t->bundle, m->source);
			dir = stat(src, &st) == 0 && S_ISDIR(st.st_mode);
		}
		fd = resolve_in_root(rootfd, m->destination, O_PATH | O_NOFOLLOW,
				     dir ? RESOLVE_MKDIR : RESOLVE_MKFILE, dir ? 0755 : 0644, err);
		if (fd < 0)
			return husk_error_prefix(err, "mounts: the mount point `%s`",
						 m->destination);
		close(fd);
	}
	return 0;
}

/* ---- options common to dump and restore ---- */

static int add_common(const struct criu_opts *o, struct argv_buf *a, struct husk_error *err)
{
	if (o->tcp_established)
		argv_add(a, "--tcp-established");
	if (o->ext_unix_sk)
		argv_add(a, "--ext-unix-sk");
	if (o->shell_job)
		argv_add(a, "--shell-job");
	if (o->file_locks)
		argv_add(a, "--file-locks");
	if (o->manage_cgroups_mode) {
		static const char *const modes[] = {"soft",   "full", "strict",
						    "ignore", "none", "props"};
		bool ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
			ok = ok || strcmp(o->manage_cgroups_mode, modes[i]) == 0;
		if (!ok)
			return husk_error_set(err, EINVAL,
					      "--manage-cgroups-mode `%s`: must be soft, full, "
					      "strict or ignore",
					      o->manage_cgroups_mode);
		argv_addf(a, "--manage-cgroups=%s", o->manage_cgroups_mode);
	} else {
		argv_add(a, "--manage-cgroups=soft");
	}
	if (o->empty_ns) {
		if (strcmp(o->empty_ns, "network") != 0 && strcmp(o->empty_ns, "net") != 0)
			return husk_error_set(err, EINVAL,
					      "--empty-ns `%s`: only `network` is supported",
					      o->empty_ns);
	}
	if (o->auto_dedup)
		argv_add(a, "--auto-dedup");
	return 0;
}

static int add_page_server(const struct criu_opts *o, struct argv_buf *a, struct husk_error *err)
{
	const char *colon;

	if (o->page_server == NULL)
		return 0;
	colon = strrchr(o->page_server, ':');
	if (colon == NULL || colon == o->page_server || colon[1] == '\0')
		return husk_error_set(err, EINVAL, "--page-server `%s`: expected ADDRESS:PORT",
				      o->page_server);
	/* A lazy dump is itself the page server the restoring side's `criu
	 * lazy-pages` pulls from: it listens there instead of sending. */
	if (!o->lazy_pages)
		argv_add(a, "--page-server");
	argv_addf(a, "--address=%.*s", (int)(colon - o->page_server), o->page_server);
	argv_addf(a, "--port=%s", colon + 1);
	return 0;
}

/* The reason from criu's log, one line. */
static int criu_failed(const char *what, int status, const char *workdir, const char *log,
		       struct husk_error *err)
{
	_cleanup_free_ char *text = NULL, *why = NULL;
	_cleanup_close_ int dfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct husk_error e = HUSK_ERROR_INIT;
	size_t len;

	if (dfd >= 0 && read_file_at(dfd, log, 64 << 20, &text, &len, &e) == 0)
		why = first_criu_error(text);
	husk_error_clear(&e);
	return husk_error_set(err, 0, "criu %s failed (exit %d): %s (log: %s/%s)", what, status,
			      why ? why : "see the log", workdir, log);
}

/* ---- checkpoint ---- */

static const char *freezer_dir(const struct cgroup_handle *cg, char *buf, size_t len)
{
	const struct cg_hier *h = cg ? cg_find(cg, "freezer") : NULL;

	if (h == NULL && cg && cg->unified >= 0)
		h = &cg->h[cg->unified];
	if (h == NULL)
		return NULL;
	snprintf(buf, len, "%s%s", h->mount, cgroup_path(cg));
	return buf;
}

struct dump_job {
	struct argv_buf a;
	char *images, *work, *bin;
	FILE *husk_file;
	char husk_tmp[PATH_MAX];
};

static void dump_job_free(struct dump_job *j)
{
	argv_free(&j->a);
	if (j->husk_file)
		fclose(j->husk_file);
	if (j->husk_tmp[0])
		unlink(j->husk_tmp);
	free(j->images);
	free(j->work);
	free(j->bin);
}

static int dump_args(struct dump_job *j, struct container_ref *ref, const struct cgroup_handle *cg,
		     const struct criu_opts *o, bool frozen, struct husk_error *err)
{
	struct argv_buf *a = &j->a;
	pid_t pid = ref->state->pid;
	char fz[PATH_MAX];
	bool tty;

	argv_add(a, "criu");
	argv_add(a, o->pre_dump ? "pre-dump" : "dump");
	argv_addf(a, "--tree=%d", pid);
	argv_addf(a, "--images-dir=%s", j->images);
	argv_addf(a, "--work-dir=%s", j->work);
	argv_addf(a, "--log-file=%s", DUMP_LOG);
	argv_add(a, "-v4");
	argv_addf(a, "--root=%s", ref->state->rootfs);
	if (o->parent_path)
		argv_addf(a, "--prev-images-dir=%s", o->parent_path);
	if (o->pre_dump || o->parent_path)
		argv_add(a, "--track-mem");
	if (o->leave_running && !o->pre_dump)
		argv_add(a, "--leave-running");
	if (o->lazy_pages) {
		if (o->page_server == NULL)
			return husk_error_set(
			    err, EINVAL,
			    "--lazy-pages needs --page-server ADDRESS:PORT: the "
			    "dump serves the memory from there to `criu lazy-pages`");
		argv_add(a, "--lazy-pages");
		if (o->status_fd >= 0)
			argv_addf(a, "--status-fd=%d", o->status_fd);
	}
	if (frozen && freezer_dir(cg, fz, sizeof fz))
		argv_addf(a, "--freeze-cgroup=%s", fz);
	if (add_common(o, a, err) < 0 || add_page_server(o, a, err) < 0)
		return -1;
	if (o->empty_ns)
		argv_add(a, "--empty-ns"), argv_add(a, "net");
	add_bind_mounts(ref->config, NULL, false, a);
	if (list_devtmpfs_binds(pid, j->husk_file, a, err) < 0 ||
	    record_stdio(pid, j->husk_file, a, &tty, err) < 0 ||
	    mark_external_ns(pid, ref->config, j->husk_file, a, err) < 0)
		return -1;
	record_joined_ns(ref->config, j->husk_file);
	/* The init's controlling tty is the external pty: CRIU 3.17 takes that
	 * only from a shell job, at dump and at restore (recorded for it). */
	if (tty) {
		fprintf(j->husk_file, "shell-job yes\n");
		if (!o->shell_job)
			argv_add(a, "--shell-job");
	}
	return 0;
}

int criu_checkpoint(struct container_ref *ref, const struct cgroup_handle *cg,
		    const struct criu_opts *o, struct husk_error *err)
{
	struct dump_job j = {0};
	bool frozen = false;
	int status, r, ret = -1, keep[1];
	struct criu_child c = {.stdio = {-1, -1, -1}, .capture_fd = -1};
	_cleanup_close_ int idir = -1;

	if (criu_usable(NULL, err) < 0)
		return -1;
	j.bin = find_criu();
	if (prepare_dir("--image-path", o->image_path ? o->image_path : "checkpoint",
			ref->state->rootfs, true, &j.images, err) < 0)
		goto out;
	if (prepare_dir("--work-path", o->work_path ? o->work_path : j.images, ref->state->rootfs,
			true, &j.work, err) < 0)
		goto out;
	if (o->parent_path) {
		_cleanup_free_ char *p = o->parent_path[0] == '/'
					     ? xstrdup(o->parent_path)
					     : xasprintf("%s/%s", j.images, o->parent_path);
		if (access(p, F_OK) < 0) {
			husk_error_errno(err, "--parent-path `%s` (relative to the image path)",
					 o->parent_path);
			goto out;
		}
	}
	idir = open(j.images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (idir < 0) {
		husk_error_errno(err, "open the image path `%s`", j.images);
		goto out;
	}
	snprintf(j.husk_tmp, sizeof j.husk_tmp, "%s/.%s.tmp", j.images, HUSK_FILE);
	j.husk_file = fopen(j.husk_tmp, "we");
	if (j.husk_file == NULL) {
		husk_error_errno(err, "create %s", j.husk_tmp);
		goto out;
	}
	if (cg && cgroup_is_frozen(cg, &frozen, err) < 0)
		goto out;
	if (dump_args(&j, ref, cg, o, frozen, err) < 0)
		goto out;
	if (fclose(j.husk_file) != 0) {
		j.husk_file = NULL;
		husk_error_errno(err, "write %s", j.husk_tmp);
		goto out;
	}
	j.husk_file = NULL;
	if (o->status_fd >= 0) {
		keep[0] = o->status_fd;
		c.keep = keep;
		c.n_keep = 1;
	}
	/* In place before criu runs: a lazy dump's images are restored (on
	 * --status-fd's word) while criu still serves their memory. */
	if (renameat(AT_FDCWD, j.husk_tmp, idir, HUSK_FILE) < 0) {
		husk_error_errno(err, "rename %s", j.husk_tmp);
		goto out;
	}
	j.husk_tmp[0] = '\0';
	r = run_criu(j.bin, j.a.v, &c, &status, err);
	if (r == 0 && status != 0)
		r = criu_failed(o->pre_dump ? "pre-dump" : "dump", status, j.work, DUMP_LOG, err);
	if (r < 0) {
		unlinkat(idir, HUSK_FILE, 0);
		goto out;
	}
	ret = 0;
out:
	dump_job_free(&j);
	return ret;
}

/* ---- restore ---- */

/* A line of HUSK_FILE: kind and up to two words. */
struct husk_line {
	char kind[16];
	char a[PATH_MAX], b[PATH_MAX];
};

static int read_husk_file(const char *images, struct husk_line **lines, size_t *n,
			  struct husk_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", images, HUSK_FILE);
	_cleanup_file_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	*lines = NULL;
	*n = 0;
	if (f == NULL) {
		if (errno == ENOENT)
			return 0; /* images from another runtime: nothing external */
		return husk_error_errno(err, "open %s", path);
	}
	while (getline(&line, &cap, f) > 0) {
		struct husk_line l = {0};
		if (sscanf(line, "%15s %4095s %4095s", l.kind, l.a, l.b) < 2)
			continue;
		*lines = xrealloc(*lines, (*n + 1) * sizeof **lines);
		(*lines)[(*n)++] = l;
	}
	return 0;
}

/* The restored init's stdio: ours, or the new console's slave for a tty
 * (named once: fds 0, 1 and 2 share it). */
static void restore_stdio(const struct husk_line *l, int slave, bool *tty_done, struct argv_buf *a)
{
	if (str_has_prefix(l->b, "tty[")) {
		if (*tty_done)
			return;
		*tty_done = true;
		argv_add(a, "--inherit-fd");
		argv_addf(a, "fd[%d]:%s", slave, l->b);
		return;
	}
	argv_add(a, "--inherit-fd");
	argv_addf(a, "fd[%d]:%s", atoi(l->a), l->b);
}

struct restore_job {
	struct argv_buf a;
	char *images, *work, *bin;
	struct husk_line *lines;
	size_t n_lines;
	int keep[6];
	size_t n_keep;
	int ns_fd[ARRAY_SIZE(external_ns)], slave;
	char slave_path[64];
};

static void restore_job_free(struct restore_job *j)
{
	argv_free(&j->a);
	free(j->images);
	free(j->work);
	free(j->bin);
	free(j->lines);
	for (size_t i = 0; i < ARRAY_SIZE(j->ns_fd); i++)
		if (j->ns_fd[i] >= 0)
			close(j->ns_fd[i]);
	if (j->slave >= 0)
		close(j->slave);
}

static bool has_tty(const struct restore_job *j)
{
	for (size_t i = 0; i < j->n_lines; i++)
		if ((strcmp(j->lines[i].kind, "stdio") == 0 &&
		     str_has_prefix(j->lines[i].b, "tty[")) ||
		    strcmp(j->lines[i].kind, "console") == 0)
			return true;
	return false;
}

/* A new pty for a restored tty: the master goes to the console socket,
 * the slave to CRIU in place of the old one. */
static int new_console(const struct criu_restore_target *t, struct restore_job *j,
		       struct husk_error *err)
{
	_cleanup_close_ int master = -1;
	char name[64];

	if (t->console_socket_fd < 0)
		return husk_error_set(err, EINVAL,
				      "the checkpointed container has a terminal: restore needs "
				      "--console-socket");
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof name) != 0)
		return husk_error_errno(err, "open a new pty");
	snprintf(j->slave_path, sizeof j->slave_path, "%s", name);
	j->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (j->slave < 0)
		return husk_error_errno(err, "open %s", name);
	if (terminal_send_fd(t->console_socket_fd, master, name, err) < 0)
		return husk_error_prefix(err, "send the pty master to the console socket");
	j->keep[j->n_keep++] = j->slave;
	return 0;
}

/* At restore the restoring config decides, as for the network: a namespace
 * the checkpointed container had joined must be joined again. */
static int restore_joined_ns(const struct spec_config *cfg, const struct husk_line *lines,
			     size_t n_lines, struct argv_buf *a, struct husk_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(joined_ns); i++) {
		const struct spec_namespace *ns = spec_config_namespace(cfg, joined_ns[i].type);
		bool recorded = false;

		for (size_t l = 0; l < n_lines; l++)
			recorded = recorded || (strcmp(lines[l].kind, "joinns") == 0 &&
						strcmp(lines[l].a, joined_ns[i].criu) == 0);
		if (ns && ns->path) {
			if (access(ns->path, F_OK) < 0)
				return husk_error_errno(err, "linux.namespaces: %s `%s`",
							joined_ns[i].criu, ns->path);
			argv_add(a, "--join-ns");
			argv_addf(a, "%s:%s", joined_ns[i].criu, ns->path);
		} else if (recorded) {
			return husk_error_set(err, EINVAL,
					      "the checkpoint joined an existing %s namespace: "
					      "linux.namespaces needs its `path`",
					      joined_ns[i].criu);
		}
	}
	return 0;
}

/* A namespace the checkpoint left external: the restoring config's path
 * is opened and inherited under its key.  Without a path CRIU cannot
 * restore it, so the restore is refused before CRIU runs. */
static int inherit_external_ns(struct restore_job *j, const struct spec_config *cfg,
			       const struct husk_line *l, struct husk_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(external_ns); i++) {
		const struct spec_namespace *ns;

		if (strcmp(l->kind, external_ns[i].line) != 0)
			continue;
		ns = spec_config_namespace(cfg, external_ns[i].type);
		if (ns == NULL || ns->path == NULL)
			return husk_error_set(err, EINVAL,
					      "the checkpoint joined a %s namespace: "
					      "linux.namespaces needs a %s `path`",
					      external_ns[i].spec, external_ns[i].spec);
		if (j->ns_fd[i] >= 0)
			return 0; /* named twice */
		j->ns_fd[i] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (j->ns_fd[i] < 0)
			return husk_error_errno(err, "linux.namespaces: %s `%s`",
						external_ns[i].spec, ns->path);
		j->keep[j->n_keep++] = j->ns_fd[i];
		argv_add(&j->a, "--inherit-fd");
		argv_addf(&j->a, "fd[%d]:%s", j->ns_fd[i], external_ns[i].key);
	}
	return 0;
}

static int restore_args(struct restore_job *j, const struct criu_restore_target *t,
			const struct criu_opts *o, struct husk_error *err)
{
	struct argv_buf *a = &j->a;
	bool tty_done = false;

	argv_add(a, "criu");
	argv_add(a, "restore");
	argv_addf(a, "--images-dir=%s", j->images);
	argv_addf(a, "--work-dir=%s", j->work);
	argv_addf(a, "--log-file=%s", RESTORE_LOG);
	argv_add(a, "-v4");
	argv_addf(a, "--root=%s", t->rootfs);
	argv_add(a, "--restore-detached");
	argv_addf(a, "--pidfile=%s", RESTORE_PIDFILE);
	if (t->cg && strcmp(cgroup_path(t->cg), "/") != 0)
		argv_addf(a, "--cgroup-root=%s", cgroup_path(t->cg));
	if (o->lazy_pages) {
		argv_add(a, "--lazy-pages");
		if (o->status_fd >= 0)
			argv_addf(a, "--status-fd=%d", o->status_fd);
	}
	if (add_common(o, a, err) < 0)
		return -1;
	if (o->empty_ns)
		argv_add(a, "--empty-ns"), argv_add(a, "net");
	if (o->lsm_profile)
		argv_addf(a, "--lsm-profile=%s", o->lsm_profile);
	if (o->lsm_mount_context)
		argv_addf(a, "--lsm-mount-context=%s", o->lsm_mount_context);
	add_bind_mounts(t->cfg, t->bundle, true, a);
	if (restore_joined_ns(t->cfg, j->lines, j->n_lines, a, err) < 0)
		return -1;
	for (size_t i = 0; i < j->n_lines; i++) {
		const struct husk_line *l = &j->lines[i];
		if (strcmp(l->kind, "mount") == 0) {
			argv_add(a, "--external");
			argv_addf(a, "mnt[%s]:%s", l->a, l->b);
		} else if (strcmp(l->kind, "stdio") == 0) {
			restore_stdio(l, j->slave, &tty_done, a);
		} else if (strcmp(l->kind, "shell-job") == 0) {
			if (!o->shell_job)
				argv_add(a, "--shell-job");
		} else if (strcmp(l->kind, "console") == 0) {
			if (j->slave < 0)
				return husk_error_set(err, EINVAL,
						      "the checkpoint has a console but its init "
						      "had no tty");
			argv_add(a, "--external");
			argv_addf(a, "mnt[%s]:%s", l->a, j->slave_path);
		} else if (inherit_external_ns(j, t->cfg, l, err) < 0) {
			return -1;
		}
	}
	return 0;
}

static int read_restored_pid(const char *work, pid_t *pid, struct husk_error *err)
{
	_cleanup_close_ int dfd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	size_t len;
	int64_t v;

	if (dfd < 0)
		return husk_error_errno(err, "open the work path `%s`", work);
	if (read_file_at(dfd, RESTORE_PIDFILE, 64, &text, &len, err) < 0)
		return husk_error_prefix(err, "criu's pid file");
	text[strcspn(text, "\n")] = '\0';
	if (parse_int64(text, &v) < 0 || v <= 0 || v > INT_MAX)
		return husk_error_set(err, EINVAL, "criu's pid file holds `%s`", text);
	unlinkat(dfd, RESTORE_PIDFILE, 0);
	*pid = (pid_t)v;
	return 0;
}

/* In a new user namespace the restored processes open some images
 * themselves (an absent tty-info.img among them), as the container's root,
 * which is an unprivileged user outside: they need to search the image
 * directory, which checkpoint made 0700.  Search (o+x) is added, never
 * reading the listing; the images themselves stay as CRIU wrote them. */
static int let_userns_search(const struct spec_config *cfg, const char *images,
			     struct husk_error *err)
{
	const struct spec_namespace *ns = spec_config_namespace(cfg, SPEC_NS_USER);
	struct stat st;

	if (ns == NULL || ns->path != NULL)
		return 0;
	if (stat(images, &st) < 0)
		return husk_error_errno(err, "--image-path `%s`", images);
	if ((st.st_mode & S_IXOTH) == 0 && chmod(images, (st.st_mode & 07777) | S_IXOTH) < 0)
		return husk_error_errno(err,
					"let the container's user namespace search --image-path "
					"`%s`",
					images);
	return 0;
}

int criu_restore(const struct criu_restore_target *t, const struct criu_opts *o, pid_t *pid,
		 struct husk_error *err)
{
	struct restore_job j = {.ns_fd = {-1, -1}, .slave = -1};
	struct criu_child c = {.stdio = {-1, -1, -1}, .capture_fd = -1, .root = t->rootfs};
	_cleanup_free_ char *inventory = NULL;
	int status, ret = -1;

	if (criu_usable(NULL, err) < 0)
		return -1;
	j.bin = find_criu();
	if (prepare_dir("--image-path", o->image_path ? o->image_path : "checkpoint", t->rootfs,
			false, &j.images, err) < 0)
		goto out;
	inventory = xasprintf("%s/inventory.img", j.images);
	if (access(inventory, F_OK) < 0) {
		husk_error_errno(err, "--image-path `%s` holds no checkpoint (no inventory.img)",
				 j.images);
		goto out;
	}
	if (prepare_dir("--work-path", o->work_path ? o->work_path : j.images, t->rootfs, true,
			&j.work, err) < 0)
		goto out;
	if (read_husk_file(j.images, &j.lines, &j.n_lines, err) < 0)
		goto out;
	if (let_userns_search(t->cfg, j.images, err) < 0)
		goto out;
	if (make_mountpoints(t, err) < 0)
		goto out;
	if (has_tty(&j) && new_console(t, &j, err) < 0)
		goto out;
	if (o->status_fd >= 0)
		j.keep[j.n_keep++] = o->status_fd;
	if (restore_args(&j, t, o, err) < 0)
		goto out;
	c.keep = j.keep;
	c.n_keep = j.n_keep;
	if (run_criu(j.bin, j.a.v, &c, &status, err) < 0)
		goto out;
	if (status != 0) {
		criu_failed("restore", status, j.work, RESTORE_LOG, err);
		goto out;
	}
	ret = read_restored_pid(j.work, pid, err);
out:
	restore_job_free(&j);
	return ret;
}
