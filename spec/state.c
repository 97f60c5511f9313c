// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state document: the OCI fields (plus runc's rootfs/created/owner) for
 * `husk state` and hooks, the same plus a "husk" object in the state file.
 */
#include "config.h"
#include "spec/state.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base.h"
#include "spec/config_internal.h"

#define SPEC_OCI_VERSION "1.3.0"

static const char *const status_names[] = {"creating", "created", "running", "stopped", "paused"};

static bool known_status(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (strcmp(status_names[i], s) == 0)
			return true;
	return false;
}

static void emit_cgroup_owned(yajl_gen g, const struct spec_state *st)
{
	json_gen_cstr(g, "cgroup_owned");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < st->n_cgroup_owned; i++)
		json_gen_kuint(g, st->cgroup_owned[i].hierarchy, st->cgroup_owned[i].depth);
	yajl_gen_map_close(g);
}

int spec_state_emit(const struct spec_state *st, enum spec_state_format fmt, char **out,
		    size_t *len, struct husk_error *err)
{
	yajl_gen g;

	if (st->id == NULL || st->status == NULL)
		return husk_error_set(err, EINVAL, "state: id and status are required");
	/* People read `husk state`; husk reads the stored file. */
	g = json_gen_new(fmt == SPEC_STATE_PUBLIC);
	yajl_gen_map_open(g);
	json_gen_kstr(g, "ociVersion", st->oci_version ? st->oci_version : SPEC_OCI_VERSION);
	json_gen_kstr(g, "id", st->id);
	json_gen_kint(g, "pid", st->pid);
	json_gen_kstr(g, "status", st->status);
	json_gen_kstr_opt(g, "bundle", st->bundle);
	json_gen_kstr_opt(g, "rootfs", st->rootfs);
	json_gen_kstr_opt(g, "created", st->created);
	json_gen_kstr_opt(g, "owner", st->owner);
	if (st->n_annotations)
		json_gen_kkv(g, "annotations", st->annotations, st->n_annotations);
	if (fmt == SPEC_STATE_STORED) {
		json_gen_cstr(g, "husk");
		yajl_gen_map_open(g);
		json_gen_kuint(g, "start_time", st->start_time);
		json_gen_kstr_opt(g, "cgroup_path", st->cgroup_path);
		json_gen_kbool(g, "systemd_cgroup", st->systemd_cgroup);
		json_gen_kstr_opt(g, "systemd_unit", st->systemd_unit);
		json_gen_kuint(g, "cgroup_owned_depth", st->cgroup_owned_depth);
		if (st->has_cgroup_owned)
			emit_cgroup_owned(g, st);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
	return json_gen_finish(g, out, len, err);
}

void spec_state_free(struct spec_state *st)
{
	if (st == NULL)
		return;
	free(st->oci_version);
	free(st->id);
	free(st->status);
	free(st->bundle);
	spec_kv_free(st->annotations, st->n_annotations);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	free(st->cgroup_path);
	free(st->systemd_unit);
	spec_cgroup_owned_free(st->cgroup_owned, st->n_cgroup_owned);
	free(st);
}

void spec_cgroup_owned_free(struct spec_cgroup_owned *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(o[i].hierarchy);
	free(o);
}

/* husk.cgroup_owned: hierarchy -> depth. */
static int parse_cgroup_owned(yajl_val h, struct json_path *p, struct spec_state *st,
			      struct husk_error *err)
{
	yajl_val o = NULL;
	size_t mark;
	int r = json_get_object(h, "cgroup_owned", p, &o, err);

	if (r <= 0)
		return r;
	mark = json_path_key(p, "cgroup_owned");
	st->has_cgroup_owned = true;
	st->cgroup_owned = xcalloc(o->u.object.len + 1, sizeof *st->cgroup_owned);
	for (size_t i = 0; i < o->u.object.len; i++) {
		struct spec_cgroup_owned *e = &st->cgroup_owned[st->n_cgroup_owned];
		if (json_get_uint32(o, o->u.object.keys[i], p, &e->depth, err) < 0) {
			json_path_restore(p, mark);
			return -1;
		}
		e->hierarchy = xstrdup(o->u.object.keys[i]);
		st->n_cgroup_owned++;
	}
	json_path_restore(p, mark);
	return 1;
}

static int parse_husk_object(yajl_val doc, struct json_path *p, struct spec_state *st,
			     struct husk_error *err)
{
	yajl_val h = NULL;
	size_t mark;
	int r = json_get_object(doc, "husk", p, &h, err);

	if (r <= 0)
		return r;
	mark = json_path_key(p, "husk");
	if (json_get_uint64(h, "start_time", p, UINT64_MAX, &st->start_time, err) < 0 ||
	    json_get_string(h, "cgroup_path", p, &st->cgroup_path, err) < 0 ||
	    json_get_bool(h, "systemd_cgroup", p, &st->systemd_cgroup, err) < 0 ||
	    json_get_string(h, "systemd_unit", p, &st->systemd_unit, err) < 0 ||
	    json_get_uint32(h, "cgroup_owned_depth", p, &st->cgroup_owned_depth, err) < 0 ||
	    parse_cgroup_owned(h, p, st, err) < 0)
		r = -1;
	json_path_restore(p, mark);
	return r;
}

static int parse_state_doc(yajl_val doc, struct spec_state *st, struct husk_error *err)
{
	struct json_path p;
	int64_t pid = 0;

	json_path_init(&p, NULL);
	if (json_val_object(doc, &p, err) < 0)
		return -1;
	if (spec_require(doc, "ociVersion", &p, err) < 0 || spec_require(doc, "id", &p, err) < 0 ||
	    spec_require(doc, "status", &p, err) < 0)
		return -1;
	if (json_get_string(doc, "ociVersion", &p, &st->oci_version, err) < 0 ||
	    json_get_string(doc, "id", &p, &st->id, err) < 0 ||
	    json_get_string(doc, "status", &p, &st->status, err) < 0 ||
	    json_get_int64(doc, "pid", &p, 0, INT_MAX, &pid, err) < 0 ||
	    json_get_string(doc, "bundle", &p, &st->bundle, err) < 0 ||
	    json_get_kv(doc, "annotations", &p, &st->annotations, &st->n_annotations, err) < 0 ||
	    json_get_string(doc, "rootfs", &p, &st->rootfs, err) < 0 ||
	    json_get_string(doc, "created", &p, &st->created, err) < 0 ||
	    json_get_string(doc, "owner", &p, &st->owner, err) < 0 ||
	    parse_husk_object(doc, &p, st, err) < 0)
		return -1;
	st->pid = (pid_t)pid;
	if (!known_status(st->status)) {
		json_path_key(&p, "status");
		return json_path_error(&p, err, "unknown container status \"%s\"", st->status);
	}
	return 0;
}

int spec_state_parse(const char *json, size_t len, struct spec_state **out, struct husk_error *err)
{
	struct spec_state *st;
	yajl_val doc = NULL;
	int r;

	if (json_parse(json, len, &doc, err) < 0)
		return -1;
	st = xcalloc(1, sizeof *st);
	r = parse_state_doc(doc, st, err);
	yajl_tree_free(doc);
	if (r < 0) {
		spec_state_free(st);
		return -1;
	}
	*out = st;
	return 0;
}
