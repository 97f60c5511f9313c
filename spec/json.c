// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "spec/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/base.h"
#include "spec/check.h"

void json_path_init(struct json_path *p, const char *prefix)
{
	p->len = 0;
	p->buf[0] = '\0';
	p->report = NULL;
	if (prefix && *prefix)
		json_path_key(p, prefix);
}

/* A path that does not fit is cut; the message still says where it starts. */
static void path_append(struct json_path *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->len >= sizeof p->buf - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p->buf + p->len, sizeof p->buf - p->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	p->len += (size_t)n;
	if (p->len >= sizeof p->buf)
		p->len = sizeof p->buf - 1;
}

size_t json_path_key(struct json_path *p, const char *key)
{
	size_t mark = p->len;
	path_append(p, p->len ? ".%s" : "%s", key);
	return mark;
}

size_t json_path_index(struct json_path *p, size_t i)
{
	size_t mark = p->len;
	path_append(p, "[%zu]", i);
	return mark;
}

void json_path_restore(struct json_path *p, size_t mark)
{
	if (mark < sizeof p->buf) {
		p->len = mark;
		p->buf[mark] = '\0';
	}
}

const char *json_path_str(const struct json_path *p)
{
	return p->len ? p->buf : "(document)";
}

int json_path_error(const struct json_path *p, struct husk_error *err, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *msg = NULL;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	husk_error_set(err, 0, "%s: %s", json_path_str(p), msg);
	return -1;
}

static bool number_is_integer(const char *r)
{
	return r && strpbrk(r, ".eE") == NULL;
}

const char *json_type_name(yajl_val v)
{
	if (v == NULL || YAJL_IS_NULL(v))
		return "null";
	if (YAJL_IS_STRING(v))
		return "a string";
	if (YAJL_IS_NUMBER(v))
		return number_is_integer(v->u.number.r) ? "an integer" : "a number";
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		return "a boolean";
	if (YAJL_IS_OBJECT(v))
		return "an object";
	if (YAJL_IS_ARRAY(v))
		return "an array";
	return "an unknown value";
}

int json_type_error(const struct json_path *p, const char *what, yajl_val v, struct husk_error *err)
{
	return json_path_error(p, err, "expected %s, got %s", what, json_type_name(v));
}

/* Refuse deep nesting and NUL bytes before handing the text to yajl. */
static int precheck(const char *text, size_t len, struct husk_error *err)
{
	bool in_string = false, escaped = false;
	size_t depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\0')
			return husk_error_set(err, 0, "invalid JSON: NUL byte at offset %zu", i);
		if (in_string) {
			/* yajl would cut the C string there, silently changing its meaning. */
			if (escaped && c == 'u' && len - i > 4 &&
			    memcmp(text + i + 1, "0000", 4) == 0)
				return husk_error_set(
				    err, 0, "invalid JSON: \\u0000 in a string at offset %zu",
				    i - 1);
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return husk_error_set(err, 0,
						      "invalid JSON: nested deeper than %d levels",
						      JSON_MAX_DEPTH);
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

int json_parse(const char *text, size_t len, yajl_val *out, struct husk_error *err)
{
	_cleanup_free_ char *copy = NULL;
	char errbuf[256] = "";
	yajl_val v;

	if (precheck(text, len, err) < 0)
		return -1;
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	v = yajl_tree_parse(copy, errbuf, sizeof errbuf);
	if (v == NULL) {
		/* yajl's message spans lines and quotes the input; keep the first line. */
		char *nl = strchr(errbuf, '\n');
		if (nl)
			*nl = '\0';
		return husk_error_set(err, 0, "invalid JSON: %s", *errbuf ? errbuf : "parse error");
	}
	*out = v;
	return 0;
}

yajl_val json_member(yajl_val obj, const char *key)
{
	yajl_val found = NULL;

	if (obj == NULL || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			found = obj->u.object.values[i];
	if (found && YAJL_IS_NULL(found))
		return NULL;
	return found;
}

int json_val_string(yajl_val v, const struct json_path *p, char **out, struct husk_error *err)
{
	if (!YAJL_IS_STRING(v))
		return json_type_error(p, "a string", v, err);
	free(*out);
	*out = xstrdup(v->u.string);
	return 0;
}

int json_val_bool(yajl_val v, const struct json_path *p, bool *out, struct husk_error *err)
{
	if (YAJL_IS_TRUE(v))
		*out = true;
	else if (YAJL_IS_FALSE(v))
		*out = false;
	else
		return json_type_error(p, "a boolean", v, err);
	return 0;
}

/* The raw text of an integer: yajl's own conversion silently accepts
 * doubles and cannot hold values above INT64_MAX. */
static const char *integer_text(yajl_val v, const struct json_path *p, struct husk_error *err)
{
	if (!YAJL_IS_NUMBER(v) || !number_is_integer(v->u.number.r))
		return json_type_error(p, "an integer", v, err), NULL;
	return v->u.number.r;
}

int json_val_int64(yajl_val v, const struct json_path *p, int64_t min, int64_t max, int64_t *out,
		   struct husk_error *err)
{
	const char *r = integer_text(v, p, err);
	int64_t x;

	if (r == NULL)
		return -1;
	if (parse_int64(r, &x) < 0 || x < min || x > max)
		return json_path_error(p, err, "%s is out of range [%" PRId64 ", %" PRId64 "]", r,
				       min, max);
	*out = x;
	return 0;
}

int json_val_uint64(yajl_val v, const struct json_path *p, uint64_t max, uint64_t *out,
		    struct husk_error *err)
{
	const char *r = integer_text(v, p, err);
	uint64_t x;

	if (r == NULL)
		return -1;
	if (parse_uint64(r, &x) < 0 || x > max) {
		/* "-0" is zero, not an out-of-range value. */
		if (strcmp(r, "-0") == 0) {
			*out = 0;
			return 0;
		}
		return json_path_error(p, err, "%s is out of range [0, %" PRIu64 "]", r, max);
	}
	*out = x;
	return 0;
}

int json_val_object(yajl_val v, const struct json_path *p, struct husk_error *err)
{
	if (!YAJL_IS_OBJECT(v))
		return json_type_error(p, "an object", v, err);
	return 0;
}

int json_val_array(yajl_val v, const struct json_path *p, struct husk_error *err)
{
	if (!YAJL_IS_ARRAY(v))
		return json_type_error(p, "an array", v, err);
	return 0;
}

int json_val_strv(yajl_val v, struct json_path *p, char ***out, struct husk_error *err)
{
	_cleanup_strv_ char **vec = NULL;
	size_t n;

	if (json_val_array(v, p, err) < 0)
		return -1;
	n = v->u.array.len;
	vec = xcalloc(n + 1, sizeof *vec);
	for (size_t i = 0; i < n; i++) {
		size_t mark = json_path_index(p, i);
		int r = json_val_string(v->u.array.values[i], p, &vec[i], err);
		/* husk check: each bad element is a problem at its index and
		 * reads as "", so the others keep their indices */
		if (r < 0 && json_path_tolerate(p, err)) {
			vec[i] = xstrdup("");
			r = 0;
		}
		json_path_restore(p, mark);
		if (r < 0)
			return -1;
	}
	strv_free(*out);
	*out = steal_pointer(&vec);
	return 0;
}

void spec_kv_free(struct spec_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int json_val_kv(yajl_val v, struct json_path *p, struct spec_kv **out, size_t *n,
		struct husk_error *err)
{
	struct spec_kv *kv;
	size_t len, used = 0;

	if (json_val_object(v, p, err) < 0)
		return -1;
	len = v->u.object.len;
	kv = xcalloc(len ? len : 1, sizeof *kv);
	for (size_t i = 0; i < len; i++) {
		const char *key = v->u.object.keys[i];
		yajl_val val = v->u.object.values[i];
		size_t mark = json_path_key(p, key);
		size_t slot = used;

		/* A repeated key replaces the earlier value, as a map would. */
		for (size_t j = 0; j < used; j++)
			if (strcmp(kv[j].key, key) == 0)
				slot = j;
		if (json_val_string(val, p, &kv[slot].value, err) < 0) {
			if (!json_path_tolerate(p, err)) {
				json_path_restore(p, mark);
				spec_kv_free(kv, used);
				return -1;
			}
			/* husk check: a bad value is a problem at its key, read as "" */
			if (kv[slot].value == NULL)
				kv[slot].value = xstrdup("");
		}
		json_path_restore(p, mark);
		if (slot == used)
			kv[used++].key = xstrdup(key);
	}
	spec_kv_free(*out, *n);
	*out = kv;
	*n = used;
	return 0;
}

bool json_path_tolerate(const struct json_path *p, struct husk_error *err)
{
	if (p->report == NULL)
		return false;
	if (check_report_has_error_about(p->report, husk_error_text(err)))
		husk_error_clear(err);
	else
		check_add_error(p->report, "", err);
	return true;
}

/* Look key up, extend the path, run the reader, restore the path.  A
 * value `husk check` tolerates reads as absent (0). */
#define GET_MEMBER(obj, key, p, call)                                                              \
	({                                                                                         \
		yajl_val v_ = json_member((obj), (key));                                           \
		int r_ = 0;                                                                        \
		if (v_) {                                                                          \
			size_t mark_ = json_path_key((p), (key));                                  \
			yajl_val v = v_;                                                           \
			r_ = (call) < 0 ? -1 : 1;                                                  \
			if (r_ < 0 && json_path_tolerate((p), err))                                \
				r_ = 0;                                                            \
			json_path_restore((p), mark_);                                             \
		}                                                                                  \
		r_;                                                                                \
	})

int json_get_string(yajl_val obj, const char *key, struct json_path *p, char **out,
		    struct husk_error *err)
{
	int r = GET_MEMBER(obj, key, p, json_val_string(v, p, out, err));

	/* a tolerated bad value: later code may rely on a required string */
	if (r == 0 && p->report && *out == NULL && json_member(obj, key))
		*out = xstrdup("");
	return r;
}

int json_get_bool(yajl_val obj, const char *key, struct json_path *p, bool *out,
		  struct husk_error *err)
{
	return GET_MEMBER(obj, key, p, json_val_bool(v, p, out, err));
}

int json_get_int64(yajl_val obj, const char *key, struct json_path *p, int64_t min, int64_t max,
		   int64_t *out, struct husk_error *err)
{
	return GET_MEMBER(obj, key, p, json_val_int64(v, p, min, max, out, err));
}

int json_get_uint64(yajl_val obj, const char *key, struct json_path *p, uint64_t max, uint64_t *out,
		    struct husk_error *err)
{
	return GET_MEMBER(obj, key, p, json_val_uint64(v, p, max, out, err));
}

int json_get_int32(yajl_val obj, const char *key, struct json_path *p, int32_t *out,
		   struct husk_error *err)
{
	int64_t x = 0;
	int r = json_get_int64(obj, key, p, INT32_MIN, INT32_MAX, &x, err);
	if (r > 0)
		*out = (int32_t)x;
	return r;
}

int json_get_uint32(yajl_val obj, const char *key, struct json_path *p, uint32_t *out,
		    struct husk_error *err)
{
	uint64_t x = 0;
	int r = json_get_uint64(obj, key, p, UINT32_MAX, &x, err);
	if (r > 0)
		*out = (uint32_t)x;
	return r;
}

int json_get_uint16(yajl_val obj, const char *key, struct json_path *p, uint16_t *out,
		    struct husk_error *err)
{
	uint64_t x = 0;
	int r = json_get_uint64(obj, key, p, UINT16_MAX, &x, err);
	if (r > 0)
		*out = (uint16_t)x;
	return r;
}

int json_get_strv(yajl_val obj, const char *key, struct json_path *p, char ***out,
		  struct husk_error *err)
{
	return GET_MEMBER(obj, key, p, json_val_strv(v, p, out, err));
}

int json_get_kv(yajl_val obj, const char *key, struct json_path *p, struct spec_kv **out, size_t *n,
		struct husk_error *err)
{
	return GET_MEMBER(obj, key, p, json_val_kv(v, p, out, n, err));
}

int json_get_object(yajl_val obj, const char *key, struct json_path *p, yajl_val *out,
		    struct husk_error *err)
{
	int r = GET_MEMBER(obj, key, p, json_val_object(v, p, err));
	if (r > 0)
		*out = json_member(obj, key);
	return r;
}

int json_get_array(yajl_val obj, const char *key, struct json_path *p, yajl_val *out,
		   struct husk_error *err)
{
	int r = GET_MEMBER(obj, key, p, json_val_array(v, p, err));
	if (r > 0)
		*out = json_member(obj, key);
	return r;
}

yajl_gen json_gen_new(bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g == NULL) {
		static const char m[] = "husk: out of memory\n";
		(void)!write(2, m, sizeof m - 1);
		_exit(1);
	}
	yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
	if (pretty)
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	/* Leave '/' alone: paths read better unescaped. */
	yajl_gen_config(g, yajl_gen_escape_solidus, 0);
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	return g;
}

int json_gen_finish(yajl_gen g, char **out, size_t *len, struct husk_error *err)
{
	const unsigned char *buf;
	size_t n;

	if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return husk_error_set(err, 0, "cannot generate JSON document");
	}
	*out = xmalloc(n + 1);
	memcpy(*out, buf, n);
	(*out)[n] = '\0';
	if (len)
		*len = n;
	yajl_gen_free(g);
	return 0;
}

void json_gen_cstr(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void json_gen_kstr(yajl_gen g, const char *key, const char *value)
{
	json_gen_cstr(g, key);
	if (value)
		json_gen_cstr(g, value);
	else
		yajl_gen_null(g);
}

void json_gen_kstr_opt(yajl_gen g, const char *key, const char *value)
{
	if (value)
		json_gen_kstr(g, key, value);
}

void json_gen_kint(yajl_gen g, const char *key, long long value)
{
	json_gen_cstr(g, key);
	yajl_gen_integer(g, value);
}

void json_gen_kuint(yajl_gen g, const char *key, uint64_t value)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%" PRIu64, value);

	json_gen_cstr(g, key);
	yajl_gen_number(g, num, (size_t)n);
}

void json_gen_kbool(yajl_gen g, const char *key, bool value)
{
	json_gen_cstr(g, key);
	yajl_gen_bool(g, value);
}

void json_gen_kstrv(yajl_gen g, const char *key, const char *const *v)
{
	json_gen_cstr(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; v && v[i]; i++)
		json_gen_cstr(g, v[i]);
	yajl_gen_array_close(g);
}

void json_gen_kkv(yajl_gen g, const char *key, const struct spec_kv *kv, size_t n)
{
	json_gen_cstr(g, key);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < n; i++)
		json_gen_kstr(g, kv[i].key, kv[i].value);
	yajl_gen_map_close(g);
}
