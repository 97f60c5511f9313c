// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "spec/names.h"

#include <ctype.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "spec/base.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif

/* ---- namespaces ---- */

struct ns_entry {
	const char *name;
	int clone_flag;
	const char *proc_name;
};

/* Indexed by enum spec_ns_type. */
static const struct ns_entry ns_table[SPEC_NS_COUNT] = {
    [SPEC_NS_PID] = {"pid", CLONE_NEWPID, "pid"},
    [SPEC_NS_NETWORK] = {"network", CLONE_NEWNET, "net"},
    [SPEC_NS_MOUNT] = {"mount", CLONE_NEWNS, "mnt"},
    [SPEC_NS_IPC] = {"ipc", CLONE_NEWIPC, "ipc"},
    [SPEC_NS_UTS] = {"uts", CLONE_NEWUTS, "uts"},
    [SPEC_NS_USER] = {"user", CLONE_NEWUSER, "user"},
    [SPEC_NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP, "cgroup"},
    [SPEC_NS_TIME] = {"time", CLONE_NEWTIME, "time"},
};

const char *const spec_ns_type_names[] = {
    "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time", NULL,
};

const char *spec_ns_type_name(enum spec_ns_type t)
{
	return (unsigned)t < SPEC_NS_COUNT ? ns_table[t].name : NULL;
}

int spec_ns_type_from_name(const char *name)
{
	for (int i = 0; name && i < SPEC_NS_COUNT; i++)
		if (strcmp(ns_table[i].name, name) == 0)
			return i;
	return -1;
}

int spec_ns_clone_flag(enum spec_ns_type t)
{
	return (unsigned)t < SPEC_NS_COUNT ? ns_table[t].clone_flag : 0;
}

const char *spec_ns_proc_name(enum spec_ns_type t)
{
	return (unsigned)t < SPEC_NS_COUNT ? ns_table[t].proc_name : NULL;
}

/* ---- signals ---- */

struct value_name {
	const char *name;
	long value;
};

static const struct value_name signal_table[] = {
    {"SIGHUP", SIGHUP},	      {"SIGINT", SIGINT},	{"SIGQUIT", SIGQUIT},
    {"SIGILL", SIGILL},	      {"SIGTRAP", SIGTRAP},	{"SIGABRT", SIGABRT},
    {"SIGIOT", SIGIOT},	      {"SIGBUS", SIGBUS},	{"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL},     {"SIGUSR1", SIGUSR1},	{"SIGSEGV", SIGSEGV},
    {"SIGUSR2", SIGUSR2},     {"SIGPIPE", SIGPIPE},	{"SIGALRM", SIGALRM},
    {"SIGTERM", SIGTERM},     {"SIGSTKFLT", SIGSTKFLT}, {"SIGCHLD", SIGCHLD},
    {"SIGCLD", SIGCHLD},      {"SIGCONT", SIGCONT},	{"SIGSTOP", SIGSTOP},
    {"SIGTSTP", SIGTSTP},     {"SIGTTIN", SIGTTIN},	{"SIGTTOU", SIGTTOU},
    {"SIGURG", SIGURG},	      {"SIGXCPU", SIGXCPU},	{"SIGXFSZ", SIGXFSZ},
    {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF},	{"SIGWINCH", SIGWINCH},
    {"SIGIO", SIGIO},	      {"SIGPOLL", SIGPOLL},	{"SIGPWR", SIGPWR},
    {"SIGSYS", SIGSYS},
};

/* "RTMIN", "RTMIN+3", "RTMAX-2" (already without "SIG"). */
static int realtime_signal(const char *s)
{
	int base, sign = 0;
	int64_t off = 0;

	if (strncasecmp(s, "RTMIN", 5) == 0)
		base = SIGRTMIN;
	else if (strncasecmp(s, "RTMAX", 5) == 0)
		base = SIGRTMAX;
	else
		return -1;
	s += 5;
	if (*s == '\0')
		return base;
	if (*s == '+')
		sign = 1;
	else if (*s == '-')
		sign = -1;
	else
		return -1;
	if (!isdigit((unsigned char)s[1]) || parse_int64(s + 1, &off) < 0 || off > SIGRTMAX)
		return -1;
	off = base + sign * off;
	return off >= SIGRTMIN && off <= SIGRTMAX ? (int)off : -1;
}

int spec_signal_from_name(const char *s)
{
	int64_t n;
	const char *bare;

	if (s == NULL || *s == '\0')
		return -1;
	if (isdigit((unsigned char)*s)) {
		if (parse_int64(s, &n) < 0 || n <= 0 || n > SIGRTMAX)
			return -1;
		return (int)n;
	}
	bare = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
		if (strcasecmp(signal_table[i].name + 3, bare) == 0)
			return (int)signal_table[i].value;
	return realtime_signal(bare);
}

const char *spec_signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
		if (signal_table[i].value == sig)
			return signal_table[i].name;
	return NULL;
}

/* ---- generic name tables ---- */

static long lookup(const struct value_name *t, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(t[i].name, s) == 0)
			return t[i].value;
	return -1;
}

#define LOOKUP(table, s) lookup((table), ARRAY_SIZE(table), (s))

/* ---- rlimits ---- */

static const struct value_name rlimit_table[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

const char *const spec_rlimit_names[] = {
    "RLIMIT_AS",
    "RLIMIT_CORE",
    "RLIMIT_CPU",
    "RLIMIT_DATA",
    "RLIMIT_FSIZE",
    "RLIMIT_LOCKS",
    "RLIMIT_MEMLOCK",
    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",
    "RLIMIT_NOFILE",
    "RLIMIT_NPROC",
    "RLIMIT_RSS",
    "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME",
    "RLIMIT_SIGPENDING",
    "RLIMIT_STACK",
    NULL,
};

int spec_rlimit_from_name(const char *s)
{
	return (int)LOOKUP(rlimit_table, s);
}

/* ---- capabilities: capability.h numbering, 0..40 ---- */

static const char *const cap_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

int spec_capability_from_name(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(cap_names); i++)
		if (strcmp(cap_names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *spec_capability_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int spec_capability_max_known(void)
{
	return (int)ARRAY_SIZE(cap_names) - 1;
}

/* ---- seccomp ---- */

static const struct value_name seccomp_action_table[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
};

const char *const spec_seccomp_action_names[] = {
    "SCMP_ACT_ALLOW",	    "SCMP_ACT_ERRNO",
    "SCMP_ACT_KILL",	    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",	    "SCMP_ACT_TRACE",
    "SCMP_ACT_TRAP",	    NULL,
};

int64_t spec_seccomp_action_from_name(const char *s)
{
	return LOOKUP(seccomp_action_table, s);
}

bool spec_seccomp_action_takes_errno(int64_t action)
{
	return action == SCMP_ACT_ERRNO(0) || action == SCMP_ACT_TRACE(0);
}

static const struct value_name seccomp_op_table[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

const char *const spec_seccomp_op_names[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",	"SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_NE", "SCMP_CMP_MASKED_EQ", NULL,
};

int spec_seccomp_op_from_name(const char *s)
{
	return (int)LOOKUP(seccomp_op_table, s);
}

static const struct value_name seccomp_arch_table[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};

const char *const spec_seccomp_arch_names[] = {
    "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_ARM",
    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PARISC",
    "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",
    "SCMP_ARCH_X32",
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X86_64",
#ifdef SCMP_ARCH_LOONGARCH64
    "SCMP_ARCH_LOONGARCH64",
#endif
#ifdef SCMP_ARCH_M68K
    "SCMP_ARCH_M68K",
#endif
#ifdef SCMP_ARCH_SH
    "SCMP_ARCH_SH",
    "SCMP_ARCH_SHEB",
#endif
    NULL,
};

int64_t spec_seccomp_arch_from_name(const char *s)
{
	return LOOKUP(seccomp_arch_table, s);
}

static const struct value_name seccomp_flag_table[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 1L << 0},
    {"SECCOMP_FILTER_FLAG_LOG", 1L << 1},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1L << 2},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1L << 5},
};

const char *const spec_seccomp_flag_names[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};

int spec_seccomp_flag_from_name(const char *s)
{
	return (int)LOOKUP(seccomp_flag_table, s);
}

/* ---- scheduler, I/O priority, memory policy, personality ---- */

static const struct value_name sched_policy_table[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},	  {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},	{"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

int spec_sched_policy_from_name(const char *s)
{
	return (int)LOOKUP(sched_policy_table, s);
}

static const struct value_name sched_flag_table[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},	 {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},	 {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},	 {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

int spec_sched_flag_from_name(const char *s)
{
	return (int)LOOKUP(sched_flag_table, s);
}

static const struct value_name ioprio_class_table[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};

int spec_ioprio_class_from_name(const char *s)
{
	return (int)LOOKUP(ioprio_class_table, s);
}

static const struct value_name mempolicy_mode_table[] = {
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
};

int spec_mempolicy_mode_from_name(const char *s)
{
	return (int)LOOKUP(mempolicy_mode_table, s);
}

static const struct value_name mempolicy_flag_table[] = {
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
};

int spec_mempolicy_flag_from_name(const char *s)
{
	return (int)LOOKUP(mempolicy_flag_table, s);
}

static const struct value_name personality_table[] = {
    {"LINUX", PER_LINUX},
    {"LINUX32", PER_LINUX32},
};

int spec_personality_domain_from_name(const char *s)
{
	return (int)LOOKUP(personality_table, s);
}

/* ---- cgroup2 filesystem options ---- */

bool spec_cgroup2_option_known(const char *name)
{
	static const char *const known[] = {
	    "nsdelegate",
	    "favordynmods",
	    "memory_localevents",
	    "memory_recursiveprot",
	    "memory_hugetlb_accounting",
	    "pids_localevents",
	    "sync",
	    "dirsync",
	    "lazytime",
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(known[i], name) == 0)
			return true;
	return false;
}

/* ---- mount options ---- */

#define FLAG(n, f)                                                                                 \
	{                                                                                          \
		n, SPEC_MOUNT_FLAG, false, f                                                       \
	}
#define CLEAR(n, f)                                                                                \
	{                                                                                          \
		n, SPEC_MOUNT_FLAG, true, f                                                        \
	}
#define PROP(n, f)                                                                                 \
	{                                                                                          \
		n, SPEC_MOUNT_PROPAGATION, false, f                                                \
	}
#define RSET(n, f)                                                                                 \
	{                                                                                          \
		n, SPEC_MOUNT_RECURSIVE, false, f                                                  \
	}
#define RCLEAR(n, f)                                                                               \
	{                                                                                          \
		n, SPEC_MOUNT_RECURSIVE, true, f                                                   \
	}
#define EXT(n)                                                                                     \
	{                                                                                          \
		n, SPEC_MOUNT_EXTENSION, false, 0                                                  \
	}

static const struct spec_mount_option mount_option_table[] = {
    CLEAR("async", MS_SYNCHRONOUS),
    CLEAR("atime", MS_NOATIME),
    FLAG("defaults", 0),
    CLEAR("dev", MS_NODEV),
    CLEAR("diratime", MS_NODIRATIME),
    FLAG("dirsync", MS_DIRSYNC),
    CLEAR("exec", MS_NOEXEC),
    FLAG("iversion", MS_I_VERSION),
    FLAG("lazytime", MS_LAZYTIME),
    CLEAR("loud", MS_SILENT),
    FLAG("mand", MS_MANDLOCK),
    FLAG("noatime", MS_NOATIME),
    FLAG("nodev", MS_NODEV),
    FLAG("nodiratime", MS_NODIRATIME),
    FLAG("noexec", MS_NOEXEC),
    CLEAR("noiversion", MS_I_VERSION),
    CLEAR("nolazytime", MS_LAZYTIME),
    CLEAR("nomand", MS_MANDLOCK),
    CLEAR("norelatime", MS_RELATIME),
    CLEAR("nostrictatime", MS_STRICTATIME),
    FLAG("nosuid", MS_NOSUID),
    FLAG("nosymfollow", MS_NOSYMFOLLOW),
    FLAG("relatime", MS_RELATIME),
    FLAG("remount", MS_REMOUNT),
    FLAG("ro", MS_RDONLY),
    CLEAR("rw", MS_RDONLY),
    FLAG("silent", MS_SILENT),
    FLAG("strictatime", MS_STRICTATIME),
    CLEAR("suid", MS_NOSUID),
    CLEAR("symfollow", MS_NOSYMFOLLOW),
    FLAG("sync", MS_SYNCHRONOUS),
    PROP("private", MS_PRIVATE),
    PROP("rprivate", MS_PRIVATE | MS_REC),
    PROP("shared", MS_SHARED),
    PROP("rshared", MS_SHARED | MS_REC),
    PROP("slave", MS_SLAVE),
    PROP("rslave", MS_SLAVE | MS_REC),
    PROP("unbindable", MS_UNBINDABLE),
    PROP("runbindable", MS_UNBINDABLE | MS_REC),
    RSET("rro", MOUNT_ATTR_RDONLY),
    RCLEAR("rrw", MOUNT_ATTR_RDONLY),
    RSET("rnosuid", MOUNT_ATTR_NOSUID),
    RCLEAR("rsuid", MOUNT_ATTR_NOSUID),
    RSET("rnodev", MOUNT_ATTR_NODEV),
    RCLEAR("rdev", MOUNT_ATTR_NODEV),
    RSET("rnoexec", MOUNT_ATTR_NOEXEC),
    RCLEAR("rexec", MOUNT_ATTR_NOEXEC),
    RSET("rnodiratime", MOUNT_ATTR_NODIRATIME),
    RCLEAR("rdiratime", MOUNT_ATTR_NODIRATIME),
    RSET("rrelatime", MOUNT_ATTR_RELATIME),
    RCLEAR("rnorelatime", MOUNT_ATTR_RELATIME),
    RSET("rnoatime", MOUNT_ATTR_NOATIME),
    RCLEAR("ratime", MOUNT_ATTR_NOATIME),
    RSET("rstrictatime", MOUNT_ATTR_STRICTATIME),
    RCLEAR("rnostrictatime", MOUNT_ATTR_STRICTATIME),
    RSET("rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW),
    RCLEAR("rsymfollow", MOUNT_ATTR_NOSYMFOLLOW),
    EXT("bind"),
    EXT("rbind"),
    EXT("idmap"),
    EXT("ridmap"),
    EXT("tmpcopyup"),
    EXT("copy-symlink"),
    EXT("src-nofollow"),
    EXT("dest-nofollow"),
};

const struct spec_mount_option *spec_mount_option_lookup(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(mount_option_table); i++)
		if (strcmp(mount_option_table[i].name, name) == 0)
			return &mount_option_table[i];
	return NULL;
}

const char *const spec_mount_option_names[] = {
    "async",
    "atime",
    "bind",
    "copy-symlink",
    "defaults",
    "dev",
    "diratime",
    "dirsync",
    "exec",
    "idmap",
    "iversion",
    "lazytime",
    "loud",
    "mand",
    "noatime",
    "nodev",
    "nodiratime",
    "noexec",
    "noiversion",
    "nolazytime",
    "nomand",
    "norelatime",
    "nostrictatime",
    "nosuid",
    "nosymfollow",
    "private",
    "ratime",
    "rbind",
    "rdev",
    "rdiratime",
    "relatime",
    "remount",
    "rexec",
    "ridmap",
    "rnoatime",
    "rnodev",
    "rnodiratime",
    "rnoexec",
    "rnorelatime",
    "rnostrictatime",
    "rnosuid",
    "rnosymfollow",
    "ro",
    "rprivate",
    "rrelatime",
    "rro",
    "rrw",
    "rshared",
    "rslave",
    "rstrictatime",
    "rsuid",
    "rsymfollow",
    "runbindable",
    "rw",
    "shared",
    "silent",
    "slave",
    "strictatime",
    "suid",
    "symfollow",
    "sync",
    "tmpcopyup",
    "unbindable",
    NULL,
};
