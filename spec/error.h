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
 *
 * It lives in spec/ because the spec model reports through it too, and spec/
 * depends on nothing in runtime/; the runtime adds logging and reporting to
 * the user in runtime/error.h.
 */
#ifndef HUSK_SPEC_ERROR_H
#define HUSK_SPEC_ERROR_H

#include <errno.h>

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

#endif
