/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUSK_MOUNTINFO_H
#define HUSK_MOUNTINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* One line of mountinfo; the strings live until the callback returns. */
struct mountinfo_entry {
	uint64_t id, parent_id; /* mount ids, as statx and fdinfo give them */
	char *root;		/* the mounted subtree of its filesystem, unescaped */
	char *mount_point;	/* unescaped */
	char *mount_options;	/* per-mount: rw,nosuid,... */
	char *fstype;
	char *source; /* unescaped */
	char *super_options;
};

/* Return 0 to go on, 1 to stop (success), negative with err set to fail. */
typedef int (*mountinfo_fn)(const struct mountinfo_entry *e, void *data, struct husk_error *err);

/* Read the whole mountinfo file open at fd and call fn for each line. */
int mountinfo_foreach(int fd, mountinfo_fn fn, void *data, struct husk_error *err);

#endif
