// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "sync.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

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

int sync_recv(int fd, struct sync_msg *msg, char **payload, struct husk_error *err)
{
	size_t cap = 64 * 1024;
	_cleanup_free_ char *buf = NULL;
	ssize_t n;

	if (payload)
		*payload = NULL;
	for (;;) {
		buf = xrealloc(buf, cap + 1);
		do
			n = recv(fd, buf, cap, MSG_PEEK | MSG_TRUNC);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return husk_error_errno(err, "sync: receive");
		if ((size_t)n <= cap || cap >= SYNC_MAX_PAYLOAD)
			break;
		cap = (size_t)n;
	}
	do
		n = recv(fd, buf, cap, 0);
	while (n < 0 && errno == EINTR);
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
