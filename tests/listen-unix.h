/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the test helpers that play a client's socket end (console-receiver,
 * fd-keeper): a listening AF_UNIX socket that appears under its name only
 * once connect() can succeed, so a test may wait for the path and then
 * hand it to husk without a race.
 */
#ifndef HUSK_TESTS_LISTEN_UNIX_H
#define HUSK_TESTS_LISTEN_UNIX_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Listen on path with backlog; on failure calls die(what) (which exits). */
static inline int listen_unix_at(const char *path, int backlog, void (*die)(const char *what))
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char tmp[sizeof addr.sun_path];
	int fd;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		die(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	unlink(tmp);
	memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die("bind");
	if (listen(fd, backlog) < 0)
		die("listen");
	if (rename(tmp, path) < 0)
		die("rename");
	return fd;
}

#endif
