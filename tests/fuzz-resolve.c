// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for resolve_in_root().  The input is a few lines: all but
 * the last are targets of symlinks s0, s1, ... planted in the tree (one of
 * them inside a subdirectory), the last is the path to resolve; the first
 * byte picks openat2 or the walk, and whether to create.  Whatever happens,
 * a returned fd must name something under the root, nothing may appear next
 * to the root, and without creation both resolvers must agree.
 *
 *   make fuzz && ./tests/fuzz-resolve -max_total_time=60
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/linux.h"
#include "util.h"

#define MAX_LINKS 4
#define MAX_PATH_LEN 1024

static char base[128], root[256], outside[256];
static int rootfd = -1;
static struct timespec outside_mtime;

static void die(const char *what)
{
	perror(what);
	abort();
}

/* libFuzzer ends with _Exit, so no exit handler of ours runs: trees of
 * runs that are gone are removed by the next one instead. */
static void remove_stale_trees(void)
{
	_cleanup_dir_ DIR *d = opendir("/tmp");
	struct dirent *de;
	char cmd[320];

	while (d && (de = readdir(d))) {
		int pid;
		if (sscanf(de->d_name, "husk-fuzz-resolve-%d", &pid) != 1 || pid == getpid() ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(cmd, sizeof(cmd), "rm -rf '/tmp/%s'", de->d_name);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove /tmp/%s\n", de->d_name);
	}
}

static void setup(void)
{
	char p[512];

	remove_stale_trees();
	snprintf(base, sizeof(base), "/tmp/husk-fuzz-resolve-%d", (int)getpid());
	if (mkdir(base, 0700) < 0)
		die("mkdir");
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	if (mkdir(root, 0755) < 0 || mkdir(outside, 0755) < 0)
		die("mkdir");
	snprintf(p, sizeof(p), "%s/d", root);
	if (mkdir(p, 0755) < 0)
		die("mkdir d");
	snprintf(p, sizeof(p), "%s/d/e", root);
	if (mkdir(p, 0755) < 0)
		die("mkdir d/e");
	snprintf(p, sizeof(p), "%s/f", root);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("create f");
	close(fd);
	snprintf(p, sizeof(p), "%s/secret", outside);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("create secret");
	close(fd);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die("open root");
	struct stat st;
	if (stat(outside, &st) < 0)
		die("stat outside");
	outside_mtime = st.st_mtim;
}

static void plant(int i, const char *target)
{
	char name[16];
	int dirfd = rootfd;
	_cleanup_close_ int sub = -1;

	if (i % 2) {
		sub = openat(rootfd, "d/e", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			return;
		dirfd = sub;
	}
	snprintf(name, sizeof(name), "s%d", i);
	unlinkat(dirfd, name, 0);
	unlinkat(dirfd, name, AT_REMOVEDIR);
	if (*target)
		(void)symlinkat(target, dirfd, name);
}

static char *fd_path(int fd)
{
	char l[64], buf[PATH_MAX];
	snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(l, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static bool under_root(const char *p)
{
	size_t n = strlen(root);
	return p && strncmp(p, root, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/* Resolve; abort when the result is outside the root. NULL on failure. */
static char *resolve(const char *path, bool fallback, enum resolve_create create)
{
	struct husk_error err = HUSK_ERROR_INIT;

	resolve_force_fallback = fallback;
	int fd = resolve_in_root(rootfd, path, O_PATH, create, 0755, &err);
	resolve_force_fallback = false;
	husk_error_clear(&err);
	if (fd < 0)
		return NULL;
	char *p = fd_path(fd);
	close(fd);
	if (!under_root(p)) {
		fprintf(stderr, "ESCAPE: `%s` (fallback=%d create=%d) -> `%s`\n", path, fallback,
			create, p ? p : "?");
		abort();
	}
	return p;
}

/* The tree is built (and stale ones removed) before the first input, so
 * that removing a large stale tree never counts against -timeout. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setup();
	return 0;
}

/* Inputs that create files and directories grow the tree without end
 * (hundreds of thousands of entries in 20 s): start afresh now and then. */
static void rebuild_tree_every(unsigned inputs)
{
	static unsigned count;
	char cmd[600];

	if (++count % inputs)
		return;
	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		die("remove the tree");
	setup();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *lines[MAX_LINKS + 1];
	size_t n = 0;

	rebuild_tree_every(2000);

	if (size < 1 || size > 4 * MAX_PATH_LEN)
		return 0;
	uint8_t mode = data[0];
	char *buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	if (strlen(buf) != size - 1) { /* embedded NUL: not a path */
		free(buf);
		return 0;
	}
	for (char *s = buf, *save, *t; n <= MAX_LINKS && (t = strtok_r(s, "\n", &save)); s = NULL)
		lines[n++] = t;
	if (n == 0 || strlen(lines[n - 1]) > MAX_PATH_LEN) {
		free(buf);
		return 0;
	}
	for (size_t i = 0; i + 1 < n; i++)
		plant((int)i, lines[i]);

	const char *path = lines[n - 1];
	enum resolve_create create = (mode & 6) == 2   ? RESOLVE_MKDIR
				     : (mode & 6) == 4 ? RESOLVE_MKFILE
						       : RESOLVE_NO_CREATE;
	if (create == RESOLVE_NO_CREATE) {
		char *a = resolve(path, false, create);
		char *b = resolve(path, true, create);
		if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {
			fprintf(stderr, "MISMATCH on `%s`: openat2 `%s`, walk `%s`\n", path,
				a ? a : "(fails)", b ? b : "(fails)");
			abort();
		}
		free(a);
		free(b);
	} else {
		free(resolve(path, mode & 1, create));
	}

	struct stat st;
	if (stat(outside, &st) < 0 || st.st_mtim.tv_sec != outside_mtime.tv_sec ||
	    st.st_mtim.tv_nsec != outside_mtime.tv_nsec) {
		fprintf(stderr, "ESCAPE: something was created next to the root by `%s`\n", path);
		abort();
	}
	for (size_t i = 0; i + 1 < n; i++)
		plant((int)i, "");
	free(buf);
	return 0;
}
