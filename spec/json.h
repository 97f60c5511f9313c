/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Typed reads over yajl's tree API that know where they are in the
 * document, so every error names the JSON path:
 *   linux.resources.memory.limit: expected an integer, got a string
 *   mounts[2].destination: expected a string, got an object
 * and small helpers for emitting documents with yajl_gen.
 *
 * Member readers (json_get_*) return 0 when the key is absent or null (the
 * output is left alone), 1 when a value was read, -1 on error.  Value
 * readers (json_val_*) return 0 or -1.
 */
#ifndef HUSK_SPEC_JSON_H
#define HUSK_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "spec/oci_config.h"

/* Documents nested deeper than this are refused before yajl sees them:
 * yajl_tree_free() recurses, and no OCI document needs more than ~8. */
#define JSON_MAX_DEPTH 64
#define JSON_PATH_MAX 512

struct check_report;

struct json_path {
	size_t len;
	char buf[JSON_PATH_MAX];
	/* NULL (create): the first bad field stops the parse.  `husk check`
	 * sets a report: a member whose value has the wrong type or is out of
	 * range becomes a problem there and reads as absent (a required
	 * string as ""), so the parse goes on to the next field and every bad
	 * field is listed. */
	struct check_report *report;
};

/* Starts a path with no report. */
void json_path_init(struct json_path *p, const char *prefix);
/* With a report: err becomes a problem in it (unless one is already about
 * the same path) and is cleared; true.  Without: false, err untouched. */
bool json_path_tolerate(const struct json_path *p, struct husk_error *err);
/* Append ".key" (or "key" at the start) / "[i]"; return a mark for json_path_restore. */
size_t json_path_key(struct json_path *p, const char *key);
size_t json_path_index(struct json_path *p, size_t i);
void json_path_restore(struct json_path *p, size_t mark);
/* The path as text; "(document)" for the top level. */
const char *json_path_str(const struct json_path *p);

/* "<path>: <message>"; returns -1. */
int json_path_error(const struct json_path *p, struct husk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "<path>: expected <what>, got <type of v>"; returns -1. */
int json_type_error(const struct json_path *p, const char *what, yajl_val v,
		    struct husk_error *err);
/* "a string", "an integer", "a number", "a boolean", "an object", "an array", "null". */
const char *json_type_name(yajl_val v);

/* Parse a whole document; text need not be NUL-terminated. */
int json_parse(const char *text, size_t len, yajl_val *out, struct husk_error *err);
/* The member named key (the last one when repeated), NULL when absent. */
yajl_val json_member(yajl_val obj, const char *key);

int json_val_string(yajl_val v, const struct json_path *p, char **out, struct husk_error *err);
int json_val_bool(yajl_val v, const struct json_path *p, bool *out, struct husk_error *err);
int json_val_int64(yajl_val v, const struct json_path *p, int64_t min, int64_t max, int64_t *out,
		   struct husk_error *err);
int json_val_uint64(yajl_val v, const struct json_path *p, uint64_t max, uint64_t *out,
		    struct husk_error *err);
/* An array of strings into a NULL-terminated vector. */
int json_val_strv(yajl_val v, struct json_path *p, char ***out, struct husk_error *err);
/* An object of strings into key/value pairs. */
int json_val_kv(yajl_val v, struct json_path *p, struct spec_kv **out, size_t *n,
		struct husk_error *err);
int json_val_object(yajl_val v, const struct json_path *p, struct husk_error *err);
int json_val_array(yajl_val v, const struct json_path *p, struct husk_error *err);

int json_get_string(yajl_val obj, const char *key, struct json_path *p, char **out,
		    struct husk_error *err);
int json_get_bool(yajl_val obj, const char *key, struct json_path *p, bool *out,
		  struct husk_error *err);
int json_get_int64(yajl_val obj, const char *key, struct json_path *p, int64_t min, int64_t max,
		   int64_t *out, struct husk_error *err);
int json_get_uint64(yajl_val obj, const char *key, struct json_path *p, uint64_t max, uint64_t *out,
		    struct husk_error *err);
int json_get_int32(yajl_val obj, const char *key, struct json_path *p, int32_t *out,
		   struct husk_error *err);
int json_get_uint32(yajl_val obj, const char *key, struct json_path *p, uint32_t *out,
		    struct husk_error *err);
int json_get_uint16(yajl_val obj, const char *key, struct json_path *p, uint16_t *out,
		    struct husk_error *err);
int json_get_strv(yajl_val obj, const char *key, struct json_path *p, char ***out,
		  struct husk_error *err);
int json_get_kv(yajl_val obj, const char *key, struct json_path *p, struct spec_kv **out, size_t *n,
		struct husk_error *err);
/* *out is the object / array member; 0 when absent, -1 when of another type. */
int json_get_object(yajl_val obj, const char *key, struct json_path *p, yajl_val *out,
		    struct husk_error *err);
int json_get_array(yajl_val obj, const char *key, struct json_path *p, yajl_val *out,
		   struct husk_error *err);

void spec_kv_free(struct spec_kv *kv, size_t n);

/* Emitting.  json_gen_new(pretty) never fails; json_gen_finish hands out a
 * NUL-terminated copy of the document and frees the generator. */
yajl_gen json_gen_new(bool pretty);
int json_gen_finish(yajl_gen g, char **out, size_t *len, struct husk_error *err);
void json_gen_cstr(yajl_gen g, const char *s);
/* key + value; the *_opt forms skip NULL values. */
void json_gen_kstr(yajl_gen g, const char *key, const char *value);
void json_gen_kstr_opt(yajl_gen g, const char *key, const char *value);
void json_gen_kint(yajl_gen g, const char *key, long long value);
void json_gen_kuint(yajl_gen g, const char *key, uint64_t value);
void json_gen_kbool(yajl_gen g, const char *key, bool value);
void json_gen_kstrv(yajl_gen g, const char *key, const char *const *v);
void json_gen_kkv(yajl_gen g, const char *key, const struct spec_kv *kv, size_t n);

#endif
