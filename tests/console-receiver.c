// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * console-receiver: plays conmon for the integration tests.
 *
 *   console-receiver [-t SECONDS] [-m MARKER] [-p] SOCKET [WORD...]
 *   console-receiver [-t SECONDS] -P [-k] SOCKET
 *
 * Listens on the unix socket SOCKET (it appears only once it accepts
 * connections, so a test can wait for the file), receives one pty master
 * over SCM_RIGHTS, types WORDs (joined by spaces, then a newline) into it and
 * copies what comes back to stdout until MARKER has been seen, the pty
 * closes, or SECONDS (default 10) pass.  -p prints the message payload that
 * came with the fd on stderr as "payload: <text>".
 * -P plays a --pidfd-socket client instead: the fd must be a pidfd; prints
 * "pid: N" (its Pid in fdinfo), with -k kills the process through the pidfd
 * (pidfd_send_signal), then waits until it exits and prints "exited".
 * Exit: 0 done (marker seen, or pty closed when no marker is asked for),
 * 2 timeout or pty closed before the marker, 1 other errors.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "listen-unix.h"

static void die(const char *what)
{
	fprintf(stderr, "console-receiver: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int receive_fd(int conn, bool print_payload)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char payload[4096];
	struct iovec iov = {.iov_base = payload, .iov_len = sizeof payload - 1};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	struct cmsghdr *c;
	int fd;

	if (n < 0)
		die("recvmsg");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "console-receiver: expected exactly one fd, got none or more\n");
		exit(1);
	}
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	payload[n] = '\0';
	if (print_payload)
		fprintf(stderr, "payload: %s\n", payload);
	return fd;
}

/* -P: the pid a pidfd refers to, from its fdinfo (-1 when not a pidfd). */
static long pidfd_pid(int fd)
{
	char path[64], line[256];
	long pid = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (f == NULL)
		die(path);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Pid: %ld", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

static int play_pidfd_client(int pidfd, bool kill_it, int timeout)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	long pid = pidfd_pid(pidfd);

	if (pid <= 0) {
		fprintf(stderr, "console-receiver: the fd is not a pidfd of a live process\n");
		return 1;
	}
	printf("pid: %ld\n", pid);
	fflush(stdout);
	if (kill_it && syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
		die("pidfd_send_signal");
	/* A pidfd polls readable once its process has exited. */
	if (poll(&p, 1, timeout * 1000) != 1) {
		fprintf(stderr, "console-receiver: the process did not exit\n");
		return 2;
	}
	printf("exited\n");
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	const char *marker = NULL;
	long long deadline;
	int timeout = 10, opt, lfd, conn, master;
	bool print_payload = false, pidfd_mode = false, kill_it = false;
	char *seen = NULL;
	size_t seen_len = 0;

	while ((opt = getopt(argc, argv, "+t:m:pPk")) != -1) {
		switch (opt) {
		case 't':
			timeout = atoi(optarg);
			break;
		case 'm':
			marker = optarg;
			break;
		case 'p':
			print_payload = true;
			break;
		case 'P':
			pidfd_mode = true;
			break;
		case 'k':
			kill_it = true;
			break;
		default:
			fprintf(
			    stderr,
			    "usage: console-receiver [-t S] [-m MARKER] [-p] SOCKET [WORD...]\n");
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "console-receiver: no socket path\n");
		return 1;
	}
	deadline = now_ms() + timeout * 1000LL;
	lfd = listen_unix_at(argv[optind], 1, die);
	struct pollfd lp = {.fd = lfd, .events = POLLIN};
	if (poll(&lp, 1, timeout * 1000) <= 0) {
		fprintf(stderr, "console-receiver: nobody connected\n");
		return 2;
	}
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	master = receive_fd(conn, print_payload);
	close(conn);
	close(lfd);
	if (pidfd_mode)
		return play_pidfd_client(master, kill_it, timeout);

	for (int i = optind + 1; i < argc; i++) {
		if (write(master, argv[i], strlen(argv[i])) < 0 ||
		    write(master, i + 1 < argc ? " " : "\n", 1) < 0)
			die("write to the pty");
	}

	for (;;) {
		long long left = deadline - now_ms();
		char buf[4096];
		struct pollfd p = {.fd = master, .events = POLLIN};
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			fprintf(stderr, "console-receiver: timed out\n");
			return 2;
		}
		n = read(master, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* EIO: every slave fd is closed */
			return marker ? 2 : 0;
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
		if (marker) {
			seen = realloc(seen, seen_len + (size_t)n + 1);
			if (!seen)
				die("realloc");
			memcpy(seen + seen_len, buf, (size_t)n);
			seen_len += (size_t)n;
			seen[seen_len] = '\0';
			if (strstr(seen, marker))
				return 0;
		}
	}
}
