// SPDX-License-Identifier: GPL-2.0-or-later
/* config.json, `exec --process` and `update --resources` parsing and validation. */
#include "config.h"
#include "tests/unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "runtime/util.h"
#include "spec/oci_config.h"
#include "spec/names.h"

static char *data_path(const char *name)
{
	const char *srcdir = getenv("srcdir");
	return xasprintf("%s/tests/data/%s", srcdir ? srcdir : ".", name);
}

static struct spec_config *load_data(const char *name, struct husk_error *err)
{
	_cleanup_free_ char *path = data_path(name);
	struct spec_config *cfg = NULL;

	if (spec_config_load(path, &cfg, err) < 0)
		return NULL;
	return cfg;
}

/* Parse text; return the error message (caller frees) or NULL on success. */
static char *config_error(const char *text)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = NULL;

	if (spec_config_parse(text, strlen(text), &cfg, &err) == 0) {
		spec_config_free(cfg);
		return NULL;
	}
	return err.msg ? err.msg : xstrdup("(no message)");
}

#define BASE "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}"
#define CFG(extra) BASE "," extra "}"
#define PROC(extra) CFG("\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]," extra "}")
#define LINUX(extra) CFG("\"linux\":{" extra "}")
#define RES(extra) LINUX("\"resources\":{" extra "}")

TEST(minimal_config)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = NULL;
	const char *text = BASE "}";

	ASSERT_OK(spec_config_parse(text, strlen(text), &cfg, &err), &err);
	ASSERT_STREQ(cfg->oci_version, "1.0.0");
	ASSERT_STREQ(cfg->root->path, "r");
	ASSERT(!cfg->root->readonly);
	ASSERT_NULL(cfg->process);
	ASSERT_NULL(cfg->linux);
	ASSERT_NULL(cfg->hooks);
	ASSERT_INT_EQ(cfg->n_mounts, 0);
	ASSERT_NULL(spec_config_namespace(cfg, SPEC_NS_PID));
	ASSERT_NULL(spec_annotation(cfg, "x"));
	spec_config_free(cfg);
}

TEST(full_config_top_and_process)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = load_data("config-full.json", &err);
	struct spec_process *p;

	ASSERT_MSG(cfg, "load: %s", err.msg);
	ASSERT_STREQ(cfg->oci_version, "1.3.0");
	ASSERT(cfg->root->readonly);
	ASSERT_INT_EQ(cfg->n_mounts, 3);
	ASSERT_STREQ(cfg->mounts[0].destination, "/proc");
	ASSERT_NULL(cfg->mounts[0].options);
	ASSERT_STREQ(cfg->mounts[1].source, "/srv/data");
	ASSERT_STREQ(cfg->mounts[1].type, "bind");
	ASSERT_STREQ(cfg->mounts[1].options[0], "rbind");
	ASSERT_STREQ(cfg->mounts[1].options[1], "ro");
	ASSERT_NULL(cfg->mounts[1].options[2]);
	ASSERT_INT_EQ(cfg->mounts[1].n_uid_mappings, 1);
	ASSERT_UINT_EQ(cfg->mounts[1].uid_mappings[0].host_id, 100000);
	ASSERT_UINT_EQ(cfg->mounts[1].gid_mappings[0].host_id, 200000);
	ASSERT_UINT_EQ(cfg->mounts[1].gid_mappings[0].size, 65536);
	/* Relative destinations mean "under /" (config.md). */
	ASSERT_STREQ(cfg->mounts[2].destination, "/relative/dir");

	p = cfg->process;
	ASSERT_NOT_NULL(p);
	ASSERT(p->terminal);
	ASSERT(p->has_console_size);
	ASSERT_UINT_EQ(p->console_height, 24);
	ASSERT_UINT_EQ(p->console_width, 80);
	ASSERT_STREQ(p->cwd, "/work");
	ASSERT_STREQ(p->env[1], "TERM=xterm");
	ASSERT_STREQ(p->args[2], "echo hi");
	ASSERT_NULL(p->args[3]);
	ASSERT_STREQ(p->command_line, "sh -c 'echo hi'");
	ASSERT_INT_EQ(p->n_rlimits, 2);
	ASSERT_STREQ(p->rlimits[0].type, "RLIMIT_NOFILE");
	ASSERT_INT_EQ(p->rlimits[0].resource, RLIMIT_NOFILE);
	ASSERT_UINT_EQ(p->rlimits[0].soft, 1024);
	ASSERT_UINT_EQ(p->rlimits[0].hard, 4096);
	ASSERT_INT_EQ(p->rlimits[1].resource, RLIMIT_CORE);
	ASSERT_UINT_EQ(p->rlimits[1].soft, UINT64_MAX);
	ASSERT_STREQ(p->apparmor_profile, "husk-default");
	ASSERT_STREQ(p->capabilities->bounding[1], "CAP_KILL");
	ASSERT_STREQ(p->capabilities->effective[0], "CAP_CHOWN");
	ASSERT_NOT_NULL(p->capabilities->inheritable);
	ASSERT_NULL(p->capabilities->inheritable[0]);
	ASSERT_STREQ(p->capabilities->permitted[1], "CAP_KILL");
	ASSERT_STREQ(p->capabilities->ambient[0], "CAP_KILL");
	ASSERT(p->no_new_privileges);
	ASSERT(p->has_oom_score_adj);
	ASSERT_INT_EQ(p->oom_score_adj, -500);
	ASSERT_STREQ(p->scheduler->policy, "SCHED_DEADLINE");
	ASSERT_INT_EQ(p->scheduler->policy_value, 6);
	ASSERT_INT_EQ(p->scheduler->nice, -5);
	ASSERT_STREQ(p->scheduler->flags[0], "SCHED_FLAG_RESET_ON_FORK");
	ASSERT_UINT_EQ(p->scheduler->runtime, 10000000);
	ASSERT_UINT_EQ(p->scheduler->deadline, 20000000);
	ASSERT_UINT_EQ(p->scheduler->period, 30000000);
	ASSERT_STREQ(p->selinux_label, "system_u:system_r:container_t:s0");
	ASSERT_STREQ(p->io_priority->class_name, "IOPRIO_CLASS_BE");
	ASSERT_INT_EQ(p->io_priority->class_value, 2);
	ASSERT_INT_EQ(p->io_priority->priority, 4);
	ASSERT_STREQ(p->exec_cpu_affinity->initial, "0");
	ASSERT_STREQ(p->exec_cpu_affinity->final, "0-1");
	ASSERT_UINT_EQ(p->user.uid, 1000);
	ASSERT_UINT_EQ(p->user.gid, 1001);
	ASSERT(p->user.has_umask);
	ASSERT_UINT_EQ(p->user.umask, 022);
	ASSERT_INT_EQ(p->user.n_additional_gids, 3);
	ASSERT_UINT_EQ(p->user.additional_gids[2], UINT32_MAX);
	ASSERT_STREQ(p->user.username, "someone");

	ASSERT_STREQ(cfg->hostname, "box");
	ASSERT_STREQ(cfg->domainname, "example.org");
	ASSERT_INT_EQ(cfg->hooks->prestart.n, 1);
	ASSERT_STREQ(cfg->hooks->prestart.items[0].path, "/usr/bin/pre");
	ASSERT_STREQ(cfg->hooks->prestart.items[0].args[1], "a");
	ASSERT_STREQ(cfg->hooks->prestart.items[0].env[0], "X=1");
	ASSERT(cfg->hooks->prestart.items[0].has_timeout);
	ASSERT_INT_EQ(cfg->hooks->prestart.items[0].timeout, 5);
	ASSERT_INT_EQ(cfg->hooks->create_runtime.n, 2);
	ASSERT_STREQ(cfg->hooks->create_runtime.items[1].path, "/bin/cr2");
	ASSERT(!cfg->hooks->create_runtime.items[1].has_timeout);
	ASSERT_STREQ(cfg->hooks->create_container.items[0].path, "/bin/cc");
	ASSERT_STREQ(cfg->hooks->start_container.items[0].path, "/bin/sc");
	ASSERT_STREQ(cfg->hooks->poststart.items[0].path, "/bin/ps");
	ASSERT_INT_EQ(cfg->hooks->poststop.items[0].timeout, 1);
	ASSERT_INT_EQ(cfg->n_annotations, 2);
	ASSERT_STREQ(spec_annotation(cfg, "org.example.key"), "value");
	ASSERT_STREQ(spec_annotation(cfg, "other"), "");
	ASSERT_NULL(spec_annotation(cfg, "missing"));
	spec_config_free(cfg);
}

TEST(full_config_linux)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = load_data("config-full.json", &err);
	const struct spec_linux *l;

	ASSERT_MSG(cfg, "load: %s", err.msg);
	l = cfg->linux;
	ASSERT_INT_EQ(l->n_namespaces, 8);
	ASSERT_INT_EQ(l->namespaces[0].type, SPEC_NS_PID);
	ASSERT_NULL(l->namespaces[0].path);
	ASSERT_STREQ(spec_config_namespace(cfg, SPEC_NS_NETWORK)->path, "/var/run/netns/x");
	ASSERT_INT_EQ(l->namespaces[7].type, SPEC_NS_TIME);
	ASSERT_INT_EQ(l->n_uid_mappings, 2);
	ASSERT_UINT_EQ(l->uid_mappings[1].container_id, 1);
	ASSERT_UINT_EQ(l->uid_mappings[1].host_id, 100000);
	ASSERT_UINT_EQ(l->uid_mappings[1].size, 65535);
	ASSERT_INT_EQ(l->n_gid_mappings, 1);
	ASSERT(l->time_monotonic.present);
	ASSERT_INT_EQ(l->time_monotonic.secs, -172800);
	ASSERT(l->time_boottime.present);
	ASSERT_UINT_EQ(l->time_boottime.nanosecs, 999999999);
	ASSERT_INT_EQ(l->n_devices, 2);
	ASSERT_STREQ(l->devices[0].type, "c");
	ASSERT_STREQ(l->devices[0].path, "/dev/fuse");
	ASSERT_INT_EQ(l->devices[0].major, 10);
	ASSERT_INT_EQ(l->devices[0].minor, 229);
	ASSERT(l->devices[0].has_file_mode);
	ASSERT_UINT_EQ(l->devices[0].file_mode, 0666);
	ASSERT(l->devices[0].has_uid && l->devices[0].has_gid);
	ASSERT_STREQ(l->devices[1].type, "p");
	ASSERT(!l->devices[1].has_file_mode);
	ASSERT_STREQ(l->cgroups_path, "/husk/test");
	ASSERT_STREQ(l->rootfs_propagation, "rslave");
	ASSERT_INT_EQ(l->n_sysctl, 2);
	ASSERT_STREQ(l->sysctl[0].key, "net.ipv4.ip_forward");
	ASSERT_STREQ(l->sysctl[0].value, "1");
	ASSERT_STREQ(l->masked_paths[1], "/sys/firmware");
	ASSERT_STREQ(l->readonly_paths[0], "/proc/sys");
	ASSERT_STREQ(l->mount_label, "system_u:object_r:container_file_t:s0");
	ASSERT_STREQ(l->personality->domain, "LINUX32");
	ASSERT_STREQ(l->intel_rdt->clos_id, "guaranteed_group");
	ASSERT_STREQ(l->intel_rdt->l3_cache_schema, "L3:0=7f0");
	ASSERT_STREQ(l->intel_rdt->mem_bw_schema, "MB:0=20");
	ASSERT_STREQ(l->intel_rdt->schemata[1], "L3:0=f");
	ASSERT(l->intel_rdt->enable_monitoring);
	ASSERT(l->intel_rdt->enable_cmt);
	ASSERT(!l->intel_rdt->enable_mbm);
	ASSERT_STREQ(l->memory_policy->mode, "MPOL_INTERLEAVE");
	ASSERT_INT_EQ(l->memory_policy->mode_value, 3);
	ASSERT_STREQ(l->memory_policy->nodes, "0-1");
	ASSERT_STREQ(l->memory_policy->flags[0], "MPOL_F_STATIC_NODES");
	ASSERT_INT_EQ(l->n_net_devices, 2);
	ASSERT_STREQ(l->net_devices[0].host_name, "eth1");
	ASSERT_STREQ(l->net_devices[0].name, "ctr1");
	ASSERT_STREQ(l->net_devices[1].host_name, "eth2");
	ASSERT_NULL(l->net_devices[1].name);
	spec_config_free(cfg);
}

TEST(full_config_seccomp)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = load_data("config-full.json", &err);
	const struct spec_seccomp *sc;

	ASSERT_MSG(cfg, "load: %s", err.msg);
	sc = cfg->linux->seccomp;
	ASSERT_STREQ(sc->default_action, "SCMP_ACT_ERRNO");
	ASSERT_UINT_EQ(sc->default_action_value, spec_seccomp_action_from_name("SCMP_ACT_ERRNO"));
	ASSERT(sc->has_default_errno_ret);
	ASSERT_UINT_EQ(sc->default_errno_ret, 1);
	ASSERT_STREQ(sc->architectures[2], "SCMP_ARCH_X32");
	ASSERT_STREQ(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG");
	ASSERT_STREQ(sc->listener_path, "/run/seccomp.sock");
	ASSERT_STREQ(sc->listener_metadata, "meta");
	ASSERT_INT_EQ(sc->n_syscalls, 4);
	ASSERT_STREQ(sc->syscalls[0].names[1], "write");
	ASSERT_UINT_EQ(sc->syscalls[0].action_value,
		       spec_seccomp_action_from_name("SCMP_ACT_ALLOW"));
	ASSERT_INT_EQ(sc->syscalls[1].n_args, 2);
	ASSERT_UINT_EQ(sc->syscalls[1].args[0].value, 4294967295u);
	ASSERT_STREQ(sc->syscalls[1].args[0].op, "SCMP_CMP_EQ");
	ASSERT_INT_EQ(sc->syscalls[1].args[0].op_value, spec_seccomp_op_from_name("SCMP_CMP_EQ"));
	ASSERT_UINT_EQ(sc->syscalls[1].args[1].index, 5);
	ASSERT_UINT_EQ(sc->syscalls[1].args[1].value, UINT64_MAX);
	ASSERT_UINT_EQ(sc->syscalls[1].args[1].value_two, 8);
	ASSERT_STREQ(sc->syscalls[2].action, "SCMP_ACT_NOTIFY");
	ASSERT(!sc->syscalls[2].has_errno_ret);
	ASSERT(sc->syscalls[3].has_errno_ret);
	ASSERT_UINT_EQ(sc->syscalls[3].errno_ret, 38);
	spec_config_free(cfg);
}

TEST(full_config_resources)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = load_data("config-full.json", &err);
	const struct spec_resources *r;

	ASSERT_MSG(cfg, "load: %s", err.msg);
	r = cfg->linux->resources;
	ASSERT_INT_EQ(r->n_devices, 2);
	ASSERT(!r->devices[0].allow);
	ASSERT_NULL(r->devices[0].type);
	ASSERT(!r->devices[0].has_major);
	ASSERT_STREQ(r->devices[0].access, "rwm");
	ASSERT(r->devices[1].allow);
	ASSERT(r->devices[1].has_major && r->devices[1].has_minor);
	ASSERT_INT_EQ(r->devices[1].minor, 229);
	ASSERT(r->memory->has_limit);
	ASSERT_INT_EQ(r->memory->limit, 536870912);
	ASSERT_INT_EQ(r->memory->reservation, 268435456);
	ASSERT(r->memory->has_swap);
	ASSERT_INT_EQ(r->memory->swap, -1);
	ASSERT(r->memory->has_kernel && r->memory->has_kernel_tcp);
	ASSERT(r->memory->has_swappiness);
	ASSERT_UINT_EQ(r->memory->swappiness, 60);
	ASSERT(r->memory->has_disable_oom_killer && r->memory->disable_oom_killer);
	ASSERT(r->memory->has_use_hierarchy && !r->memory->use_hierarchy);
	ASSERT(r->memory->has_check_before_update && r->memory->check_before_update);
	ASSERT_UINT_EQ(r->cpu->shares, 1024);
	ASSERT_INT_EQ(r->cpu->quota, 100000);
	ASSERT_UINT_EQ(r->cpu->burst, 1000);
	ASSERT_UINT_EQ(r->cpu->period, 100000);
	ASSERT_INT_EQ(r->cpu->realtime_runtime, 950000);
	ASSERT_UINT_EQ(r->cpu->realtime_period, 1000000);
	ASSERT_STREQ(r->cpu->cpus, "0-1");
	ASSERT_STREQ(r->cpu->mems, "0");
	ASSERT(r->cpu->has_idle);
	ASSERT_INT_EQ(r->cpu->idle, 1);
	ASSERT(r->pids->has_limit);
	ASSERT_INT_EQ(r->pids->limit, 100);
	ASSERT_UINT_EQ(r->block_io->weight, 500);
	ASSERT_UINT_EQ(r->block_io->leaf_weight, 300);
	ASSERT_INT_EQ(r->block_io->n_weight_device, 1);
	ASSERT_UINT_EQ(r->block_io->weight_device[0].weight, 600);
	ASSERT_UINT_EQ(r->block_io->weight_device[0].leaf_weight, 200);
	ASSERT_UINT_EQ(r->block_io->throttle_read_bps_device.items[0].rate, 1048576);
	ASSERT_INT_EQ(r->block_io->throttle_write_bps_device.items[0].minor, 16);
	ASSERT_UINT_EQ(r->block_io->throttle_read_iops_device.items[0].rate, 100);
	ASSERT_UINT_EQ(r->block_io->throttle_write_iops_device.items[0].rate, 200);
	ASSERT_STREQ(r->hugepage_limits[0].page_size, "2MB");
	ASSERT_UINT_EQ(r->hugepage_limits[0].limit, 209715200);
	ASSERT_UINT_EQ(r->network->class_id, 1048577);
	ASSERT_STREQ(r->network->priorities[0].name, "eth0");
	ASSERT_UINT_EQ(r->network->priorities[0].priority, 500);
	ASSERT_INT_EQ(r->n_rdma, 1);
	ASSERT_STREQ(r->rdma[0].device, "mlx5_1");
	ASSERT_UINT_EQ(r->rdma[0].hca_handles, 3);
	ASSERT_UINT_EQ(r->rdma[0].hca_objects, 10000);
	ASSERT_INT_EQ(r->n_unified, 2);
	ASSERT_STREQ(r->unified[1].key, "memory.high");
	ASSERT_STREQ(r->unified[1].value, "400000000");
	spec_config_free(cfg);
}

struct error_case {
	const char *json;
	const char *message;
};

static const struct error_case error_cases[] = {
    /* syntax and types */
    {"{", "invalid JSON: parse error: premature EOF"},
    {"[]", "(document): expected an object, got an array"},
    {"{\"root\":{\"path\":\"r\"}}", "ociVersion: required but missing"},
    {"{\"ociVersion\":1}", "ociVersion: expected a string, got an integer"},
    {"{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}",
     "ociVersion: unsupported version \"2.0.0\" (husk implements 1.x up to 1.3.0)"},
    {"{\"ociVersion\":\"1.0.0\"}", "root: required but missing"},
    {"{\"ociVersion\":\"1.0.0\",\"root\":{}}", "root.path: required but missing"},
    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"\"}}", "root.path: must not be empty"},
    {"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}",
     "root.readonly: expected a boolean, got a string"},
    {"{\"ociVersion\":\"1.0.0\",\"root\":[]}", "root: expected an object, got an array"},
    {RES("\"memory\":{\"limit\":\"1g\"}"),
     "linux.resources.memory.limit: expected an integer, got a string"},
    {RES("\"memory\":{\"limit\":1.5}"),
     "linux.resources.memory.limit: expected an integer, got a number"},
    {RES("\"memory\":{\"limit\":9223372036854775808}"),
     "linux.resources.memory.limit: 9223372036854775808 is out of range "
     "[-9223372036854775808, 9223372036854775807]"},
    {RES("\"memory\":{\"swappiness\":101}"),
     "linux.resources.memory.swappiness: 101 is out of range [0, 100]"},
    {RES("\"cpu\":{\"shares\":-1}"), "linux.resources.cpu.shares: -1 is out of range "
				     "[0, 18446744073709551615]"},
    {RES("\"blockIO\":{\"weight\":65536}"),
     "linux.resources.blockIO.weight: 65536 is out of range [0, 65535]"},
    {RES("\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}"),
     "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required but missing"},
    {RES("\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]"),
     "linux.resources.devices[0].access: \"rwx\" is not a combination of r, w and m"},
    {RES("\"devices\":[{\"allow\":true,\"type\":\"z\"}]"),
     "linux.resources.devices[0].type: unknown device type \"z\""},
    {RES("\"devices\":[{\"access\":\"r\"}]"),
     "linux.resources.devices[0].allow: required but missing"},
    {RES("\"hugepageLimits\":[{\"pageSize\":\"2M\",\"limit\":1}]"),
     "linux.resources.hugepageLimits[0].pageSize: \"2M\" is not a page size like 2MB"},
    {RES("\"unified\":{\"../x\":\"1\"}"),
     "linux.resources.unified: \"../x\" is not a cgroup file name"},
    {RES("\"unified\":{\"memory.max\":1}"),
     "linux.resources.unified.memory.max: expected a string, got an integer"},
    {RES("\"rdma\":{\"mlx\":{\"hcaHandles\":-1}}"),
     "linux.resources.rdma.mlx.hcaHandles: -1 is out of range [0, 4294967295]"},
    {RES("\"network\":{\"priorities\":[{\"name\":\"eth0\"}]}"),
     "linux.resources.network.priorities[0].priority: required but missing"},
    /* mounts */
    {CFG("\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},{\"destination\":5}]"),
     "mounts[2].destination: expected a string, got an integer"},
    {CFG("\"mounts\":[{\"type\":\"tmpfs\"}]"), "mounts[0].destination: required but missing"},
    {CFG("\"mounts\":[{\"destination\":\"/a\",\"options\":[\"ro\",7]}]"),
     "mounts[0].options[1]: expected a string, got an integer"},
    {CFG("\"mounts\":{}"), "mounts: expected an array, got an object"},
    {CFG("\"mounts\":[3]"), "mounts[0]: expected an object, got an integer"},
    {CFG("\"mounts\":[{\"destination\":\"/a\",\"uidMappings\":[{\"containerID\":0,"
	 "\"hostID\":1,\"size\":0}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1,"
	 "\"size\":1}]}]"),
     "mounts[0].uidMappings[0].size: must be at least 1"},
    {CFG("\"mounts\":[{\"destination\":\"/a\",\"uidMappings\":[{\"containerID\":0,"
	 "\"hostID\":1,\"size\":1}]}]"),
     "mounts[0]: uidMappings and gidMappings must be given together"},
    /* process */
    {CFG("\"process\":{\"args\":[\"sh\"]}"), "process.cwd: required but missing"},
    {PROC("\"cwd\":\"relative\""), "process.cwd: \"relative\" is not an absolute path"},
    {CFG("\"process\":{\"cwd\":\"/\"}"), "process.args: must name the program to run"},
    {CFG("\"process\":{\"cwd\":\"/\",\"args\":[]}"), "process.args: must name the program to run"},
    {CFG("\"process\":{\"cwd\":\"/\",\"args\":[\"a\",1]}"),
     "process.args[1]: expected a string, got an integer"},
    {PROC("\"env\":[\"NOEQUALS\"]"), "process.env[0]: \"NOEQUALS\" is not of the form KEY=value"},
    {PROC("\"oomScoreAdj\":1001"), "process.oomScoreAdj: 1001 is out of range [-1000, 1000]"},
    {PROC("\"oomScoreAdj\":-1001"), "process.oomScoreAdj: -1001 is out of range [-1000, 1000]"},
    {PROC("\"consoleSize\":{\"height\":-1,\"width\":80}"),
     "process.consoleSize.height: -1 is out of range [0, 4294967295]"},
    {PROC("\"consoleSize\":{\"height\":24}"), "process.consoleSize.width: required but missing"},
    {PROC("\"user\":{\"uid\":4294967296}"),
     "process.user.uid: 4294967296 is out of range [0, 4294967295]"},
    {PROC("\"user\":{\"uid\":-1}"), "process.user.uid: -1 is out of range [0, 4294967295]"},
    {PROC("\"user\":{\"additionalGids\":[1,\"2\"]}"),
     "process.user.additionalGids[1]: expected an integer, got a string"},
    {PROC("\"user\":{\"umask\":512}"),
     "process.user.umask: 01000 is not a file mode creation mask"},
    {PROC("\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]"),
     "process.rlimits[0].type: unknown rlimit type \"RLIMIT_BOGUS\""},
    {PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1}]"),
     "process.rlimits[0].hard: required but missing"},
    {PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":2},"
	  "{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":2}]"),
     "process.rlimits[1].type: duplicate rlimit RLIMIT_NOFILE"},
    {PROC("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":3,\"hard\":2}]"),
     "process.rlimits[0]: soft limit 3 is above the hard limit 2"},
    {PROC("\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"chown\"]}"),
     "process.capabilities.bounding[1]: unknown capability \"chown\""},
    {PROC("\"capabilities\":{\"ambient\":\"CAP_CHOWN\"}"),
     "process.capabilities.ambient: expected an array, got a string"},
    {PROC("\"scheduler\":{\"policy\":\"SCHED_FAST\"}"),
     "process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\""},
    {PROC("\"scheduler\":{\"nice\":1}"), "process.scheduler.policy: required but missing"},
    {PROC("\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"flags\":[\"SCHED_FLAG_X\"]}"),
     "process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_X\""},
    {PROC("\"ioPriority\":{\"class\":\"IOPRIO_CLASS_NONE\",\"priority\":1}"),
     "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\""},
    {PROC("\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}"),
     "process.ioPriority.priority: 8 is out of range [0, 7]"},
    {PROC("\"noNewPrivileges\":1"), "process.noNewPrivileges: expected a boolean, got an integer"},
    {PROC("\"execCPUAffinity\":{\"initial\":0}"),
     "process.execCPUAffinity.initial: expected a string, got an integer"},
    /* hooks */
    {CFG("\"hooks\":{\"prestart\":[{\"path\":\"hook\"}]}"),
     "hooks.prestart[0].path: \"hook\" is not an absolute path"},
    {CFG("\"hooks\":{\"poststop\":[{\"args\":[]}]}"),
     "hooks.poststop[0].path: required but missing"},
    {CFG("\"hooks\":{\"createRuntime\":[{\"path\":\"/h\",\"timeout\":0}]}"),
     "hooks.createRuntime[0].timeout: 0 is out of range [1, 2147483647]"},
    {CFG("\"annotations\":{\"a\":1}"), "annotations.a: expected a string, got an integer"},
    {CFG("\"hostname\":\"h\""), "hostname: requires a uts namespace"},
    /* linux */
    {LINUX("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]"),
     "linux.namespaces[1].type: duplicate namespace type \"pid\""},
    {LINUX("\"namespaces\":[{\"type\":\"net\"}]"),
     "linux.namespaces[0].type: unknown namespace type \"net\""},
    {LINUX("\"namespaces\":[{\"path\":\"/x\"}]"), "linux.namespaces[0].type: required but missing"},
    {LINUX("\"namespaces\":[{\"type\":\"network\",\"path\":\"x\"}]"),
     "linux.namespaces[0].path: \"x\" is not an absolute path"},
    {LINUX("\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]"),
     "linux.uidMappings: requires a user namespace"},
    {LINUX("\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,"
	   "\"hostID\":1,\"size\":10},{\"containerID\":5,\"hostID\":100,\"size\":1}]"),
     "linux.uidMappings[1]: overlaps linux.uidMappings[0]"},
    {LINUX("\"namespaces\":[{\"type\":\"user\"}],\"gidMappings\":[{\"containerID\":0,"
	   "\"size\":1}]"),
     "linux.gidMappings[0].hostID: required but missing"},
    {LINUX("\"timeOffsets\":{\"monotonic\":{\"secs\":1}}"),
     "linux.timeOffsets: requires a time namespace"},
    {LINUX("\"namespaces\":[{\"type\":\"time\"}],\"timeOffsets\":{\"boottime\":{\"nanosecs\":"
	   "1000000000}}"),
     "linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range [0, 999999999]"},
    {LINUX("\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]"),
     "linux.devices[0].type: unknown device type \"x\""},
    {LINUX("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1}]"),
     "linux.devices[0].minor: required but missing"},
    {LINUX("\"devices\":[{\"type\":\"c\",\"path\":\"dev/x\",\"major\":1,\"minor\":3}]"),
     "linux.devices[0].path: \"dev/x\" is not an absolute path"},
    {LINUX("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1,\"minor\":3},"
	   "{\"type\":\"b\",\"path\":\"/dev/x\",\"major\":1,\"minor\":4}]"),
     "linux.devices[1].path: duplicate device path \"/dev/x\""},
    {LINUX("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1,\"minor\":3,"
	   "\"fileMode\":-1}]"),
     "linux.devices[0].fileMode: -1 is out of range [0, 4294967295]"},
    {LINUX("\"rootfsPropagation\":\"bogus\""),
     "linux.rootfsPropagation: unknown rootfs propagation \"bogus\""},
    {LINUX("\"seccomp\":{}"), "linux.seccomp.defaultAction: required but missing"},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_FOO\"}"),
     "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_FOO\""},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
	   "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_VAX\"]}"),
     "linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_VAX\""},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"FLAG\"]}"),
     "linux.seccomp.flags[0]: unknown seccomp flag \"FLAG\""},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	   "[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,"
	   "\"op\":\"SCMP_CMP_EQ\"}]}]}"),
     "linux.seccomp.syscalls[0].args[0].index: 6 is out of range [0, 5]"},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	   "[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
	   "\"op\":\"SCMP_CMP_XX\"}]}]}"),
     "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\""},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	   "[],\"action\":\"SCMP_ACT_ERRNO\"}]}"),
     "linux.seccomp.syscalls[0].names: must name at least one syscall"},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	   "[\"read\"]}]}"),
     "linux.seccomp.syscalls[0].action: required but missing"},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	   "[\"read\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}"),
     "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY"},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	   "[\"read\"],\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}]}"),
     "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
     "not SCMP_ACT_KILL"},
    {LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}"),
     "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
     "SCMP_ACT_ALLOW"},
    {LINUX("\"sysctl\":{\"net.ipv4.ip_forward\":1}"),
     "linux.sysctl.net.ipv4.ip_forward: expected a string, got an integer"},
    {LINUX("\"maskedPaths\":[\"proc/kcore\"]"),
     "linux.maskedPaths[0]: \"proc/kcore\" is not an absolute path"},
    {LINUX("\"readonlyPaths\":[\"/a\",null]"),
     "linux.readonlyPaths[1]: expected a string, got null"},
    {LINUX("\"personality\":{\"domain\":\"LINUX64\"}"),
     "linux.personality.domain: unknown personality domain \"LINUX64\""},
    {LINUX("\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"X\"]}"),
     "linux.personality.flags[0]: unknown personality flag \"X\""},
    {LINUX("\"intelRdt\":{\"closID\":\"../x\"}"),
     "linux.intelRdt.closID: \"../x\" is not a valid resctrl group name"},
    {LINUX("\"intelRdt\":{\"enableMonitoring\":\"yes\"}"),
     "linux.intelRdt.enableMonitoring: expected a boolean, got a string"},
    {LINUX("\"memoryPolicy\":{\"mode\":\"MPOL_FAST\"}"),
     "linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FAST\""},
    {LINUX("\"memoryPolicy\":{\"nodes\":\"0\"}"), "linux.memoryPolicy.mode: required but missing"},
    {LINUX("\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"flags\":[\"MPOL_F_X\"]}"),
     "linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_X\""},
    {LINUX("\"namespaces\":[{\"type\":\"network\"}],\"netDevices\":{\"eth0/x\":{}}"),
     "linux.netDevices.eth0/x: \"eth0/x\" is not a valid interface name"},
    {LINUX("\"namespaces\":[{\"type\":\"network\"}],\"netDevices\":{\"eth0\":{\"name\":"
	   "\"a-very-long-interface-name\"}}"),
     "linux.netDevices.eth0.name: \"a-very-long-interface-name\" is not a valid interface "
     "name"},
    {LINUX("\"netDevices\":{\"eth0\":{}}"), "linux.netDevices: requires a network namespace"},
};

TEST(error_messages_name_the_path)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		char *msg = config_error(error_cases[i].json);
		if (msg == NULL)
			unit_fail_at(__FILE__, __LINE__, "case %zu accepted: %s", i,
				     error_cases[i].json);
		else if (strcmp(msg, error_cases[i].message) != 0)
			unit_fail_at(__FILE__, __LINE__, "case %zu:\n#   got:  %s\n#   want: %s", i,
				     msg, error_cases[i].message);
		free(msg);
	}
}

/* Things that look odd but the spec (or real clients) allow. */
static const char *const accepted_cases[] = {
    CFG("\"unknown\":{\"deep\":[1,{\"x\":null}]}"),
    CFG("\"process\":null"),
    CFG("\"mounts\":[]"),
    PROC("\"user\":{\"uid\":0,\"gid\":0}"),
    PROC("\"capabilities\":{\"bounding\":[\"CAP_FUTURE_THING\"]}"),
    LINUX("\"namespaces\":[{\"type\":\"network\",\"path\":\"\"}]"),
    LINUX("\"namespaces\":[{\"type\":\"uts\"}]}, \"hostname\":\"h\",\"x\":{"),
    RES("\"memory\":{\"limit\":-1,\"swap\":-1}"),
    RES("\"devices\":[{\"allow\":false,\"major\":-1,\"minor\":-1,\"access\":\"rwm\"}]"),
    RES("\"pids\":{}"),
    RES("\"cpu\":{\"quota\":-1}"),
    LINUX("\"namespaces\":[{\"type\":\"network\"}],\"netDevices\":{\"eth0\":null}"),
    LINUX("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	  "[\"read\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":1}]}"),
    "{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\"rootfs\"}}",
};

TEST(accepted_documents)
{
	for (size_t i = 0; i < ARRAY_SIZE(accepted_cases); i++) {
		char *msg = config_error(accepted_cases[i]);
		if (msg)
			unit_fail_at(__FILE__, __LINE__, "case %zu refused: %s\n#   %s", i, msg,
				     accepted_cases[i]);
		free(msg);
	}
}

TEST(null_members_are_absent)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = NULL;
	const char *text = PROC("\"env\":null,\"oomScoreAdj\":null");

	ASSERT_OK(spec_config_parse(text, strlen(text), &cfg, &err), &err);
	ASSERT_NULL(cfg->process->env);
	ASSERT(!cfg->process->has_oom_score_adj);
	spec_config_free(cfg);
}

TEST(load_prefixes_file_name)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = NULL;
	char dir[] = "/tmp/husk-test-config-XXXXXX";
	_cleanup_free_ char *path = NULL;
	const char *text = CFG("\"process\":{\"cwd\":\"/\",\"args\":\"sh\"}");

	ASSERT(mkdtemp(dir) != NULL);
	path = xasprintf("%s/config.json", dir);
	{
		_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		ASSERT(fd >= 0);
		ASSERT(write_all(fd, text, strlen(text)) == (ssize_t)strlen(text));
	}
	ASSERT(spec_config_load(path, &cfg, &err) < 0);
	unlink(path);
	rmdir(dir);
	ASSERT_NULL(cfg);
	ASSERT_STREQ(err.msg, "config.json: process.args: expected an array, got a string");
	husk_error_clear(&err);

	ASSERT(spec_config_load("/nonexistent/husk/config.json", &cfg, &err) < 0);
	ASSERT_INT_EQ(err.errnum, ENOENT);
	husk_error_clear(&err);
}

TEST(process_document)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_process *p = NULL;
	const char *good = "{\"cwd\":\"/\",\"args\":[\"ls\",\"-l\"],\"terminal\":true,"
			   "\"user\":{\"uid\":5,\"gid\":6},\"env\":[\"A=b\"]}";
	const char *bad = "{\"cwd\":\"/\",\"args\":[\"ls\"],\"user\":{\"uid\":\"root\"}}";
	const char *noargs = "{\"cwd\":\"/\"}";

	ASSERT_OK(spec_process_parse(good, strlen(good), &p, &err), &err);
	ASSERT(p->terminal);
	ASSERT_STREQ(p->args[1], "-l");
	ASSERT_UINT_EQ(p->user.uid, 5);
	ASSERT_UINT_EQ(p->user.gid, 6);
	spec_process_free(p);
	p = NULL;

	/* Paths in a bare document start at its top. */
	ASSERT(spec_process_parse(bad, strlen(bad), &p, &err) < 0);
	ASSERT_NULL(p);
	ASSERT_STREQ(err.msg, "user.uid: expected an integer, got a string");
	ASSERT(spec_process_parse(noargs, strlen(noargs), &p, &err) < 0);
	ASSERT_STREQ(err.msg, "args: must name the program to run");
	husk_error_clear(&err);
}

TEST(resources_document)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_resources *r = NULL;
	const char *good = "{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":50},"
			   "\"cpu\":{\"cpus\":\"0\"}}";
	const char *bad = "{\"memory\":{\"limit\":67108864},\"pids\":{\"limit\":\"50\"}}";
	const char *empty = "{}";

	ASSERT_OK(spec_resources_parse(good, strlen(good), &r, &err), &err);
	ASSERT(r->memory->has_limit);
	ASSERT_INT_EQ(r->memory->limit, 67108864);
	ASSERT(!r->memory->has_swap);
	ASSERT_INT_EQ(r->pids->limit, 50);
	ASSERT_STREQ(r->cpu->cpus, "0");
	ASSERT_NULL(r->block_io);
	spec_resources_free(r);
	r = NULL;

	ASSERT(spec_resources_parse(bad, strlen(bad), &r, &err) < 0);
	ASSERT_STREQ(err.msg, "pids.limit: expected an integer, got a string");
	husk_error_clear(&err);

	ASSERT_OK(spec_resources_parse(empty, strlen(empty), &r, &err), &err);
	ASSERT_NULL(r->memory);
	spec_resources_free(r);
}

TEST(refuses_deep_nesting_and_nul)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = NULL;
	char deep[400];
	const char nul[] = "{\"ociVersion\":\"1.0.0\"\0}";

	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	ASSERT(spec_config_parse(deep, strlen(deep), &cfg, &err) < 0);
	ASSERT_STREQ(err.msg, "invalid JSON: nested deeper than 64 levels");
	ASSERT(spec_config_parse(nul, sizeof nul - 1, &cfg, &err) < 0);
	ASSERT_STRSTR(err.msg, "NUL byte");
	{
		const char *esc = PROC("\"env\":[\"A=x\\u0000y\"]");
		const char *fine = PROC("\"env\":[\"A=x\\\\u0000y\"]");
		ASSERT(spec_config_parse(esc, strlen(esc), &cfg, &err) < 0);
		ASSERT_STRSTR(err.msg, "\\u0000 in a string");
		/* An escaped backslash followed by "u0000" is just text. */
		ASSERT_OK(spec_config_parse(fine, strlen(fine), &cfg, &err), &err);
		ASSERT_STREQ(cfg->process->env[0], "A=x\\u0000y");
		spec_config_free(cfg);
	}
	husk_error_clear(&err);
}

static const char *fixtures_dir(char **to_free)
{
	const char *env = getenv("HUSK_FIXTURES");
	const char *srcdir = getenv("srcdir");

	if (env && *env)
		return env;
	*to_free = xasprintf("%s/tests/data/clients", srcdir ? srcdir : ".");
	return *to_free;
}

TEST(client_fixtures_parse)
{
	_cleanup_free_ char *owned = NULL;
	const char *dir = fixtures_dir(&owned);
	_cleanup_dir_ DIR *d = opendir(dir);
	struct dirent *de;
	int configs = 0, processes = 0, resources = 0;

	ASSERT_MSG(d != NULL, "cannot open fixtures directory %s (set HUSK_FIXTURES)", dir);
	while ((de = readdir(d)) != NULL) {
		struct husk_error err = HUSK_ERROR_INIT;
		_cleanup_free_ char *path = NULL;
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		int r;
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (strstr(de->d_name, "-config-")) {
			struct spec_config *cfg = NULL;
			r = spec_config_load(path, &cfg, &err);
			if (r == 0) {
				EXPECT(cfg->process && cfg->process->args && cfg->root);
				spec_config_free(cfg);
			}
			configs++;
		} else if (strstr(de->d_name, "-process")) {
			struct spec_process *p = NULL;
			r = read_file_at(AT_FDCWD, path, 1 << 20, &text, &len, &err);
			if (r == 0)
				r = spec_process_parse(text, len, &p, &err);
			spec_process_free(p);
			processes++;
		} else if (strstr(de->d_name, "-resources")) {
			struct spec_resources *res = NULL;
			r = read_file_at(AT_FDCWD, path, 1 << 20, &text, &len, &err);
			if (r == 0)
				r = spec_resources_parse(text, len, &res, &err);
			spec_resources_free(res);
			resources++;
		} else {
			continue; /* error logs and other captures */
		}
		if (r < 0)
			unit_fail_at(__FILE__, __LINE__, "%s: %s", de->d_name, err.msg);
		husk_error_clear(&err);
	}
	ASSERT_MSG(configs > 0 && processes > 0 && resources > 0,
		   "expected config, process and resources fixtures in %s (%d/%d/%d)", dir, configs,
		   processes, resources);
}

TEST(test_data_configs_parse)
{
	static const char *const names[] = {"config-full.json", "corpus-config/minimal.json",
					    "corpus-config/typical.json"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct husk_error err = HUSK_ERROR_INIT;
		struct spec_config *cfg = load_data(names[i], &err);
		if (cfg == NULL)
			unit_fail_at(__FILE__, __LINE__, "%s: %s", names[i], err.msg);
		spec_config_free(cfg);
		husk_error_clear(&err);
	}
}

int main(void)
{
	RUN(minimal_config);
	RUN(full_config_top_and_process);
	RUN(full_config_linux);
	RUN(full_config_seccomp);
	RUN(full_config_resources);
	RUN(error_messages_name_the_path);
	RUN(accepted_documents);
	RUN(null_members_are_absent);
	RUN(load_prefixes_file_name);
	RUN(process_document);
	RUN(resources_document);
	RUN(refuses_deep_nesting_and_nul);
	RUN(client_fixtures_parse);
	RUN(test_data_configs_parse);
	return unit_done();
}
