// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The container's process from setup to execve (config.json "process"):
 * rlimits, oomScoreAdj, scheduler, ioPriority, execCPUAffinity,
 * personality, the session keyring, user and groups, umask, capabilities,
 * noNewPrivileges, cwd, LSM labels, fds, seccomp, execve.  The init and
 * `exec` both end here, so both get the same hardening.
 */
#include "config.h"
#include "linux/linux.h"
#include "spec/names.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

int process_set_rlimits(const struct spec_process *p, struct husk_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
		struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};
		if (setrlimit(r->resource, &rl) < 0)
			return husk_error_errno(err, "process.rlimits: %s", r->type);
	}
	return 0;
}

int process_set_oom_score_adj(const struct spec_process *p, struct husk_error *err)
{
	char v[16];

	if (!p->has_oom_score_adj)
		return 0;
	snprintf(v, sizeof v, "%d", p->oom_score_adj);
	if (procfs_write("self/oom_score_adj", v, err) < 0)
		return husk_error_prefix(err, "process.oomScoreAdj");
	return 0;
}

static int parse_cpu_list(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b;
		if (end == s || a < 0 || a >= CPU_SETSIZE)
			return -1;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a || b >= CPU_SETSIZE)
				return -1;
		}
		for (long c = a; c <= b; c++)
			CPU_SET((int)c, set);
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

static int set_cpu_affinity(const char *list, const char *field, struct husk_error *err)
{
	cpu_set_t set;

	if (list == NULL || *list == '\0')
		return 0;
	if (parse_cpu_list(list, &set) < 0)
		return husk_error_set(err, EINVAL, "%s: invalid CPU list `%s`", field, list);
	if (sched_setaffinity(0, sizeof set, &set) < 0)
		return husk_error_errno(err, "%s: sched_setaffinity `%s`", field, list);
	return 0;
}

struct sched_attr_v1 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static uint64_t sched_flag_bit(const char *name)
{
	static const struct {
		const char *name;
		uint64_t bit;
	} flags[] = {
	    {"SCHED_FLAG_RESET_ON_FORK", 0x01},	 {"SCHED_FLAG_RECLAIM", 0x02},
	    {"SCHED_FLAG_DL_OVERRUN", 0x04},	 {"SCHED_FLAG_KEEP_POLICY", 0x08},
	    {"SCHED_FLAG_KEEP_PARAMS", 0x10},	 {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
	    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
	};
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (strcmp(flags[i].name, name) == 0)
			return flags[i].bit;
	return 0;
}

static int set_scheduler(const struct spec_scheduler *s, struct husk_error *err)
{
	struct sched_attr_v1 a = {.size = sizeof a};

	if (s == NULL)
		return 0;
	a.sched_policy = (uint32_t)s->policy_value;
	a.sched_nice = s->nice;
	a.sched_priority = (uint32_t)s->priority;
	a.sched_runtime = s->runtime;
	a.sched_deadline = s->deadline;
	a.sched_period = s->period;
	for (size_t i = 0; s->flags && s->flags[i]; i++)
		a.sched_flags |= sched_flag_bit(s->flags[i]);
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return husk_error_errno(err, "process.scheduler: sched_setattr(%s)", s->policy);
	return 0;
}

static int set_io_priority(const struct spec_io_priority *io, struct husk_error *err)
{
	const int who_process = 1, class_shift = 13;

	if (io == NULL)
		return 0;
	if (syscall(SYS_ioprio_set, who_process, 0,
		    (io->class_value << class_shift) | io->priority) < 0)
		return husk_error_errno(err, "process.ioPriority: ioprio_set(%s, %d)",
					io->class_name, io->priority);
	return 0;
}

/* "0-3,7" into a set_mempolicy(2) node mask. */
static int parse_node_list(const char *s, unsigned long *mask, size_t max_nodes)
{
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b;

		if (end == s || a >= max_nodes)
			return -1;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a || b >= max_nodes)
				return -1;
		}
		for (unsigned long n = a; n <= b; n++)
			mask[n / (8 * sizeof(*mask))] |= 1UL << (n % (8 * sizeof(*mask)));
		s = end;
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

/* linux.memoryPolicy: the task policy, inherited across fork and execve. */
static int set_memory_policy(const struct spec_memory_policy *mp, struct husk_error *err)
{
	enum { MAX_NODES = 1024 };
	unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))] = {0};
	unsigned long maxnode = 0;
	int mode;

	if (mp == NULL)
		return 0;
	mode = mp->mode_value;
	for (size_t i = 0; mp->flags && mp->flags[i]; i++)
		mode |= spec_mempolicy_flag_from_name(mp->flags[i]);
	if (mp->nodes && *mp->nodes) {
		if (parse_node_list(mp->nodes, mask, MAX_NODES) < 0)
			return husk_error_set(err, EINVAL, "linux.memoryPolicy: invalid nodes `%s`",
					      mp->nodes);
		/* The kernel reads maxnode - 1 bits. */
		maxnode = MAX_NODES + 1;
	}
	if (syscall(SYS_set_mempolicy, mode, maxnode ? mask : NULL, maxnode) < 0)
		return husk_error_errno(err, "linux.memoryPolicy: set_mempolicy(%s, nodes `%s`)",
					mp->mode, mp->nodes ? mp->nodes : "");
	return 0;
}

static int set_personality(const struct spec_personality *p, struct husk_error *err)
{
	unsigned long persona;

	if (p == NULL || p->domain == NULL)
		return 0;
	persona = strcmp(p->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
	if (personality(persona) < 0)
		return husk_error_errno(err, "linux.personality: %s", p->domain);
	return 0;
}

static int set_user(const struct spec_process *p, struct husk_error *err)
{
	const struct spec_user *u = &p->user;
	size_t n = u->n_additional_gids < NGROUPS_MAX ? u->n_additional_gids : NGROUPS_MAX;
	/* As many entries as there are groups: a gid_t[NGROUPS_MAX] on the
	 * stack, zeroed, was 256 KiB (64 pages) faulted in by the init just
	 * before exec, charged to the container's memory cgroup, and most of
	 * what made the smallest workable memory limit larger than crun's. */
	_cleanup_free_ gid_t *groups = n ? xcalloc(n, sizeof *groups) : NULL;

	for (size_t i = 0; i < n; i++)
		groups[i] = u->additional_gids[i];
	/* setgroups is denied in a user namespace whose setgroups file says
	 * "deny"; only an explicit group list makes that an error. */
	if (setgroups(n, groups) < 0 && (n > 0 || errno != EPERM))
		return husk_error_errno(err, "process.user.additionalGids: setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return husk_error_errno(err, "process.user.gid: setresgid(%u)", u->gid);
	if (capabilities_keep(err) < 0)
		return -1;
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return husk_error_errno(err, "process.user.uid: setresuid(%u)", u->uid);
	if (u->has_umask)
		umask(u->umask);
	return 0;
}

/* CVE-2024-21626: a cwd reached through a leaked host fd would print as
 * "(unreachable)/..."; refuse anything that is not inside our root.
 * getcwd is checked here, before the container's seccomp filter is loaded:
 * a filter may well deny getcwd.  With as_root, a chdir that only the
 * process's own user may make is left for later (*done stays false). */
static int enter_cwd(const char *cwd, bool as_root, bool *done, struct husk_error *err)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0) {
		if (as_root && (errno == EACCES || errno == EPERM))
			return 0;
		return husk_error_errno(err, "process.cwd: chdir to `%s`", cwd);
	}
	if (getcwd(buf, sizeof buf) == NULL || buf[0] != '/')
		return husk_error_set(err, EPERM, "process.cwd: `%s` is outside the container",
				      cwd);
	*done = true;
	return 0;
}

/*
 * A process that runs as another user inherits stdio fds that belong to
 * whoever ran husk: reopening /dev/stdout or /proc/self/fd/1 (which many
 * images' entrypoints do) then fails for it.  Give it the pipes and sockets
 * husk passes, as runc does.  A terminal is the pty's business, and a
 * regular file or device is the host's: those are left alone.  An fd whose
 * owner the user namespace cannot map is left as it is (EPERM/EINVAL).
 */
static int give_stdio_to_user(uid_t uid, gid_t gid, struct husk_error *err)
{
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0) {
			if (errno == EBADF)
				continue;
			return husk_error_errno(err, "process.user: stat stdio fd %d", fd);
		}
		if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
			continue;
		if (st.st_uid == uid && st.st_gid == gid)
			continue;
		if (fchown(fd, uid, gid) < 0 && errno != EPERM && errno != EINVAL)
			return husk_error_errno(err, "process.user: hand stdio fd %d to uid %u", fd,
						uid);
	}
	return 0;
}

static const char *env_get(char **env, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

/* HOME from the container's /etc/passwd when env has none, as runc does;
 * "/" when the uid has no entry. */
static char *home_of_uid(uid_t uid)
{
	_cleanup_free_ char *buf = NULL;
	struct husk_error e = HUSK_ERROR_INIT;
	size_t len;

	if (read_file_at(AT_FDCWD, "/etc/passwd", 1 << 20, &buf, &len, &e) < 0) {
		husk_error_clear(&e);
		return xstrdup("/");
	}
	for (char *line = buf, *next; line && *line; line = next) {
		char *f[7] = {0};
		int n = 0;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (char *p = line; n < 7 && p; n++) {
			f[n] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		int64_t u;
		if (n >= 6 && parse_int64(f[2], &u) == 0 && u == (int64_t)uid && f[5][0])
			return xstrdup(f[5]);
	}
	return xstrdup("/");
}

int listen_fds_passed(void)
{
	const char *s = getenv("LISTEN_FDS");
	int64_t n;

	if (s && parse_int64(s, &n) == 0 && n > 0 && n < 1024)
		return (int)n;
	return 0;
}

static bool is_activation_var(const char *kv)
{
	return strncmp(kv, "LISTEN_FDS=", 11) == 0 || strncmp(kv, "LISTEN_PID=", 11) == 0 ||
	       strncmp(kv, "LISTEN_FDNAMES=", 15) == 0;
}

/*
 * The process's environment: process.env, plus HOME from the container's
 * /etc/passwd when env has none (as runc does), plus systemd's socket
 * activation variables when husk was handed sockets (LISTEN_FDS in its own
 * environment): they are the process's fds 3.., and LISTEN_PID must name
 * the process itself, which only now knows its pid (1 in a new pid
 * namespace); and NOTIFY_SOCKET where the init bound husk's into the
 * container.  NULL: process.env as it is.
 */
static char **process_env(const struct spec_process *p, const char *notify_socket)
{
	int listen = listen_fds_passed();
	bool need_home = env_get(p->env, "HOME") == NULL;
	size_t n = strv_len(p->env), k = 0;
	char **out;

	if (!need_home && listen == 0 && notify_socket == NULL)
		return NULL;
	out = xcalloc(n + 6, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		if ((listen == 0 || !is_activation_var(p->env[i])) &&
		    (notify_socket == NULL || strncmp(p->env[i], "NOTIFY_SOCKET=", 14) != 0))
			out[k++] = p->env[i];
	if (notify_socket)
		out[k++] = xasprintf("NOTIFY_SOCKET=%s", notify_socket);
	if (need_home) {
		_cleanup_free_ char *home = home_of_uid(p->user.uid);
		out[k++] = xasprintf("HOME=%s", home);
	}
	if (listen) {
		const char *names = getenv("LISTEN_FDNAMES");
		out[k++] = xasprintf("LISTEN_FDS=%d", listen);
		out[k++] = xasprintf("LISTEN_PID=%d", getpid());
		if (names)
			out[k++] = xasprintf("LISTEN_FDNAMES=%s", names);
	}
	return out;
}

/* args[0] without a slash is looked up in the process's own PATH. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The first "<dir>/<name>" along the process's PATH that usable() accepts
 * (an empty entry is the working directory, `dot`); NULL when none. */
static char *search_path(const char *name, char **env, const char *dot,
			 bool (*usable)(const char *cand, void *data), void *data)
{
	const char *path = env_get(env, "PATH");

	for (const char *p = path ? path : DEFAULT_PATH; *p;) {
		const char *colon = strchrnul(p, ':');
		char *cand = xasprintf("%.*s/%s", (int)(colon - p), colon == p ? dot : p, name);
		if (usable(cand, data))
			return cand;
		free(cand);
		p = *colon ? colon + 1 : colon;
	}
	return NULL;
}

static bool host_executable(const char *path, void *data)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int find_executable(const char *name, char **env, char **out, struct husk_error *err)
{
	if (strchr(name, '/')) {
		*out = xstrdup(name);
		return 0;
	}
	*out = search_path(name, env, ".", host_executable, NULL);
	if (*out == NULL)
		return husk_error_set(err, ENOENT,
				      "process.args: executable `%s` not found in $PATH", name);
	return 0;
}

int process_find_executable(const struct spec_process *p, char **path, struct husk_error *err)
{
	_cleanup_free_ char *found = NULL;

	if (find_executable(p->args[0], p->env, &found, err) < 0)
		return -1;
	if (path)
		*path = steal_pointer(&found);
	return 0;
}

/* Keep 0-2 and the preserved fds across execve; everything else closes. */
static int prepare_fds(int preserve, struct husk_error *err)
{
	for (int fd = 3; fd < 3 + preserve; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0)
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	return close_range_cloexec(3 + preserve, err);
}

static int join_session_keyring(const struct exec_opts *o, struct husk_error *err)
{
	if (o->no_new_keyring)
		return 0;
	/* Kernels built without keys, or seccomp'd callers, refuse: not fatal. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, o->id) < 0 && errno != ENOSYS &&
	    errno != EPERM && errno != EACCES)
		return husk_error_errno(err, "join a session keyring");
	return 0;
}

int process_exec(const struct exec_opts *o, struct husk_error *err)
{
	const struct spec_process *p = o->process;
	_cleanup_free_ char *exe = NULL;
	char **env = p->env, **built_env = NULL;
	bool early_seccomp = o->seccomp && !p->no_new_privileges;
	bool in_cwd = false;

	if (process_set_rlimits(p, err) < 0 || process_set_oom_score_adj(p, err) < 0)
		return -1;
	if (set_scheduler(p->scheduler, err) < 0 || set_io_priority(p->io_priority, err) < 0)
		return -1;
	if (p->exec_cpu_affinity &&
	    set_cpu_affinity(p->exec_cpu_affinity->final, "process.execCPUAffinity.final", err) < 0)
		return -1;
	if (set_personality(o->personality, err) < 0 || join_session_keyring(o, err) < 0)
		return -1;
	if (set_memory_policy(o->memory_policy, err) < 0)
		return -1;
	if (process_find_executable(p, &exe, err) < 0)
		return -1;
	built_env = process_env(p, o->notify_socket);
	if (built_env)
		env = built_env;
	if (lsm_set_exec_labels(p->apparmor_profile, p->selinux_label, err) < 0)
		return -1;
	if (enter_cwd(p->cwd, true, &in_cwd, err) < 0)
		return -1;
	if (p->user.uid != 0 && give_stdio_to_user(p->user.uid, p->user.gid, err) < 0)
		return -1;
	/* Without NoNewPrivs, an unprivileged process may not install a
	 * filter: load it while we still hold CAP_SYS_ADMIN. */
	if (early_seccomp && seccomp_install(o->seccomp, o->seccomp_spec, o->state_json, err) < 0)
		return husk_error_prefix(err, "linux.seccomp");
	if (set_user(p, err) < 0)
		return -1;
	if (capabilities_apply(p->capabilities, err) < 0)
		return husk_error_prefix(err, "process.capabilities");
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_error_errno(err, "process.noNewPrivileges");
	if (!in_cwd && enter_cwd(p->cwd, false, &in_cwd, err) < 0)
		return -1;
	if (prepare_fds(o->preserve_fds, err) < 0)
		return -1;
	if (o->seccomp && !early_seccomp &&
	    seccomp_install(o->seccomp, o->seccomp_spec, o->state_json, err) < 0)
		return husk_error_prefix(err, "linux.seccomp");
	execve(exe, p->args, env ? env : (char *[]){NULL});
	return husk_error_errno(err, "process.args: exec `%s`", p->args[0]);
}

/* ---- husk check ---- */

/* A regular file with an execute bit, at path inside the rootfs (data:
 * the rootfs fd). */
static bool executable_in_root(const char *path, void *data)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_close_ int fd =
	    resolve_in_root(*(int *)data, path, O_PATH, RESOLVE_NO_CREATE, 0, &err);
	struct stat st;

	husk_error_clear(&err);
	return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH));
}

bool process_executable_in_root(int rootfd, const char *path)
{
	return executable_in_root(path, &rootfd);
}

void process_check_executable(int rootfd, const struct spec_process *p, struct check_report *r)
{
	const char *name = p->args[0];
	_cleanup_free_ char *found = NULL;

	if (strchr(name, '/')) {
		/* Relative to process.cwd, as execve sees it after chdir. */
		_cleanup_free_ char *full =
		    name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", p->cwd, name);
		if (!executable_in_root(full, &rootfd))
			check_add(r, CHECK_ERROR, "process.args[0]",
				  "`%s` is not an executable file in the rootfs", name);
		return;
	}
	found = search_path(name, p->env, p->cwd, executable_in_root, &rootfd);
	if (found == NULL)
		check_add(r, CHECK_ERROR, "process.args[0]",
			  "executable `%s` not found in the rootfs along PATH %s", name,
			  env_get(p->env, "PATH") ? env_get(p->env, "PATH") : DEFAULT_PATH);
}
