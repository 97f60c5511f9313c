// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "error.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static bool log_json;
static bool log_debug;

bool husk_log_debug_enabled(void)
{
	return log_debug;
}

int husk_log_open(const char *path, bool json, bool debug)
{
	log_json = json;
	log_debug = debug;
	if (path == NULL)
		return 0;
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	return log_fd < 0 ? -1 : 0;
}

static const char *level_name(enum husk_log_level level)
{
	switch (level) {
	case HUSK_LOG_ERROR:
		return "error";
	case HUSK_LOG_WARNING:
		return "warning";
	case HUSK_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

static void json_escape_into(char *out, size_t size, const char *in)
{
	size_t o = 0;

	for (; *in && o + 7 < size; in++) {
		unsigned char c = (unsigned char)*in;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = c;
		} else if (c < 0x20) {
			o += snprintf(out + o, size - o, "\\u%04x", c);
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
}

static void write_log_line(enum husk_log_level level, const char *msg)
{
	char line[8192], esc[6144], stamp[RFC3339_SIZE];
	int n;

	if (log_fd < 0)
		return;
	if (log_json) {
		rfc3339_format_now(stamp);
		json_escape_into(esc, sizeof esc, msg);
		n = snprintf(line, sizeof line,
			     "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
			     level_name(level), esc, stamp);
	} else {
		n = snprintf(line, sizeof line, "%s: %s\n", level_name(level), msg);
	}
	if (n > 0)
		write_all(log_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void husk_log(enum husk_log_level level, const char *fmt, ...)
{
	char msg[6144];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	write_log_line(level, msg);
	/* With a JSON log the client reads the file; stderr still gets errors for people. */
	if (level == HUSK_LOG_DEBUG && log_fd >= 0)
		return;
	if (level == HUSK_LOG_ERROR)
		fprintf(stderr, "husk: %s\n", msg);
	else
		fprintf(stderr, "husk: %s: %s\n", level_name(level), msg);
}

int husk_error_report(const struct husk_error *err)
{
	husk_log(HUSK_LOG_ERROR, "%s", husk_error_text(err));
	return 1;
}
