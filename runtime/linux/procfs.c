// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
#include <errno.h>
#include <fcntl.h>
#include "util.h"
/* STUB: to be replaced by a verified private procfs handle. */
int procfs_fd(struct husk_error *err) { static int fd = -1; if (fd < 0) fd = open("/proc", O_PATH|O_DIRECTORY|O_CLOEXEC); if (fd < 0) return husk_error_errno(err, "open /proc"); return fd; }
int procfs_open(const char *path, int flags, struct husk_error *err) { int d = procfs_fd(err); if (d < 0) return d; int fd = openat(d, path, flags|O_CLOEXEC); if (fd < 0) return husk_error_errno(err, "open /proc/%s", path); return fd; }
int procfs_write(const char *path, const char *value, struct husk_error *err) { int d = procfs_fd(err); if (d < 0) return d; return write_file_at(d, path, value, err); }
