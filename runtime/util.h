/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers every part of husk uses: cleanup attributes, I/O, strings. */
#ifndef HUSK_UTIL_H
#define HUSK_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"
#include "spec/base.h"

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void cleanup_dirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
static inline void cleanup_filep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_dir_ __attribute__((cleanup(cleanup_dirp)))
#define _cleanup_file_ __attribute__((cleanup(cleanup_filep)))

static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

ssize_t write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);
/* Read a whole file (at most max bytes) into a NUL-terminated buffer. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
		 struct husk_error *err);
int read_fd_all(int fd, size_t max, char **out, size_t *len, struct husk_error *err);
/* Write a small value to an existing file (procfs, cgroupfs). */
int write_file_at(int dirfd, const char *path, const char *value, struct husk_error *err);
/* Write path atomically: temporary file in the same directory, fsync-free rename. */
int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
			 struct husk_error *err);
/* The time now as RFC 3339 in UTC with nanoseconds, "2026-12-06T21:30:00.123456789Z"
 * (state's created, the JSON log's time). */
#define RFC3339_SIZE 40
void rfc3339_format_now(char buf[RFC3339_SIZE]);
/* Write pid in decimal to path, replacing it atomically (--pid-file). */
int write_pid_file(const char *path, pid_t pid, struct husk_error *err);

/* A stream connection to the unix socket at path; errors start with what
 * it is ("--console-socket", "--pidfd-socket", "the seccomp listener"). */
int unix_connect(const char *what, const char *path, struct husk_error *err);
/* Send fd over sock (SCM_RIGHTS) with len >= 1 bytes of data, which the
 * receiver reads with it (what the fd is: "pty", the container's state);
 * data a short send left over follows as plain bytes. */
int unix_send_fd(int sock, int fd, const void *data, size_t len, struct husk_error *err);
/* --pidfd-socket (runc 1.2): send a pidfd of pid, our child, to the unix
 * socket at path; pidfd is the one clone gave us, or -1 to open one. */
int send_pidfd(const char *path, pid_t pid, int pidfd, struct husk_error *err);

/* Mark fds >= from close-on-exec. */
int close_range_cloexec(int from, struct husk_error *err);
/* Close every fd >= first that is not in keep[] (keep is sorted in place). */
int close_fds_except(int *keep, size_t n, int first);

#endif
