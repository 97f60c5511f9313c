/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny unit-test framework printing TAP:
 *
 *   TEST(parses_root) { ASSERT_STREQ(cfg->root->path, "rootfs"); }
 *   int main(void) { RUN(parses_root); return unit_done(); }
 *
 * A failed ASSERT prints where and why on stderr and returns from the test;
 * each test prints `ok N - name` or `not ok N - name`; unit_done() prints
 * the plan and returns 1 when anything failed (the test's exit status).
 * UNIT_SKIP("why") ends a test as skipped, saying why.
 */
#ifndef HUSK_UNIT_H
#define HUSK_UNIT_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_count;
static int unit_failed_count;
static bool unit_failed;
static const char *unit_skip_reason;
static const char *unit_name;

static inline void unit_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void unit_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s:%d: %s: ", file, line, unit_name ? unit_name : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	unit_failed = true;
}

#define TEST(name) static void name(void)

static inline void unit_run(const char *name, void (*fn)(void))
{
	unit_name = name;
	unit_failed = false;
	unit_skip_reason = NULL;
	fflush(stderr);
	fn();
	unit_count++;
	if (unit_failed) {
		unit_failed_count++;
		printf("not ok %d - %s\n", unit_count, name);
	} else if (unit_skip_reason) {
		printf("ok %d - %s # SKIP %s\n", unit_count, name, unit_skip_reason);
	} else {
		printf("ok %d - %s\n", unit_count, name);
	}
	fflush(stdout);
}

#define RUN(name) unit_run(#name, name)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_count);
	if (unit_failed_count)
		fprintf(stderr, "# %d of %d tests failed\n", unit_failed_count, unit_count);
	return unit_failed_count ? 1 : 0;
}

#define UNIT_SKIP(why)                                                                             \
	do {                                                                                       \
		unit_skip_reason = (why);                                                          \
		return;                                                                            \
	} while (0)

/* Record a failure but keep going (for loops over many inputs). */
#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond))                                                                       \
			unit_fail_at(__FILE__, __LINE__, "expected: %s", #cond);                   \
	} while (0)

#define ASSERT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			unit_fail_at(__FILE__, __LINE__, "assertion failed: %s", #cond);           \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define ASSERT_MSG(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			unit_fail_at(__FILE__, __LINE__, __VA_ARGS__);                             \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define ASSERT_INT_EQ(a, b)                                                                        \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			unit_fail_at(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_,     \
				     b_);                                                          \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define ASSERT_UINT_EQ(a, b)                                                                       \
	do {                                                                                       \
		unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);     \
		if (a_ != b_) {                                                                    \
			unit_fail_at(__FILE__, __LINE__, "%s == %s: %llu != %llu", #a, #b, a_,     \
				     b_);                                                          \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define ASSERT_STREQ(a, b)                                                                         \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                             \
			unit_fail_at(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,     \
				     a_ ? a_ : "(null)", b_ ? b_ : "(null)");                      \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* a contains b */
#define ASSERT_STRSTR(a, b)                                                                        \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (a_ == NULL || b_ == NULL || strstr(a_, b_) == NULL) {                          \
			unit_fail_at(__FILE__, __LINE__, "%s contains %s: \"%s\" lacks \"%s\"",    \
				     #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");              \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define ASSERT_NULL(p) ASSERT((p) == NULL)
#define ASSERT_NOT_NULL(p) ASSERT((p) != NULL)

/* For functions following the husk error idiom: expr >= 0, else print err. */
#define ASSERT_OK(expr, errp)                                                                      \
	do {                                                                                       \
		if ((expr) < 0) {                                                                  \
			unit_fail_at(__FILE__, __LINE__, "%s failed: %s", #expr,                   \
				     (errp)->msg ? (errp)->msg : "(no message)");                  \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#endif
