// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "sync.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define SYNC_MAX_PAYLOAD (1 << 20)

int sync_send(int fd, enum sync_type type, int errnum, const void *payload, size_t len,
	      struct husk_error *err)
{
	struct sync_msg m = {.type = type, .errnum = errnum, .len = len};
	struct iovec iov[2] = {{&m, sizeof m}, {(void *)payload, len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	ssize_t n;

	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_error_errno(err, "sync: send");
	return 0;
}

int sync_send_fd(int fd, enum sync_type type, int errnum, int passed, struct husk_error *err)
{
	struct sync_msg m = {.type = type, .errnum = errnum};

	if (unix_send_fd(fd, passed, &m, sizeof m, err) < 0)
		return husk_error_prefix(err, "sync: send an fd");
	return 0;
}

/*
 * recv, with EINTR retried.  When the init exits with a message of ours
 * still unread in its queue, the kernel reports ECONNRESET once, before
 * the messages the init sent us and that still wait in ours: its error
 * among them.  Read past that report, so the init's own message wins
 * over "Connection reset by peer"; the next read returns what is queued,
 * and then end of file.
 */
static ssize_t recv_past_reset(int fd, void *buf, size_t cap, int flags, int *passed)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {buf, cap};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	ssize_t n;
	int resets = 0;

	if (passed) {
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof u.buf;
	}
	do
		n = recvmsg(fd, &mh, flags | MSG_CMSG_CLOEXEC);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ < 2)));
	for (c = passed && n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(passed, CMSG_DATA(c), sizeof(int));
	return n;
}

int sync_recv(int fd, struct sync_msg *msg, char **payload, struct husk_error *err)
{
	int passed = -1;
	int ret = sync_recv_fd(fd, msg, payload, &passed, err);

	if (passed >= 0)
		close(passed);
	return ret;
}

int sync_recv_fd(int fd, struct sync_msg *msg, char **payload, int *passed, struct husk_error *err)
{
	size_t cap = 64 * 1024;
	_cleanup_free_ char *buf = NULL;
	ssize_t n;

	*passed = -1;
	if (payload)
		*payload = NULL;
	for (;;) {
		buf = xrealloc(buf, cap + 1);
		n = recv_past_reset(fd, buf, cap, MSG_PEEK | MSG_TRUNC, NULL);
		if (n < 0)
			return husk_error_errno(err, "sync: receive");
		if ((size_t)n <= cap || cap >= SYNC_MAX_PAYLOAD)
			break;
		cap = (size_t)n;
	}
	n = recv_past_reset(fd, buf, cap, 0, passed);
	if (n < 0)
		return husk_error_errno(err, "sync: receive");
	if (n == 0)
		return husk_error_set(err, ECONNRESET, "the container's init exited");
	if ((size_t)n < sizeof *msg)
		return husk_error_set(err, EPROTO, "sync: short message");
	memcpy(msg, buf, sizeof *msg);
	if (msg->len > (size_t)n - sizeof *msg)
		return husk_error_set(err, EPROTO, "sync: truncated message");
	if (payload && msg->len) {
		*payload = xmalloc(msg->len + 1);
		memcpy(*payload, buf + sizeof *msg, msg->len);
		(*payload)[msg->len] = '\0';
	}
	return 0;
}

int sync_expect(int fd, enum sync_type type, char **payload, struct husk_error *err)
{
	struct sync_msg m;
	_cleanup_free_ char *p = NULL;

	if (sync_recv(fd, &m, &p, err) < 0)
		return -1;
	if (m.type == SYNC_ERROR)
		return husk_error_set(err, m.errnum, "%s", p ? p : "unknown error");
	if (m.type != (int)type)
		return husk_error_set(err, EPROTO, "sync: expected message %d, got %d", type,
				      m.type);
	if (payload)
		*payload = steal_pointer(&p);
	return 0;
}

void sync_send_error(int fd, const struct husk_error *err)
{
	const char *msg = err->msg ? err->msg : "unknown error";
	sync_send(fd, SYNC_ERROR, err->errnum, msg, strlen(msg), NULL);
}
