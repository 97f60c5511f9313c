// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config.json: the top level, root, mounts, process and hooks.  The linux
 * object is in config_linux.c, linux.resources in config_resources.c, the
 * rules that span several fields in validate.c.
 */
#include "config.h"
#include "spec/check.h"
#include "spec/config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base.h"

/* config.json is small; anything near this is not a config. */
#define CONFIG_MAX_SIZE (16u << 20)

/* ---- helpers shared by the parser files ---- */

int spec_require(yajl_val obj, const char *key, const struct json_path *p, struct husk_error *err)
{
	struct json_path at = *p;

	if (json_member(obj, key))
		return 0;
	json_path_key(&at, key);
	return json_path_error(&at, err, "required but missing");
}

int spec_require_number(yajl_val obj, const char *key, const struct json_path *p,
			struct husk_error *err)
{
	if (spec_require(obj, key, p, err) < 0)
		return json_path_tolerate(p, err) ? 0 : -1;
	return 0;
}

int spec_require_string(yajl_val obj, const char *key, const struct json_path *p, char **out,
			struct husk_error *err)
{
	if (spec_require(obj, key, p, err) < 0) {
		if (!json_path_tolerate(p, err))
			return -1;
		free(*out);
		*out = xstrdup("");
		return 1;
	}
	return 0;
}

int spec_get_required_string(yajl_val obj, const char *key, struct json_path *p, char **out,
			     struct husk_error *err)
{
	int r = spec_require_string(obj, key, p, out, err);

	if (r != 0)
		return r < 0 ? -1 : 0;
	return json_get_string(obj, key, p, out, err) < 0 ? -1 : 0;
}

int spec_unknown(struct json_path *p, const char *key, const char *what, const char *value,
		 struct husk_error *err)
{
	size_t mark = key ? json_path_key(p, key) : p->len;
	int r;

	json_path_error(p, err, "unknown %s \"%s\"", what, value);
	r = spec_bad_value(p, err);
	json_path_restore(p, mark);
	return r;
}

int spec_unknown_names(struct json_path *p, const char *key, char **names,
		       int (*known)(const char *), const char *what, struct husk_error *err)
{
	for (size_t i = 0; names && names[i]; i++) {
		if (known && known(names[i]) >= 0)
			continue;
		size_t mark = json_path_key(p, key);
		json_path_index(p, i);
		int r = spec_unknown(p, NULL, what, names[i], err);
		json_path_restore(p, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

int spec_bad_value(const struct json_path *p, struct husk_error *err)
{
	return json_path_tolerate(p, err) ? 0 : -1;
}

size_t spec_errors(const struct json_path *p)
{
	return p->report ? p->report->n_errors : 0;
}

int spec_parse_object_array(yajl_val obj, const char *key, struct json_path *p, size_t size,
			    spec_elem_fn fn, void **items, size_t *n, struct husk_error *err)
{
	yajl_val arr = NULL;
	size_t mark, len;
	char *buf;
	int r = json_get_array(obj, key, p, &arr, err);

	if (r <= 0)
		return r;
	len = arr->u.array.len;
	buf = xcalloc(len ? len : 1, size);
	*items = buf;
	*n = len;
	mark = json_path_key(p, key);
	for (size_t i = 0; i < len; i++) {
		yajl_val v = arr->u.array.values[i];
		size_t at = json_path_index(p, i);
		/* husk check goes on with the next element */
		if ((json_val_object(v, p, err) < 0 || fn(v, p, buf + i * size, err) < 0) &&
		    !json_path_tolerate(p, err)) {
			json_path_restore(p, mark);
			return -1;
		}
		json_path_restore(p, at);
	}
	json_path_restore(p, mark);
	return 1;
}

static int parse_id_mapping(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_id_mapping *m = item;

	if (spec_require_number(v, "containerID", p, err) < 0 ||
	    spec_require_number(v, "hostID", p, err) < 0 ||
	    spec_require_number(v, "size", p, err) < 0)
		return -1;
	if (json_get_uint32(v, "containerID", p, &m->container_id, err) < 0 ||
	    json_get_uint32(v, "hostID", p, &m->host_id, err) < 0 ||
	    json_get_uint32(v, "size", p, &m->size, err) < 0)
		return -1;
	return 0;
}

int spec_parse_id_mappings(yajl_val obj, const char *key, struct json_path *p,
			   struct spec_id_mapping **out, size_t *n, struct husk_error *err)
{
	void *items = NULL;
	size_t count = 0;
	int r = spec_parse_object_array(obj, key, p, sizeof **out, parse_id_mapping, &items, &count,
					err);
	if (items) {
		free(*out);
		*out = items;
		*n = count;
	}
	return r;
}

/* ---- freeing ---- */

static void hook_list_free(struct spec_hook_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].path);
		strv_free(l->items[i].args);
		strv_free(l->items[i].env);
	}
	free(l->items);
}

static void hooks_free(struct spec_hooks *h)
{
	if (h == NULL)
		return;
	hook_list_free(&h->prestart);
	hook_list_free(&h->create_runtime);
	hook_list_free(&h->create_container);
	hook_list_free(&h->start_container);
	hook_list_free(&h->poststart);
	hook_list_free(&h->poststop);
	free(h);
}

void spec_process_free(struct spec_process *p)
{
	if (p == NULL)
		return;
	free(p->cwd);
	strv_free(p->env);
	strv_free(p->args);
	free(p->command_line);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	if (p->capabilities) {
		strv_free(p->capabilities->bounding);
		strv_free(p->capabilities->effective);
		strv_free(p->capabilities->inheritable);
		strv_free(p->capabilities->permitted);
		strv_free(p->capabilities->ambient);
		free(p->capabilities);
	}
	if (p->scheduler) {
		free(p->scheduler->policy);
		strv_free(p->scheduler->flags);
		free(p->scheduler);
	}
	free(p->selinux_label);
	if (p->io_priority) {
		free(p->io_priority->class_name);
		free(p->io_priority);
	}
	if (p->exec_cpu_affinity) {
		free(p->exec_cpu_affinity->initial);
		free(p->exec_cpu_affinity->final);
		free(p->exec_cpu_affinity);
	}
	free(p->user.additional_gids);
	free(p->user.username);
	free(p);
}

void spec_config_free(struct spec_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->oci_version);
	if (cfg->root) {
		free(cfg->root->path);
		free(cfg->root);
	}
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct spec_mount *m = &cfg->mounts[i];
		free(m->destination);
		free(m->source);
		free(m->type);
		strv_free(m->options);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(cfg->mounts);
	spec_process_free(cfg->process);
	free(cfg->hostname);
	free(cfg->domainname);
	hooks_free(cfg->hooks);
	spec_kv_free(cfg->annotations, cfg->n_annotations);
	spec_linux_free(cfg->linux);
	free(cfg);
}

/* ---- root and mounts ---- */

static int parse_root(yajl_val doc, struct json_path *p, struct spec_config *cfg,
		      struct husk_error *err)
{
	yajl_val v = NULL;
	size_t mark;
	int r;

	if (spec_require(doc, "root", p, err) < 0)
		return -1;
	/* 0: husk check read a bad root as absent */
	r = json_get_object(doc, "root", p, &v, err);
	if (r <= 0)
		return r;
	cfg->root = xcalloc(1, sizeof *cfg->root);
	mark = json_path_key(p, "root");
	r = spec_get_required_string(v, "path", p, &cfg->root->path, err);
	if (r == 0 && json_get_bool(v, "readonly", p, &cfg->root->readonly, err) < 0)
		r = -1;
	if (r == 0 && cfg->root->path[0] == '\0') {
		json_path_key(p, "path");
		json_path_error(p, err, "must not be empty");
		r = spec_bad_value(p, err);
	}
	json_path_restore(p, mark);
	return r;
}

static int parse_mount(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_mount *m = item;

	if (spec_get_required_string(v, "destination", p, &m->destination, err) < 0 ||
	    json_get_string(v, "source", p, &m->source, err) < 0 ||
	    json_get_string(v, "type", p, &m->type, err) < 0 ||
	    json_get_strv(v, "options", p, &m->options, err) < 0 ||
	    spec_parse_id_mappings(v, "uidMappings", p, &m->uid_mappings, &m->n_uid_mappings, err) <
		0 ||
	    spec_parse_id_mappings(v, "gidMappings", p, &m->gid_mappings, &m->n_gid_mappings, err) <
		0)
		return -1;
	if (m->destination[0] == '\0') {
		json_path_key(p, "destination");
		json_path_error(p, err, "must not be empty");
		return spec_bad_value(p, err);
	}
	/* The spec keeps relative destinations for old tools, meaning "under /";
	 * make that explicit so nobody downstream has to remember it. */
	if (m->destination[0] != '/') {
		char *abs = xasprintf("/%s", m->destination);
		free(m->destination);
		m->destination = abs;
	}
	return 0;
}

static int parse_mounts(yajl_val doc, struct json_path *p, struct spec_config *cfg,
			struct husk_error *err)
{
	void *items = NULL;
	int r = spec_parse_object_array(doc, "mounts", p, sizeof *cfg->mounts, parse_mount, &items,
					&cfg->n_mounts, err);
	cfg->mounts = items;
	return r;
}

/* ---- process ---- */

static int parse_rlimit(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_rlimit *rl = item;

	if (spec_require_string(v, "type", p, &rl->type, err) < 0 ||
	    spec_require_number(v, "soft", p, err) < 0 ||
	    spec_require_number(v, "hard", p, err) < 0)
		return -1;
	if (json_get_string(v, "type", p, &rl->type, err) < 0 ||
	    json_get_uint64(v, "soft", p, UINT64_MAX, &rl->soft, err) < 0 ||
	    json_get_uint64(v, "hard", p, UINT64_MAX, &rl->hard, err) < 0)
		return -1;
	rl->resource = spec_rlimit_from_name(rl->type);
	if (rl->resource < 0)
		return spec_unknown(p, "type", "rlimit type", rl->type, err);
	return 0;
}

static int parse_capabilities(yajl_val obj, struct json_path *p, struct spec_process *proc,
			      struct husk_error *err)
{
	static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted",
					   "ambient"};
	yajl_val v = NULL;
	int r = json_get_object(obj, "capabilities", p, &v, err);
	size_t mark;

	if (r <= 0)
		return r;
	proc->capabilities = xcalloc(1, sizeof *proc->capabilities);
	char ***dest[] = {
	    &proc->capabilities->bounding,    &proc->capabilities->effective,
	    &proc->capabilities->inheritable, &proc->capabilities->permitted,
	    &proc->capabilities->ambient,
	};
	mark = json_path_key(p, "capabilities");
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		char ***set = dest[i];
		if (json_get_strv(v, sets[i], p, set, err) < 0)
			goto fail;
		/* Names the kernel may add later are kept (capabilities.c warns
		 * and skips them); anything else is a mistake in the file. */
		for (size_t j = 0; *set && (*set)[j]; j++) {
			if (!str_has_prefix((*set)[j], "CAP_")) {
				size_t m2 = json_path_key(p, sets[i]);
				json_path_index(p, j);
				json_path_error(p, err, "unknown capability \"%s\"", (*set)[j]);
				r = spec_bad_value(p, err);
				json_path_restore(p, m2);
				if (r < 0)
					goto fail;
			}
		}
	}
	json_path_restore(p, mark);
	return 1;
fail:
	json_path_restore(p, mark);
	return -1;
}

static int parse_scheduler(yajl_val obj, struct json_path *p, struct spec_process *proc,
			   struct husk_error *err)
{
	yajl_val v = NULL;
	struct spec_scheduler *s;
	size_t mark;
	size_t errors;
	int r = json_get_object(obj, "scheduler", p, &v, err);

	if (r <= 0)
		return r;
	s = proc->scheduler = xcalloc(1, sizeof *s);
	errors = spec_errors(p);
	mark = json_path_key(p, "scheduler");
	r = -1;
	if (spec_get_required_string(v, "policy", p, &s->policy, err) < 0 ||
	    json_get_int32(v, "nice", p, &s->nice, err) < 0 ||
	    json_get_int32(v, "priority", p, &s->priority, err) < 0 ||
	    json_get_strv(v, "flags", p, &s->flags, err) < 0 ||
	    json_get_uint64(v, "runtime", p, UINT64_MAX, &s->runtime, err) < 0 ||
	    json_get_uint64(v, "deadline", p, UINT64_MAX, &s->deadline, err) < 0 ||
	    json_get_uint64(v, "period", p, UINT64_MAX, &s->period, err) < 0)
		goto out;
	s->policy_value = spec_sched_policy_from_name(s->policy);
	if (s->policy_value < 0 &&
	    spec_unknown(p, "policy", "scheduler policy", s->policy, err) < 0)
		goto out;
	if (spec_unknown_names(p, "flags", s->flags, spec_sched_flag_from_name, "scheduler flag",
			       err) < 0)
		goto out;
	r = 1;
	/* husk check: a scheduler with a bad value is not one to check */
	if (spec_errors(p) > errors) {
		free(s->policy);
		strv_free(s->flags);
		free(s);
		proc->scheduler = NULL;
	}
out:
	json_path_restore(p, mark);
	return r;
}

static int parse_io_priority(yajl_val obj, struct json_path *p, struct spec_process *proc,
			     struct husk_error *err)
{
	yajl_val v = NULL;
	struct spec_io_priority *io;
	size_t mark;
	size_t errors;
	int r = json_get_object(obj, "ioPriority", p, &v, err);

	if (r <= 0)
		return r;
	io = proc->io_priority = xcalloc(1, sizeof *io);
	errors = spec_errors(p);
	mark = json_path_key(p, "ioPriority");
	r = -1;
	if (spec_get_required_string(v, "class", p, &io->class_name, err) < 0 ||
	    json_get_int32(v, "priority", p, &io->priority, err) < 0)
		goto out;
	io->class_value = spec_ioprio_class_from_name(io->class_name);
	if (io->class_value < 0 &&
	    spec_unknown(p, "class", "I/O priority class", io->class_name, err) < 0)
		goto out;
	if (io->priority < 0 || io->priority > 7) {
		size_t m2 = json_path_key(p, "priority");
		json_path_error(p, err, "%d is out of range [0, 7]", io->priority);
		r = spec_bad_value(p, err);
		json_path_restore(p, m2);
		if (r < 0)
			goto out;
	}
	r = 1;
	/* husk check: an I/O priority with a bad value reads as absent */
	if (spec_errors(p) > errors) {
		free(io->class_name);
		free(io);
		proc->io_priority = NULL;
	}
out:
	json_path_restore(p, mark);
	return r;
}

static int parse_user(yajl_val obj, struct json_path *p, struct spec_user *u,
		      struct husk_error *err)
{
	yajl_val v = NULL, gids = NULL;
	size_t mark;
	int r = json_get_object(obj, "user", p, &v, err);

	if (r <= 0)
		return r;
	mark = json_path_key(p, "user");
	r = -1;
	if (json_get_uint32(v, "uid", p, &u->uid, err) < 0 ||
	    json_get_uint32(v, "gid", p, &u->gid, err) < 0 ||
	    json_get_string(v, "username", p, &u->username, err) < 0)
		goto out;
	switch (json_get_uint32(v, "umask", p, &u->umask, err)) {
	case -1:
		goto out;
	case 1:
		u->has_umask = true;
		if (u->umask > 0777) {
			size_t m2 = json_path_key(p, "umask");
			json_path_error(p, err, "%#o is not a file mode creation mask", u->umask);
			u->has_umask = false;
			int bad = spec_bad_value(p, err);
			json_path_restore(p, m2);
			if (bad < 0)
				goto out;
		}
	}
	if (json_get_array(v, "additionalGids", p, &gids, err) < 0)
		goto out;
	if (gids) {
		size_t n = gids->u.array.len;
		u->additional_gids = xcalloc(n ? n : 1, sizeof *u->additional_gids);
		u->n_additional_gids = n;
		json_path_key(p, "additionalGids");
		for (size_t i = 0; i < n; i++) {
			uint64_t g;
			size_t at = json_path_index(p, i);
			g = 0;
			/* husk check: each bad gid is a problem at its index */
			if (json_val_uint64(gids->u.array.values[i], p, UINT32_MAX, &g, err) < 0 &&
			    !json_path_tolerate(p, err))
				goto out;
			u->additional_gids[i] = (uint32_t)g;
			json_path_restore(p, at);
		}
	}
	r = 1;
out:
	json_path_restore(p, mark);
	return r;
}

static int parse_process_fields(yajl_val v, struct json_path *p, struct spec_process *proc,
				struct husk_error *err)
{
	yajl_val obj = NULL;
	void *items = NULL;
	int r;

	if (json_get_bool(v, "terminal", p, &proc->terminal, err) < 0)
		return -1;
	r = json_get_object(v, "consoleSize", p, &obj, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		size_t mark = json_path_key(p, "consoleSize");
		r = spec_require_number(obj, "height", p, err);
		if (r == 0)
			r = spec_require_number(obj, "width", p, err);
		if (r == 0 && (json_get_uint32(obj, "height", p, &proc->console_height, err) < 0 ||
			       json_get_uint32(obj, "width", p, &proc->console_width, err) < 0))
			r = -1;
		json_path_restore(p, mark);
		if (r < 0)
			return -1;
		proc->has_console_size = true;
	}
	if (spec_get_required_string(v, "cwd", p, &proc->cwd, err) < 0 ||
	    json_get_strv(v, "env", p, &proc->env, err) < 0 ||
	    json_get_strv(v, "args", p, &proc->args, err) < 0 ||
	    json_get_string(v, "commandLine", p, &proc->command_line, err) < 0)
		return -1;
	r = spec_parse_object_array(v, "rlimits", p, sizeof *proc->rlimits, parse_rlimit, &items,
				    &proc->n_rlimits, err);
	proc->rlimits = items;
	if (r < 0)
		return -1;
	if (json_get_string(v, "apparmorProfile", p, &proc->apparmor_profile, err) < 0 ||
	    parse_capabilities(v, p, proc, err) < 0 ||
	    json_get_bool(v, "noNewPrivileges", p, &proc->no_new_privileges, err) < 0)
		return -1;
	int64_t adj = 0;
	r = json_get_int64(v, "oomScoreAdj", p, -1000, 1000, &adj, err);
	if (r < 0)
		return -1;
	proc->has_oom_score_adj = r > 0;
	proc->oom_score_adj = (int32_t)adj;
	if (parse_scheduler(v, p, proc, err) < 0 ||
	    json_get_string(v, "selinuxLabel", p, &proc->selinux_label, err) < 0 ||
	    parse_io_priority(v, p, proc, err) < 0 || parse_user(v, p, &proc->user, err) < 0)
		return -1;
	r = json_get_object(v, "execCPUAffinity", p, &obj, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		size_t mark = json_path_key(p, "execCPUAffinity");
		proc->exec_cpu_affinity = xcalloc(1, sizeof *proc->exec_cpu_affinity);
		r = json_get_string(obj, "initial", p, &proc->exec_cpu_affinity->initial, err);
		if (r >= 0)
			r = json_get_string(obj, "final", p, &proc->exec_cpu_affinity->final, err);
		json_path_restore(p, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

int spec_parse_process_obj(yajl_val v, struct json_path *p, struct spec_process **out,
			   struct husk_error *err)
{
	struct spec_process *proc;

	if (json_val_object(v, p, err) < 0)
		return -1;
	proc = xcalloc(1, sizeof *proc);
	if (parse_process_fields(v, p, proc, err) < 0) {
		spec_process_free(proc);
		return -1;
	}
	*out = proc;
	return 0;
}

/* ---- hooks ---- */

static int parse_hook(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_hook *h = item;
	int64_t timeout = 0;
	int r;

	if (spec_get_required_string(v, "path", p, &h->path, err) < 0 ||
	    json_get_strv(v, "args", p, &h->args, err) < 0 ||
	    json_get_strv(v, "env", p, &h->env, err) < 0)
		return -1;
	r = json_get_int64(v, "timeout", p, 1, INT32_MAX, &timeout, err);
	if (r < 0)
		return -1;
	h->has_timeout = r > 0;
	h->timeout = (int32_t)timeout;
	if (h->path[0] != '/') {
		json_path_key(p, "path");
		json_path_error(p, err, "\"%s\" is not an absolute path", h->path);
		return spec_bad_value(p, err);
	}
	return 0;
}

static int parse_hooks(yajl_val doc, struct json_path *p, struct spec_config *cfg,
		       struct husk_error *err)
{
	yajl_val v = NULL;
	size_t mark;
	int r = json_get_object(doc, "hooks", p, &v, err);

	if (r <= 0)
		return r;
	cfg->hooks = xcalloc(1, sizeof *cfg->hooks);
	struct {
		const char *key;
		struct spec_hook_list *list;
	} kinds[] = {
	    {"prestart", &cfg->hooks->prestart},
	    {"createRuntime", &cfg->hooks->create_runtime},
	    {"createContainer", &cfg->hooks->create_container},
	    {"startContainer", &cfg->hooks->start_container},
	    {"poststart", &cfg->hooks->poststart},
	    {"poststop", &cfg->hooks->poststop},
	};
	mark = json_path_key(p, "hooks");
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		void *items = NULL;
		r = spec_parse_object_array(v, kinds[i].key, p, sizeof(struct spec_hook),
					    parse_hook, &items, &kinds[i].list->n, err);
		kinds[i].list->items = items;
		if (r < 0)
			break;
	}
	json_path_restore(p, mark);
	return r < 0 ? -1 : 1;
}

/* ---- the document ---- */

int spec_section(struct spec_sections *s, struct json_path *p, size_t mark, int r,
		 struct husk_error *err)
{
	json_path_restore(p, mark);
	if (r >= 0)
		return r;
	if (s == NULL || s->report == NULL)
		return -1;
	if (check_report_has_error_about(s->report, husk_error_text(err)))
		husk_error_clear(err);
	else
		check_add_error(s->report, "", err);
	s->failed = true;
	return 0;
}

static int parse_version(yajl_val doc, struct json_path *p, struct spec_config *cfg,
			 struct husk_error *err)
{
	if (spec_get_required_string(doc, "ociVersion", p, &cfg->oci_version, err) < 0)
		return -1;
	if (!str_has_prefix(cfg->oci_version, "1.")) {
		json_path_key(p, "ociVersion");
		json_path_error(p, err,
				"unsupported version \"%s\" (husk implements 1.x up to 1.3.0)",
				cfg->oci_version);
		return spec_bad_value(p, err);
	}
	return 0;
}

/* "process" or "linux": an object parsed by fn when present. */
static int parse_section_obj(yajl_val doc, const char *key, struct json_path *p,
			     struct spec_sections *s, struct spec_config *cfg,
			     struct husk_error *err)
{
	yajl_val v = NULL;
	int r = json_get_object(doc, key, p, &v, err);

	if (r <= 0)
		return r;
	json_path_key(p, key);
	if (strcmp(key, "process") == 0)
		return spec_parse_process_obj(v, p, &cfg->process, err);
	return spec_parse_linux_obj(v, p, s, &cfg->linux, err);
}

static int parse_config_doc(yajl_val doc, struct spec_sections *s, struct spec_config *cfg,
			    struct husk_error *err)
{
	struct json_path p;
	size_t m;

	json_path_init(&p, NULL);
	if (json_val_object(doc, &p, err) < 0)
		return -1;
	p.report = s ? s->report : NULL;
	m = p.len;
	/* Each section on its own: with a report, one malformed section does
	 * not hide the next (the order is the document's usual order). */
	if (spec_section(s, &p, m, parse_version(doc, &p, cfg, err), err) < 0 ||
	    spec_section(s, &p, m, parse_root(doc, &p, cfg, err), err) < 0 ||
	    spec_section(s, &p, m, parse_mounts(doc, &p, cfg, err), err) < 0 ||
	    spec_section(s, &p, m, parse_section_obj(doc, "process", &p, s, cfg, err), err) < 0 ||
	    spec_section(s, &p, m, json_get_string(doc, "hostname", &p, &cfg->hostname, err), err) <
		0 ||
	    spec_section(s, &p, m, json_get_string(doc, "domainname", &p, &cfg->domainname, err),
			 err) < 0 ||
	    spec_section(s, &p, m, parse_hooks(doc, &p, cfg, err), err) < 0 ||
	    spec_section(
		s, &p, m,
		json_get_kv(doc, "annotations", &p, &cfg->annotations, &cfg->n_annotations, err),
		err) < 0 ||
	    spec_section(s, &p, m, parse_section_obj(doc, "linux", &p, s, cfg, err), err) < 0)
		return -1;
	return 0;
}

/* The model of the document, its types checked but not the rules that
 * span fields (validate.c). */
static int parse_unvalidated(const char *json, size_t len, struct spec_sections *s,
			     struct spec_config **out, struct husk_error *err)
{
	struct spec_config *cfg;
	yajl_val doc = NULL;
	size_t errors;
	int r;

	if (json_parse(json, len, &doc, err) < 0)
		return -1;
	cfg = xcalloc(1, sizeof *cfg);
	errors = s ? s->report->n_errors : 0;
	r = parse_config_doc(doc, s, cfg, err);
	yajl_tree_free(doc);
	/* a bad field tolerated by husk check leaves the model incomplete */
	if (s && s->report->n_errors > errors)
		s->failed = true;
	/* husk check keeps an incomplete model (s->failed): its bad fields
	 * read as absent, and the rules and host checks still look at the
	 * rest */
	if (r < 0) {
		spec_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int spec_config_parse(const char *json, size_t len, struct spec_config **out,
		      struct husk_error *err)
{
	struct spec_config *cfg = NULL;

	if (parse_unvalidated(json, len, NULL, &cfg, err) < 0)
		return -1;
	if (spec_validate_config(cfg, err) < 0) {
		spec_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int spec_config_check(const char *json, size_t len, struct spec_config **out,
		      struct check_report *r)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_sections s = {.report = r};

	*out = NULL;
	/* Every bad field is a problem and reads as absent; the rules and
	 * the host checks then run on what is left, and what they find about
	 * a field the parse complained about is not added again. */
	if (parse_unvalidated(json, len, &s, out, &err) < 0) {
		if (!s.failed) /* not JSON, or not an object */
			check_add_error(r, "", &err);
		return -1;
	}
	r->parsed = r->n;
	spec_check_config(*out, r);
	return 0;
}

/* The whole file at path, NUL-terminated, at most CONFIG_MAX_SIZE bytes. */
static int read_config_file(const char *path, char **out, size_t *len, struct husk_error *err)
{
	FILE *f = fopen(path, "re");
	char *buf;

	if (f == NULL)
		return husk_error_errno(err, "open `%s`", path);
	buf = xmalloc(CONFIG_MAX_SIZE + 1);
	*len = fread(buf, 1, CONFIG_MAX_SIZE + 1, f);
	if (ferror(f) || *len > CONFIG_MAX_SIZE) {
		int e = ferror(f) ? errno : EFBIG;
		fclose(f);
		free(buf);
		return husk_error_set(err, e, "`%s`: %s", path,
				      e == EFBIG ? "file too large for a config" : "read");
	}
	fclose(f);
	buf[*len] = '\0';
	*out = buf;
	return 0;
}

int spec_config_load(const char *path, struct spec_config **out, struct husk_error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *copy = xstrdup(path);
	size_t len = 0;

	if (read_config_file(path, &text, &len, err) < 0)
		return -1;
	if (spec_config_parse(text, len, out, err) < 0)
		return husk_error_prefix(err, "%s", basename(copy));
	return 0;
}

/* A document that is only a process (exec --process) or only resources
 * (update -r): parsed, then validated, as the same object of config.json. */
#define DEFINE_FRAGMENT_PARSE(fn, type, parse_obj, validate, free_obj)                             \
	int fn(const char *json, size_t len, type **out, struct husk_error *err)                   \
	{                                                                                          \
		type *obj = NULL;                                                                  \
		struct json_path p;                                                                \
		yajl_val doc = NULL;                                                               \
		int r;                                                                             \
                                                                                                   \
		if (json_parse(json, len, &doc, err) < 0)                                          \
			return -1;                                                                 \
		json_path_init(&p, NULL);                                                          \
		r = parse_obj(doc, &p, &obj, err);                                                 \
		yajl_tree_free(doc);                                                               \
		if (r == 0)                                                                        \
			r = validate(obj, "", err);                                                \
		if (r < 0) {                                                                       \
			free_obj(obj);                                                             \
			return -1;                                                                 \
		}                                                                                  \
		*out = obj;                                                                        \
		return 0;                                                                          \
	}

DEFINE_FRAGMENT_PARSE(spec_process_parse, struct spec_process, spec_parse_process_obj,
		      spec_validate_process, spec_process_free)
DEFINE_FRAGMENT_PARSE(spec_resources_parse, struct spec_resources, spec_parse_resources_obj,
		      spec_validate_resources, spec_resources_free)

const struct spec_namespace *spec_config_namespace(const struct spec_config *cfg,
						   enum spec_ns_type type)
{
	if (cfg == NULL || cfg->linux == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->linux->n_namespaces; i++)
		if (cfg->linux->namespaces[i].type == type)
			return &cfg->linux->namespaces[i];
	return NULL;
}

const char *spec_annotation(const struct spec_config *cfg, const char *key)
{
	for (size_t i = 0; cfg && i < cfg->n_annotations; i++)
		if (strcmp(cfg->annotations[i].key, key) == 0)
			return cfg->annotations[i].value;
	return NULL;
}
