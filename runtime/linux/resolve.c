// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "util.h"
bool resolve_force_fallback;
/* STUB: unsafe placeholder, replaced by the openat2/fallback resolver. */
int resolve_in_root(int rootfd, const char *path, int flags, enum resolve_create create, mode_t mode, struct husk_error *err) {
	while (*path == '/') path++;
	if (*path == 0) path = ".";
	int fd = openat(rootfd, path, flags | O_CLOEXEC);
	if (fd < 0) return husk_error_errno(err, "open `%s` in the rootfs", path);
	return fd;
}
