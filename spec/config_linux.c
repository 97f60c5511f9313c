// SPDX-License-Identifier: GPL-2.0-or-later
/* config.json `linux`: everything except linux.resources (config_resources.c). */
#include "config.h"
#include "spec/config_internal.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base.h"

static void seccomp_free(struct spec_seccomp *sc)
{
	if (sc == NULL)
		return;
	free(sc->default_action);
	strv_free(sc->architectures);
	strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		struct spec_seccomp_syscall *s = &sc->syscalls[i];
		strv_free(s->names);
		free(s->action);
		for (size_t j = 0; j < s->n_args; j++)
			free(s->args[j].op);
		free(s->args);
	}
	free(sc->syscalls);
	free(sc);
}

void spec_linux_free(struct spec_linux *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++) {
		free(l->devices[i].type);
		free(l->devices[i].path);
	}
	free(l->devices);
	free(l->cgroups_path);
	spec_resources_free(l->resources);
	free(l->rootfs_propagation);
	seccomp_free(l->seccomp);
	spec_kv_free(l->sysctl, l->n_sysctl);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	if (l->personality) {
		free(l->personality->domain);
		strv_free(l->personality->flags);
		free(l->personality);
	}
	if (l->intel_rdt) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		strv_free(l->intel_rdt->schemata);
		free(l->intel_rdt);
	}
	if (l->memory_policy) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		strv_free(l->memory_policy->flags);
		free(l->memory_policy);
	}
	for (size_t i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	free(l);
}

/* ---- namespaces, time offsets, devices ---- */

static int parse_namespace(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_namespace *ns = item;
	_cleanup_free_ char *type = NULL;
	int t;

	if (spec_get_required_string(v, "type", p, &type, err) < 0 ||
	    json_get_string(v, "path", p, &ns->path, err) < 0)
		return -1;
	t = spec_ns_type_from_name(type);
	if (t < 0)
		return spec_unknown(p, "type", "namespace type", type, err);
	ns->type = (enum spec_ns_type)t;
	/* An empty path is how some tools say "create a new one". */
	if (ns->path && ns->path[0] == '\0') {
		free(ns->path);
		ns->path = NULL;
	}
	return 0;
}

static int parse_time_offset(yajl_val obj, const char *key, struct json_path *p,
			     struct spec_time_offset *off, struct husk_error *err)
{
	yajl_val v = NULL;
	size_t mark;
	int r = json_get_object(obj, key, p, &v, err);

	if (r <= 0)
		return r;
	mark = json_path_key(p, key);
	off->present = true;
	r = json_get_int64(v, "secs", p, INT64_MIN, INT64_MAX, &off->secs, err);
	if (r >= 0)
		r = json_get_uint32(v, "nanosecs", p, &off->nanosecs, err);
	if (r >= 0 && off->nanosecs >= 1000000000u) {
		json_path_key(p, "nanosecs");
		json_path_error(p, err, "%u is out of range [0, 999999999]", off->nanosecs);
		off->nanosecs = 0;
		r = spec_bad_value(p, err);
	}
	json_path_restore(p, mark);
	return r;
}

static int parse_time_offsets(yajl_val obj, struct json_path *p, struct spec_linux *l,
			      struct husk_error *err)
{
	yajl_val v = NULL;
	size_t mark;
	int r = json_get_object(obj, "timeOffsets", p, &v, err);

	if (r <= 0)
		return r;
	mark = json_path_key(p, "timeOffsets");
	r = parse_time_offset(v, "monotonic", p, &l->time_monotonic, err);
	if (r >= 0)
		r = parse_time_offset(v, "boottime", p, &l->time_boottime, err);
	json_path_restore(p, mark);
	return r;
}

static int parse_device(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_device *d = item;
	bool known;
	int r;

	if (spec_require_string(v, "type", p, &d->type, err) < 0 ||
	    spec_require_string(v, "path", p, &d->path, err) < 0 ||
	    json_get_string(v, "type", p, &d->type, err) < 0 ||
	    json_get_string(v, "path", p, &d->path, err) < 0)
		return -1;
	known = strcmp(d->type, "c") == 0 || strcmp(d->type, "b") == 0 ||
		strcmp(d->type, "u") == 0 || strcmp(d->type, "p") == 0;
	/* husk check goes on to the node's other fields */
	if (!known && spec_unknown(p, "type", "device type", d->type, err) < 0)
		return -1;
	/* Pipes have no numbers; every other node needs both (whether an
	 * unknown type needs them is anyone's guess). */
	if (known && strcmp(d->type, "p") != 0 &&
	    (spec_require_number(v, "major", p, err) < 0 ||
	     spec_require_number(v, "minor", p, err) < 0))
		return -1;
	if (json_get_int64(v, "major", p, 0, UINT32_MAX, &d->major, err) < 0 ||
	    json_get_int64(v, "minor", p, 0, UINT32_MAX, &d->minor, err) < 0)
		return -1;
	if ((r = json_get_uint32(v, "fileMode", p, &d->file_mode, err)) < 0)
		return -1;
	d->has_file_mode = r > 0;
	if ((r = json_get_uint32(v, "uid", p, &d->uid, err)) < 0)
		return -1;
	d->has_uid = r > 0;
	if ((r = json_get_uint32(v, "gid", p, &d->gid, err)) < 0)
		return -1;
	d->has_gid = r > 0;
	if (d->path[0] != '/') {
		json_path_key(p, "path");
		json_path_error(p, err, "\"%s\" is not an absolute path", d->path);
		return spec_bad_value(p, err);
	}
	return 0;
}

/* ---- seccomp ---- */

static int parse_seccomp_arg(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_seccomp_arg *a = item;

	if (spec_require_number(v, "index", p, err) < 0 ||
	    spec_require_number(v, "value", p, err) < 0 ||
	    spec_require_string(v, "op", p, &a->op, err) < 0)
		return -1;
	if (json_get_uint32(v, "index", p, &a->index, err) < 0 ||
	    json_get_uint64(v, "value", p, UINT64_MAX, &a->value, err) < 0 ||
	    json_get_uint64(v, "valueTwo", p, UINT64_MAX, &a->value_two, err) < 0 ||
	    json_get_string(v, "op", p, &a->op, err) < 0)
		return -1;
	/* seccomp_data has six syscall arguments. */
	if (a->index > 5) {
		size_t mark = json_path_key(p, "index");
		json_path_error(p, err, "%u is out of range [0, 5]", a->index);
		if (spec_bad_value(p, err) < 0)
			return -1;
		json_path_restore(p, mark);
	}
	a->op_value = spec_seccomp_op_from_name(a->op);
	if (a->op_value < 0)
		return spec_unknown(p, "op", "seccomp operator", a->op, err);
	return 0;
}

static int parse_seccomp_action(yajl_val v, const char *key, struct json_path *p, char **name,
				uint32_t *value, struct husk_error *err)
{
	int64_t a;

	if (spec_get_required_string(v, key, p, name, err) < 0)
		return -1;
	a = spec_seccomp_action_from_name(*name);
	if (a < 0)
		return spec_unknown(p, key, "seccomp action", *name, err);
	*value = (uint32_t)a;
	return 0;
}

static int parse_seccomp_syscall(yajl_val v, struct json_path *p, void *item,
				 struct husk_error *err)
{
	struct spec_seccomp_syscall *s = item;
	void *items = NULL;
	int r;

	/* husk check: missing names read as none (the problem is not said twice) */
	if ((spec_require(v, "names", p, err) < 0 && !json_path_tolerate(p, err)) ||
	    json_get_strv(v, "names", p, &s->names, err) < 0)
		return -1;
	if (s->names == NULL || s->names[0] == NULL) {
		size_t mark = json_path_key(p, "names");
		json_path_error(p, err, "must name at least one syscall");
		if (spec_bad_value(p, err) < 0)
			return -1;
		json_path_restore(p, mark);
	}
	if (parse_seccomp_action(v, "action", p, &s->action, &s->action_value, err) < 0)
		return -1;
	if ((r = json_get_uint32(v, "errnoRet", p, &s->errno_ret, err)) < 0)
		return -1;
	s->has_errno_ret = r > 0;
	r = spec_parse_object_array(v, "args", p, sizeof *s->args, parse_seccomp_arg, &items,
				    &s->n_args, err);
	s->args = items;
	return r < 0 ? -1 : 0;
}

static int check_names(char **list, const char *key, struct json_path *p, const char *what,
		       int64_t (*lookup)(const char *), struct husk_error *err)
{
	for (size_t i = 0; list && list[i]; i++) {
		if (lookup(list[i]) < 0) {
			size_t mark = json_path_key(p, key);
			int r;
			json_path_index(p, i);
			r = spec_unknown(p, NULL, what, list[i], err);
			json_path_restore(p, mark);
			if (r < 0)
				return -1;
		}
	}
	return 0;
}

static int64_t seccomp_flag_lookup(const char *s)
{
	return spec_seccomp_flag_from_name(s);
}

static int parse_seccomp_fields(yajl_val v, struct json_path *p, struct spec_seccomp *sc,
				struct husk_error *err)
{
	void *items = NULL;
	int r;

	if (parse_seccomp_action(v, "defaultAction", p, &sc->default_action,
				 &sc->default_action_value, err) < 0)
		return -1;
	if ((r = json_get_uint32(v, "defaultErrnoRet", p, &sc->default_errno_ret, err)) < 0)
		return -1;
	sc->has_default_errno_ret = r > 0;
	if (json_get_strv(v, "architectures", p, &sc->architectures, err) < 0 ||
	    check_names(sc->architectures, "architectures", p, "seccomp architecture",
			spec_seccomp_arch_from_name, err) < 0 ||
	    json_get_strv(v, "flags", p, &sc->flags, err) < 0 ||
	    check_names(sc->flags, "flags", p, "seccomp flag", seccomp_flag_lookup, err) < 0 ||
	    json_get_string(v, "listenerPath", p, &sc->listener_path, err) < 0 ||
	    json_get_string(v, "listenerMetadata", p, &sc->listener_metadata, err) < 0)
		return -1;
	r = spec_parse_object_array(v, "syscalls", p, sizeof *sc->syscalls, parse_seccomp_syscall,
				    &items, &sc->n_syscalls, err);
	sc->syscalls = items;
	return r < 0 ? -1 : 0;
}

static int parse_seccomp(yajl_val obj, struct json_path *p, struct spec_linux *l,
			 struct husk_error *err)
{
	yajl_val v = NULL;
	size_t mark;
	int r = json_get_object(obj, "seccomp", p, &v, err);

	if (r <= 0)
		return r;
	l->seccomp = xcalloc(1, sizeof *l->seccomp);
	mark = json_path_key(p, "seccomp");
	r = parse_seccomp_fields(v, p, l->seccomp, err);
	json_path_restore(p, mark);
	return r;
}

/* ---- personality, intelRdt, memoryPolicy, netDevices ---- */

static int parse_personality(yajl_val obj, struct json_path *p, struct spec_linux *l,
			     struct husk_error *err)
{
	struct spec_personality *pe;
	yajl_val v = NULL;
	size_t mark;
	size_t errors;
	int r = json_get_object(obj, "personality", p, &v, err);

	if (r <= 0)
		return r;
	pe = l->personality = xcalloc(1, sizeof *pe);
	errors = spec_errors(p);
	mark = json_path_key(p, "personality");
	r = -1;
	if (spec_get_required_string(v, "domain", p, &pe->domain, err) < 0 ||
	    json_get_strv(v, "flags", p, &pe->flags, err) < 0)
		goto out;
	if (spec_personality_domain_from_name(pe->domain) < 0 &&
	    spec_unknown(p, "domain", "personality domain", pe->domain, err) < 0)
		goto out;
	/* The spec defines no personality flags yet. */
	if (spec_unknown_names(p, "flags", pe->flags, NULL, "personality flag", err) < 0)
		goto out;
	r = 1;
	/* husk check: a personality with a bad value reads as absent */
	if (spec_errors(p) > errors) {
		free(pe->domain);
		strv_free(pe->flags);
		free(pe);
		l->personality = NULL;
	}
out:
	json_path_restore(p, mark);
	return r;
}

static int parse_intel_rdt(yajl_val obj, struct json_path *p, struct spec_linux *l,
			   struct husk_error *err)
{
	struct spec_intel_rdt *rdt;
	yajl_val v = NULL;
	size_t mark;
	int r = json_get_object(obj, "intelRdt", p, &v, err);

	if (r <= 0)
		return r;
	rdt = l->intel_rdt = xcalloc(1, sizeof *rdt);
	mark = json_path_key(p, "intelRdt");
	r = -1;
	if (json_get_string(v, "closID", p, &rdt->clos_id, err) < 0 ||
	    json_get_string(v, "l3CacheSchema", p, &rdt->l3_cache_schema, err) < 0 ||
	    json_get_string(v, "memBwSchema", p, &rdt->mem_bw_schema, err) < 0 ||
	    json_get_strv(v, "schemata", p, &rdt->schemata, err) < 0 ||
	    json_get_bool(v, "enableMonitoring", p, &rdt->enable_monitoring, err) < 0 ||
	    json_get_bool(v, "enableCMT", p, &rdt->enable_cmt, err) < 0 ||
	    json_get_bool(v, "enableMBM", p, &rdt->enable_mbm, err) < 0)
		goto out;
	/* closID names a directory under /sys/fs/resctrl. */
	if (rdt->clos_id && (rdt->clos_id[0] == '\0' || strchr(rdt->clos_id, '/') ||
			     strcmp(rdt->clos_id, ".") == 0 || strcmp(rdt->clos_id, "..") == 0)) {
		size_t m2 = json_path_key(p, "closID");
		json_path_error(p, err, "\"%s\" is not a valid resctrl group name", rdt->clos_id);
		r = spec_bad_value(p, err);
		json_path_restore(p, m2);
		if (r < 0)
			goto out;
		/* husk check: a group that cannot be named reads as absent */
		free(rdt->clos_id);
		rdt->clos_id = NULL;
	}
	r = 1;
out:
	json_path_restore(p, mark);
	return r;
}

static int parse_memory_policy(yajl_val obj, struct json_path *p, struct spec_linux *l,
			       struct husk_error *err)
{
	struct spec_memory_policy *mp;
	yajl_val v = NULL;
	size_t mark;
	size_t errors;
	int r = json_get_object(obj, "memoryPolicy", p, &v, err);

	if (r <= 0)
		return r;
	mp = l->memory_policy = xcalloc(1, sizeof *mp);
	errors = spec_errors(p);
	mark = json_path_key(p, "memoryPolicy");
	r = -1;
	if (spec_get_required_string(v, "mode", p, &mp->mode, err) < 0 ||
	    json_get_string(v, "nodes", p, &mp->nodes, err) < 0 ||
	    json_get_strv(v, "flags", p, &mp->flags, err) < 0)
		goto out;
	mp->mode_value = spec_mempolicy_mode_from_name(mp->mode);
	if (mp->mode_value < 0 && spec_unknown(p, "mode", "memory policy mode", mp->mode, err) < 0)
		goto out;
	if (spec_unknown_names(p, "flags", mp->flags, spec_mempolicy_flag_from_name,
			       "memory policy flag", err) < 0)
		goto out;
	r = 1;
	/* husk check: a memory policy with a bad value reads as absent */
	if (spec_errors(p) > errors) {
		free(mp->mode);
		free(mp->nodes);
		strv_free(mp->flags);
		free(mp);
		l->memory_policy = NULL;
	}
out:
	json_path_restore(p, mark);
	return r;
}

/* An interface name the kernel accepts: 1..15 bytes, no '/', ':' or space. */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (const char *c = s; *c; c++)
		if (*c == '/' || *c == ':' || *c == ' ' || *c == '\t' || *c == '\n')
			return false;
	return true;
}

static int parse_net_devices(yajl_val obj, struct json_path *p, struct spec_linux *l,
			     struct husk_error *err)
{
	yajl_val v = NULL;
	size_t mark, n;
	int r = json_get_object(obj, "netDevices", p, &v, err);

	if (r <= 0)
		return r;
	n = v->u.object.len;
	l->net_devices = xcalloc(n ? n : 1, sizeof *l->net_devices);
	mark = json_path_key(p, "netDevices");
	r = 1;
	for (size_t i = 0; i < n && r > 0; i++) {
		struct spec_net_device *d = &l->net_devices[l->n_net_devices++];
		yajl_val dv = v->u.object.values[i];
		size_t at = json_path_key(p, v->u.object.keys[i]);

		d->host_name = xstrdup(v->u.object.keys[i]);
		if (!valid_ifname(d->host_name)) {
			json_path_error(p, err, "\"%s\" is not a valid interface name",
					d->host_name);
			r = spec_bad_value(p, err) < 0 ? -1 : 1;
		} else if (YAJL_IS_NULL(dv))
			; /* {"eth1": null}: move it, keep its name */
		else if (json_val_object(dv, p, err) < 0 ||
			 json_get_string(dv, "name", p, &d->name, err) < 0)
			r = -1;
		else if (d->name && !valid_ifname(d->name)) {
			json_path_key(p, "name");
			json_path_error(p, err, "\"%s\" is not a valid interface name", d->name);
			r = spec_bad_value(p, err) < 0 ? -1 : 1;
		}
		json_path_restore(p, at);
	}
	json_path_restore(p, mark);
	return r;
}

/* ---- linux ---- */

static int parse_namespaces(yajl_val v, struct json_path *p, struct spec_linux *l,
			    struct husk_error *err)
{
	void *items = NULL;
	int r = spec_parse_object_array(v, "namespaces", p, sizeof *l->namespaces, parse_namespace,
					&items, &l->n_namespaces, err);

	l->namespaces = items;
	return r;
}

static int parse_devices(yajl_val v, struct json_path *p, struct spec_linux *l,
			 struct husk_error *err)
{
	void *items = NULL;
	int r = spec_parse_object_array(v, "devices", p, sizeof *l->devices, parse_device, &items,
					&l->n_devices, err);

	l->devices = items;
	return r;
}

static int parse_resources(yajl_val v, struct json_path *p, struct spec_linux *l,
			   struct husk_error *err)
{
	yajl_val res = NULL;
	int r = json_get_object(v, "resources", p, &res, err);

	if (r <= 0)
		return r;
	json_path_key(p, "resources");
	return spec_parse_resources_obj(res, p, &l->resources, err);
}

static int parse_rootfs_propagation(yajl_val v, struct json_path *p, struct spec_linux *l,
				    struct husk_error *err)
{
	static const char *const ok[] = {"shared",  "slave",  "private",  "unbindable",
					 "rshared", "rslave", "rprivate", "runbindable"};
	bool known = false;

	if (json_get_string(v, "rootfsPropagation", p, &l->rootfs_propagation, err) < 0)
		return -1;
	if (l->rootfs_propagation == NULL)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		known |= strcmp(ok[i], l->rootfs_propagation) == 0;
	if (!known) {
		if (spec_unknown(p, "rootfsPropagation", "rootfs propagation",
				 l->rootfs_propagation, err) < 0)
			return -1;
		/* husk check: read as absent */
		free(l->rootfs_propagation);
		l->rootfs_propagation = NULL;
	}
	return 0;
}

/* Each member of linux on its own, so that with a report (husk check) one
 * malformed member does not hide the next. */
static int parse_linux_fields(yajl_val v, struct json_path *p, struct spec_sections *s,
			      struct spec_linux *l, struct husk_error *err)
{
	size_t m = p->len;

	if (spec_section(s, p, m, parse_namespaces(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m,
			 spec_parse_id_mappings(v, "uidMappings", p, &l->uid_mappings,
						&l->n_uid_mappings, err),
			 err) < 0 ||
	    spec_section(s, p, m,
			 spec_parse_id_mappings(v, "gidMappings", p, &l->gid_mappings,
						&l->n_gid_mappings, err),
			 err) < 0 ||
	    spec_section(s, p, m, parse_time_offsets(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m, parse_devices(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m, json_get_string(v, "cgroupsPath", p, &l->cgroups_path, err),
			 err) < 0 ||
	    spec_section(s, p, m, parse_resources(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m, parse_rootfs_propagation(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m, parse_seccomp(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m, json_get_kv(v, "sysctl", p, &l->sysctl, &l->n_sysctl, err), err) <
		0 ||
	    spec_section(s, p, m, json_get_strv(v, "maskedPaths", p, &l->masked_paths, err), err) <
		0 ||
	    spec_section(s, p, m, json_get_strv(v, "readonlyPaths", p, &l->readonly_paths, err),
			 err) < 0 ||
	    spec_section(s, p, m, json_get_string(v, "mountLabel", p, &l->mount_label, err), err) <
		0 ||
	    spec_section(s, p, m, parse_personality(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m, parse_intel_rdt(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m, parse_memory_policy(v, p, l, err), err) < 0 ||
	    spec_section(s, p, m, parse_net_devices(v, p, l, err), err) < 0)
		return -1;
	return 0;
}

int spec_parse_linux_obj(yajl_val v, struct json_path *p, struct spec_sections *s,
			 struct spec_linux **out, struct husk_error *err)
{
	struct spec_linux *l;

	if (json_val_object(v, p, err) < 0)
		return -1;
	l = xcalloc(1, sizeof *l);
	if (parse_linux_fields(v, p, s, l, err) < 0) {
		spec_linux_free(l);
		return -1;
	}
	*out = l;
	return 0;
}
