// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "util.h"
#include "linux/kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int read_fd_all(int fd, size_t max, char **out, size_t *len, struct husk_error *err)
{
	size_t cap = max < 4096 ? max + 1 : 4096, used = 0;
	_cleanup_free_ char *buf = xmalloc(cap + 1);

	for (;;) {
		ssize_t n;
		if (used == cap) {
			if (cap >= max)
				return husk_error_set(err, EFBIG, "file larger than %zu bytes",
						      max);
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return husk_error_errno(err, "read");
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max)
			return husk_error_set(err, EFBIG, "file larger than %zu bytes", max);
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = steal_pointer(&buf);
	return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
		 struct husk_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return husk_error_errno(err, "open `%s`", path);
	if (read_fd_all(fd, max, out, len, err) < 0)
		return husk_error_prefix(err, "`%s`", path);
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *value, struct husk_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = strlen(value);

	if (fd < 0)
		return husk_error_errno(err, "open `%s`", path);
	if (write(fd, value, len) != (ssize_t)len)
		return husk_error_errno(err, "write `%s` to `%s`", value, path);
	return 0;
}

/* Put TMP in NAME's place.  A plain rename over an existing NAME makes ext4
 * (auto_da_alloc) write TMP's data out to disk at once, and later free the
 * blocks that got allocated for it: that was a third of the state store's
 * cost, paid three times by every `run` for a state.json that lives a few
 * milliseconds.  Swapping the two names (RENAME_EXCHANGE) is as atomic for
 * readers and forces nothing out; the previous content, now under TMP, is
 * unlinked (a reader that still has it open keeps what it read).  The plain
 * rename is for a NAME that does not exist yet and for file systems
 * without the exchange. */
static int replace_at(int dirfd, const char *tmp, const char *name)
{
	if (renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) == 0) {
		unlinkat(dirfd, tmp, 0);
		return 0;
	}
	if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
		return -1;
	return renameat(dirfd, tmp, dirfd, name);
}

int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
			 struct husk_error *err)
{
	_cleanup_free_ char *tmp = xasprintf(".%s.tmp", name);
	_cleanup_close_ int fd =
	    openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return husk_error_errno(err, "create `%s`", tmp);
	if (write_all(fd, data, len) < 0) {
		husk_error_errno(err, "write `%s`", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (replace_at(dirfd, tmp, name) < 0) {
		husk_error_errno(err, "rename `%s` to `%s`", tmp, name);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

static void end_fd(int fd, const int *keep, size_t n_keep, bool close_it)
{
	for (size_t i = 0; i < n_keep; i++)
		if (keep[i] == fd)
			return;
	if (close_it)
		close(fd);
	else
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Without /proc (a container that shares our mount namespace is only
 * chrooted, and its image's /proc may be empty): every fd number up to
 * the fd limit, which is slower but needs nothing mounted. */
static int walk_fd_numbers(int from, const int *keep, size_t n_keep, bool close_it)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	for (rlim_t fd = (rlim_t)from; fd < rl.rlim_cur && fd <= INT_MAX; fd++)
		if (fcntl((int)fd, F_GETFD) >= 0)
			end_fd((int)fd, keep, n_keep, close_it);
	return 0;
}

/* Before close_range (5.9), and CLOSE_RANGE_CLOEXEC (5.11): each open fd
 * from /proc/self/fd.  close_it: close, else mark close-on-exec. */
static int walk_fds(int from, const int *keep, size_t n_keep, bool close_it)
{
	_cleanup_dir_ DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (d == NULL)
		return walk_fd_numbers(from, keep, n_keep, close_it);
	while ((de = readdir(d)) != NULL) {
		int64_t fd;
		if (parse_int64(de->d_name, &fd) < 0 || fd < from || fd == dirfd(d))
			continue;
		end_fd((int)fd, keep, n_keep, close_it);
	}
	return 0;
}

int close_range_cloexec(int from, struct husk_error *err)
{
	if (kernel_has(KERNEL_CLOSE_RANGE) &&
	    syscall(SYS_close_range, (unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	/* No close_range, or no CLOSE_RANGE_CLOEXEC (before 5.11). */
	if (walk_fds(from, NULL, 0, false) < 0)
		return husk_error_errno(err, "open /proc/self/fd");
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int close_fds_except(int *keep, size_t n, int first)
{
	int next = first;

	if (!kernel_has(KERNEL_CLOSE_RANGE))
		return walk_fds(first, keep, n, true);
	qsort(keep, n, sizeof *keep, cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < next)
			continue;
		if (keep[i] > next &&
		    syscall(SYS_close_range, (unsigned)next, (unsigned)keep[i] - 1, 0) < 0)
			return -1;
		next = keep[i] + 1;
	}
	return (int)syscall(SYS_close_range, (unsigned)next, ~0U, 0);
}

int write_pid_file(const char *path, pid_t pid, struct husk_error *err)
{
	_cleanup_free_ char *dir = NULL, *text = xasprintf("%d", pid);
	_cleanup_close_ int dfd = -1;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	dir = slash ? (slash == path ? xstrdup("/") : strndup(path, (size_t)(slash - path)))
		    : xstrdup(".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_error_errno(err, "--pid-file: open directory `%s`", dir);
	if (write_file_atomic_at(dfd, base, text, strlen(text), 0644, err) < 0)
		return husk_error_prefix(err, "--pid-file");
	return 0;
}

int unix_connect(const char *what, const char *path, struct husk_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof addr.sun_path)
		return husk_error_set(err, ENAMETOOLONG, "%s `%s`: path too long", what, path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_error_errno(err, "%s: socket", what);
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		return husk_error_errno(err, "%s: connect to `%s`", what, path);
	return steal_fd(&fd);
}

int unix_send_fd(int sock, int fd, const void *data, size_t len, struct husk_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = u.buf,
	    .msg_controllen = sizeof u.buf,
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&u, 0, sizeof u);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_error_errno(err, "sendmsg");
	if ((size_t)n < len && write_all(sock, (const char *)data + n, len - (size_t)n) < 0)
		return husk_error_errno(err, "write");
	return 0;
}

int send_pidfd(const char *path, pid_t pid, int pidfd, struct husk_error *err)
{
	_cleanup_close_ int sock = unix_connect("--pidfd-socket", path, err);
	_cleanup_close_ int opened = -1;

	if (sock < 0)
		return -1;
	if (pidfd < 0) {
		/* Our child, not yet reaped: its pid cannot have been reused. */
		opened = (int)syscall(SYS_pidfd_open, pid, 0);
		if (opened < 0)
			return husk_error_errno(err, "--pidfd-socket: pidfd_open %d", pid);
		pidfd = opened;
	}
	if (unix_send_fd(sock, pidfd, "pidfd", 5, err) < 0)
		return husk_error_prefix(err, "--pidfd-socket `%s`", path);
	return 0;
}

/* Calendar date of a day count since 1970-01-01 (proleptic Gregorian):
 * shift to years starting in March, so that the leap day ends a year, and
 * count 400-year eras of 146097 days. */
static void civil_date(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	int64_t z = days + 719468; /* days since 0000-03-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);			      /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		      /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;				      /* March = 0 */

	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (int64_t)yoe + era * 400 + (*month <= 2);
}

/* UTC by arithmetic: gmtime_r and strftime both initialise glibc's time
 * zone on first use, which reads /etc/localtime (five syscalls and a parse
 * in every create) for a time that has no zone. */
void rfc3339_format_now(char buf[RFC3339_SIZE])
{
	struct timespec ts;
	int64_t secs, days, year;
	unsigned month, day, sod;

	clock_gettime(CLOCK_REALTIME, &ts);
	secs = (int64_t)ts.tv_sec;
	days = secs / 86400;
	if (secs % 86400 < 0)
		days--;
	sod = (unsigned)(secs - days * 86400);
	civil_date(days, &year, &month, &day);
	snprintf(buf, RFC3339_SIZE, "%04u-%02u-%02uT%02u:%02u:%02u.%09luZ",
		 (unsigned)(year % 10000), month % 13u, day % 32u, sod / 3600 % 24u, sod / 60 % 60u,
		 sod % 60u, (unsigned long)ts.tv_nsec % 1000000000ul);
}
