// SPDX-License-Identifier: GPL-2.0-or-later
/* The name tables of spec/names.c against the kernel's and libseccomp's numbers. */
#include "config.h"
#include "tests/unit.h"

#include <ctype.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "runtime/util.h"
#include "spec/names.h"

TEST(namespaces)
{
	ASSERT_INT_EQ(spec_ns_type_from_name("pid"), SPEC_NS_PID);
	ASSERT_INT_EQ(spec_ns_type_from_name("network"), SPEC_NS_NETWORK);
	ASSERT_INT_EQ(spec_ns_type_from_name("mount"), SPEC_NS_MOUNT);
	ASSERT_INT_EQ(spec_ns_type_from_name("time"), SPEC_NS_TIME);
	ASSERT_INT_EQ(spec_ns_type_from_name("net"), -1);
	ASSERT_INT_EQ(spec_ns_type_from_name(""), -1);
	ASSERT_INT_EQ(spec_ns_type_from_name(NULL), -1);
	ASSERT_INT_EQ(spec_ns_clone_flag(SPEC_NS_PID), CLONE_NEWPID);
	ASSERT_INT_EQ(spec_ns_clone_flag(SPEC_NS_NETWORK), CLONE_NEWNET);
	ASSERT_INT_EQ(spec_ns_clone_flag(SPEC_NS_MOUNT), CLONE_NEWNS);
	ASSERT_INT_EQ(spec_ns_clone_flag(SPEC_NS_IPC), CLONE_NEWIPC);
	ASSERT_INT_EQ(spec_ns_clone_flag(SPEC_NS_UTS), CLONE_NEWUTS);
	ASSERT_INT_EQ(spec_ns_clone_flag(SPEC_NS_USER), CLONE_NEWUSER);
	ASSERT_INT_EQ(spec_ns_clone_flag(SPEC_NS_CGROUP), CLONE_NEWCGROUP);
	ASSERT_INT_EQ(spec_ns_clone_flag(SPEC_NS_TIME), 0x80);
	ASSERT_STREQ(spec_ns_proc_name(SPEC_NS_NETWORK), "net");
	ASSERT_STREQ(spec_ns_proc_name(SPEC_NS_MOUNT), "mnt");
	ASSERT_STREQ(spec_ns_proc_name(SPEC_NS_TIME), "time");
	ASSERT_NULL(spec_ns_type_name(SPEC_NS_COUNT));
	/* The iteration list and the lookup agree, in enum order. */
	for (int i = 0; i < SPEC_NS_COUNT; i++) {
		ASSERT_STREQ(spec_ns_type_names[i], spec_ns_type_name((enum spec_ns_type)i));
		ASSERT_INT_EQ(spec_ns_type_from_name(spec_ns_type_names[i]), i);
	}
	ASSERT_NULL(spec_ns_type_names[SPEC_NS_COUNT]);
}

TEST(signals)
{
	ASSERT_INT_EQ(spec_signal_from_name("SIGKILL"), SIGKILL);
	ASSERT_INT_EQ(spec_signal_from_name("KILL"), SIGKILL);
	ASSERT_INT_EQ(spec_signal_from_name("kill"), SIGKILL);
	ASSERT_INT_EQ(spec_signal_from_name("sigterm"), SIGTERM);
	ASSERT_INT_EQ(spec_signal_from_name("9"), 9);
	ASSERT_INT_EQ(spec_signal_from_name("15"), 15);
	ASSERT_INT_EQ(spec_signal_from_name("SIGWINCH"), SIGWINCH);
	ASSERT_INT_EQ(spec_signal_from_name("SIGRTMIN"), SIGRTMIN);
	ASSERT_INT_EQ(spec_signal_from_name("RTMIN+3"), SIGRTMIN + 3);
	ASSERT_INT_EQ(spec_signal_from_name("SIGRTMAX-1"), SIGRTMAX - 1);
	ASSERT_INT_EQ(spec_signal_from_name("SIGRTMAX+1"), -1);
	ASSERT_INT_EQ(spec_signal_from_name("RTMIN+"), -1);
	ASSERT_INT_EQ(spec_signal_from_name("0"), -1);
	ASSERT_INT_EQ(spec_signal_from_name("-9"), -1);
	ASSERT_INT_EQ(spec_signal_from_name("99"), -1);
	ASSERT_INT_EQ(spec_signal_from_name("9x"), -1);
	ASSERT_INT_EQ(spec_signal_from_name("SIGFOO"), -1);
	ASSERT_INT_EQ(spec_signal_from_name(""), -1);
	ASSERT_INT_EQ(spec_signal_from_name(NULL), -1);
	ASSERT_STREQ(spec_signal_name(SIGKILL), "SIGKILL");
	ASSERT_STREQ(spec_signal_name(SIGHUP), "SIGHUP");
	ASSERT_NULL(spec_signal_name(0));
	/* Every classic signal has a name that maps back to it. */
	for (int s = 1; s < 32; s++) {
		const char *n = spec_signal_name(s);
		ASSERT_MSG(n != NULL, "signal %d has no name", s);
		ASSERT_INT_EQ(spec_signal_from_name(n), s);
	}
}

TEST(rlimits)
{
	ASSERT_INT_EQ(spec_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	ASSERT_INT_EQ(spec_rlimit_from_name("RLIMIT_AS"), RLIMIT_AS);
	ASSERT_INT_EQ(spec_rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
	ASSERT_INT_EQ(spec_rlimit_from_name("NOFILE"), -1);
	ASSERT_INT_EQ(spec_rlimit_from_name("rlimit_nofile"), -1);
	size_t n = 0;
	for (; spec_rlimit_names[n]; n++)
		ASSERT_MSG(spec_rlimit_from_name(spec_rlimit_names[n]) >= 0, "%s",
			   spec_rlimit_names[n]);
	ASSERT_INT_EQ(n, RLIM_NLIMITS);
}

TEST(capabilities)
{
	ASSERT_INT_EQ(spec_capability_from_name("CAP_CHOWN"), CAP_CHOWN);
	ASSERT_INT_EQ(spec_capability_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
	ASSERT_INT_EQ(spec_capability_from_name("CAP_NET_RAW"), CAP_NET_RAW);
	ASSERT_INT_EQ(spec_capability_from_name("CAP_AUDIT_READ"), CAP_AUDIT_READ);
	ASSERT_INT_EQ(spec_capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	ASSERT_INT_EQ(spec_capability_from_name("CAP_BPF"), 39);
	ASSERT_INT_EQ(spec_capability_from_name("CAP_PERFMON"), 38);
	ASSERT_INT_EQ(spec_capability_from_name("SYS_ADMIN"), -1);
	ASSERT_INT_EQ(spec_capability_from_name("CAP_NOPE"), -1);
	ASSERT_INT_EQ(spec_capability_max_known(), 40);
	ASSERT_STREQ(spec_capability_name(21), "CAP_SYS_ADMIN");
	ASSERT_NULL(spec_capability_name(41));
	ASSERT_NULL(spec_capability_name(-1));
	for (int c = 0; c <= spec_capability_max_known(); c++)
		ASSERT_INT_EQ(spec_capability_from_name(spec_capability_name(c)), c);
}

TEST(seccomp_names)
{
	ASSERT_INT_EQ(spec_seccomp_action_from_name("SCMP_ACT_ALLOW"), SCMP_ACT_ALLOW);
	ASSERT_INT_EQ(spec_seccomp_action_from_name("SCMP_ACT_ERRNO"), SCMP_ACT_ERRNO(0));
	ASSERT_INT_EQ(spec_seccomp_action_from_name("SCMP_ACT_TRACE"), SCMP_ACT_TRACE(0));
	ASSERT_INT_EQ(spec_seccomp_action_from_name("SCMP_ACT_KILL"), SCMP_ACT_KILL);
	ASSERT_INT_EQ(spec_seccomp_action_from_name("SCMP_ACT_KILL_PROCESS"),
		      SCMP_ACT_KILL_PROCESS);
	ASSERT_INT_EQ(spec_seccomp_action_from_name("SCMP_ACT_NOTIFY"), SCMP_ACT_NOTIFY);
	ASSERT_INT_EQ(spec_seccomp_action_from_name("SCMP_ACT_LOG"), SCMP_ACT_LOG);
	ASSERT_INT_EQ(spec_seccomp_action_from_name("ALLOW"), -1);
	ASSERT_INT_EQ(spec_seccomp_op_from_name("SCMP_CMP_MASKED_EQ"), SCMP_CMP_MASKED_EQ);
	ASSERT_INT_EQ(spec_seccomp_op_from_name("SCMP_CMP_NE"), SCMP_CMP_NE);
	ASSERT_INT_EQ(spec_seccomp_op_from_name("SCMP_CMP_XX"), -1);
	ASSERT_INT_EQ(spec_seccomp_arch_from_name("SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
	ASSERT_INT_EQ(spec_seccomp_arch_from_name("SCMP_ARCH_AARCH64"), SCMP_ARCH_AARCH64);
	ASSERT_INT_EQ(spec_seccomp_arch_from_name("x86_64"), -1);
	ASSERT_INT_EQ(spec_seccomp_flag_from_name("SECCOMP_FILTER_FLAG_TSYNC"), 1);
	ASSERT_INT_EQ(spec_seccomp_flag_from_name("SECCOMP_FILTER_FLAG_LOG"), 2);
	ASSERT_INT_EQ(spec_seccomp_flag_from_name("SECCOMP_FILTER_FLAG_SPEC_ALLOW"), 4);
	ASSERT_INT_EQ(spec_seccomp_flag_from_name("SECCOMP_FILTER_FLAG_NEW_LISTENER"), -1);
	/* Every name the features document lists is one the parser accepts. */
	for (size_t i = 0; spec_seccomp_action_names[i]; i++)
		ASSERT_MSG(spec_seccomp_action_from_name(spec_seccomp_action_names[i]) >= 0, "%s",
			   spec_seccomp_action_names[i]);
	for (size_t i = 0; spec_seccomp_op_names[i]; i++)
		ASSERT_MSG(spec_seccomp_op_from_name(spec_seccomp_op_names[i]) >= 0, "%s",
			   spec_seccomp_op_names[i]);
	for (size_t i = 0; spec_seccomp_arch_names[i]; i++) {
		int64_t a = spec_seccomp_arch_from_name(spec_seccomp_arch_names[i]);
		ASSERT_MSG(a > 0, "%s", spec_seccomp_arch_names[i]);
		/* libseccomp knows the token by the lower-case name without the prefix. */
		char lower[32] = "";
		for (size_t j = 0; spec_seccomp_arch_names[i][10 + j] && j < sizeof lower - 1; j++)
			lower[j] = (char)tolower((unsigned char)spec_seccomp_arch_names[i][10 + j]);
		ASSERT_MSG(seccomp_arch_resolve_name(lower) == (uint32_t)a, "%s (%s)",
			   spec_seccomp_arch_names[i], lower);
	}
	for (size_t i = 0; spec_seccomp_flag_names[i]; i++)
		ASSERT_MSG(spec_seccomp_flag_from_name(spec_seccomp_flag_names[i]) > 0, "%s",
			   spec_seccomp_flag_names[i]);
}

TEST(scheduler_ioprio_mempolicy_personality)
{
	ASSERT_INT_EQ(spec_sched_policy_from_name("SCHED_OTHER"), SCHED_OTHER);
	ASSERT_INT_EQ(spec_sched_policy_from_name("SCHED_FIFO"), SCHED_FIFO);
	ASSERT_INT_EQ(spec_sched_policy_from_name("SCHED_RR"), SCHED_RR);
	ASSERT_INT_EQ(spec_sched_policy_from_name("SCHED_BATCH"), SCHED_BATCH);
	ASSERT_INT_EQ(spec_sched_policy_from_name("SCHED_IDLE"), SCHED_IDLE);
	ASSERT_INT_EQ(spec_sched_policy_from_name("SCHED_DEADLINE"), 6);
	ASSERT_INT_EQ(spec_sched_policy_from_name("SCHED_NORMAL"), -1);
	ASSERT_INT_EQ(spec_sched_flag_from_name("SCHED_FLAG_RESET_ON_FORK"), 1);
	ASSERT_INT_EQ(spec_sched_flag_from_name("SCHED_FLAG_UTIL_CLAMP_MAX"), 0x40);
	ASSERT_INT_EQ(spec_ioprio_class_from_name("IOPRIO_CLASS_RT"), 1);
	ASSERT_INT_EQ(spec_ioprio_class_from_name("IOPRIO_CLASS_BE"), 2);
	ASSERT_INT_EQ(spec_ioprio_class_from_name("IOPRIO_CLASS_IDLE"), 3);
	ASSERT_INT_EQ(spec_ioprio_class_from_name("IOPRIO_CLASS_NONE"), -1);
	ASSERT_INT_EQ(spec_mempolicy_mode_from_name("MPOL_DEFAULT"), 0);
	ASSERT_INT_EQ(spec_mempolicy_mode_from_name("MPOL_BIND"), 2);
	ASSERT_INT_EQ(spec_mempolicy_mode_from_name("MPOL_PREFERRED_MANY"), 5);
	ASSERT_INT_EQ(spec_mempolicy_mode_from_name("MPOL_WEIGHTED_INTERLEAVE"), 6);
	ASSERT_INT_EQ(spec_mempolicy_mode_from_name("bind"), -1);
	ASSERT_INT_EQ(spec_mempolicy_flag_from_name("MPOL_F_STATIC_NODES"), 1 << 15);
	ASSERT_INT_EQ(spec_mempolicy_flag_from_name("MPOL_F_RELATIVE_NODES"), 1 << 14);
	ASSERT_INT_EQ(spec_personality_domain_from_name("LINUX"), PER_LINUX);
	ASSERT_INT_EQ(spec_personality_domain_from_name("LINUX32"), PER_LINUX32);
	ASSERT_INT_EQ(spec_personality_domain_from_name("linux"), -1);
}

TEST(mount_options)
{
	const struct spec_mount_option *o;

	o = spec_mount_option_lookup("ro");
	ASSERT(o && o->kind == SPEC_MOUNT_FLAG && !o->clear && o->flag == MS_RDONLY);
	o = spec_mount_option_lookup("rw");
	ASSERT(o && o->kind == SPEC_MOUNT_FLAG && o->clear && o->flag == MS_RDONLY);
	o = spec_mount_option_lookup("nosuid");
	ASSERT(o && !o->clear && o->flag == MS_NOSUID);
	o = spec_mount_option_lookup("suid");
	ASSERT(o && o->clear && o->flag == MS_NOSUID);
	o = spec_mount_option_lookup("async");
	ASSERT(o && o->clear && o->flag == MS_SYNCHRONOUS);
	o = spec_mount_option_lookup("rprivate");
	ASSERT(o && o->kind == SPEC_MOUNT_PROPAGATION && o->flag == (MS_PRIVATE | MS_REC));
	o = spec_mount_option_lookup("shared");
	ASSERT(o && o->kind == SPEC_MOUNT_PROPAGATION && o->flag == MS_SHARED);
	o = spec_mount_option_lookup("rro");
	ASSERT(o && o->kind == SPEC_MOUNT_RECURSIVE && !o->clear && o->flag == 1);
	o = spec_mount_option_lookup("rbind");
	ASSERT(o && o->kind == SPEC_MOUNT_EXTENSION);
	o = spec_mount_option_lookup("tmpcopyup");
	ASSERT(o && o->kind == SPEC_MOUNT_EXTENSION);
	/* Filesystem data is not an option husk knows. */
	ASSERT_NULL(spec_mount_option_lookup("mode=755"));
	ASSERT_NULL(spec_mount_option_lookup("size=64k"));
	ASSERT_NULL(spec_mount_option_lookup(""));
	/* What `features` advertises is what the mount code can look up. */
	for (size_t i = 0; spec_mount_option_names[i]; i++)
		ASSERT_MSG(spec_mount_option_lookup(spec_mount_option_names[i]) != NULL, "%s",
			   spec_mount_option_names[i]);
}

int main(void)
{
	RUN(namespaces);
	RUN(signals);
	RUN(rlimits);
	RUN(capabilities);
	RUN(seccomp_names);
	RUN(scheduler_ioprio_mempolicy_personality);
	RUN(mount_options);
	return unit_done();
}
