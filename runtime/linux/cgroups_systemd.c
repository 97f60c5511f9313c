// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The systemd cgroup driver: the container's cgroup is a transient scope
 * that systemd creates over D-Bus with the init's pid in it and
 * Delegate=yes, so husk may still write the files systemd has no property
 * for.  Resources that systemd knows go in as unit properties too, so a
 * later `systemctl daemon-reload` does not undo them.
 */
#include "config.h"
#include "linux/cgroups.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_SYSTEMD
#include "linux/sdbus.h"
#endif

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cg_systemd_parse_path(const char *cgroups_path, const char *id, const char *default_slice,
			  char **slice, char **unit, struct husk_error *err)
{
	_cleanup_free_ char *copy = NULL;
	char *parts[3];
	char *p;

	if (cgroups_path == NULL || *cgroups_path == '\0') {
		*slice = xstrdup(default_slice);
		*unit = xasprintf("husk-%s.scope", id);
		return 0;
	}
	copy = xstrdup(cgroups_path);
	p = copy;
	for (int i = 0; i < 3; i++) {
		parts[i] = p;
		char *c = i < 2 ? strchr(p, ':') : NULL;
		if (i < 2 && c == NULL)
			return husk_error_set(err, EINVAL,
					      "linux.cgroupsPath: `%s`: the systemd driver expects "
					      "slice:prefix:name",
					      cgroups_path);
		if (c) {
			*c = '\0';
			p = c + 1;
		}
	}
	if (strchr(parts[2], ':') || strchr(parts[0], '/') || strchr(parts[1], '/') ||
	    strchr(parts[2], '/') || *parts[2] == '\0')
		return husk_error_set(err, EINVAL,
				      "linux.cgroupsPath: `%s`: the systemd driver expects "
				      "slice:prefix:name",
				      cgroups_path);
	if (*parts[0] && !ends_with(parts[0], ".slice"))
		return husk_error_set(err, EINVAL,
				      "linux.cgroupsPath: `%s`: `%s` is not a slice name",
				      cgroups_path, parts[0]);
	*slice = xstrdup(*parts[0] ? parts[0] : default_slice);
	if (ends_with(parts[2], ".scope"))
		*unit = xstrdup(parts[2]);
	else if (*parts[1])
		*unit = xasprintf("%s-%s.scope", parts[1], parts[2]);
	else
		*unit = xasprintf("%s.scope", parts[2]);
	return 0;
}

#ifdef HAVE_SYSTEMD

static int bus_error(struct husk_error *err, int r, const sd_bus_error *e, const char *what,
		     const char *unit)
{
	if (e && sd_bus_error_is_set(e))
		return husk_error_set(err, -r, "systemd: %s %s: %s", what, unit,
				      e->message ? e->message : e->name);
	return husk_error_set(err, -r, "systemd: %s %s", what, unit);
}

/* "0-3,7" -> a little-endian bit mask, as AllowedCPUs wants. */
static int cpulist_mask(const char *list, uint8_t **mask, size_t *len)
{
	_cleanup_free_ char *copy = xstrdup(list);
	char *save = NULL;

	*mask = NULL;
	*len = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint64_t a, b;
		char *dash = strchr(t, '-');
		t += strspn(t, " \n");
		t[strcspn(t, " \n")] = '\0';
		if (dash) {
			*dash = '\0';
			if (parse_uint64(t, &a) < 0 || parse_uint64(dash + 1, &b) < 0 || b < a)
				return -1;
		} else {
			if (parse_uint64(t, &a) < 0)
				return -1;
			b = a;
		}
		if (b >= 8192)
			return -1;
		if (b / 8 + 1 > *len) {
			*mask = xrealloc(*mask, b / 8 + 1);
			memset(*mask + *len, 0, b / 8 + 1 - *len);
			*len = b / 8 + 1;
		}
		for (uint64_t i = a; i <= b; i++)
			(*mask)[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	return 0;
}

static int append_u64(sd_bus_message *m, const char *name, uint64_t v)
{
	return sd_bus_message_append(m, "(sv)", name, "t", v);
}

/* A cpuset list ("0-3,8") as systemd's byte mask; nothing when the list is
 * empty or not one cpulist_mask understands. */
static int append_cpulist(sd_bus_message *m, const char *name, const char *list)
{
	_cleanup_free_ uint8_t *mask = NULL;
	size_t len;
	int ret;

	if (list == NULL || *list == '\0' || cpulist_mask(list, &mask, &len) != 0 || len == 0)
		return 0;
	ret = sd_bus_message_open_container(m, 'r', "sv");
	if (ret >= 0)
		ret = sd_bus_message_append(m, "s", name);
	if (ret >= 0)
		ret = sd_bus_message_open_container(m, 'v', "ay");
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', mask, len);
	if (ret >= 0)
		ret = sd_bus_message_close_container(m);
	if (ret >= 0)
		ret = sd_bus_message_close_container(m);
	return ret;
}

static uint64_t unlimited(int64_t v)
{
	return v < 0 ? UINT64_MAX : (uint64_t)v;
}

static int append_resources(sd_bus_message *m, const struct cgroup_handle *cg,
			    const struct spec_resources *r)
{
	bool v2 = cg->layout == CG_UNIFIED;
	int ret = 0;

	if (r == NULL)
		return 0;
	if (r->memory && r->memory->has_limit)
		ret = append_u64(m, v2 ? "MemoryMax" : "MemoryLimit", unlimited(r->memory->limit));
	if (ret >= 0 && v2 && r->memory && r->memory->has_reservation)
		ret = append_u64(m, "MemoryLow", unlimited(r->memory->reservation));
	if (ret >= 0 && v2 && r->memory && r->memory->has_swap && r->memory->has_limit &&
	    r->memory->limit > 0 && r->memory->swap != 0)
		ret = append_u64(m, "MemorySwapMax",
				 r->memory->swap < 0
				     ? UINT64_MAX
				     : (uint64_t)(r->memory->swap - r->memory->limit));
	if (ret >= 0 && r->pids && r->pids->has_limit && r->pids->limit != 0)
		ret = append_u64(m, "TasksMax", unlimited(r->pids->limit));
	if (ret >= 0 && r->cpu && r->cpu->has_shares && r->cpu->shares != 0)
		ret = v2 ? append_u64(m, "CPUWeight", cg_shares_to_weight(r->cpu->shares))
			 : append_u64(m, "CPUShares", r->cpu->shares);
	if (ret >= 0 && r->cpu && r->cpu->has_quota && r->cpu->quota != 0) {
		uint64_t period = r->cpu->has_period && r->cpu->period ? r->cpu->period : 100000;
		uint64_t persec = UINT64_MAX;
		if (r->cpu->quota > 0) {
			persec = (uint64_t)r->cpu->quota * 1000000 / period;
			/* systemd keeps 10 ms steps: round up, never below the ask */
			if (persec % 10000)
				persec = (persec / 10000 + 1) * 10000;
		}
		ret = append_u64(m, "CPUQuotaPerSecUSec", persec);
		if (ret >= 0 && r->cpu->has_period && r->cpu->period)
			ret = append_u64(m, "CPUQuotaPeriodUSec", r->cpu->period);
	}
	if (ret >= 0 && v2 && r->cpu)
		ret = append_cpulist(m, "AllowedCPUs", r->cpu->cpus);
	if (ret >= 0 && v2 && r->cpu)
		ret = append_cpulist(m, "AllowedMemoryNodes", r->cpu->mems);
	return ret;
}

struct job_wait {
	const char *job;
	bool done;
	char *result;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct job_wait *w = userdata;
	const char *path = NULL, *unit = NULL, *result = NULL;
	uint32_t id;

	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->job && path && strcmp(path, w->job) == 0) {
		w->done = true;
		w->result = xstrdup(result ? result : "");
	}
	return 0;
}

/* The user manager's own socket, $XDG_RUNTIME_DIR/systemd/private: a
 * direct connection that needs no session bus (dbus-user-session), as
 * systemctl --user uses it.  systemd sends its signals to every direct
 * connection, JobRemoved included. */
static int open_user_private(sd_bus **bus)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	_cleanup_free_ char *addr = NULL;
	sd_bus *b = NULL;
	int r;

	if (xdg == NULL || *xdg != '/')
		return -ENOENT;
	addr = xasprintf("unix:path=%s/systemd/private", xdg);
	r = sd_bus_new(&b);
	if (r >= 0)
		r = sd_bus_set_address(b, addr);
	if (r >= 0)
		r = sd_bus_start(b);
	if (r < 0) {
		sd_bus_flush_close_unref(b);
		return r;
	}
	*bus = b;
	return 0;
}

/* Root talks to the system manager; a user (or root of a user namespace,
 * as under rootless podman) to its own manager: on the user bus
 * (DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus), else directly on
 * the manager's private socket. */
static int open_bus(const struct cgroup_handle *cg, sd_bus **bus, struct husk_error *err)
{
	int r;

	if (cg->user_manager) {
		r = sd_bus_open_user(bus);
		if (r >= 0)
			return 0;
		if (open_user_private(bus) == 0)
			return 0;
		return husk_error_set(
		    err, -r,
		    "systemd: connect to the user's manager (rootless: the user "
		    "bus at $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus, or "
		    "$XDG_RUNTIME_DIR/systemd/private; `loginctl enable-linger` "
		    "starts a manager)");
	}
	r = sd_bus_open_system(bus);
	if (r < 0)
		return husk_error_set(err, -r, "systemd: connect to the system bus");
	return 0;
}

int cg_systemd_reachable(const struct cgroup_handle *cg, struct husk_error *err)
{
	sd_bus *bus = NULL;

	if (sdbus_load(err) < 0 || open_bus(cg, &bus, err) < 0)
		return -1;
	sd_bus_flush_close_unref(bus);
	return 0;
}

int cg_systemd_start(struct cgroup_handle *cg, pid_t pid, char **path, struct husk_error *err)
{
	sd_bus *bus = NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_slot *slot = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct job_wait w = {0};
	_cleanup_free_ char *desc = xasprintf("husk container %s", cg->unit);
	int r, ret = -1;

	*path = NULL;
	if (sdbus_load(err) < 0)
		return -1;
	if (open_bus(cg, &bus, err) < 0)
		goto out;
	r = sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				"org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed,
				&w);
	if (r < 0) {
		bus_error(err, r, NULL, "subscribe to JobRemoved for", cg->unit);
		goto out;
	}
	r = sd_bus_message_new_method_call(
	    bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
	    "org.freedesktop.systemd1.Manager", "StartTransientUnit");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", cg->unit, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)", "Description", "s", desc, "Slice",
					  "s", cg->slice, "Delegate", "b", 1, "DefaultDependencies",
					  "b", 0);
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)", "MemoryAccounting", "b", 1,
					  "TasksAccounting", "b", 1, "CPUAccounting", "b", 1);
	if (r >= 0)
		r = append_resources(m, cg, cg->pending);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0) {
		bus_error(err, r, NULL, "build StartTransientUnit for", cg->unit);
		goto out;
	}
	r = sd_bus_call(bus, m, 30 * 1000000ULL, &e, &reply);
	if (r < 0) {
		bus_error(err, r, &e, "start transient unit", cg->unit);
		goto out;
	}
	r = sd_bus_message_read(reply, "o", &w.job);
	if (r < 0) {
		bus_error(err, r, NULL, "read the job of", cg->unit);
		goto out;
	}
	w.job = xstrdup(w.job);
	for (int i = 0; i < 300 && !w.done; i++) {
		r = sd_bus_process(bus, NULL);
		if (r < 0) {
			bus_error(err, r, NULL, "wait for", cg->unit);
			goto out;
		}
		if (r == 0)
			sd_bus_wait(bus, 100000);
	}
	if (!w.done) {
		husk_error_set(err, ETIMEDOUT, "systemd: the job starting %s did not finish",
			       cg->unit);
		goto out;
	}
	if (strcmp(w.result, "done") != 0) {
		husk_error_set(err, EIO, "systemd: starting %s: job %s", cg->unit, w.result);
		goto out;
	}
	ret = 0;
out:
	free((char *)w.job);
	free(w.result);
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	sd_bus_slot_unref(slot);
	sd_bus_flush_close_unref(bus);
	return ret;
}

int cg_systemd_stop(struct cgroup_handle *cg, struct husk_error *err)
{
	sd_bus *bus = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	if (sdbus_load(err) < 0)
		return -1;
	if (open_bus(cg, &bus, err) < 0)
		return -1;
	r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "StopUnit", &e, &reply, "ss",
			       cg->unit, "replace");
	if (r < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
		bus_error(err, r, &e, "stop", cg->unit);
	else
		r = 0;
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? -1 : 0;
}

#else

int cg_systemd_reachable(const struct cgroup_handle *cg, struct husk_error *err)
{
	(void)cg;
	return husk_error_set(err, ENOTSUP, "--systemd-cgroup: built without libsystemd");
}

int cg_systemd_start(struct cgroup_handle *cg, pid_t pid, char **path, struct husk_error *err)
{
	*path = NULL;
	return husk_error_set(err, ENOTSUP,
			      "--systemd-cgroup: this husk was built without libsystemd (sd-bus); "
			      "use the cgroupfs driver or rebuild with libsystemd-dev");
}

int cg_systemd_stop(struct cgroup_handle *cg, struct husk_error *err)
{
	return husk_error_set(err, ENOTSUP, "--systemd-cgroup: built without libsystemd");
}

#endif
