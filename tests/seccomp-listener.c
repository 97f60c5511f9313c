// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A seccomp agent for the integration tests (linux.seccomp.listenerPath).
 *
 *   seccomp-listener SOCKET OUTDIR ANSWER [COUNT]
 *
 * Listens on the unix socket SOCKET and returns once it accepts
 * connections (a child carries on), so a test can start the container
 * right after.  The child takes one connection, receives the notify fd by
 * SCM_RIGHTS and the "container process state" JSON, writes the JSON to
 * OUTDIR/state.json, then answers COUNT (default 1) notifications:
 *   ANSWER  success   the syscall "succeeds" with return value 0
 *           errno:N   it fails with errno N
 *           continue  the kernel runs it as if there were no filter
 * Each notified syscall's name goes to OUTDIR/syscalls, one a line; a
 * problem goes to OUTDIR/error.  Gives up after 20 seconds.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static char outdir[4096];

static void write_out(const char *name, const char *data, size_t len, const char *mode)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", outdir, name);
	f = fopen(path, mode);
	if (f == NULL)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof buf - 3)
		n = sizeof buf - 3;
	n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s\n", strerror(errno));
	write_out("error", buf, strlen(buf), "a");
	fputs(buf, stderr);
	exit(1);
}

/* One message: the listener fd in SCM_RIGHTS, and the JSON up to EOF. */
static int receive(int conn, char **json)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c;
	int fd = -1;
	ssize_t n;

	if (buf == NULL)
		die("malloc");
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		die("recvmsg");
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof fd);
	if (fd < 0) {
		errno = EBADMSG;
		die("no fd in the message");
	}
	len = (size_t)n;
	while (n > 0 && len < cap) {
		n = read(conn, buf + len, cap - len);
		if (n < 0)
			die("read");
		len += (size_t)n;
	}
	buf[len] = '\0';
	*json = buf;
	return fd;
}

static void answer(int fd, const char *how, int count)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (seccomp_notify_alloc(&req, &resp) < 0)
		die("seccomp_notify_alloc");
	for (int i = 0; i < count; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char *name, line[128];
		int r;

		r = poll(&p, 1, 20000);
		if (r == 0) {
			errno = ETIMEDOUT;
			die("no notification");
		}
		if (r < 0)
			die("poll");
		memset(req, 0, sizeof *req);
		r = seccomp_notify_receive(fd, req);
		if (r < 0) {
			errno = -r;
			die("seccomp_notify_receive");
		}
		name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
		snprintf(line, sizeof line, "%s\n", name ? name : "?");
		free(name);
		write_out("syscalls", line, strlen(line), "a");

		memset(resp, 0, sizeof *resp);
		resp->id = req->id;
		if (strcmp(how, "continue") == 0)
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else if (strncmp(how, "errno:", 6) == 0)
			resp->error = -atoi(how + 6);
		r = seccomp_notify_respond(fd, resp);
		if (r < 0) {
			errno = -r;
			die("seccomp_notify_respond");
		}
	}
	seccomp_notify_free(req, resp);
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char *json = NULL;
	int sock, conn, fd, count = 1;
	pid_t pid;

	if (argc < 4 || argc > 5 || strlen(argv[1]) >= sizeof addr.sun_path) {
		fprintf(stderr, "usage: %s SOCKET OUTDIR success|errno:N|continue [COUNT]\n",
			argv[0]);
		return 2;
	}
	if (strcmp(argv[3], "success") && strcmp(argv[3], "continue") &&
	    strncmp(argv[3], "errno:", 6)) {
		fprintf(stderr, "%s: unknown answer `%s`\n", argv[0], argv[3]);
		return 2;
	}
	if (argc == 5)
		count = atoi(argv[4]);
	snprintf(outdir, sizeof outdir, "%s", argv[2]);
	strcpy(addr.sun_path, argv[1]);
	unlink(argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(sock, 1) < 0)
		die("listen on %s", argv[1]);

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid > 0)
		return 0; /* ready: the caller may start the container */
	setsid();
	alarm(30);

	conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	fd = receive(conn, &json);
	write_out("state.json", json, strlen(json), "w");
	close(conn);
	answer(fd, argv[3], count);
	close(fd);
	unlink(argv[1]);
	return 0;
}
