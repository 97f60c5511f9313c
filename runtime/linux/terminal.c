// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The container's terminal.  The pty is opened inside the container (its
 * own devpts instance), the master goes to whoever holds the console socket
 * (conmon, containerd's shim, or husk itself in the foreground), and the
 * slave becomes the process's controlling tty and stdio.
 *
 * The slave is never opened by path: a container that controls /dev/pts
 * could swap the node for a symlink to something on the host side of a
 * bind mount (CVE-2025-52565), so it comes from TIOCGPTPEER on the master
 * and is checked to be a pty slave before it is bind-mounted anywhere.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "linux/linux.h"
#include "linux/mounts.h"
#include "util.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef SYSFS_MAGIC
#define SYSFS_MAGIC 0x62656572
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif

/* /dev/ptmx is 5:2; pty slaves are majors 136..143 (UNIX98_PTY_SLAVE_MAJOR). */
#define PTMX_MAJOR 5
#define PTMX_MINOR 2
#define PTS_MAJOR_FIRST 136
#define PTS_MAJOR_LAST 143

static int check_char_dev(int fd, bool want_ptmx, const char *what, struct husk_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return husk_error_errno(err, "stat %s", what);
	if (!S_ISCHR(st.st_mode))
		return husk_error_set(err, 0, "%s is not a character device", what);
	if (want_ptmx && (major(st.st_rdev) != PTMX_MAJOR || minor(st.st_rdev) != PTMX_MINOR))
		return husk_error_set(err, 0, "%s is device %u:%u, not the pty multiplexer", what,
				      major(st.st_rdev), minor(st.st_rdev));
	if (!want_ptmx &&
	    (major(st.st_rdev) < PTS_MAJOR_FIRST || major(st.st_rdev) > PTS_MAJOR_LAST))
		return husk_error_set(err, 0, "%s is device %u:%u, not a pty slave", what,
				      major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/* The container's own ptmx: /dev/pts/ptmx of its devpts instance when
 * usable (the /dev/ptmx node of a bind-mounted host /dev would reach the
 * host's instance), else /dev/ptmx. */
static int open_ptmx(struct husk_error *err)
{
	static const char *const candidates[] = {"/dev/pts/ptmx", "/dev/ptmx"};
	int saved = 0;

	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		_cleanup_close_ int fd =
		    open(candidates[i], O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (check_char_dev(fd, true, candidates[i], err) < 0)
			return -1;
		/* devpts mounted with ptmxmode=000 leaves /dev/pts/ptmx unusable. */
		if (unlockpt(fd) < 0) {
			saved = errno;
			continue;
		}
		return steal_fd(&fd);
	}
	return husk_error_set(err, saved, "open the container's /dev/ptmx");
}

static int open_peer(int master, char *name, size_t name_len, struct husk_error *err)
{
	int n = -1;
	_cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (slave < 0)
		return husk_error_errno(err, "open the pty slave (TIOCGPTPEER)");
	if (check_char_dev(slave, false, "the pty slave", err) < 0)
		return -1;
	if (ioctl(master, TIOCGPTN, &n) < 0)
		return husk_error_errno(err, "pty number (TIOCGPTN)");
	snprintf(name, name_len, "/dev/pts/%d", n);
	return steal_fd(&slave);
}

static int set_console_size(int fd, const struct spec_process *p, struct husk_error *err)
{
	struct winsize ws = {0};

	if (!p->has_console_size)
		return 0;
	ws.ws_row = (unsigned short)p->console_height;
	ws.ws_col = (unsigned short)p->console_width;
	if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
		return husk_error_errno(err, "set the console size to %ux%u", p->console_width,
					p->console_height);
	return 0;
}

/* Detach from any terminal, start a session and make slave its tty. */
static int make_controlling_tty(int slave, struct husk_error *err)
{
	if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid()))
		return husk_error_errno(err, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return husk_error_errno(err, "make the pty the controlling terminal (TIOCSCTTY)");
	for (int i = 0; i <= 2; i++)
		if (dup3(slave, i, 0) < 0)
			return husk_error_errno(err, "dup the pty slave to fd %d", i);
	return 0;
}

/* Bind the slave over /dev/console: the source is the slave fd itself and
 * the target an fd resolved inside the (already pivoted) root, so neither
 * side can be redirected by a symlink the container planted. */
static int mount_console(int slave, struct husk_error *err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int target = -1, tree = -1;
	struct stat st;
	struct statfs sfs;

	if (root < 0)
		return husk_error_errno(err, "open /");
	target =
	    resolve_in_root(root, "/dev/console", O_PATH | O_NOFOLLOW, RESOLVE_MKFILE, 0600, err);
	if (target < 0)
		return husk_error_prefix(err, "/dev/console");
	if (fstat(target, &st) < 0)
		return husk_error_errno(err, "stat /dev/console");
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		return husk_error_set(err, 0, "/dev/console is neither a file nor a device");
	/* Never cover a kernel interface the container redirected us to. */
	if (fstatfs(target, &sfs) < 0)
		return husk_error_errno(err, "statfs /dev/console");
	if (sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC)
		return husk_error_set(err, EPERM, "/dev/console resolves into procfs or sysfs");

	tree = (int)syscall(SYS_open_tree, slave, "",
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree >= 0) {
		if (syscall(SYS_move_mount, tree, "", target, "",
			    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return husk_error_errno(err, "bind the pty over /dev/console");
		return 0;
	}
	if (errno != ENOSYS && errno != EPERM)
		return husk_error_errno(err, "clone the pty mount (open_tree)");

	/* Kernels without the new mount API: both ends by their magic links
	 * in our procfs handle (the container's /proc may not be there). */
	if (mount_at_fd(NULL, slave, target, NULL, MS_BIND, NULL) < 0)
		return husk_error_errno(err, "bind the pty over /dev/console");
	return 0;
}

static int pty_open_and_send(int console_socket_fd, const struct spec_process *p, int *slave_out,
			     struct husk_error *err)
{
	char name[64];
	_cleanup_close_ int master = -1, slave = -1;

	if (console_socket_fd < 0)
		return husk_error_set(err, 0,
				      "process.terminal is true but there is no console socket");
	master = open_ptmx(err);
	if (master < 0)
		return -1;
	slave = open_peer(master, name, sizeof name, err);
	if (slave < 0)
		return -1;
	if (set_console_size(master, p, err) < 0)
		return -1;
	/* Let a non-root process reopen its own tty (/proc/self/fd/0, `tty`):
	 * best effort, the uid may be unmapped in a user namespace. */
	if (fchown(slave, p->user.uid, (gid_t)-1) < 0)
		husk_debug("chown %s to %u: %s", name, p->user.uid, strerror(errno));
	if (terminal_send_fd(console_socket_fd, master, name, err) < 0)
		return husk_error_prefix(err, "send the pty master to the console socket");
	*slave_out = steal_fd(&slave);
	return 0;
}

int terminal_setup(struct init_ctx *ctx, const struct spec_process *p, struct husk_error *err)
{
	_cleanup_close_ int slave = -1;

	if (pty_open_and_send(ctx->console_socket_fd, p, &slave, err) < 0)
		return husk_error_prefix(err, "terminal");
	if (mount_console(slave, err) < 0)
		return husk_error_prefix(err, "terminal");
	if (make_controlling_tty(slave, err) < 0)
		return husk_error_prefix(err, "terminal");
	if (slave <= 2)
		slave = -1; /* it is one of the stdio fds now */
	return 0;
}

int terminal_setup_exec(int console_socket_fd, const struct spec_process *p, struct husk_error *err)
{
	_cleanup_close_ int slave = -1;

	if (pty_open_and_send(console_socket_fd, p, &slave, err) < 0)
		return husk_error_prefix(err, "terminal");
	if (make_controlling_tty(slave, err) < 0)
		return husk_error_prefix(err, "terminal");
	if (slave <= 2)
		slave = -1;
	return 0;
}

int terminal_send_fd(int sock, int fd, const char *name, struct husk_error *err)
{
	const char *payload = (name && *name) ? name : "pty";

	return unix_send_fd(sock, fd, payload, strlen(payload), err);
}

int terminal_recv_fd(int sock, int *fd, struct husk_error *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	char payload[4096];
	struct iovec iov = {.iov_base = payload, .iov_len = sizeof payload};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = u.buf,
	    .msg_controllen = sizeof u.buf,
	};
	ssize_t n;
	int got = -1;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_error_errno(err, "receive the pty master");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfds; i++) {
			int v;
			memcpy(&v, CMSG_DATA(c) + i * sizeof(int), sizeof v);
			if (got < 0)
				got = v;
			else
				close(v); /* exactly one is expected; never leak extras */
		}
	}
	if (got < 0)
		return husk_error_set(err, n == 0 ? EPIPE : EBADMSG, "receive the pty master: %s",
				      n == 0 ? "the peer closed the socket"
					     : "no fd in the message");
	if (msg.msg_flags & MSG_CTRUNC) {
		close(got);
		return husk_error_set(err, EBADMSG,
				      "receive the pty master: control data truncated");
	}
	*fd = got;
	return 0;
}

/* ---- the foreground proxy ---- */

struct proxy {
	int master;
	bool background; /* our terminal's input belongs to another process group */
	bool raw;
	struct termios saved;
	bool masked;
	sigset_t old_mask;
	int sigfd;
};

void terminal_copy_window_size(int master)
{
	struct winsize ws;

	/* A pty nobody sized reports 0x0: keep process.consoleSize then. */
	if ((ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 ||
	     ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) &&
	    ws.ws_row && ws.ws_col)
		(void)ioctl(master, TIOCSWINSZ, &ws);
}

/* Whether stdin is a terminal whose foreground process group is not ours:
 * run from a job in the background (`timeout` without --foreground makes
 * one), where the kernel stops us with SIGTTOU when we set its modes and
 * SIGTTIN when we read it -- for good, when no job-control shell is there to
 * continue us (script -c, a service). */
static bool in_background_of_terminal(void)
{
	pid_t fg;

	if (!isatty(STDIN_FILENO))
		return false;
	fg = tcgetpgrp(STDIN_FILENO);
	return fg > 0 && fg != getpgrp();
}

static int proxy_begin(struct proxy *px, struct husk_error *err)
{
	sigset_t winch;

	px->background = in_background_of_terminal();
	if (px->background)
		husk_debug("terminal: husk is not in the foreground process group of its "
			   "terminal: leaving its modes alone and its input unread");
	else if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &px->saved) == 0) {
		struct termios raw = px->saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
			return husk_error_errno(err, "put the terminal in raw mode");
		px->raw = true;
	}
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &winch, &px->old_mask) < 0)
		return husk_error_errno(err, "block SIGWINCH");
	px->masked = true;
	px->sigfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
	if (px->sigfd < 0)
		return husk_error_errno(err, "signalfd");
	terminal_copy_window_size(px->master);
	return 0;
}

static void proxy_end(struct proxy *px)
{
	if (px->raw)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &px->saved);
	if (px->sigfd >= 0)
		close(px->sigfd);
	if (px->masked)
		(void)sigprocmask(SIG_SETMASK, &px->old_mask, NULL);
}

/* Our stdin hit EOF (a pipe, /dev/null): pass it on as the pty's EOF
 * character, as a reader in canonical mode expects. */
static void send_eof(int master)
{
	struct termios t;
	char c = 4; /* ^D */

	if (tcgetattr(master, &t) == 0 && t.c_cc[VEOF] != _POSIX_VDISABLE)
		c = (char)t.c_cc[VEOF];
	(void)write_all(master, &c, 1);
}

/* One read from `from`, written in full to `to`.  1: copied, 0: EOF. */
static int pump(int from, int to, bool *to_ok)
{
	char buf[16384];
	ssize_t n;

	do
		n = read(from, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return (errno == EAGAIN) ? 1 : (errno == EIO ? 0 : -1);
	if (n == 0)
		return 0;
	/* Keep draining after the reader went away, so the process never
	 * blocks on a full pty. */
	if (*to_ok && write_all(to, buf, (size_t)n) < 0)
		*to_ok = false;
	return 1;
}

static int proxy_loop(struct proxy *px, struct husk_error *err)
{
	/* In the background the input is the foreground job's: not ours to
	 * read, nor to end with an EOF. */
	bool stdin_open = !px->background, stdout_ok = true;

	for (;;) {
		struct pollfd fds[3] = {
		    {.fd = px->master, .events = POLLIN},
		    {.fd = px->sigfd, .events = POLLIN},
		    {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return husk_error_errno(err, "poll");
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(px->sigfd, &si, sizeof si) == sizeof si)
				;
			terminal_copy_window_size(px->master);
		}
		if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			int r = pump(STDIN_FILENO, px->master, &(bool){true});
			if (r <= 0) {
				stdin_open = false;
				send_eof(px->master);
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			int r = pump(px->master, STDOUT_FILENO, &stdout_ok);
			if (r < 0)
				return husk_error_errno(err, "read the pty master");
			if (r == 0)
				return 0; /* every slave fd is closed: the process is gone */
		}
	}
}

int terminal_proxy(int master, struct husk_error *err)
{
	struct proxy px = {.master = master, .sigfd = -1};
	int ret;

	ret = proxy_begin(&px, err);
	if (ret == 0)
		ret = proxy_loop(&px, err);
	proxy_end(&px);
	return ret < 0 ? husk_error_prefix(err, "terminal") : 0;
}
