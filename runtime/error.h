/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one error idiom of husk: a function that can fail returns a negative
 * value and fills a struct husk_error with an errno and a message.  Each
 * caller that knows more adds its own context in front with
 * husk_error_prefix(), so the user reads
 *   husk: <context>: <message>: <strerror>
 *
 * Every function here accepts a NULL error: a caller that does not care why
 * something failed passes NULL (set and prefix then only return -1).
 */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

struct husk_error {
	int errnum; /* 0 when the failure has no errno */
	char *msg;  /* heap-allocated, NULL when no error */
};

#define HUSK_ERROR_INIT                                                                            \
	{                                                                                          \
		0, NULL                                                                            \
	}

/* Fill err (replacing what was there) and return -1.  errnum may be 0. */
int husk_error_set(struct husk_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As husk_error_set with errno as it is now. */
#define husk_error_errno(err, ...) husk_error_set((err), errno, __VA_ARGS__)
/* Put "<context>: " in front of the message; returns -1. */
int husk_error_prefix(struct husk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void husk_error_clear(struct husk_error *err);
/* Full text: "<message>[: <strerror>]" into a static buffer. */
const char *husk_error_text(const struct husk_error *err);

/* Logging: text to stderr, and to --log (text or one JSON line each). */
enum husk_log_level { HUSK_LOG_ERROR, HUSK_LOG_WARNING, HUSK_LOG_INFO, HUSK_LOG_DEBUG };
int husk_log_open(const char *path, bool json, bool debug);
void husk_log(enum husk_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Report err as "husk: ..." (and to the log file); returns the exit code 1. */
int husk_error_report(const struct husk_error *err);
bool husk_log_debug_enabled(void);

#define husk_warn(...) husk_log(HUSK_LOG_WARNING, __VA_ARGS__)
#define husk_debug(...)                                                                            \
	do {                                                                                       \
		if (husk_log_debug_enabled())                                                      \
			husk_log(HUSK_LOG_DEBUG, __VA_ARGS__);                                     \
	} while (0)

#endif
