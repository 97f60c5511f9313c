// SPDX-License-Identifier: GPL-2.0-or-later
/* update: change the resource limits of a live container (runc's flags). */
#include "config.h"
#include "commands.h"
#include "linux/cgroups.h"
#include "state_store.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

enum {
	OPT_RESOURCES = 1,
	OPT_MEMORY,
	OPT_MEMORY_SWAP,
	OPT_MEMORY_RESERVATION,
	OPT_KERNEL_MEMORY,
	OPT_KERNEL_MEMORY_TCP,
	OPT_CPU_SHARES,
	OPT_CPU_QUOTA,
	OPT_CPU_PERIOD,
	OPT_CPU_RT_RUNTIME,
	OPT_CPU_RT_PERIOD,
	OPT_CPUSET_CPUS,
	OPT_CPUSET_MEMS,
	OPT_PIDS_LIMIT,
	OPT_BLKIO_WEIGHT,
	OPT_L3,
	OPT_MBW,
};

static const struct cli_option opts[] = {
    {"resources", 'r', "FILE", "a LinuxResources JSON document (`-`: stdin)", OPT_RESOURCES},
    {"memory", 0, "N", "memory limit in bytes (k, m, g suffixes; -1: unlimited)", OPT_MEMORY},
    {"memory-swap", 0, "N", "memory plus swap limit (-1: unlimited)", OPT_MEMORY_SWAP},
    {"memory-reservation", 0, "N", "memory soft limit", OPT_MEMORY_RESERVATION},
    {"kernel-memory", 0, "N", "accepted; ignored where the kernel lacks it", OPT_KERNEL_MEMORY},
    {"kernel-memory-tcp", 0, "N", "accepted; ignored where the kernel lacks it",
     OPT_KERNEL_MEMORY_TCP},
    {"cpu-shares", 0, "N", "relative CPU weight (v1 shares)", OPT_CPU_SHARES},
    {"cpu-share", 0, "N", "alias of --cpu-shares (runc's spelling)", OPT_CPU_SHARES},
    {"cpu-quota", 0, "N", "CFS quota in microseconds per period (-1: none)", OPT_CPU_QUOTA},
    {"cpu-period", 0, "N", "CFS period in microseconds", OPT_CPU_PERIOD},
    {"cpu-rt-runtime", 0, "N", "realtime runtime in microseconds", OPT_CPU_RT_RUNTIME},
    {"cpu-rt-period", 0, "N", "realtime period in microseconds", OPT_CPU_RT_PERIOD},
    {"cpuset-cpus", 0, "LIST", "CPUs allowed, e.g. 0-3,5", OPT_CPUSET_CPUS},
    {"cpuset-mems", 0, "LIST", "memory nodes allowed", OPT_CPUSET_MEMS},
    {"pids-limit", 0, "N", "maximum number of tasks (-1: unlimited)", OPT_PIDS_LIMIT},
    {"blkio-weight", 0, "N", "block IO weight, 10-1000", OPT_BLKIO_WEIGHT},
    {"l3-cache-schema", 0, "S", "Intel RDT L3 cache schema (linux.intelRdt.l3CacheSchema)", OPT_L3},
    {"mem-bw-schema", 0, "S", "Intel RDT memory bandwidth schema (linux.intelRdt.memBwSchema)",
     OPT_MBW},
    {NULL, 0, NULL, NULL, 0},
};

/* "512m", "1G", "-1", "100" -> bytes; binary units as runc/docker take them. */
static int parse_size(const char *opt, const char *s, int64_t *out, struct husk_error *err)
{
	char *end;
	long long v;
	int64_t mul = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno)
		goto bad;
	if (*end) {
		switch (tolower((unsigned char)*end)) {
		case 'b':
			mul = 1;
			break;
		case 'k':
			mul = 1LL << 10;
			break;
		case 'm':
			mul = 1LL << 20;
			break;
		case 'g':
			mul = 1LL << 30;
			break;
		case 't':
			mul = 1LL << 40;
			break;
		default:
			goto bad;
		}
		end++;
		if (mul > 1 && (*end == 'b' || *end == 'B'))
			end++;
		if (*end)
			goto bad;
	}
	if (v < -1 || (v > 0 && v > INT64_MAX / mul))
		goto bad;
	*out = v < 0 ? -1 : v * mul;
	return 0;
bad:
	return husk_error_set(err, EINVAL, "--%s: `%s` is not a size (bytes, or with k/m/g/t)", opt,
			      s);
}

static int parse_num(const char *opt, const char *s, int64_t min, int64_t *out,
		     struct husk_error *err)
{
	if (parse_int64(s, out) < 0 || *out < min)
		return husk_error_set(err, EINVAL, "--%s: `%s` is not a valid number", opt, s);
	return 0;
}

static int read_resources(const char *path, struct spec_resources **out, struct husk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int fd = 0;

	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return husk_error_errno(err, "--resources: open `%s`", path);
	}
	int r = read_fd_all(fd, 16 << 20, &buf, &len, err);
	if (fd > 0)
		close(fd);
	if (r < 0)
		return husk_error_prefix(err, "--resources: read `%s`", path);
	if (spec_resources_parse(buf, len, out, err) < 0)
		return husk_error_prefix(err, "--resources `%s`", path);
	return 0;
}

static struct spec_memory *mem_of(struct spec_resources *r)
{
	if (r->memory == NULL)
		r->memory = xcalloc(1, sizeof *r->memory);
	return r->memory;
}

static struct spec_cpu *cpu_of(struct spec_resources *r)
{
	if (r->cpu == NULL)
		r->cpu = xcalloc(1, sizeof *r->cpu);
	return r->cpu;
}

static int apply_flag(struct spec_resources *r, int c, const char *name, const char *arg,
		      struct husk_error *err)
{
	int64_t v = 0;

	switch (c) {
	case OPT_MEMORY:
		if (parse_size(name, arg, &v, err) < 0)
			return -1;
		mem_of(r)->has_limit = true;
		r->memory->limit = v;
		break;
	case OPT_MEMORY_SWAP:
		if (parse_size(name, arg, &v, err) < 0)
			return -1;
		mem_of(r)->has_swap = true;
		r->memory->swap = v;
		break;
	case OPT_MEMORY_RESERVATION:
		if (parse_size(name, arg, &v, err) < 0)
			return -1;
		mem_of(r)->has_reservation = true;
		r->memory->reservation = v;
		break;
	case OPT_KERNEL_MEMORY:
		if (parse_size(name, arg, &v, err) < 0)
			return -1;
		mem_of(r)->has_kernel = true;
		r->memory->kernel = v;
		break;
	case OPT_KERNEL_MEMORY_TCP:
		if (parse_size(name, arg, &v, err) < 0)
			return -1;
		mem_of(r)->has_kernel_tcp = true;
		r->memory->kernel_tcp = v;
		break;
	case OPT_CPU_SHARES:
		if (parse_num(name, arg, 0, &v, err) < 0)
			return -1;
		cpu_of(r)->has_shares = true;
		r->cpu->shares = (uint64_t)v;
		break;
	case OPT_CPU_QUOTA:
		if (parse_num(name, arg, -1, &v, err) < 0)
			return -1;
		cpu_of(r)->has_quota = true;
		r->cpu->quota = v;
		break;
	case OPT_CPU_PERIOD:
		if (parse_num(name, arg, 0, &v, err) < 0)
			return -1;
		cpu_of(r)->has_period = true;
		r->cpu->period = (uint64_t)v;
		break;
	case OPT_CPU_RT_RUNTIME:
		if (parse_num(name, arg, -1, &v, err) < 0)
			return -1;
		cpu_of(r)->has_realtime_runtime = true;
		r->cpu->realtime_runtime = v;
		break;
	case OPT_CPU_RT_PERIOD:
		if (parse_num(name, arg, 0, &v, err) < 0)
			return -1;
		cpu_of(r)->has_realtime_period = true;
		r->cpu->realtime_period = (uint64_t)v;
		break;
	case OPT_CPUSET_CPUS:
		free(cpu_of(r)->cpus);
		r->cpu->cpus = xstrdup(arg);
		break;
	case OPT_CPUSET_MEMS:
		free(cpu_of(r)->mems);
		r->cpu->mems = xstrdup(arg);
		break;
	case OPT_PIDS_LIMIT:
		if (parse_num(name, arg, -1, &v, err) < 0)
			return -1;
		if (r->pids == NULL)
			r->pids = xcalloc(1, sizeof *r->pids);
		r->pids->has_limit = true;
		r->pids->limit = v;
		break;
	case OPT_BLKIO_WEIGHT:
		if (parse_num(name, arg, 0, &v, err) < 0)
			return -1;
		if (v != 0 && (v < 10 || v > 1000))
			return husk_error_set(err, EINVAL,
					      "--blkio-weight: %s is out of range "
					      "10-1000",
					      arg);
		if (r->block_io == NULL)
			r->block_io = xcalloc(1, sizeof *r->block_io);
		r->block_io->has_weight = true;
		r->block_io->weight = (uint16_t)v;
		break;
	}
	return 0;
}

static const char *opt_name(int id)
{
	for (size_t i = 0; opts[i].name; i++)
		if (opts[i].id == id)
			return opts[i].name;
	return "?";
}

int cmd_update(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "update", "[options] ID",
	    "Change the cgroup limits of a created, running or paused container."};
	struct husk_error err = HUSK_ERROR_INIT;
	struct cli_parser p;
	struct {
		int id;
		const char *arg;
	} flags[64];
	size_t nflags = 0;
	const char *resources = NULL, *l3 = NULL, *mbw = NULL, *arg;
	struct spec_resources *res = NULL;
	struct container_ref ref;
	struct cgroup_handle *cg = NULL;
	int c, r;

	cli_init(&p, &help, opts, argc, argv, false);
	while ((c = cli_next(&p, &arg)) != CLI_END) {
		if (c == CLI_HELP || c == CLI_ERROR) {
			cli_free(&p);
			return c == CLI_HELP ? 0 : CLI_EXIT_USAGE;
		}
		if (c == OPT_RESOURCES)
			resources = arg;
		else if (c == OPT_L3)
			l3 = arg;
		else if (c == OPT_MBW)
			mbw = arg;
		else if (nflags < ARRAY_SIZE(flags))
			flags[nflags++] = (typeof(flags[0])){c, arg};
	}
	int first = cli_optind(&p);
	cli_free(&p);
	if (argc - first != 1) {
		fprintf(stderr, "husk update: expected exactly one container id\n");
		return CLI_EXIT_USAGE;
	}
	const char *id = argv[first];

	if (resources) {
		if (read_resources(resources, &res, &err) < 0)
			return husk_error_report(&err);
	} else {
		res = xcalloc(1, sizeof *res);
	}
	for (size_t i = 0; i < nflags; i++)
		if (apply_flag(res, flags[i].id, opt_name(flags[i].id), flags[i].arg, &err) < 0) {
			spec_resources_free(res);
			return husk_error_report(&err);
		}
	if (cgroup_open_container(g, id, true, &ref, &cg, &err) < 0) {
		spec_resources_free(res);
		return husk_error_report(&err);
	}
	if (strcmp(container_status(&ref, g), "stopped") == 0) {
		husk_error_set(&err, 0, "container `%s` is stopped", id);
		r = -1;
	} else {
		r = cgroup_update(cg, res, &err);
	}
	if (r == 0 && (l3 || mbw))
		r = state_store_load_config(&ref, &err) < 0
			? -1
			: intelrdt_update(ref.config, id, l3, mbw, &err);
	cgroup_handle_free(cg);
	container_ref_release(&ref);
	spec_resources_free(res);
	if (r < 0) {
		husk_error_prefix(&err, "update `%s`", id);
		return husk_error_report(&err);
	}
	return 0;
}
