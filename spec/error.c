// SPDX-License-Identifier: GPL-2.0-or-later
/* The error idiom (spec/error.h), with nothing from runtime/. */
#include "config.h"
#include "spec/error.h"
#include "spec/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int husk_error_set(struct husk_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(err->msg);
	err->msg = msg;
	err->errnum = errnum;
	return -1;
}

int husk_error_prefix(struct husk_error *err, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *joined;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	ctx = xvasprintf(fmt, ap);
	va_end(ap);
	joined = xasprintf("%s: %s", ctx, err->msg ? err->msg : "unknown error");
	free(ctx);
	free(err->msg);
	err->msg = joined;
	return -1;
}

void husk_error_clear(struct husk_error *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	err->msg = NULL;
	err->errnum = 0;
}

/* Control characters (a newline or an escape sequence in an id or a path)
 * shown as \n, \t or \xHH, so a message stays one harmless line. */
static size_t escape_controls(char *out, size_t size, const char *in, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < size; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '\n')
			o += (size_t)snprintf(out + o, size - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(out + o, size - o, "\\t");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

const char *husk_error_text(const struct husk_error *err)
{
	static char buf[4096];
	char *full;
	size_t len, head = 1024, o;

	if (err == NULL)
		return "unknown error";
	if (err->errnum)
		full = xasprintf("%s: %s", err->msg ? err->msg : "error", strerror(err->errnum));
	else
		full = xstrdup(err->msg ? err->msg : "error");
	len = strlen(full);
	if (len < sizeof buf / 2) {
		escape_controls(buf, sizeof buf, full, len);
	} else {
		/* Too long (a 5000-byte path): its start and its end, which
		 * holds the reason, with the middle left out. */
		o = escape_controls(buf, sizeof buf / 2, full, head);
		o += (size_t)snprintf(buf + o, sizeof buf - o, "[...]");
		escape_controls(buf + o, sizeof buf - o, full + len - 1024, 1024);
	}
	free(full);
	return buf;
}
