/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the config.json parser files and the validator. */
#ifndef HUSK_SPEC_CONFIG_INTERNAL_H
#define HUSK_SPEC_CONFIG_INTERNAL_H

#include "spec/oci_config.h"
#include "spec/json.h"
#include "spec/names.h"

/* "<path>.<key>: required but missing" when obj has no such member. */
int spec_require(yajl_val obj, const char *key, const struct json_path *p, struct husk_error *err);
/* obj[key], a number that must be there: as spec_require; with a report
 * (husk check) a missing one is a problem and reads as 0, so the rest of
 * the object is still read. */
int spec_require_number(yajl_val obj, const char *key, const struct json_path *p,
			struct husk_error *err);
/* obj[key], a string that must be there: as spec_require; with a report a
 * missing one is a problem and *out is "", so the object is read on (for
 * a group of requires before the reads, which keeps create's order). */
int spec_require_string(yajl_val obj, const char *key, const struct json_path *p, char **out,
			struct husk_error *err);
/* obj[key], a string that must be there: as spec_require then
 * json_get_string; with a report (husk check) a missing one is a problem
 * and reads as "", so the object's other members are still read. */
int spec_get_required_string(yajl_val obj, const char *key, struct json_path *p, char **out,
			     struct husk_error *err);
/* "<path>.<key>: unknown <what> \"<value>\"": -1, or with a report (husk
 * check) a problem there and 0, so the parse goes on (spec_bad_value). */
int spec_unknown(struct json_path *p, const char *key, const char *what, const char *value,
		 struct husk_error *err);
/* Each name of the list obj[key] (already read into names) that known()
 * does not know (every name when known is NULL) is spec_unknown at
 * <key>[i]: -1 at the first for create, 0 with a report. */
int spec_unknown_names(struct json_path *p, const char *key, char **names,
		       int (*known)(const char *), const char *what, struct husk_error *err);
/* After a bad value was put in err: -1 for create; with a report the
 * problem is added and 0, the caller reading the value as absent. */
int spec_bad_value(const struct json_path *p, struct husk_error *err);
/* How many errors husk check's report holds (0 without one): an object
 * whose count grew while it was read had a bad value and reads as absent. */
size_t spec_errors(const struct json_path *p);

/* Parse each element of the array obj[key] (which must hold objects) into
 * an array of zeroed items of `size` bytes.  *items and *n are set even on
 * failure so the caller's free function releases partial results. */
typedef int (*spec_elem_fn)(yajl_val v, struct json_path *p, void *item, struct husk_error *err);
int spec_parse_object_array(yajl_val obj, const char *key, struct json_path *p, size_t size,
			    spec_elem_fn fn, void **items, size_t *n, struct husk_error *err);

int spec_parse_id_mappings(yajl_val obj, const char *key, struct json_path *p,
			   struct spec_id_mapping **out, size_t *n, struct husk_error *err);

struct check_report;
/* Where a malformed section of config.json goes.  create passes none: the
 * first error stops the parse.  `husk check` passes a report: each
 * malformed section (root, mounts, process, hooks, linux.namespaces,
 * linux.resources, ...) becomes one problem and the parse goes on with the
 * next section, so every one is listed; `failed` says the model is
 * incomplete. */
struct spec_sections {
	struct check_report *report;
	bool failed;
};
/* After parsing one section with result r (p was at mark before it): puts
 * p back at mark; r when r >= 0; with a report, the error added to it and
 * 0 (the section counts as absent); else -1. */
int spec_section(struct spec_sections *s, struct json_path *p, size_t mark, int r,
		 struct husk_error *err);

int spec_parse_process_obj(yajl_val v, struct json_path *p, struct spec_process **out,
			   struct husk_error *err);
int spec_parse_linux_obj(yajl_val v, struct json_path *p, struct spec_sections *s,
			 struct spec_linux **out, struct husk_error *err);
int spec_parse_resources_obj(yajl_val v, struct json_path *p, struct spec_resources **out,
			     struct husk_error *err);
void spec_linux_free(struct spec_linux *l);

/* Every cross-field rule config.json breaks, added to r (spec/check.h). */
void spec_check_config(const struct spec_config *cfg, struct check_report *r);
/* Cross-field rules; `prefix` is the JSON path of the checked object
 * ("process" inside config.json, "" for a bare document). */
int spec_validate_config(const struct spec_config *cfg, struct husk_error *err);
int spec_validate_process(const struct spec_process *p, const char *prefix, struct husk_error *err);
int spec_validate_resources(const struct spec_resources *r, const char *prefix,
			    struct husk_error *err);

#endif
