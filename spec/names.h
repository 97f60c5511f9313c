/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Name tables shared by the parser, the validator and the runtime: the one
 * place where "network" becomes CLONE_NEWNET, "SIGKILL" becomes 9 and
 * "CAP_SYS_ADMIN" becomes 21.
 */
#ifndef HUSK_SPEC_NAMES_H
#define HUSK_SPEC_NAMES_H

#include <stdbool.h>
#include <stdint.h>
#include "spec/oci_config.h"

const char *spec_ns_type_name(enum spec_ns_type t); /* "pid", "network", ... */
int spec_ns_type_from_name(const char *name);	    /* -1 when unknown */
int spec_ns_clone_flag(enum spec_ns_type t);	    /* CLONE_NEWPID ... */
const char *spec_ns_proc_name(enum spec_ns_type t); /* "pid", "net", "mnt": /proc/PID/ns/<x> */

/* "SIGKILL", "KILL", "kill" or "9" -> 9; -1 when unknown. */
int spec_signal_from_name(const char *s);
const char *spec_signal_name(int sig); /* 9 -> "SIGKILL"; NULL when unknown */

int spec_rlimit_from_name(const char *s); /* "RLIMIT_NOFILE" -> RLIMIT_NOFILE */

/* "CAP_SYS_ADMIN" -> 21; -1 when the name is not a capability at all. */
int spec_capability_from_name(const char *s);
const char *spec_capability_name(int cap); /* NULL beyond the table */
int spec_capability_max_known(void);	   /* highest number in the table */

/* seccomp: "SCMP_ACT_ERRNO" -> SCMP_ACT_ERRNO(0) base value; -1 when unknown. */
int64_t spec_seccomp_action_from_name(const char *s);
/* SCMP_ACT_ERRNO and SCMP_ACT_TRACE (base values) carry an errnoRet. */
bool spec_seccomp_action_takes_errno(int64_t action);
int spec_seccomp_op_from_name(const char *s);	    /* SCMP_CMP_* */
int64_t spec_seccomp_arch_from_name(const char *s); /* SCMP_ARCH_* token */
int spec_seccomp_flag_from_name(const char *s);	    /* SECCOMP_FILTER_FLAG_* bit */

int spec_sched_policy_from_name(const char *s);
int spec_sched_flag_from_name(const char *s);	      /* SCHED_FLAG_* bit */
int spec_ioprio_class_from_name(const char *s);	      /* IOPRIO_CLASS_RT -> 1 */
int spec_mempolicy_mode_from_name(const char *s);     /* MPOL_BIND -> 2 */
int spec_mempolicy_flag_from_name(const char *s);     /* MPOL_F_STATIC_NODES -> 1 << 15 */
int spec_personality_domain_from_name(const char *s); /* LINUX -> PER_LINUX */

/*
 * Mount options of config.json `mounts[].options`.  A MS_* flag to set or
 * clear, a propagation type, a recursive MOUNT_ATTR_* (`rro`, `rnosuid`...),
 * or an option handled by the runtime itself (bind, idmap, tmpcopyup...).
 */
enum spec_mount_option_kind {
	SPEC_MOUNT_FLAG,	/* set `flag` (or clear it when `clear`) */
	SPEC_MOUNT_PROPAGATION, /* MS_SHARED / MS_PRIVATE / ... in `flag`, MS_REC possibly */
	SPEC_MOUNT_RECURSIVE,	/* MOUNT_ATTR_* in `flag`, set (or clear) recursively */
	SPEC_MOUNT_EXTENSION,	/* bind, rbind, idmap, ridmap, tmpcopyup, copy-symlink... */
};
struct spec_mount_option {
	const char *name;
	enum spec_mount_option_kind kind;
	bool clear;
	unsigned long flag;
};
/* NULL when the name is not a known option (then it is passed as fs data). */
const struct spec_mount_option *spec_mount_option_lookup(const char *name);
/* Whether cgroup2 (Linux 6.x) knows this filesystem option, or it is one of
 * the superblock flags every filesystem takes (sync, dirsync, lazytime). */
bool spec_cgroup2_option_known(const char *name);

/* Iteration for `features`: NULL-terminated lists of every known name. */
extern const char *const spec_ns_type_names[];
extern const char *const spec_seccomp_action_names[];
extern const char *const spec_seccomp_op_names[];
extern const char *const spec_seccomp_arch_names[];
extern const char *const spec_seccomp_flag_names[];
extern const char *const spec_mount_option_names[];
extern const char *const spec_rlimit_names[];

#endif
