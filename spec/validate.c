// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rules that span fields, checked after parsing and before anything is
 * created, so a bad config.json fails with the path of the offending field
 * instead of half-way through container setup.
 */
#include "config.h"
#include "spec/check.h"
#include "spec/config_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base.h"

/*
 * Every rule adds what it finds to a report and the checks go on, so
 * `husk check` lists every problem; create and the fragment parsers stop at
 * the report's first error.  fmt reads "<path>: <message>", the path
 * relative to prefix ("<prefix>.<path>", no dot when prefix is empty).
 */
static void fail(const char *prefix, struct check_report *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(const char *prefix, struct check_report *r, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *msg = NULL, *text = NULL;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	text = prefix && *prefix ? xasprintf("%s.%s", prefix, msg) : NULL;
	check_add_text(r, CHECK_ERROR, prefix, text ? text : msg);
}

/*
 * husk check runs these rules on a model whose bad fields read as absent
 * (an element of an array that failed is left half-read).  A rule skips
 * what the parse already complained about: the path "<prefix>.<fmt>", or
 * a field inside or around it, holds one of the parse's errors.  create
 * and the fragment parsers mark no parse errors: nothing is skipped.
 */
static bool parse_failed(const struct check_report *r, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool parse_failed(const struct check_report *r, const char *prefix, const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL, *rel = NULL;
	va_list ap;

	if (r->parsed == 0)
		return false;
	va_start(ap, fmt);
	rel = xvasprintf(fmt, ap);
	va_end(ap);
	path = prefix && *prefix ? xasprintf("%s.%s", prefix, rel) : xstrdup(rel);
	return check_report_parse_error_near(r, path);
}

static void check_process(const struct spec_process *p, const char *prefix, struct check_report *r)
{
	if (p->cwd[0] != '/')
		fail(prefix, r, "cwd: \"%s\" is not an absolute path", p->cwd);
	if (p->args == NULL || p->args[0] == NULL)
		fail(prefix, r, "args: must name the program to run");
	else if (p->args[0][0] == '\0')
		fail(prefix, r, "args[0]: must not be empty");
	for (size_t i = 0; p->env && p->env[i]; i++)
		if (strchr(p->env[i], '=') == NULL || p->env[i][0] == '=')
			fail(prefix, r, "env[%zu]: \"%s\" is not of the form KEY=value", i,
			     p->env[i]);
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *rl = &p->rlimits[i];
		if (parse_failed(r, prefix, "rlimits[%zu]", i))
			continue;
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == rl->resource &&
			    !parse_failed(r, prefix, "rlimits[%zu]", j)) {
				fail(prefix, r, "rlimits[%zu].type: duplicate rlimit %s", i,
				     rl->type);
				break;
			}
		if (rl->soft > rl->hard)
			fail(prefix, r,
			     "rlimits[%zu]: soft limit %llu is above the hard limit %llu", i,
			     (unsigned long long)rl->soft, (unsigned long long)rl->hard);
	}
}

static bool mapping_overlaps(const struct spec_id_mapping *m, size_t n, size_t *a, size_t *b)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			uint64_t s1 = m[i].container_id, e1 = s1 + m[i].size;
			uint64_t s2 = m[j].container_id, e2 = s2 + m[j].size;
			if (s1 < e2 && s2 < e1) {
				*a = j;
				*b = i;
				return true;
			}
		}
	}
	return false;
}

static void check_mappings(const struct spec_id_mapping *m, size_t n, const char *path,
			   struct check_report *r)
{
	size_t a, b;

	for (size_t i = 0; i < n; i++)
		if (m[i].size == 0 && !parse_failed(r, "", "%s[%zu]", path, i))
			fail("", r, "%s[%zu].size: must be at least 1", path, i);
	/* a bad element reads as zeros: it would seem to overlap */
	if (parse_failed(r, "", "%s", path))
		return;
	if (mapping_overlaps(m, n, &a, &b))
		fail("", r, "%s[%zu]: overlaps %s[%zu]", path, b, path, a);
}

static void check_namespace_list(const struct spec_linux *l, struct check_report *r)
{
	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct spec_namespace *ns = &l->namespaces[i];
		if (parse_failed(r, "", "linux.namespaces[%zu]", i))
			continue;
		for (size_t j = 0; j < i; j++)
			if (l->namespaces[j].type == ns->type &&
			    !parse_failed(r, "", "linux.namespaces[%zu]", j)) {
				fail("", r,
				     "linux.namespaces[%zu].type: duplicate namespace type \"%s\"",
				     i, spec_ns_type_name(ns->type));
				break;
			}
		if (ns->path && ns->path[0] != '/')
			fail("", r, "linux.namespaces[%zu].path: \"%s\" is not an absolute path", i,
			     ns->path);
	}
}

static void check_time_offsets(const struct spec_config *cfg, struct check_report *r)
{
	const struct spec_linux *l = cfg->linux;
	const struct spec_namespace *t = spec_config_namespace(cfg, SPEC_NS_TIME);

	if (!l->time_monotonic.present && !l->time_boottime.present)
		return;
	if (t == NULL)
		fail("", r, "linux.timeOffsets: requires a time namespace");
	/* Offsets can only be written into a namespace nobody has entered. */
	else if (t->path)
		fail("", r,
		     "linux.timeOffsets: cannot be set when joining an existing time namespace");
}

static void check_namespaces(const struct spec_config *cfg, struct check_report *r)
{
	const struct spec_linux *l = cfg->linux;
	bool userns = spec_config_namespace(cfg, SPEC_NS_USER) != NULL;
	/* which namespaces there are is not known when one of them is bad */
	bool known = !parse_failed(r, "", "linux.namespaces");

	if (l) {
		check_namespace_list(l, r);
		if ((l->n_uid_mappings || l->n_gid_mappings) && !userns && known)
			fail("", r, "linux.%s: requires a user namespace",
			     l->n_uid_mappings ? "uidMappings" : "gidMappings");
		check_mappings(l->uid_mappings, l->n_uid_mappings, "linux.uidMappings", r);
		check_mappings(l->gid_mappings, l->n_gid_mappings, "linux.gidMappings", r);
		if (known)
			check_time_offsets(cfg, r);
	}
	if (!known)
		return;
	if (cfg->hostname && cfg->hostname[0] && !spec_config_namespace(cfg, SPEC_NS_UTS))
		fail("", r, "hostname: requires a uts namespace");
	if (cfg->domainname && cfg->domainname[0] && !spec_config_namespace(cfg, SPEC_NS_UTS))
		fail("", r, "domainname: requires a uts namespace");
	if (l && l->n_net_devices && !spec_config_namespace(cfg, SPEC_NS_NETWORK))
		fail("", r, "linux.netDevices: requires a network namespace");
}

static void check_devices(const struct spec_linux *l, struct check_report *r)
{
	for (size_t i = 0; i < l->n_devices; i++)
		for (size_t j = 0; j < i; j++)
			if (!parse_failed(r, "", "linux.devices[%zu]", i) &&
			    !parse_failed(r, "", "linux.devices[%zu]", j) &&
			    strcmp(l->devices[i].path, l->devices[j].path) == 0) {
				fail("", r, "linux.devices[%zu].path: duplicate device path \"%s\"",
				     i, l->devices[i].path);
				break;
			}
}

static void check_seccomp(const struct spec_seccomp *sc, struct check_report *r)
{
	bool notify = strcmp(sc->default_action, "SCMP_ACT_NOTIFY") == 0;

	if (sc->has_default_errno_ret && !spec_seccomp_action_takes_errno(sc->default_action_value))
		fail("", r,
		     "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or "
		     "SCMP_ACT_TRACE, not %s",
		     sc->default_action);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct spec_seccomp_syscall *s = &sc->syscalls[i];
		if (s->has_errno_ret && !spec_seccomp_action_takes_errno(s->action_value))
			fail("", r,
			     "linux.seccomp.syscalls[%zu].errnoRet: only valid with SCMP_ACT_ERRNO "
			     "or SCMP_ACT_TRACE, not %s",
			     i, s->action);
		if (strcmp(s->action, "SCMP_ACT_NOTIFY") == 0)
			notify = true;
	}
	if (notify && (sc->listener_path == NULL || sc->listener_path[0] == '\0'))
		fail("", r,
		     "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY");
	if (sc->listener_path && sc->listener_path[0] && sc->listener_path[0] != '/')
		fail("", r, "linux.seccomp.listenerPath: \"%s\" is not an absolute path",
		     sc->listener_path);
}

static void check_resources(const struct spec_resources *res, const char *prefix,
			    struct check_report *r)
{
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const char *ps = res->hugepage_limits[i].page_size;
		size_t n;
		if (parse_failed(r, prefix, "hugepageLimits[%zu]", i))
			continue;
		n = strlen(ps);
		/* The cgroup file is hugetlb.<size>.limit_in_bytes: "2MB", "1GB", "64KB". */
		if (n < 3 || strspn(ps, "0123456789") != n - 2 ||
		    (strcmp(ps + n - 2, "KB") && strcmp(ps + n - 2, "MB") &&
		     strcmp(ps + n - 2, "GB")))
			fail(prefix, r,
			     "hugepageLimits[%zu].pageSize: \"%s\" is not a page size like 2MB", i,
			     ps);
	}
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *k = res->unified[i].key;
		if (k[0] == '\0' || strchr(k, '/') || strcmp(k, ".") == 0 || strcmp(k, "..") == 0)
			fail(prefix, r, "unified: \"%s\" is not a cgroup file name", k);
	}
}

static void check_paths_absolute(char *const *paths, const char *name, struct check_report *r)
{
	for (size_t i = 0; paths && paths[i]; i++)
		if (paths[i][0] != '/')
			fail("", r, "%s[%zu]: \"%s\" is not an absolute path", name, i, paths[i]);
}

/* dest made absolute and lexically clean ("//a/./b/../c/" is "/a/c"). */
static char *clean_destination(const char *dest)
{
	size_t len = strlen(dest);
	char *out = xcalloc(1, len + 2);
	size_t o = 0;

	for (const char *p = dest; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/*
 * /proc is the kernel's: anything but procfs on it, or any mount on a file
 * under it, could hide what the kernel says (e.g. a fake /proc/self/...
 * that a runtime's exec then trusts).  The only exceptions are the single
 * files lxcfs binds over to show a container its own limits.
 */
static const char *const proc_bind_files[] = {
    "/proc/cpuinfo", "/proc/meminfo",
    "/proc/stat",    "/proc/uptime",
    "/proc/loadavg", "/proc/diskstats",
    "/proc/swaps",   "/proc/slabinfo",
    "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

static bool mount_is_bind(const struct spec_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t i = 0; m->options && m->options[i]; i++)
		if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0)
			return true;
	return false;
}

static void check_proc_mount(const struct spec_mount *m, size_t i, struct check_report *r)
{
	_cleanup_free_ char *dest = clean_destination(m->destination ? m->destination : "");
	bool bind = mount_is_bind(m);

	if (strncmp(dest, "/proc", 5) != 0 || (dest[5] != '\0' && dest[5] != '/'))
		return;
	if (dest[5] == '\0') {
		if (!bind && m->type && strcmp(m->type, "proc") == 0)
			return;
		fail("", r, "mounts[%zu]: only a mount of type proc may go on /proc, not %s", i,
		     bind      ? "a bind mount"
		     : m->type ? m->type
			       : "(no type)");
		return;
	}
	for (size_t k = 0; k < ARRAY_SIZE(proc_bind_files); k++)
		if (bind && strcmp(dest, proc_bind_files[k]) == 0)
			return;
	fail("", r,
	     "mounts[%zu].destination: `%s` is under /proc: only binds over the single files "
	     "lxcfs provides (/proc/cpuinfo, meminfo, stat, uptime, loadavg, diskstats, swaps, "
	     "slabinfo, net/dev, sys/kernel/ns_last_pid) may go there",
	     i, dest);
}

static void check_mounts(const struct spec_config *cfg, struct check_report *r)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct spec_mount *m = &cfg->mounts[i];
		if (parse_failed(r, "", "mounts[%zu]", i))
			continue;
		_cleanup_free_ char *up = xasprintf("mounts[%zu].uidMappings", i);
		_cleanup_free_ char *gp = xasprintf("mounts[%zu].gidMappings", i);
		check_mappings(m->uid_mappings, m->n_uid_mappings, up, r);
		check_mappings(m->gid_mappings, m->n_gid_mappings, gp, r);
		check_proc_mount(m, i, r);
		if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
			fail("", r,
			     "mounts[%zu]: uidMappings and gidMappings must be given together", i);
	}
}

void spec_check_config(const struct spec_config *cfg, struct check_report *r)
{
	const struct spec_linux *l = cfg->linux;

	if (cfg->process)
		check_process(cfg->process, "process", r);
	check_namespaces(cfg, r);
	if (l && l->n_devices)
		check_devices(l, r);
	/* a bad action or name leaves the profile half-read */
	if (l && l->seccomp && !parse_failed(r, "", "linux.seccomp"))
		check_seccomp(l->seccomp, r);
	if (l && l->resources)
		check_resources(l->resources, "linux.resources", r);
	if (l) {
		check_paths_absolute(l->masked_paths, "linux.maskedPaths", r);
		check_paths_absolute(l->readonly_paths, "linux.readonlyPaths", r);
	}
	check_mounts(cfg, r);
}

/* The first problem of a report as the error; frees the report. */
static int first_problem(struct check_report *r, struct husk_error *err)
{
	int ret = check_report_first_error(r, err);

	check_report_free(r);
	return ret;
}

int spec_validate_process(const struct spec_process *p, const char *prefix, struct husk_error *err)
{
	struct check_report r = {0};

	check_process(p, prefix, &r);
	return first_problem(&r, err);
}

int spec_validate_resources(const struct spec_resources *res, const char *prefix,
			    struct husk_error *err)
{
	struct check_report r = {0};

	check_resources(res, prefix, &r);
	return first_problem(&r, err);
}

int spec_validate_config(const struct spec_config *cfg, struct husk_error *err)
{
	struct check_report r = {0};

	spec_check_config(cfg, &r);
	return first_problem(&r, err);
}
