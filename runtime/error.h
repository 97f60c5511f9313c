/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The error idiom (spec/error.h) and what the runtime adds to it: logging to
 * stderr and --log, and reporting an error to the user as
 *   husk: <context>: <message>: <strerror>
 */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdbool.h>

#include "spec/error.h"

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
