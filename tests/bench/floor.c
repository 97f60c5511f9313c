/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The floor of the benchmark: the least work that still gives a container
 * of the same shape as the compared runtimes' (the namespaces of `crun spec`,
 * a pivot into the rootfs, a proc mount), with nothing else: no config
 * parsing, no state, no cgroups, no devices, no capabilities.  What a
 * runtime spends above this is its own overhead.
 *
 *   floor [-c NAME] ROOTFS [ARG...]   runs ARG... (default /bin/true) in ROOTFS
 *
 * With -c, the child is also placed in a new cgroup NAME of every cgroup v1
 * hierarchy mounted under /sys/fs/cgroup before it goes on (the way the
 * runtimes do it), and the cgroups are removed afterwards: the difference
 * between the two floors is what cgroup placement alone costs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

static const char *rootfs;
static char **child_argv;
static int go_pipe[2] = {-1, -1};

static int fail(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	return 127;
}

static int child(void *arg)
{
	(void)arg;
	if (go_pipe[0] >= 0) {
		char c;

		close(go_pipe[1]);
		if (read(go_pipe[0], &c, 1) != 1)
			return fail("wait for cgroup placement");
		close(go_pipe[0]);
	}
	/* Keep the pivot's mount events away from the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("make / private");
	/* pivot_root needs the new root to be a mount point. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail("bind rootfs");
	if (chdir(rootfs) < 0)
		return fail("chdir rootfs");
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
		return fail("mount proc");
	/* Stacking the old root under the new one avoids needing a put_old dir. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return fail("detach old root");
	if (chdir("/") < 0)
		return fail("chdir /");
	execv(child_argv[0], child_argv);
	return fail("exec");
}

/* Calls fn(dirfd of /sys/fs/cgroup/<hierarchy>) for every v1 hierarchy. */
static int for_each_hierarchy(int (*fn)(int dirfd, const char *name, pid_t pid), const char *name,
			      pid_t pid)
{
	DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *de;
	int ret = 0;

	if (!d) {
		fail("open /sys/fs/cgroup");
		return -1;
	}
	while ((de = readdir(d))) {
		char procs[300], v2[300];
		int fd;

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		/* A v1 hierarchy has a root cgroup.procs and, unlike cgroup2, no
		 * cgroup.controllers. */
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", de->d_name);
		snprintf(v2, sizeof(v2), "%s/cgroup.controllers", de->d_name);
		if (faccessat(dirfd(d), procs, F_OK, 0) < 0 ||
		    faccessat(dirfd(d), v2, F_OK, 0) == 0)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fn(fd, name, pid) < 0)
			ret = -1;
		close(fd);
	}
	closedir(d);
	return ret;
}

static int write_at(int dirfd, const char *path, const char *buf, int n)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, buf, n) != n) {
		fail(path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* A new cpuset cgroup is empty and takes no task until given cpus and mems. */
static int fill_cpuset(int dirfd, const char *name)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	char path[4096], buf[256];

	for (int i = 0; i < 2; i++) {
		int fd = openat(dirfd, files[i], O_RDONLY | O_CLOEXEC);
		int n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

		if (fd >= 0)
			close(fd);
		if (n <= 0) {
			fail(files[i]);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", name, files[i]);
		if (write_at(dirfd, path, buf, n) < 0)
			return -1;
	}
	return 0;
}

static int enter_cgroup(int dirfd, const char *name, pid_t pid)
{
	char path[4096], buf[32];
	int n;

	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) {
		fail("mkdir cgroup");
		return -1;
	}
	if (faccessat(dirfd, "cpuset.cpus", F_OK, 0) == 0 && fill_cpuset(dirfd, name) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/cgroup.procs", name);
	n = snprintf(buf, sizeof(buf), "%d", pid);
	return write_at(dirfd, path, buf, n);
}

static int remove_cgroup(int dirfd, const char *name, pid_t pid)
{
	(void)pid;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		fail("rmdir cgroup");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cgroup = NULL;
	static char *default_argv[] = {"/bin/true", NULL};
	size_t stack_size = 64 * 1024;
	char *stack;
	int status;
	pid_t pid;

	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		cgroup = argv[2];
		argv += 2;
		argc -= 2;
		if (pipe2(go_pipe, O_CLOEXEC) < 0)
			return fail("pipe");
	}
	if (argc < 2) {
		fprintf(stderr, "usage: floor [-c NAME] ROOTFS [ARG...]\n");
		return 2;
	}
	rootfs = argv[1];
	child_argv = argc > 2 ? &argv[2] : default_argv;
	stack = malloc(stack_size);
	if (!stack)
		return fail("malloc");
	pid = clone(child, stack + stack_size, NS_FLAGS | SIGCHLD, NULL);
	if (pid < 0)
		return fail("clone");
	if (cgroup) {
		int placed = for_each_hierarchy(enter_cgroup, cgroup, pid);

		close(go_pipe[0]);
		/* On failure closing the pipe unblocks the child, which then fails. */
		if (placed == 0 && write(go_pipe[1], "g", 1) != 1)
			fail("release child");
		close(go_pipe[1]);
	}
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	if (cgroup)
		for_each_hierarchy(remove_cgroup, cgroup, pid);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
