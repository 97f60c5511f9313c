// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * process.apparmorProfile and process.selinuxLabel: both are labels for the
 * next execve, written to procfs just before it.
 */
#include "config.h"
#include "linux/linux.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

int lsm_apparmor_enabled(void)
{
	static int enabled = -1;
	char c = 0;
	int fd;

	if (enabled >= 0)
		return enabled;
	enabled = 0;
	fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return enabled;
	if (read(fd, &c, 1) == 1 && c == 'Y' && access("/sys/kernel/security/apparmor", F_OK) == 0)
		enabled = 1;
	close(fd);
	return enabled;
}

int lsm_selinux_enabled(void)
{
	static int enabled = -1;
	static const char *const mounts[] = {"/sys/fs/selinux", "/selinux"};

	if (enabled >= 0)
		return enabled;
	enabled = 0;
	for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
		struct statfs sfs;

		if (statfs(mounts[i], &sfs) == 0 && (unsigned long)sfs.f_type == SELINUX_MAGIC) {
			enabled = 1;
			break;
		}
	}
	return enabled;
}

/* Detection reads the host's /sys, which is usually gone inside the
 * container after pivot_root or setns, so it must happen before the clone or
 * fork; the answer is cached and the child inherits it.  Only a config that
 * uses labels needs it: the rest skip its syscalls. */
void lsm_detect_for(const char *apparmor, const char *selinux, const char *mount_label)
{
	if (apparmor && *apparmor)
		lsm_apparmor_enabled();
	if ((selinux && *selinux) || (mount_label && *mount_label))
		lsm_selinux_enabled();
}

/* Write to the first attr file that exists: the per-LSM directory
 * (Linux >= 5.8, needed when several LSMs stack) before the shared one. */
static int write_attr(const char *const *paths, size_t n, const char *value, struct husk_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct husk_error e = HUSK_ERROR_INIT;
		int fd = procfs_open(paths[i], O_WRONLY, &e);

		if (fd < 0) {
			int no = e.errnum;

			if (no == ENOENT && i + 1 < n) {
				husk_error_clear(&e);
				continue;
			}
			*err = e;
			return -1;
		}
		if (write_all(fd, value, strlen(value)) < 0) {
			husk_error_errno(err, "write `%s` to /proc/%s", value, paths[i]);
			close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	return husk_error_set(err, ENOENT, "no LSM attr file");
}

int lsm_set_exec_labels(const char *apparmor, const char *selinux, struct husk_error *err)
{
	if (apparmor && *apparmor) {
		static const char *const paths[] = {"thread-self/attr/apparmor/exec",
						    "thread-self/attr/exec"};
		_cleanup_free_ char *value = NULL;

		if (!lsm_apparmor_enabled())
			return husk_error_set(err, EOPNOTSUPP,
					      "process.apparmorProfile `%s`: AppArmor is not "
					      "enabled on this host",
					      apparmor);
		value = xasprintf("exec %s", apparmor);
		if (write_attr(paths, ARRAY_SIZE(paths), value, err) < 0)
			return husk_error_prefix(err, "process.apparmorProfile `%s`", apparmor);
	}
	if (selinux && *selinux) {
		static const char *const paths[] = {"thread-self/attr/exec"};

		if (!lsm_selinux_enabled())
			return husk_error_set(
			    err, EOPNOTSUPP,
			    "process.selinuxLabel `%s`: SELinux is not enabled on "
			    "this host",
			    selinux);
		if (write_attr(paths, ARRAY_SIZE(paths), selinux, err) < 0)
			return husk_error_prefix(err, "process.selinuxLabel `%s`", selinux);
	}
	return 0;
}
