/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which kernel interfaces husk may use.  Each is found out once per
 * process by trying it with arguments that can do nothing (never by reading
 * the version string: distributions backport, and seccomp policies take
 * calls away), and the answer and the path it selects are logged with
 * --debug.  Missing means ENOSYS, or EPERM from a seccomp policy that
 * refuses calls it does not know.
 */
#ifndef HUSK_KERNEL_H
#define HUSK_KERNEL_H

#include <stdbool.h>

enum kernel_iface {
	KERNEL_MOUNT_API,	  /* open_tree, move_mount, fsopen, fsmount: 5.2 */
	KERNEL_MOUNT_SETATTR,	  /* mount_setattr: 5.12 */
	KERNEL_OPENAT2,		  /* openat2: 5.6 */
	KERNEL_CLONE3,		  /* clone3: 5.3 (CLONE_INTO_CGROUP: 5.7) */
	KERNEL_PIDFD_OPEN,	  /* pidfd_open: 5.3 */
	KERNEL_PIDFD_SEND_SIGNAL, /* pidfd_send_signal: 5.1 */
	KERNEL_CLOSE_RANGE,	  /* close_range: 5.9 */
	KERNEL_SECCOMP_NOTIFY,	  /* seccomp user notification: 5.0 */
	KERNEL_IFACE_COUNT,
};

/* Whether the interface is there (probed on first use, then cached). */
bool kernel_has(enum kernel_iface iface);
/* Its name, and the kernel that brought it, for messages. */
const char *kernel_iface_name(enum kernel_iface iface);
const char *kernel_iface_since(enum kernel_iface iface);

#endif
