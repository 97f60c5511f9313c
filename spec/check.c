// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "spec/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base.h"
#include "spec/json.h"

/* One of a and b is b itself or a field inside it ("a.b", "a[2]"). */
static bool path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '.' || a[n] == '[');
}

bool check_report_parse_error_near(const struct check_report *r, const char *path)
{
	if (path == NULL || *path == '\0')
		return false;
	for (size_t i = 0; i < r->parsed; i++) {
		const struct check_problem *p = &r->items[i];
		if (p->severity == CHECK_ERROR && *p->path &&
		    (path_within(p->path, path) || path_within(path, p->path)))
			return true;
	}
	return false;
}

static void add_owned(struct check_report *r, enum check_severity s, char *path, char *message)
{
	if (check_report_parse_error_near(r, path)) {
		free(path);
		free(message);
		return;
	}
	r->items = xrealloc(r->items, (r->n + 1) * sizeof *r->items);
	r->items[r->n++] = (struct check_problem){.severity = s, .path = path, .message = message};
	if (s == CHECK_ERROR)
		r->n_errors++;
}

void check_add(struct check_report *r, enum check_severity s, const char *path, const char *fmt,
	       ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	add_owned(r, s, xstrdup(path ? path : ""), msg);
}

/* A JSON path as husk writes it: keys, dots and [index], no spaces. */
static size_t json_path_prefix(const char *text)
{
	size_t n = strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				"_.[]-");

	return n > 0 && strncmp(text + n, ": ", 2) == 0 ? n : 0;
}

void check_add_text(struct check_report *r, enum check_severity s, const char *default_path,
		    const char *text)
{
	size_t n = json_path_prefix(text);
	const char *path = default_path ? default_path : "";

	/* The text's own path wins when it is as or more precise. */
	if (n > 0 && strncmp(text, path, strlen(path)) == 0)
		add_owned(r, s, strndup(text, n), xstrdup(text + n + 2));
	else
		add_owned(r, s, xstrdup(path), xstrdup(n > 0 ? text + n + 2 : text));
}

void check_add_error(struct check_report *r, const char *path, struct husk_error *err)
{
	check_add_text(r, CHECK_ERROR, path, husk_error_text(err));
	husk_error_clear(err);
}

void check_add_error_under(struct check_report *r, const char *base, struct husk_error *err)
{
	const char *text = husk_error_text(err);
	size_t n = json_path_prefix(text);

	if (n == 0)
		add_owned(r, CHECK_ERROR, xstrdup(base), xstrdup(text));
	else
		add_owned(r, CHECK_ERROR, xasprintf("%s.%.*s", base, (int)n, text),
			  xstrdup(text + n + 2));
	husk_error_clear(err);
}

bool check_report_has_error_under(const struct check_report *r, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].severity == CHECK_ERROR &&
		    strncmp(r->items[i].path, path, n) == 0 && strchr(".[", r->items[i].path[n]))
			return true;
	return false;
}

bool check_report_has_error_about(const struct check_report *r, const char *text)
{
	size_t n = json_path_prefix(text);

	for (size_t i = 0; n > 0 && i < r->n; i++)
		if (r->items[i].severity == CHECK_ERROR && strlen(r->items[i].path) == n &&
		    strncmp(r->items[i].path, text, n) == 0)
			return true;
	return false;
}

int check_report_first_error(const struct check_report *r, struct husk_error *err)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct check_problem *p = &r->items[i];
		if (p->severity != CHECK_ERROR)
			continue;
		if (*p->path)
			return husk_error_set(err, 0, "%s: %s", p->path, p->message);
		return husk_error_set(err, 0, "%s", p->message);
	}
	return 0;
}

void check_report_free(struct check_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].path);
		free(r->items[i].message);
	}
	free(r->items);
	memset(r, 0, sizeof *r);
}

int check_report_emit_json(const struct check_report *r, char **out, size_t *len,
			   struct husk_error *err)
{
	yajl_gen g = json_gen_new(true);

	yajl_gen_map_open(g);
	json_gen_kbool(g, "ok", r->n_errors == 0);
	json_gen_kuint(g, "errors", r->n_errors);
	json_gen_kuint(g, "warnings", r->n - r->n_errors);
	json_gen_cstr(g, "problems");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < r->n; i++) {
		yajl_gen_map_open(g);
		json_gen_kstr(g, "severity",
			      r->items[i].severity == CHECK_ERROR ? "error" : "warning");
		json_gen_kstr(g, "path", r->items[i].path);
		json_gen_kstr(g, "message", r->items[i].message);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return json_gen_finish(g, out, len, err);
}
