/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI runtime-spec 1.3 config.json as C structs.  Field names follow the
 * JSON names in snake_case, so `linux.resources.memory.limit` is
 * cfg->linux->resources->memory->limit.  Optional objects are NULL when
 * absent; optional scalars have a `has_<name>` flag beside them.  Arrays
 * are a pointer plus an `n_<name>` count; string lists are NULL-terminated.
 */
#ifndef HUSK_SPEC_OCI_CONFIG_H
#define HUSK_SPEC_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/error.h"

/* GNU C predefines `linux` as 1; the field below is named after the JSON key. */
#undef linux

struct spec_kv {
	char *key;
	char *value;
};

struct spec_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct spec_root {
	char *path;
	bool readonly;
};

struct spec_mount {
	char *destination;
	char *source;
	char *type;
	char **options;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

struct spec_rlimit {
	char *type;   /* "RLIMIT_NOFILE" ... */
	int resource; /* RLIMIT_NOFILE ... resolved by the parser */
	uint64_t soft;
	uint64_t hard;
};

struct spec_capabilities {
	char **bounding;
	char **effective;
	char **inheritable;
	char **permitted;
	char **ambient;
};

struct spec_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;
};

struct spec_scheduler {
	char *policy; /* SCHED_OTHER ... */
	int policy_value;
	int32_t nice;
	int32_t priority;
	char **flags;
	uint64_t runtime;
	uint64_t deadline;
	uint64_t period;
};

struct spec_io_priority {
	char *class_name; /* IOPRIO_CLASS_RT | _BE | _IDLE */
	int class_value;
	int32_t priority;
};

struct spec_exec_cpu_affinity {
	char *initial;
	char *final;
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height;
	uint32_t console_width;
	char *cwd;
	char **env;
	char **args;
	char *command_line;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	char *apparmor_profile;
	struct spec_capabilities *capabilities;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
	struct spec_scheduler *scheduler;
	char *selinux_label;
	struct spec_io_priority *io_priority;
	struct spec_exec_cpu_affinity *exec_cpu_affinity;
	struct spec_user user;
};

struct spec_hook {
	char *path;
	char **args;
	char **env;
	bool has_timeout;
	int32_t timeout;
};

struct spec_hook_list {
	struct spec_hook *items;
	size_t n;
};

struct spec_hooks {
	struct spec_hook_list prestart;
	struct spec_hook_list create_runtime;
	struct spec_hook_list create_container;
	struct spec_hook_list start_container;
	struct spec_hook_list poststart;
	struct spec_hook_list poststop;
};

enum spec_ns_type {
	SPEC_NS_PID,
	SPEC_NS_NETWORK,
	SPEC_NS_MOUNT,
	SPEC_NS_IPC,
	SPEC_NS_UTS,
	SPEC_NS_USER,
	SPEC_NS_CGROUP,
	SPEC_NS_TIME,
	SPEC_NS_COUNT
};

struct spec_namespace {
	enum spec_ns_type type;
	char *path; /* NULL: create a new one */
};

struct spec_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_device {
	char *type; /* "c", "b", "u", "p" */
	char *path;
	int64_t major;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

struct spec_device_cgroup {
	bool allow;
	char *type; /* NULL or "a": all */
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	char *access;
};

struct spec_memory {
	bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
	int64_t limit;
	int64_t reservation;
	int64_t swap;
	int64_t kernel;
	int64_t kernel_tcp;
	uint64_t swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
};

struct spec_cpu {
	bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
	    has_realtime_period, has_idle;
	uint64_t shares;
	int64_t quota;
	uint64_t burst;
	uint64_t period;
	int64_t realtime_runtime;
	uint64_t realtime_period;
	char *cpus;
	char *mems;
	int64_t idle;
};

struct spec_pids {
	bool has_limit;
	int64_t limit;
};

struct spec_weight_device {
	int64_t major;
	int64_t minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
};

struct spec_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct spec_throttle_list {
	struct spec_throttle_device *items;
	size_t n;
};

struct spec_block_io {
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
	struct spec_weight_device *weight_device;
	size_t n_weight_device;
	struct spec_throttle_list throttle_read_bps_device;
	struct spec_throttle_list throttle_write_bps_device;
	struct spec_throttle_list throttle_read_iops_device;
	struct spec_throttle_list throttle_write_iops_device;
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_network {
	bool has_class_id;
	uint32_t class_id;
	struct spec_net_priority *priorities;
	size_t n_priorities;
};

struct spec_rdma {
	char *device;
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
};

struct spec_resources {
	struct spec_device_cgroup *devices;
	size_t n_devices;
	struct spec_memory *memory;
	struct spec_cpu *cpu;
	struct spec_pids *pids;
	struct spec_block_io *block_io;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct spec_network *network;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_kv *unified;
	size_t n_unified;
};

struct spec_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	char *op;     /* SCMP_CMP_EQ ... */
	int op_value; /* enum scmp_compare, resolved by the parser */
};

struct spec_seccomp_syscall {
	char **names;
	char *action;
	uint32_t action_value; /* SCMP_ACT_* without errno, resolved by the parser */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	char *default_action;
	uint32_t default_action_value;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	char **flags;
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct spec_personality {
	char *domain; /* LINUX | LINUX32 */
	char **flags;
};

struct spec_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	char **schemata;
	bool enable_monitoring;
	bool enable_cmt;
	bool enable_mbm;
};

struct spec_memory_policy {
	char *mode; /* MPOL_DEFAULT ... */
	int mode_value;
	char *nodes;
	char **flags;
};

struct spec_net_device {
	char *host_name; /* the key of linux.netDevices */
	char *name;	 /* name inside the container, NULL: keep */
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct spec_time_offset time_monotonic;
	struct spec_time_offset time_boottime;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct spec_resources *resources;
	char *rootfs_propagation;
	struct spec_seccomp *seccomp;
	struct spec_kv *sysctl;
	size_t n_sysctl;
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	struct spec_personality *personality;
	struct spec_intel_rdt *intel_rdt;
	struct spec_memory_policy *memory_policy;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
};

struct spec_config {
	char *oci_version;
	struct spec_root *root;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process;
	char *hostname;
	char *domainname;
	struct spec_hooks *hooks;
	struct spec_kv *annotations;
	size_t n_annotations;
	struct spec_linux *linux;
};

/*
 * Parse and validate a config.json document.  On failure the error names
 * the JSON path, e.g.
 *   linux.resources.memory.limit: expected an integer, got a string
 * and *out is untouched.
 */
int spec_config_parse(const char *json, size_t len, struct spec_config **out,
		      struct husk_error *err);
/* Read <path> and parse it; the error is prefixed with the file name. */
int spec_config_load(const char *path, struct spec_config **out, struct husk_error *err);
void spec_config_free(struct spec_config *cfg);

struct check_report;
/* For `husk check`: parse (*out NULL and one problem when the document is
 * malformed: the parser stops at the first bad field), then add every rule
 * the model breaks to r.  *out is the model even when rules are broken. */
int spec_config_check(const char *json, size_t len, struct spec_config **out,
		      struct check_report *r);

/* Parse an `exec --process` document (a config.json "process" object). */
int spec_process_parse(const char *json, size_t len, struct spec_process **out,
		       struct husk_error *err);
void spec_process_free(struct spec_process *p);

/* Parse a LinuxResources document (`update --resources`). */
int spec_resources_parse(const char *json, size_t len, struct spec_resources **out,
			 struct husk_error *err);
void spec_resources_free(struct spec_resources *r);

/* Convenience lookups. */
const struct spec_namespace *spec_config_namespace(const struct spec_config *cfg,
						   enum spec_ns_type type);
const char *spec_annotation(const struct spec_config *cfg, const char *key);

#endif
