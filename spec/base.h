/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The helpers below everything, spec/ and runtime/ alike: allocation that
 * cannot fail (out of memory ends the program), free-on-scope-exit,
 * string lists and integer parsing.  runtime/util.h adds fds, files and
 * sockets on top.
 */
#ifndef HUSK_SPEC_BASE_H
#define HUSK_SPEC_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
void cleanup_strvp(char ***v);

#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_strv_ __attribute__((cleanup(cleanup_strvp)))

/* Hand ownership out of a cleanup variable. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _v = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_v;                                                                                \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

bool str_has_prefix(const char *s, const char *prefix);
/* Parse a decimal integer in full; -1 on junk or overflow. */
int parse_int64(const char *s, int64_t *out);
int parse_uint64(const char *s, uint64_t *out);
size_t strv_len(char *const *v);
void strv_free(char **v);

#endif
