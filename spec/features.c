// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `husk features` (runtime-spec features.md, features-linux.md): what this
 * build recognises and supports.  Recognised names come from names.c, so the
 * document cannot drift from the parser; "enabled" values say what the
 * runtime implements, whatever the host offers.
 */
#include "config.h"
#include "spec/state.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/base.h"
#include "spec/json.h"
#include "spec/names.h"

#define FEATURES_OCI_VERSION_MIN "1.0.0"
#define FEATURES_OCI_VERSION_MAX "1.3.0"

/* What the runtime implements; keep in step with runtime/linux/. */
static const struct {
	bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
	bool apparmor, selinux, intel_rdt, intel_rdt_schemata, idmap_mounts, net_devices;
} implemented = {
    .cgroup_v1 = true,
    .cgroup_v2 = true,
    .cgroup_systemd = true,
    .cgroup_systemd_user = false,
    .cgroup_rdma = true,
    .apparmor = true,
    .selinux = true,
    .intel_rdt = true,
    .intel_rdt_schemata = true,
    .idmap_mounts = true,
    .net_devices = true,
};

static const char *const hook_names[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL,
};

static const char *const mempolicy_modes[] = {
    "MPOL_DEFAULT",	   "MPOL_PREFERRED",	       "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
    "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE", NULL,
};

static const char *const mempolicy_flags[] = {
    "MPOL_F_NUMA_BALANCING",
    "MPOL_F_RELATIVE_NODES",
    "MPOL_F_STATIC_NODES",
    NULL,
};

/* The kernel answers EFAULT to a known flag with no program and EINVAL to
 * an unknown one; nothing is installed either way. */
static bool kernel_knows_seccomp_flag(unsigned long flag)
{
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
	return r < 0 && errno == EFAULT;
}

static bool libseccomp_can_set_flag(const char *name)
{
	/* libseccomp sets filter flags through attributes; without one for a
	 * flag, husk cannot ask for it. */
	if (strcmp(name, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0) {
#ifdef SCMP_FLTATR_CTL_WAITKILL
		return true;
#else
		return false;
#endif
	}
	return true;
}

static void emit_supported_flags(yajl_gen g)
{
	json_gen_cstr(g, "supportedFlags");
	yajl_gen_array_open(g);
	for (size_t i = 0; spec_seccomp_flag_names[i]; i++) {
		const char *name = spec_seccomp_flag_names[i];
		int bit = spec_seccomp_flag_from_name(name);
		if (bit > 0 && libseccomp_can_set_flag(name) &&
		    kernel_knows_seccomp_flag((unsigned long)bit))
			json_gen_cstr(g, name);
	}
	yajl_gen_array_close(g);
}

static void kenabled(yajl_gen g, const char *key, bool enabled)
{
	json_gen_cstr(g, key);
	yajl_gen_map_open(g);
	json_gen_kbool(g, "enabled", enabled);
	yajl_gen_map_close(g);
}

static void emit_linux(yajl_gen g, const struct spec_features_host *host)
{
	const char *caps[64] = {NULL};
	int max = spec_capability_max_known();

	for (int i = 0; i <= max && i < (int)ARRAY_SIZE(caps) - 1; i++)
		caps[i] = spec_capability_name(i);

	json_gen_cstr(g, "linux");
	yajl_gen_map_open(g);
	json_gen_cstr(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; spec_ns_type_names[i]; i++)
		if (host->time_namespace || strcmp(spec_ns_type_names[i], "time") != 0)
			json_gen_cstr(g, spec_ns_type_names[i]);
	yajl_gen_array_close(g);
	json_gen_kstrv(g, "capabilities", caps);

	json_gen_cstr(g, "cgroup");
	yajl_gen_map_open(g);
	json_gen_kbool(g, "v1", implemented.cgroup_v1);
	json_gen_kbool(g, "v2", implemented.cgroup_v2);
	json_gen_kbool(g, "systemd", implemented.cgroup_systemd);
	json_gen_kbool(g, "systemdUser", implemented.cgroup_systemd_user);
	json_gen_kbool(g, "rdma", implemented.cgroup_rdma);
	yajl_gen_map_close(g);

	json_gen_cstr(g, "seccomp");
	yajl_gen_map_open(g);
	json_gen_kbool(g, "enabled", true);
	json_gen_cstr(g, "actions");
	yajl_gen_array_open(g);
	for (size_t i = 0; spec_seccomp_action_names[i]; i++)
		if (host->seccomp_notify ||
		    strcmp(spec_seccomp_action_names[i], "SCMP_ACT_NOTIFY") != 0)
			json_gen_cstr(g, spec_seccomp_action_names[i]);
	yajl_gen_array_close(g);
	json_gen_kstrv(g, "operators", spec_seccomp_op_names);
	json_gen_kstrv(g, "archs", spec_seccomp_arch_names);
	json_gen_kstrv(g, "knownFlags", spec_seccomp_flag_names);
	emit_supported_flags(g);
	yajl_gen_map_close(g);

	kenabled(g, "apparmor", implemented.apparmor);
	kenabled(g, "selinux", implemented.selinux);

	json_gen_cstr(g, "intelRdt");
	yajl_gen_map_open(g);
	json_gen_kbool(g, "enabled", implemented.intel_rdt);
	json_gen_kbool(g, "schemata", implemented.intel_rdt_schemata);
	yajl_gen_map_close(g);

	json_gen_cstr(g, "memoryPolicy");
	yajl_gen_map_open(g);
	json_gen_kstrv(g, "modes", mempolicy_modes);
	json_gen_kstrv(g, "flags", mempolicy_flags);
	yajl_gen_map_close(g);

	json_gen_cstr(g, "mountExtensions");
	yajl_gen_map_open(g);
	kenabled(g, "idmap", implemented.idmap_mounts && host->idmap_mounts);
	yajl_gen_map_close(g);

	kenabled(g, "netDevices", implemented.net_devices);
	yajl_gen_map_close(g);
}

int spec_features_emit(const struct spec_features_host *host, const struct spec_kv *extra,
		       size_t n_extra, char **out, size_t *len, struct husk_error *err)
{
	yajl_gen g = json_gen_new(true);
	const struct scmp_version *v = seccomp_version();
	char libseccomp[32] = "";

	if (v)
		snprintf(libseccomp, sizeof libseccomp, "%u.%u.%u", v->major, v->minor, v->micro);

	yajl_gen_map_open(g);
	json_gen_kstr(g, "ociVersionMin", FEATURES_OCI_VERSION_MIN);
	json_gen_kstr(g, "ociVersionMax", FEATURES_OCI_VERSION_MAX);
	json_gen_kstrv(g, "hooks", hook_names);
	json_gen_kstrv(g, "mountOptions", spec_mount_option_names);
	emit_linux(g, host);
	json_gen_cstr(g, "annotations");
	yajl_gen_map_open(g);
	if (*libseccomp)
		json_gen_kstr(g, "io.github.husk.libseccomp.version", libseccomp);
	json_gen_kstr(g, "io.github.husk.seccomp.enabled", "true");
	for (size_t i = 0; i < n_extra; i++)
		json_gen_kstr(g, extra[i].key, extra[i].value);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	return json_gen_finish(g, out, len, err);
}
