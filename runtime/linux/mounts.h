/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to rootfs.c, mounts.c and devices.c: every mount is made with the
 * fd-based mount API (open_tree / fsopen+fsmount, mount_setattr, and
 * move_mount onto an fd that resolve_in_root() returned), so no path string
 * inside the rootfs is ever handed to the kernel (CVE-2021-30465).
 */
#ifndef HUSK_MOUNTS_H
#define HUSK_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "linux/linux.h"

/* config.json mounts[].options, sorted by what applies them. */
struct mount_opts {
	uint64_t set, clr;	   /* MOUNT_ATTR_* on the mount itself */
	uint64_t rset, rclr;	   /* MOUNT_ATTR_* on it and every submount */
	unsigned long propagation; /* MS_SHARED | MS_SLAVE | ...; 0: leave it */
	bool propagation_rec;
	bool bind, rbind, remount, tmpcopyup, idmap, ridmap;
	bool has_rw, has_ro;
	char **data; /* filesystem options, "key=value" or "flag", NULL-terminated */
	size_t n_data;
};

void mount_opts_parse(char *const *options, struct mount_opts *o);
void mount_opts_free(struct mount_opts *o);

/* The MOUNT_ATTR_* flags the mount whose root fd is has now (from
 * fstatvfs; relatime and strictatime both read as no atime flag); 0 when
 * unreadable.  For both the mount API and the legacy remount. */
uint64_t mount_attrs_of(int fd);
/* mount_setattr on the mount at fd (AT_RECURSIVE when recursive).  In a user
 * namespace a flag the source mount has locked cannot be cleared: then the
 * clear is retried without the flags the mount already has, the way a
 * remount that preserves them would. */
int mount_set_attrs(int fd, bool recursive, uint64_t set, uint64_t clr, struct husk_error *err);
int mount_set_propagation(int fd, unsigned long propagation, bool recursive,
			  struct husk_error *err);
/* A new, detached instance of fstype with data options and mount attrs. */
int mount_new_fs(const char *fstype, const char *source, char *const *data, uint64_t attrs,
		 struct husk_error *err);
/* Attach the detached tree onto the mount target target_fd. */
int mount_attach(int tree, int target_fd, const char *what, struct husk_error *err);
/* The same onto name under dirfd ("" for dirfd itself). */
int mount_attach_at(int tree, int dirfd, const char *name, const char *what,
		    struct husk_error *err);

/* mounts_legacy.c: the same without mount_setattr (before Linux 5.12), by
 * bind-remounts; on a detached tree they wait for mount_attach(). */
int mount_legacy_set_attrs(int fd, bool recursive, uint64_t set, uint64_t clr,
			   struct husk_error *err);
int mount_legacy_set_propagation(int fd, unsigned long propagation, bool recursive,
				 struct husk_error *err);
/* Without the fd-based mount API (before 5.2): open_tree(OPEN_TREE_CLONE)
 * and fsopen..fsmount hand out a placeholder for the mount to make, which
 * mount_attach() makes; set_attrs and set_propagation on it wait for that. */
int mount_tree_clone(int dirfd, const char *path, unsigned int flags);
int mount_legacy_new_fs(const char *fstype, const char *source, char *const *data, uint64_t attrs,
			struct husk_error *err);
int mount_legacy_attach(int tree, int dirfd, const char *name, struct husk_error *err);
/* Apply what waited for tree, now attached. */
int mount_legacy_attached(int tree, struct husk_error *err);
/* mount(2) with source_fd (or the string source when -1) and target_fd
 * named by their magic links: -1 with errno. */
int mount_at_fd(const char *source, int source_fd, int target_fd, const char *type,
		unsigned long flags, const char *data);
/* The id of the mount fd is on (from fdinfo, which every kernel has). */
int mount_fd_id(int fd, uint64_t *id);

/* The config.json mounts, in order, under rootfd. */
int mounts_apply(struct init_ctx *ctx, int rootfd, struct husk_error *err);
/* Default devices, linux.devices, /dev symlinks, the console placeholder. */
int devices_setup(struct init_ctx *ctx, int rootfd, struct husk_error *err);

/* "/a//b/./c/../d" -> "/a/b/d" (lexically, ".." clamped at "/"). */
char *mount_clean_path(const char *path);
/* Whether clean path p is top or under it. */
bool mount_path_under(const char *p, const char *top);
/* The path of fd in our mount namespace (readlink of its /proc fd link). */
char *mount_fd_path(int fd);

#endif
