/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `husk check`: every problem of a bundle, each with the JSON path of the
 * field it is about.  The checks themselves live next to what they check
 * (spec/validate.c for the spec's rules, runtime/linux/<concern>.c for what
 * the host must offer); they add to one report instead of stopping at the
 * first problem, and create turns the report's first error into the usual
 * struct husk_error.
 */
#ifndef HUSK_SPEC_CHECK_H
#define HUSK_SPEC_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/error.h"

enum check_severity {
	CHECK_ERROR,   /* create would fail */
	CHECK_WARNING, /* create goes on without it (and says so) */
};

struct check_problem {
	enum check_severity severity;
	char *path; /* "linux.resources.memory.limit"; "" for the whole document */
	char *message;
};

struct check_report {
	struct check_problem *items;
	size_t n;
	size_t n_errors;
	/* The first `parsed` problems are the parse's (0: none marked).  The
	 * rules and host checks then run on a model whose bad fields read as
	 * absent; a problem they find near a field the parse already
	 * complained about (the same, inside it or around it) only repeats
	 * it, so it is not added. */
	size_t parsed;
};

/* Add one problem about path; message from fmt. */
void check_add(struct check_report *r, enum check_severity s, const char *path, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));
/* Add a problem from text of the form "<path>: <message>", the way every
 * husk error about a config field reads.  The problem is about the text's
 * own path when that lies within default_path, else about default_path
 * (and the text's path is dropped). */
void check_add_text(struct check_report *r, enum check_severity s, const char *default_path,
		    const char *text);
/* Add err (message and strerror) as an error about path, then clear it. */
void check_add_error(struct check_report *r, const char *path, struct husk_error *err);
/* The same for an error whose text reads relative to base
 * ("syscalls[2].action: ..." under "linux.seccomp"). */
void check_add_error_under(struct check_report *r, const char *base, struct husk_error *err);
/* Whether one of the parse's errors (see `parsed`) is about path, a field
 * inside it or one around it: a check whose input is there had better
 * not run on the placeholder the bad value left. */
bool check_report_parse_error_near(const struct check_report *r, const char *path);
/* Whether an error is about path or a field inside it. */
bool check_report_has_error_under(const struct check_report *r, const char *path);
/* Whether an error is already about the path that text ("<path>:
 * <message>") starts with: a field's second complaint (a bad value read
 * as absent, then found missing) is not a second problem. */
bool check_report_has_error_about(const struct check_report *r, const char *text);
/* The first error as "<path>: <message>" in err, returning -1; 0 when
 * the report holds no error. */
int check_report_first_error(const struct check_report *r, struct husk_error *err);
void check_report_free(struct check_report *r);

/* {"ok": bool, "errors": N, "warnings": N, "problems": [{"severity",
 * "path", "message"}]} -- schema/check-schema.json. */
int check_report_emit_json(const struct check_report *r, char **out, size_t *len,
			   struct husk_error *err);

#endif
