// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel interfaces, found out by trying them.  Every probe passes
 * arguments the kernel must refuse before doing anything (a bad fd, a NULL
 * pointer, an empty range), so the only question it answers is whether the
 * call exists: ENOSYS (or EPERM, from a seccomp policy that refuses what it
 * does not know) means it does not.
 */
#include "config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "linux/kernel.h"
#include "util.h"

static const struct {
	const char *name;
	const char *since;
	const char *fallback; /* what husk does without it */
} ifaces[KERNEL_IFACE_COUNT] = {
    [KERNEL_MOUNT_API] = {"open_tree/move_mount/fsopen/fsmount", "5.2",
			  "mount(2) onto /proc/self/fd of a checked fd"},
    [KERNEL_MOUNT_SETATTR] = {"mount_setattr", "5.12",
			      "bind-remounts once the mount is attached; no idmapped mounts"},
    [KERNEL_OPENAT2] = {"openat2", "5.6", "the component-by-component walk"},
    [KERNEL_CLONE3] = {"clone3", "5.3", "clone(2), then a cgroup.procs write"},
    [KERNEL_PIDFD_OPEN] = {"pidfd_open", "5.3", "the pid, checked by its start time"},
    [KERNEL_PIDFD_SEND_SIGNAL] = {"pidfd_send_signal", "5.1",
				  "kill(2) on the pid, checked by its start time"},
    [KERNEL_CLOSE_RANGE] = {"close_range", "5.9", "a walk of /proc/self/fd"},
    [KERNEL_SECCOMP_NOTIFY] = {"seccomp user notification", "5.0",
			       "nothing: SCMP_ACT_NOTIFY is refused naming the rule"},
};

static bool missing(long r)
{
	return r < 0 && (errno == ENOSYS || errno == EPERM);
}

static bool probe(enum kernel_iface iface)
{
	switch (iface) {
	case KERNEL_MOUNT_API:
		/* All four came together; a policy may still have taken one. */
		return !missing(syscall(SYS_open_tree, -1, NULL, 0)) &&
		       !missing(syscall(SYS_move_mount, -1, NULL, -1, NULL, 0)) &&
		       !missing(syscall(SYS_fsopen, NULL, 0)) &&
		       !missing(syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0)) &&
		       !missing(syscall(SYS_fsmount, -1, 0, 0));
	case KERNEL_MOUNT_SETATTR:
		return !missing(syscall(SYS_mount_setattr, -1, NULL, 0, NULL, 0));
	case KERNEL_OPENAT2:
		return !missing(syscall(SYS_openat2, -1, NULL, NULL, 0));
	case KERNEL_CLONE3:
		return !missing(syscall(SYS_clone3, NULL, 0));
	case KERNEL_PIDFD_OPEN:
		return !missing(syscall(SYS_pidfd_open, -1, 0));
	case KERNEL_PIDFD_SEND_SIGNAL:
		return !missing(syscall(SYS_pidfd_send_signal, -1, 0, NULL, 0));
	case KERNEL_CLOSE_RANGE:
		return !missing(syscall(SYS_close_range, ~0U, 0U, 0U));
	case KERNEL_SECCOMP_NOTIFY: {
		/* Before 5.0 the operation is unknown: EINVAL, not ENOSYS. */
		struct seccomp_notif_sizes sizes;
		return syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
	}
	case KERNEL_IFACE_COUNT:
		break;
	}
	return false;
}

bool kernel_has(enum kernel_iface iface)
{
	static signed char known[KERNEL_IFACE_COUNT]; /* 0 unknown, 1 has, -1 missing */

	if ((unsigned)iface >= KERNEL_IFACE_COUNT)
		return false;
	if (known[iface] == 0) {
		int saved = errno;
		bool has = probe(iface);
		known[iface] = has ? 1 : -1;
		if (has)
			husk_debug("kernel: %s (Linux %s): yes", ifaces[iface].name,
				   ifaces[iface].since);
		else
			husk_debug("kernel: %s (Linux %s): missing, using %s", ifaces[iface].name,
				   ifaces[iface].since, ifaces[iface].fallback);
		errno = saved;
	}
	return known[iface] > 0;
}

const char *kernel_iface_name(enum kernel_iface iface)
{
	return (unsigned)iface < KERNEL_IFACE_COUNT ? ifaces[iface].name : "?";
}

const char *kernel_iface_since(enum kernel_iface iface)
{
	return (unsigned)iface < KERNEL_IFACE_COUNT ? ifaces[iface].since : "?";
}
