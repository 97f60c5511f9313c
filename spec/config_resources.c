// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linux.resources, also the whole document of `update --resources`.
 */
#include "config.h"
#include "spec/config_internal.h"

#include <stdlib.h>
#include <string.h>

#include "spec/base.h"

void spec_resources_free(struct spec_resources *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_devices; i++) {
		free(r->devices[i].type);
		free(r->devices[i].access);
	}
	free(r->devices);
	free(r->memory);
	if (r->cpu) {
		free(r->cpu->cpus);
		free(r->cpu->mems);
		free(r->cpu);
	}
	free(r->pids);
	if (r->block_io) {
		free(r->block_io->weight_device);
		free(r->block_io->throttle_read_bps_device.items);
		free(r->block_io->throttle_write_bps_device.items);
		free(r->block_io->throttle_read_iops_device.items);
		free(r->block_io->throttle_write_iops_device.items);
		free(r->block_io);
	}
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	if (r->network) {
		for (size_t i = 0; i < r->network->n_priorities; i++)
			free(r->network->priorities[i].name);
		free(r->network->priorities);
		free(r->network);
	}
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	spec_kv_free(r->unified, r->n_unified);
	free(r);
}

/* Read an optional member and record whether it was there. */
#define OPT(call, has)                                                                             \
	({                                                                                         \
		int r_ = (call);                                                                   \
		if (r_ > 0)                                                                        \
			(has) = true;                                                              \
		r_ < 0;                                                                            \
	})

static int parse_device_rule(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_device_cgroup *d = item;
	int r;

	if (spec_require(v, "allow", p, err) < 0 ||
	    json_get_bool(v, "allow", p, &d->allow, err) < 0 ||
	    json_get_string(v, "type", p, &d->type, err) < 0 ||
	    json_get_string(v, "access", p, &d->access, err) < 0)
		return -1;
	if ((r = json_get_int64(v, "major", p, -1, UINT32_MAX, &d->major, err)) < 0)
		return -1;
	/* -1 is the usual spelling of "any" (the `*` of devices.allow). */
	d->has_major = r > 0 && d->major >= 0;
	if ((r = json_get_int64(v, "minor", p, -1, UINT32_MAX, &d->minor, err)) < 0)
		return -1;
	d->has_minor = r > 0 && d->minor >= 0;
	/* husk check goes on to access */
	if (d->type && strcmp(d->type, "a") != 0 && strcmp(d->type, "c") != 0 &&
	    strcmp(d->type, "b") != 0 && spec_unknown(p, "type", "device type", d->type, err) < 0)
		return -1;
	if (d->access) {
		for (const char *c = d->access; *c; c++) {
			if (*c != 'r' && *c != 'w' && *c != 'm') {
				json_path_key(p, "access");
				json_path_error(p, err, "\"%s\" is not a combination of r, w and m",
						d->access);
				return spec_bad_value(p, err);
			}
		}
	}
	return 0;
}

static int parse_memory(yajl_val v, struct json_path *p, struct spec_memory *m,
			struct husk_error *err)
{
	if (OPT(json_get_int64(v, "limit", p, INT64_MIN, INT64_MAX, &m->limit, err),
		m->has_limit) ||
	    OPT(json_get_int64(v, "reservation", p, INT64_MIN, INT64_MAX, &m->reservation, err),
		m->has_reservation) ||
	    OPT(json_get_int64(v, "swap", p, INT64_MIN, INT64_MAX, &m->swap, err), m->has_swap) ||
	    OPT(json_get_int64(v, "kernel", p, INT64_MIN, INT64_MAX, &m->kernel, err),
		m->has_kernel) ||
	    OPT(json_get_int64(v, "kernelTCP", p, INT64_MIN, INT64_MAX, &m->kernel_tcp, err),
		m->has_kernel_tcp) ||
	    OPT(json_get_uint64(v, "swappiness", p, 100, &m->swappiness, err), m->has_swappiness) ||
	    OPT(json_get_bool(v, "disableOOMKiller", p, &m->disable_oom_killer, err),
		m->has_disable_oom_killer) ||
	    OPT(json_get_bool(v, "useHierarchy", p, &m->use_hierarchy, err),
		m->has_use_hierarchy) ||
	    OPT(json_get_bool(v, "checkBeforeUpdate", p, &m->check_before_update, err),
		m->has_check_before_update))
		return -1;
	return 0;
}

static int parse_cpu(yajl_val v, struct json_path *p, struct spec_cpu *c, struct husk_error *err)
{
	if (OPT(json_get_uint64(v, "shares", p, UINT64_MAX, &c->shares, err), c->has_shares) ||
	    OPT(json_get_int64(v, "quota", p, INT64_MIN, INT64_MAX, &c->quota, err),
		c->has_quota) ||
	    OPT(json_get_uint64(v, "burst", p, UINT64_MAX, &c->burst, err), c->has_burst) ||
	    OPT(json_get_uint64(v, "period", p, UINT64_MAX, &c->period, err), c->has_period) ||
	    OPT(json_get_int64(v, "realtimeRuntime", p, INT64_MIN, INT64_MAX, &c->realtime_runtime,
			       err),
		c->has_realtime_runtime) ||
	    OPT(json_get_uint64(v, "realtimePeriod", p, UINT64_MAX, &c->realtime_period, err),
		c->has_realtime_period) ||
	    OPT(json_get_int64(v, "idle", p, INT64_MIN, INT64_MAX, &c->idle, err), c->has_idle) ||
	    json_get_string(v, "cpus", p, &c->cpus, err) < 0 ||
	    json_get_string(v, "mems", p, &c->mems, err) < 0)
		return -1;
	return 0;
}

static int parse_weight_device(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_weight_device *w = item;

	if (spec_require_number(v, "major", p, err) < 0 ||
	    spec_require_number(v, "minor", p, err) < 0 ||
	    json_get_int64(v, "major", p, 0, UINT32_MAX, &w->major, err) < 0 ||
	    json_get_int64(v, "minor", p, 0, UINT32_MAX, &w->minor, err) < 0 ||
	    OPT(json_get_uint16(v, "weight", p, &w->weight, err), w->has_weight) ||
	    OPT(json_get_uint16(v, "leafWeight", p, &w->leaf_weight, err), w->has_leaf_weight))
		return -1;
	return 0;
}

static int parse_throttle_device(yajl_val v, struct json_path *p, void *item,
				 struct husk_error *err)
{
	struct spec_throttle_device *t = item;

	if (spec_require_number(v, "major", p, err) < 0 ||
	    spec_require_number(v, "minor", p, err) < 0 ||
	    spec_require_number(v, "rate", p, err) < 0 ||
	    json_get_int64(v, "major", p, 0, UINT32_MAX, &t->major, err) < 0 ||
	    json_get_int64(v, "minor", p, 0, UINT32_MAX, &t->minor, err) < 0 ||
	    json_get_uint64(v, "rate", p, UINT64_MAX, &t->rate, err) < 0)
		return -1;
	return 0;
}

static int parse_throttle_list(yajl_val v, const char *key, struct json_path *p,
			       struct spec_throttle_list *l, struct husk_error *err)
{
	void *items = NULL;
	int r = spec_parse_object_array(v, key, p, sizeof *l->items, parse_throttle_device, &items,
					&l->n, err);
	l->items = items;
	return r;
}

static int parse_block_io(yajl_val v, struct json_path *p, struct spec_block_io *b,
			  struct husk_error *err)
{
	void *items = NULL;
	int r;

	if (OPT(json_get_uint16(v, "weight", p, &b->weight, err), b->has_weight) ||
	    OPT(json_get_uint16(v, "leafWeight", p, &b->leaf_weight, err), b->has_leaf_weight))
		return -1;
	r = spec_parse_object_array(v, "weightDevice", p, sizeof *b->weight_device,
				    parse_weight_device, &items, &b->n_weight_device, err);
	b->weight_device = items;
	if (r < 0 ||
	    parse_throttle_list(v, "throttleReadBpsDevice", p, &b->throttle_read_bps_device, err) <
		0 ||
	    parse_throttle_list(v, "throttleWriteBpsDevice", p, &b->throttle_write_bps_device,
				err) < 0 ||
	    parse_throttle_list(v, "throttleReadIOPSDevice", p, &b->throttle_read_iops_device,
				err) < 0 ||
	    parse_throttle_list(v, "throttleWriteIOPSDevice", p, &b->throttle_write_iops_device,
				err) < 0)
		return -1;
	return 0;
}

static int parse_hugepage_limit(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_hugepage_limit *h = item;

	if (spec_require_string(v, "pageSize", p, &h->page_size, err) < 0 ||
	    spec_require_number(v, "limit", p, err) < 0 ||
	    json_get_string(v, "pageSize", p, &h->page_size, err) < 0 ||
	    json_get_uint64(v, "limit", p, UINT64_MAX, &h->limit, err) < 0)
		return -1;
	return 0;
}

static int parse_net_priority(yajl_val v, struct json_path *p, void *item, struct husk_error *err)
{
	struct spec_net_priority *n = item;

	if (spec_require_string(v, "name", p, &n->name, err) < 0 ||
	    spec_require_number(v, "priority", p, err) < 0 ||
	    json_get_string(v, "name", p, &n->name, err) < 0 ||
	    json_get_uint32(v, "priority", p, &n->priority, err) < 0)
		return -1;
	return 0;
}

static int parse_network(yajl_val v, struct json_path *p, struct spec_network *n,
			 struct husk_error *err)
{
	void *items = NULL;
	int r;

	if (OPT(json_get_uint32(v, "classID", p, &n->class_id, err), n->has_class_id))
		return -1;
	r = spec_parse_object_array(v, "priorities", p, sizeof *n->priorities, parse_net_priority,
				    &items, &n->n_priorities, err);
	n->priorities = items;
	return r < 0 ? -1 : 0;
}

static int parse_rdma(yajl_val v, struct json_path *p, struct spec_resources *res,
		      struct husk_error *err)
{
	size_t n = v->u.object.len;

	res->rdma = xcalloc(n ? n : 1, sizeof *res->rdma);
	for (size_t i = 0; i < n; i++) {
		struct spec_rdma *d = &res->rdma[res->n_rdma++];
		yajl_val dv = v->u.object.values[i];
		size_t at = json_path_key(p, v->u.object.keys[i]);
		int bad;

		d->device = xstrdup(v->u.object.keys[i]);
		bad = json_val_object(dv, p, err) < 0 ||
		      OPT(json_get_uint32(dv, "hcaHandles", p, &d->hca_handles, err),
			  d->has_hca_handles) ||
		      OPT(json_get_uint32(dv, "hcaObjects", p, &d->hca_objects, err),
			  d->has_hca_objects);
		json_path_restore(p, at);
		if (bad)
			return -1;
	}
	return 0;
}

/* Parse obj[key] as an object with fn when it is there. */
#define SUB_OBJECT(obj, key, p, ptr, fn, err)                                                      \
	({                                                                                         \
		yajl_val sv_ = NULL;                                                               \
		int sr_ = json_get_object((obj), (key), (p), &sv_, (err));                         \
		if (sr_ > 0) {                                                                     \
			size_t mark_ = json_path_key((p), (key));                                  \
			(ptr) = xcalloc(1, sizeof *(ptr));                                         \
			sr_ = fn(sv_, (p), (ptr), (err));                                          \
			json_path_restore((p), mark_);                                             \
		}                                                                                  \
		sr_ < 0 ? -1 : 0;                                                                  \
	})

static int parse_resources_fields(yajl_val v, struct json_path *p, struct spec_resources *res,
				  struct husk_error *err)
{
	void *items = NULL;
	yajl_val pids = NULL, rdma = NULL;
	int r;

	r = spec_parse_object_array(v, "devices", p, sizeof *res->devices, parse_device_rule,
				    &items, &res->n_devices, err);
	res->devices = items;
	if (r < 0)
		return -1;
	if (SUB_OBJECT(v, "memory", p, res->memory, parse_memory, err) < 0 ||
	    SUB_OBJECT(v, "cpu", p, res->cpu, parse_cpu, err) < 0)
		return -1;
	r = json_get_object(v, "pids", p, &pids, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		size_t mark = json_path_key(p, "pids");
		res->pids = xcalloc(1, sizeof *res->pids);
		r = json_get_int64(pids, "limit", p, INT64_MIN, INT64_MAX, &res->pids->limit, err);
		res->pids->has_limit = r > 0;
		json_path_restore(p, mark);
		if (r < 0)
			return -1;
	}
	if (SUB_OBJECT(v, "blockIO", p, res->block_io, parse_block_io, err) < 0)
		return -1;
	items = NULL;
	r = spec_parse_object_array(v, "hugepageLimits", p, sizeof *res->hugepage_limits,
				    parse_hugepage_limit, &items, &res->n_hugepage_limits, err);
	res->hugepage_limits = items;
	if (r < 0)
		return -1;
	if (SUB_OBJECT(v, "network", p, res->network, parse_network, err) < 0)
		return -1;
	r = json_get_object(v, "rdma", p, &rdma, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		size_t mark = json_path_key(p, "rdma");
		r = parse_rdma(rdma, p, res, err);
		json_path_restore(p, mark);
		if (r < 0)
			return -1;
	}
	return json_get_kv(v, "unified", p, &res->unified, &res->n_unified, err) < 0 ? -1 : 0;
}

int spec_parse_resources_obj(yajl_val v, struct json_path *p, struct spec_resources **out,
			     struct husk_error *err)
{
	struct spec_resources *res;

	if (json_val_object(v, p, err) < 0)
		return -1;
	res = xcalloc(1, sizeof *res);
	if (parse_resources_fields(v, p, res, err) < 0) {
		spec_resources_free(res);
		return -1;
	}
	*out = res;
	return 0;
}
