/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages between husk (the parent) and the container's init over a
 * SOCK_SEQPACKET socketpair.  One message is a header and an optional
 * payload (an error text, the state JSON for in-container hooks).
 */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stddef.h>
#include "error.h"

enum sync_type {
	SYNC_GO = 1,	    /* parent -> init: ids mapped, cgroup joined; payload: hook states */
	SYNC_PREPIVOT,	    /* init -> parent: mounts done, run prestart/createRuntime hooks */
	SYNC_PREPIVOT_DONE, /* parent -> init */
	SYNC_READY,	    /* init -> parent: created, waiting for start */
	SYNC_ERROR,	    /* init -> parent: payload is the message; errnum in the header */
	SYNC_CGROUP_DONE,   /* parent -> init: the init is in its cgroup */
	SYNC_MOUNT_SOURCE,  /* parent -> init, before GO: errnum is a mount's index, one fd */
};

struct sync_msg {
	int type;
	int errnum;
	size_t len; /* payload bytes that follow */
};

int sync_send(int fd, enum sync_type type, int errnum, const void *payload, size_t len,
	      struct husk_error *err);
/* Wait for one message; *payload (malloc'd, NUL-terminated) may be NULL. A
 * closed peer is reported as ECONNRESET. */
int sync_recv(int fd, struct sync_msg *msg, char **payload, struct husk_error *err);
/* sync_send with one fd attached (SCM_RIGHTS). */
int sync_send_fd(int fd, enum sync_type type, int errnum, int passed, struct husk_error *err);
/* sync_recv that keeps an fd sent with the message in *passed (else -1);
 * sync_recv closes any such fd. */
int sync_recv_fd(int fd, struct sync_msg *msg, char **payload, int *passed, struct husk_error *err);
/* Receive and check the type; a SYNC_ERROR becomes err. */
int sync_expect(int fd, enum sync_type type, char **payload, struct husk_error *err);
/* From the init: report err to the parent (best effort). */
void sync_send_error(int fd, const struct husk_error *err);

#endif
