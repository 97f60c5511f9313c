// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Block I/O, v1 blkio and v2 io together: weights (CFQ/BFQ on v1, io.weight
 * or io.bfq.weight on v2), the throttle lists (v1 blkio.throttle.*, v2
 * io.max), and the I/O statistics for `events`.
 */
#include "config.h"
#include "linux/cgroup_controllers.h"
#include "spec/json.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

uint64_t cg_blkio_to_io_weight(uint64_t weight)
{
	return cg_weight_to_v2(weight, 10, 1000);
}

/* ---- v1 ---- */

static int throttle(struct cg_hier *h, const char *field, const char *file,
		    const struct spec_throttle_list *l, struct husk_error *err)
{
	for (size_t i = 0; i < l->n; i++) {
		_cleanup_free_ char *f = xasprintf("linux.resources.blockIO.%s[%zu]", field, i);
		if (cg_writef(h, f, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64,
			      l->items[i].major, l->items[i].minor, l->items[i].rate) < 0)
			return -1;
	}
	return 0;
}

/* blkio.weight (CFQ) or blkio.bfq.weight, whichever the kernel has. */
static const char *weight_file(const struct cg_hier *h, bool device)
{
	if (cg_has_file(h, device ? "blkio.weight_device" : "blkio.weight"))
		return device ? "blkio.weight_device" : "blkio.weight";
	if (cg_has_file(h, device ? "blkio.bfq.weight_device" : "blkio.bfq.weight"))
		return device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
	return NULL;
}

int cg_blkio_v1(struct cgroup_handle *cg, const struct spec_block_io *b, struct husk_error *err)
{
	struct cg_hier *h = cg_v1_hier(cg, "blkio");

	if (b == NULL || h == NULL)
		return 0;
	if (b->has_weight && b->weight != 0) {
		const char *f = weight_file(h, false);
		if (f == NULL)
			return husk_error_set(err, EOPNOTSUPP,
					      "linux.resources.blockIO.weight: this kernel has no "
					      "blkio.weight or blkio.bfq.weight (no CFQ/BFQ "
					      "scheduler)");
		if (cg_writef(h, "linux.resources.blockIO.weight", f, err, "%u", b->weight) < 0)
			return -1;
	}
	if (b->has_leaf_weight && b->leaf_weight != 0) {
		if (!cg_has_file(h, "blkio.leaf_weight"))
			husk_warn("linux.resources.blockIO.leafWeight: ignored, this kernel has "
				  "no blkio.leaf_weight");
		else if (cg_writef(h, "linux.resources.blockIO.leafWeight", "blkio.leaf_weight",
				   err, "%u", b->leaf_weight) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *d = &b->weight_device[i];
		_cleanup_free_ char *field =
		    xasprintf("linux.resources.blockIO.weightDevice[%zu]", i);
		const char *f = weight_file(h, true);
		if (d->has_weight) {
			if (f == NULL)
				return husk_error_set(err, EOPNOTSUPP,
						      "%s: this kernel has no blkio weight_device",
						      field);
			if (cg_writef(h, field, f, err, "%" PRId64 ":%" PRId64 " %u", d->major,
				      d->minor, d->weight) < 0)
				return -1;
		}
		if (d->has_leaf_weight && cg_has_file(h, "blkio.leaf_weight_device") &&
		    cg_writef(h, field, "blkio.leaf_weight_device", err,
			      "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight) < 0)
			return -1;
	}
	if (throttle(h, "throttleReadBpsDevice", "blkio.throttle.read_bps_device",
		     &b->throttle_read_bps_device, err) < 0 ||
	    throttle(h, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device",
		     &b->throttle_write_bps_device, err) < 0 ||
	    throttle(h, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device",
		     &b->throttle_read_iops_device, err) < 0 ||
	    throttle(h, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device",
		     &b->throttle_write_iops_device, err) < 0)
		return -1;
	return 0;
}

/* ---- v2 ---- */

static int io_max(struct cg_hier *h, const char *field, const char *key,
		  const struct spec_throttle_list *l, struct husk_error *err)
{
	for (size_t i = 0; i < l->n; i++) {
		_cleanup_free_ char *f = xasprintf("linux.resources.blockIO.%s[%zu]", field, i);
		const struct spec_throttle_device *d = &l->items[i];
		int r = d->rate == 0
			    ? cg_writef(h, f, "io.max", err, "%" PRId64 ":%" PRId64 " %s=max",
					d->major, d->minor, key)
			    : cg_writef(h, f, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
					d->major, d->minor, key, d->rate);
		if (r < 0)
			return -1;
	}
	return 0;
}

int cg_io_v2(struct cgroup_handle *cg, const struct spec_block_io *b, struct husk_error *err)
{
	struct cg_hier *h = cg_v2_hier(cg, "io");
	bool bfq;

	if (b == NULL || h == NULL)
		return 0;
	/* BFQ takes blkio's 1-1000 as is; io.weight wants 1-10000 */
	bfq = cg_has_file(h, "io.bfq.weight");
	if (b->has_weight && b->weight != 0) {
		int r = bfq ? cg_writef(h, "linux.resources.blockIO.weight", "io.bfq.weight", err,
					"%u", b->weight)
			    : cg_writef(h, "linux.resources.blockIO.weight", "io.weight", err,
					"default %" PRIu64, cg_blkio_to_io_weight(b->weight));
		if (r < 0) {
			if (err->errnum == ENOENT)
				husk_error_prefix(err, "no io weight support (no BFQ, no "
						       "io.weight)");
			return -1;
		}
	}
	if (b->has_leaf_weight && b->leaf_weight != 0)
		husk_debug("linux.resources.blockIO.leafWeight: ignored on cgroup v2");
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *d = &b->weight_device[i];
		_cleanup_free_ char *f = xasprintf("linux.resources.blockIO.weightDevice[%zu]", i);
		if (!d->has_weight)
			continue;
		int r = bfq ? cg_writef(h, f, "io.bfq.weight", err, "%" PRId64 ":%" PRId64 " %u",
					d->major, d->minor, d->weight)
			    : cg_writef(h, f, "io.weight", err, "%" PRId64 ":%" PRId64 " %" PRIu64,
					d->major, d->minor, cg_blkio_to_io_weight(d->weight));
		if (r < 0)
			return -1;
	}
	if (io_max(h, "throttleReadBpsDevice", "rbps", &b->throttle_read_bps_device, err) < 0 ||
	    io_max(h, "throttleWriteBpsDevice", "wbps", &b->throttle_write_bps_device, err) < 0 ||
	    io_max(h, "throttleReadIOPSDevice", "riops", &b->throttle_read_iops_device, err) < 0 ||
	    io_max(h, "throttleWriteIOPSDevice", "wiops", &b->throttle_write_iops_device, err) < 0)
		return -1;
	return 0;
}

/* ---- statistics ---- */

static void gen_blkio_entry(yajl_gen g, unsigned maj, unsigned min, const char *op, uint64_t v)
{
	yajl_gen_map_open(g);
	json_gen_kuint(g, "major", maj);
	json_gen_kuint(g, "minor", min);
	json_gen_kstr(g, "op", op);
	json_gen_kuint(g, "value", v);
	yajl_gen_map_close(g);
}

/* v1: "8:0 Read 123" lines */
static void gen_blkio_v1(yajl_gen g, const struct cg_hier *h, const char *name, const char *file)
{
	_cleanup_free_ char *s = cg_read(h, file);

	json_gen_cstr(g, name);
	yajl_gen_array_open(g);
	for (char *save = NULL, *l = s ? strtok_r(s, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char op[32];
		unsigned long long v;
		if (sscanf(l, "%u:%u %31s %llu", &maj, &min, op, &v) == 4)
			gen_blkio_entry(g, maj, min, op, v);
	}
	yajl_gen_array_close(g);
}

/* v2: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." */
static void gen_io_v2(yajl_gen g, const struct cg_hier *h, bool bytes)
{
	_cleanup_free_ char *s = cg_read(h, "io.stat");

	json_gen_cstr(g, bytes ? "ioServiceBytesRecursive" : "ioServicedRecursive");
	yajl_gen_array_open(g);
	for (char *save = NULL, *l = s ? strtok_r(s, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		uint64_t r = 0, w = 0;
		if (sscanf(l, "%u:%u", &maj, &min) != 2)
			continue;
		char *rk = strstr(l, bytes ? "rbytes=" : "rios=");
		char *wk = strstr(l, bytes ? "wbytes=" : "wios=");
		if (rk)
			r = strtoull(strchr(rk, '=') + 1, NULL, 10);
		if (wk)
			w = strtoull(strchr(wk, '=') + 1, NULL, 10);
		gen_blkio_entry(g, maj, min, "Read", r);
		gen_blkio_entry(g, maj, min, "Write", w);
		gen_blkio_entry(g, maj, min, "Total", r + w);
	}
	yajl_gen_array_close(g);
}

void cg_io_stats(yajl_gen g, const struct cgroup_handle *cg)
{
	struct cg_hier *h = cg_find(cg, cg->layout == CG_UNIFIED ? "io" : "blkio");

	if (h == NULL || h->dirfd < 0)
		return;
	json_gen_cstr(g, "blkio");
	yajl_gen_map_open(g);
	if (cg_is_v2(cg, h)) {
		gen_io_v2(g, h, true);
		gen_io_v2(g, h, false);
	} else {
		gen_blkio_v1(g, h, "ioServiceBytesRecursive",
			     "blkio.throttle.io_service_bytes_recursive");
		gen_blkio_v1(g, h, "ioServicedRecursive", "blkio.throttle.io_serviced_recursive");
	}
	yajl_gen_map_close(g);
}
