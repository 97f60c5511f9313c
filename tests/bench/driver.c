/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benchmark's measuring loop.  Everything that is compared runs from
 * here, alternating between contenders round by round, so that a slow
 * moment of the machine hits every contender alike and the per-round ratios
 * stay fair.
 *
 * The driver is a child subreaper: whatever a runtime leaves behind (the
 * container init after `create`, a double-forked helper) is reparented to
 * us, so RUSAGE_CHILDREN covers the CPU time of every process that took
 * part, not only of the one we exec'd, and the conmon-style cycle can wait
 * for the init like conmon does.
 *
 *   driver [-t SECS] batch ROUNDS COUNT PAR -- LABEL ARGV... [-- LABEL ARGV...]...
 *       Per round and contender: run ARGV COUNT times, at most PAR at once.
 *       "%i" in an argument becomes a number unique to that invocation.
 *   driver [-t SECS] cycle ROUNDS BUNDLE PIDDIR -- LABEL RUNTIME-ARGV... [-- ...]
 *       Per round and contender: RUNTIME create --pid-file F -b BUNDLE ID,
 *       RUNTIME start ID, wait for the init, RUNTIME delete ID.
 *
 *   driver sealed-exec FILE ARGV...
 *       Exec ARGV with "@EXE@" replaced by /proc/self/fd/N, a sealed memfd
 *       copy of FILE: lets valgrind run husk's re-executed stage (which
 *       insists on running from a sealed copy) directly.
 *
 * Output, one line per round and contender, tab separated:
 *   LABEL ROUND WALL_S CPU_S MAXRSS_KIB FAILURES
 * CPU is user+system of all reaped processes; MAXRSS is the largest
 * ru_maxrss that wait4 reported for a process we started (what
 * /usr/bin/time -v calls "Maximum resident set size").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct contender {
	const char *label;
	char **argv; /* NULL-terminated, points into main's argv */
	int argc;
};

static int timeout_secs = 60;
static unsigned long invocation_seq;

/* The container init of a cycle: it may exit (and be reaped by wait_any)
 * while we still wait for `start`, so its status is kept here. */
static pid_t watched_pid;
static bool watched_done;
static int watched_status;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double children_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "bench driver: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Copy argv with every "%i" replaced by seq. */
static char **expand(char **argv, int argc, unsigned long seq, const char *const *extra)
{
	int n_extra = 0;
	char **out;
	char num[32];

	while (extra && extra[n_extra])
		n_extra++;
	out = calloc(argc + n_extra + 1, sizeof(*out));
	if (!out)
		die("calloc");
	snprintf(num, sizeof(num), "%lu", seq);
	for (int i = 0; i < argc; i++) {
		const char *p = strstr(argv[i], "%i");

		if (!p) {
			out[i] = argv[i];
			continue;
		}
		if (asprintf(&out[i], "%.*s%s%s", (int)(p - argv[i]), argv[i], num, p + 2) < 0)
			die("asprintf");
	}
	for (int i = 0; i < n_extra; i++)
		out[argc + i] = (char *)extra[i];
	return out;
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		/* Our own process group, so a timeout can kill the whole tree. */
		setpgid(0, 0);
		/* Our stdout carries the measurements; theirs goes nowhere. */
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "bench driver: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

/* The command line for messages, at most a few hundred characters. */
static const char *describe(char **argv)
{
	static char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; argv[i] && len + 2 < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", argv[i]);
	return buf;
}

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

/*
 * Wait for one of the pids in want[] (0 entries are ignored), reaping any
 * orphan on the way.  Returns the index of the pid that exited, with its
 * status and maxrss, or -1 on timeout (the caller's deadline, via alarm).
 */
static int wait_any(pid_t *want, int n, int *status, long *maxrss)
{
	for (;;) {
		struct rusage ru;
		int st;
		pid_t pid = wait4(-1, &st, 0, &ru);

		if (pid < 0) {
			if (errno == EINTR && alarm_fired)
				return -1;
			if (errno == EINTR)
				continue;
			die("wait4");
		}
		if (pid == watched_pid) {
			watched_done = true;
			watched_status = st;
		}
		for (int i = 0; i < n; i++) {
			if (want[i] == pid) {
				*status = st;
				*maxrss = ru.ru_maxrss;
				return i;
			}
		}
	}
}

static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/*
 * After a timeout: SIGKILL every process that is still our child, which as
 * a subreaper includes whatever the runtime left behind in other process
 * groups (a container init blocked before exec).  Nothing that we did not
 * start can be our child.
 */
static void kill_strays(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	/* We are single-threaded: the main thread's list is all of them. */
	snprintf(buf, sizeof(buf), "/proc/self/task/%d/children", getpid());
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n")) {
		pid_t pid = (pid_t)atol(tok);

		if (pid > 0) {
			fprintf(stderr, "bench driver: killing leftover process %d\n", pid);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
}

static bool exited_ok(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Run argv to completion within the timeout; returns true on exit 0. */
static bool run_one(char **argv, long *maxrss)
{
	pid_t pid = spawn(argv);
	int status = 0;
	long rss = 0;

	alarm_fired = 0;
	alarm(timeout_secs);
	if (wait_any(&pid, 1, &status, &rss) < 0) {
		fprintf(stderr, "bench driver: %s: timed out, killing it\n", describe(argv));
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		kill_strays();
		status = -1;
	}
	alarm(0);
	if (rss > *maxrss)
		*maxrss = rss;
	if (!exited_ok(status))
		fprintf(stderr, "bench driver: %s: failed (status %#x)\n", describe(argv), status);
	return exited_ok(status);
}

static void batch(struct contender *c, int round, int count, int par)
{
	pid_t running[64] = {0};
	int started = 0, done = 0, failures = 0, in_flight = 0;
	long maxrss = 0;
	double t0, cpu0;

	if (par > 64)
		par = 64;
	cpu0 = children_cpu();
	t0 = now();
	alarm_fired = 0;
	alarm(timeout_secs * (count / par + 1));
	while (done < count) {
		while (started < count && in_flight < par) {
			char **argv = expand(c->argv, c->argc, ++invocation_seq, NULL);

			for (int i = 0; i < par; i++) {
				if (running[i] == 0) {
					running[i] = spawn(argv);
					break;
				}
			}
			started++;
			in_flight++;
		}
		int status;
		long rss;
		int idx = wait_any(running, par, &status, &rss);

		if (idx < 0) {
			fprintf(stderr, "bench driver: %s timed out\n", c->label);
			for (int i = 0; i < par; i++) {
				if (running[i] > 0) {
					kill(-running[i], SIGKILL);
					waitpid(running[i], NULL, 0);
					running[i] = 0;
				}
			}
			kill_strays();
			failures += count - done;
			break;
		}
		running[idx] = 0;
		in_flight--;
		done++;
		if (rss > maxrss)
			maxrss = rss;
		if (!exited_ok(status)) {
			failures++;
			fprintf(stderr, "bench driver: %s failed (status %#x)\n", c->label, status);
		}
	}
	alarm(0);
	double wall = now() - t0;

	reap_orphans();
	printf("%s\t%d\t%.6f\t%.6f\t%ld\t%d\n", c->label, round, wall, children_cpu() - cpu0,
	       maxrss, failures);
	fflush(stdout);
}

static pid_t read_pid_file(const char *path)
{
	FILE *f = fopen(path, "re");
	long pid = 0;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = -1;
	fclose(f);
	return (pid_t)pid;
}

/* create --pid-file, start, wait for the init as its reaper, delete. */
static void cycle(struct contender *c, int round, const char *bundle, const char *piddir)
{
	char id[64], pidfile[4096];
	long maxrss = 0;
	int failures = 0;
	double t0, cpu0;

	snprintf(id, sizeof(id), "bench-%s-cycle-%lu", c->label, ++invocation_seq);
	snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", piddir, id);
	const char *create_args[] = {"create", "--pid-file", pidfile, "-b", bundle, id, NULL};
	const char *start_args[] = {"start", id, NULL};
	const char *delete_args[] = {"delete", id, NULL};
	const char *force_args[] = {"delete", "-f", id, NULL};

	cpu0 = children_cpu();
	t0 = now();
	if (!run_one(expand(c->argv, c->argc, invocation_seq, create_args), &maxrss)) {
		failures++;
		goto out;
	}
	pid_t init = read_pid_file(pidfile);

	watched_pid = init;
	watched_done = false;
	if (init <= 0) {
		fprintf(stderr, "bench driver: %s: no pid in %s\n", c->label, pidfile);
		failures++;
		goto out;
	}
	if (!run_one(expand(c->argv, c->argc, invocation_seq, start_args), &maxrss))
		failures++;
	/* The init was reparented to us when `create` exited. */
	int status = watched_status;

	alarm_fired = 0;
	alarm(timeout_secs);
	if (!watched_done && waitpid(init, &status, 0) < 0) {
		fprintf(stderr, "bench driver: %s: waiting for init %d: %s\n", c->label, init,
			strerror(errno));
		failures++;
	} else if (!exited_ok(status)) {
		failures++;
	}
	alarm(0);
	if (!run_one(expand(c->argv, c->argc, invocation_seq, delete_args), &maxrss))
		failures++;
out:;
	double wall = now() - t0;

	watched_pid = 0;
	if (failures) {
		long ignored = 0;

		kill_strays();
		run_one(expand(c->argv, c->argc, invocation_seq, force_args), &ignored);
	}
	reap_orphans();
	unlink(pidfile);
	printf("%s\t%d\t%.6f\t%.6f\t%ld\t%d\n", c->label, round, wall, children_cpu() - cpu0,
	       maxrss, failures);
	fflush(stdout);
}

/* Split "-- LABEL ARGV... -- LABEL ARGV..." into contenders. */
static int parse_contenders(int argc, char **argv, struct contender *out, int max)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		if (n == max || i + 2 >= argc) {
			fprintf(stderr, "bench driver: bad contender list\n");
			exit(2);
		}
		out[n].label = argv[i + 1];
		out[n].argv = &argv[i + 2];
		out[n].argc = 0;
		for (int j = i + 2; j < argc && strcmp(argv[j], "--") != 0; j++)
			out[n].argc++;
		n++;
	}
	return n;
}

static int sealed_exec(int argc, char **argv)
{
	int src = open(argv[0], O_RDONLY | O_CLOEXEC);
	int fd = memfd_create("husk", MFD_ALLOW_SEALING);
	struct stat st;
	off_t off = 0;
	char path[64];

	if (src < 0 || fd < 0 || fstat(src, &st) < 0)
		die("sealed-exec: open");
	while (off < st.st_size)
		if (sendfile(fd, src, &off, st.st_size - off) <= 0)
			die("sealed-exec: copy");
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		die("sealed-exec: seal");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "@EXE@") == 0)
			argv[i] = path;
	execvp(argv[1], &argv[1]);
	die("sealed-exec: exec");
	return 127;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: driver [-t SECS] batch ROUNDS COUNT PAR -- LABEL ARGV... ...\n"
		"       driver [-t SECS] cycle ROUNDS BUNDLE PIDDIR -- LABEL RUNTIME... ...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct contender cs[8];
	struct sigaction sa = {.sa_handler = on_alarm};
	int i = 1, n;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		timeout_secs = atoi(argv[2]);
		i = 3;
	}
	if (argc - i < 2)
		usage();
	if (strcmp(argv[i], "sealed-exec") == 0)
		return argc - i < 3 ? 2 : sealed_exec(argc - i - 1, argv + i + 1);
	sigaction(SIGALRM, &sa, NULL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		die("PR_SET_CHILD_SUBREAPER");

	const char *mode = argv[i];
	int rounds = atoi(argv[i + 1]);

	if (strcmp(mode, "batch") == 0) {
		if (argc - i < 5)
			usage();
		int count = atoi(argv[i + 2]), par = atoi(argv[i + 3]);

		n = parse_contenders(argc - i - 4, argv + i + 4, cs, 8);
		if (n == 0 || count < 1 || par < 1)
			usage();
		for (int r = 1; r <= rounds; r++)
			for (int k = 0; k < n; k++)
				batch(&cs[k], r, count, par);
	} else if (strcmp(mode, "cycle") == 0) {
		if (argc - i < 5)
			usage();
		const char *bundle = argv[i + 2], *piddir = argv[i + 3];

		n = parse_contenders(argc - i - 4, argv + i + 4, cs, 8);
		if (n == 0)
			usage();
		for (int r = 1; r <= rounds; r++)
			for (int k = 0; k < n; k++)
				cycle(&cs[k], r, bundle, piddir);
	} else {
		usage();
	}
	return 0;
}
