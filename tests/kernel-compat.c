// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel-compat VERSION [--] COMMAND [ARG...]: run COMMAND as if on Linux
 * VERSION (say 4.18 or 5.10): a seccomp filter makes every system call the
 * kernel gained after VERSION fail with ENOSYS, and the flags it gained on
 * older calls fail with EINVAL, as the old kernel answers them.  The filter
 * is inherited by everything COMMAND starts, so the test suite can run husk
 * (and the containers it makes) with only an old kernel's interfaces, on any
 * kernel: the test tool, not husk, decides what the kernel offers.
 *
 * kernel-compat --list VERSION prints what is taken away.
 *
 * What a filter cannot take away (it sees numbers, not files or returned
 * masks) is listed in integration/README.md: cgroup.kill, the statx
 * STATX_MNT_ID bit, setns on a pidfd with a single namespace flag.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000u
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#error "kernel-compat knows the syscall numbers of x86_64 and aarch64 only"
#endif

#define KV(a, b) ((unsigned)(a) << 16 | (unsigned)(b) << 8)

/* Since 5.1 every architecture numbers new calls alike, from 424; x86_64
 * and aarch64 gained nothing below 424 after 4.18. */
static const struct {
	unsigned nr;
	unsigned since;
	const char *name;
} calls[] = {
    {424, KV(5, 1), "pidfd_send_signal"},
    {425, KV(5, 1), "io_uring_setup"},
    {426, KV(5, 1), "io_uring_enter"},
    {427, KV(5, 1), "io_uring_register"},
    {428, KV(5, 2), "open_tree"},
    {429, KV(5, 2), "move_mount"},
    {430, KV(5, 2), "fsopen"},
    {431, KV(5, 2), "fsconfig"},
    {432, KV(5, 2), "fsmount"},
    {433, KV(5, 2), "fspick"},
    {434, KV(5, 3), "pidfd_open"},
    {435, KV(5, 3), "clone3"},
    {436, KV(5, 9), "close_range"},
    {437, KV(5, 6), "openat2"},
    {438, KV(5, 6), "pidfd_getfd"},
    {439, KV(5, 8), "faccessat2"},
    {440, KV(5, 10), "process_madvise"},
    {441, KV(5, 11), "epoll_pwait2"},
    {442, KV(5, 12), "mount_setattr"},
    {443, KV(5, 14), "quotactl_fd"},
    {444, KV(5, 13), "landlock_create_ruleset"},
    {445, KV(5, 13), "landlock_add_rule"},
    {446, KV(5, 13), "landlock_restrict_self"},
    {447, KV(5, 14), "memfd_secret"},
    {448, KV(5, 15), "process_mrelease"},
    {449, KV(5, 16), "futex_waitv"},
    {450, KV(5, 17), "set_mempolicy_home_node"},
    {451, KV(6, 5), "cachestat"},
    {452, KV(6, 6), "fchmodat2"},
    {453, KV(6, 6), "map_shadow_stack"},
    {454, KV(6, 7), "futex_wake"},
    {455, KV(6, 7), "futex_wait"},
    {456, KV(6, 7), "futex_requeue"},
    {457, KV(6, 8), "statmount"},
    {458, KV(6, 8), "listmount"},
    {459, KV(6, 8), "lsm_get_self_attr"},
    {460, KV(6, 8), "lsm_set_self_attr"},
    {461, KV(6, 8), "lsm_list_modules"},
    {462, KV(6, 10), "mseal"},
    {463, KV(6, 13), "setxattrat"},
    {464, KV(6, 13), "getxattrat"},
    {465, KV(6, 13), "listxattrat"},
    {466, KV(6, 13), "removexattrat"},
    {467, KV(6, 15), "open_tree_attr"},
    {468, KV(6, 17), "file_getattr"},
    {469, KV(6, 17), "file_setattr"},
};
/* Anything numbered after the table is newer than all of it. */
#define FIRST_UNKNOWN 470u
#define UNKNOWN_SINCE KV(6, 18)

#define CLONE_PIDFD_FLAG 0x00001000u   /* clone(2), 5.2 */
#define CLONE_NEWTIME_FLAG 0x00000080u /* unshare(2), 5.6 */

#define MAX_INSNS 512
static struct sock_filter prog[MAX_INSNS];
static unsigned n_insns;

static void emit(struct sock_filter f)
{
	if (n_insns == MAX_INSNS) {
		fprintf(stderr, "kernel-compat: filter too long\n");
		exit(125);
	}
	prog[n_insns++] = f;
}

#define LOAD(off) emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define RET(v) emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (v)))
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t))
#define NR offsetof(struct seccomp_data, nr)
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

/* if (A == k) return ret; */
static void ret_if_eq(unsigned k, unsigned ret)
{
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 1));
	RET(ret);
}

/* if (A & bits) return ret; */
static void ret_if_any(unsigned bits, unsigned ret)
{
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, bits, 0, 1));
	RET(ret);
}

/* For syscall nr: load argument arg, run body, reload nr.  The body is a
 * block of checks that fall through when the call is allowed. */
#define FOR_CALL(nr, arg, body)                                                                    \
	do {                                                                                       \
		unsigned start_ = n_insns;                                                         \
		emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 0));         \
		LOAD(ARG_LO(arg));                                                                 \
		body;                                                                              \
		LOAD(NR);                                                                          \
		prog[start_].jf = (unsigned char)(n_insns - start_ - 1);                           \
	} while (0)

static void build(unsigned version)
{
	emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					  offsetof(struct seccomp_data, arch)));
	emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0));
	RET(SECCOMP_RET_ALLOW); /* another ABI: not ours to judge */
	LOAD(NR);
#ifdef X32_SYSCALL_BIT
	ret_if_any(X32_SYSCALL_BIT, SECCOMP_RET_ALLOW);
#endif
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].since > version)
			ret_if_eq(calls[i].nr, ERRNO(ENOSYS));
	if (UNKNOWN_SINCE > version) {
		emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, FIRST_UNKNOWN, 0, 1));
		RET(ERRNO(ENOSYS));
	}
	if (version < KV(5, 2))
		FOR_CALL(SYS_clone, 0, ret_if_any(CLONE_PIDFD_FLAG, ERRNO(EINVAL)));
	if (version < KV(5, 6))
		FOR_CALL(SYS_unshare, 0, ret_if_any(CLONE_NEWTIME_FLAG, ERRNO(EINVAL)));
	if (version < KV(5, 8)) {
		/* setns on a pidfd takes several CLONE_NEW* flags at once; a
		 * namespace fd takes 0 or one. */
		static const unsigned one[] = {0,	   0x00020000, 0x02000000, 0x04000000,
					       0x08000000, 0x10000000, 0x20000000, 0x40000000};
		FOR_CALL(SYS_setns, 1, {
			for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
				emit((struct sock_filter)BPF_JUMP(
				    BPF_JMP | BPF_JEQ | BPF_K, one[i],
				    (unsigned char)(sizeof(one) / sizeof(one[0]) - i), 0));
			RET(ERRNO(EINVAL));
		});
	}
	if (version < KV(5, 0)) {
		/* seccomp user notification: the NEW_LISTENER flag and the
		 * GET_NOTIF_SIZES operation; later flags likewise. */
		FOR_CALL(SYS_seccomp, 0, ret_if_eq(3 /* SECCOMP_GET_NOTIF_SIZES */, ERRNO(EINVAL)));
	}
	{
		unsigned bad = 0;
		if (version < KV(5, 0))
			bad |= 1u << 3; /* NEW_LISTENER */
		if (version < KV(5, 7))
			bad |= 1u << 4; /* TSYNC_ESRCH */
		if (version < KV(5, 19))
			bad |= 1u << 5; /* WAIT_KILLABLE_RECV */
		FOR_CALL(SYS_seccomp, 1, ret_if_any(bad, ERRNO(EINVAL)));
	}
	RET(SECCOMP_RET_ALLOW);
}

static int parse_version(const char *s, unsigned *out)
{
	unsigned a, b;
	char tail;

	if (sscanf(s, "%u.%u%c", &a, &b, &tail) != 2 || a > 255 || b > 255)
		return -1;
	*out = KV(a, b);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: kernel-compat VERSION [--] COMMAND [ARG...]\n"
			"       kernel-compat --list VERSION\n");
	return 125;
}

int main(int argc, char **argv)
{
	unsigned version;
	struct sock_fprog fprog;
	int i = 1;

	if (argc == 3 && strcmp(argv[1], "--list") == 0) {
		if (parse_version(argv[2], &version) < 0)
			return usage();
		for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++)
			if (calls[k].since > version)
				printf("%s %u.%u\n", calls[k].name, calls[k].since >> 16,
				       (calls[k].since >> 8) & 0xff);
		return 0;
	}
	if (argc < 3 || parse_version(argv[i++], &version) < 0)
		return usage();
	if (strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc)
		return usage();
	build(version);
	fprog.len = (unsigned short)n_insns;
	fprog.filter = prog;
	/* As root no_new_privs is not needed, and is left off so the
	 * commands run as they would without us; others must set it. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) {
		if (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0) {
			perror("kernel-compat: seccomp");
			return 125;
		}
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "kernel-compat: exec %s: %s\n", argv[i], strerror(errno));
	return 127;
}
