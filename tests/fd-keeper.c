// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fd-keeper: the long-lived other end of --console-socket and of
 * linux.seccomp.listenerPath for the fault-injection sweep, as conmon and a
 * seccomp agent are in production.
 *
 *   fd-keeper SOCKET
 *
 * Listens on the unix socket SOCKET (it appears only once connect() can
 * succeed) and serves until killed: it accepts any number of connections,
 * keeps every fd that arrives by SCM_RIGHTS and reads (and drops) whatever
 * else comes.  It lets go of each thing exactly when the container side of
 * it is gone:
 *   - a connection, at EOF (every copy of the peer socket is closed);
 *   - a pty master, when the slave hangs up (no process holds the slave);
 *   - a seccomp notify fd, when it polls POLLHUP (no task uses the filter);
 *     a notification that arrives meanwhile is answered "continue".
 * So after `husk delete --force`, the keeper holds nothing but its stdio and
 * its listening socket (fd 3: it closes whatever else it inherited), unless something of the
 * container (a process, a leaked fd of the connection, a slave fd) is still alive: the sweep reads
 * /proc/PID/fd to find out.
 */
#include "config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 256

enum kind { CONNECTION, PTY_MASTER, SECCOMP_NOTIFY };

struct held {
	int fd;
	enum kind kind;
};

static struct held held[MAX_FDS];
static size_t n_held;

#include "listen-unix.h"

static void die(const char *what)
{
	fprintf(stderr, "fd-keeper: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void keep(int fd, enum kind kind)
{
	if (n_held == MAX_FDS) {
		fprintf(stderr, "fd-keeper: more than %d fds held\n", MAX_FDS);
		exit(1);
	}
	held[n_held].fd = fd;
	held[n_held].kind = kind;
	n_held++;
}

static void let_go(size_t i)
{
	close(held[i].fd);
	held[i] = held[--n_held];
}

/* A pty master is a character device; a seccomp notify fd is an anon inode. */
static enum kind kind_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode))
		return PTY_MASTER;
	return SECCOMP_NOTIFY;
}

/* Read from a connection: keep any fds that come; false at EOF or error. */
static int read_connection(int conn)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} u;
	char data[4096];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c;
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < nfds; k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
			keep(fd, kind_of(fd));
		}
	}
	return n > 0;
}

/* Let a notified syscall run as if there were no filter. */
static void answer_continue(int fd)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof req);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return; /* the task died meanwhile */
	memset(&resp, 0, sizeof resp);
	resp.id = req.id;
	resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* Serve one ready fd; false once the container side of it is gone. */
static int serve(const struct held *h, short revents)
{
	char buf[4096];

	switch (h->kind) {
	case CONNECTION:
		return read_connection(h->fd);
	case PTY_MASTER:
		if (revents & POLLIN) {
			ssize_t n = read(h->fd, buf, sizeof buf);
			if (n > 0 || (n < 0 && errno == EINTR))
				return 1;
			return 0; /* EIO: every slave fd is closed */
		}
		return !(revents & (POLLHUP | POLLERR | POLLNVAL));
	case SECCOMP_NOTIFY:
		if (revents & POLLIN)
			answer_continue(h->fd);
		return !(revents & (POLLHUP | POLLERR | POLLNVAL));
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd p[MAX_FDS + 1];
	int lfd;

	if (argc != 2) {
		fprintf(stderr, "usage: fd-keeper SOCKET\n");
		return 2;
	}
	/* Whatever the caller left open (a shell's own fds) is not ours to
	 * hold: the sweep counts on fd 3 being the listening socket. */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		die("close_range");
	lfd = listen_unix_at(argv[1], 64, die);
	if (lfd != 3) {
		fprintf(stderr, "fd-keeper: the listening socket is fd %d, not 3\n", lfd);
		return 1;
	}
	for (;;) {
		size_t n = n_held;

		p[0].fd = lfd;
		p[0].events = POLLIN;
		for (size_t i = 0; i < n; i++) {
			p[i + 1].fd = held[i].fd;
			p[i + 1].events = POLLIN;
		}
		if (poll(p, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		/* Back to front: let_go() moves the last entry into the hole. */
		for (size_t i = n; i-- > 0;)
			if (p[i + 1].revents && !serve(&held[i], p[i + 1].revents))
				let_go(i);
		if (p[0].revents & POLLIN) {
			int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (conn >= 0)
				keep(conn, CONNECTION);
		}
	}
}
