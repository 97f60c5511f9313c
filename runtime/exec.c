// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exec lifecycle: run another process in a created or running
 * container (the options come from cmd_exec.c).
 *
 *   husk            fork -> A          A: non-dumpable, waits until husk has put
 *     |                                   it in the container's cgroup, joins
 *     |                                   every namespace of the init (one
 *     |                                   setns on a pidfd), forks B, reports
 *     |                                   B's pid and exits
 *     |                                B: in the pid and time namespaces too;
 *     |                                   terminal, then process_exec (the
 *     |                                   same hardening as the init)
 *   waits for B's execve (a CLOEXEC pipe: EOF means it ran, bytes are the
 *   error), then exits (--detach) or proxies the tty / forwards signals and
 *   exits with B's status.  husk is a child subreaper, so B becomes its
 *   child once A is gone.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "container.h"
#include "foreground.h"
#include "linux/cgroups.h"
#include "spec/names.h"
#include "state_store.h"
#include "linux/kernel.h"
#include "util.h"

static char **strv_dup(char *const *v, size_t extra)
{
	size_t n = strv_len(v);
	char **out = xcalloc(n + extra + 1, sizeof *out);

	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

/* KEY=VALUE replaces an existing KEY, else is appended. */
static void env_set(char ***envp, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	char **env = *envp;
	size_t n = strv_len(env);

	for (size_t i = 0; i < n; i++) {
		if (strncmp(env[i], kv, klen) == 0 && env[i][klen] == '=') {
			free(env[i]);
			env[i] = xstrdup(kv);
			return;
		}
	}
	env = xrealloc(env, (n + 2) * sizeof *env);
	env[n] = xstrdup(kv);
	env[n + 1] = NULL;
	*envp = env;
}

static void strv_append(char ***v, const char *s)
{
	size_t n = strv_len(*v);

	*v = xrealloc(*v, (n + 2) * sizeof **v);
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

static int parse_id(const char *s, const char *what, uint32_t *out, struct husk_error *err)
{
	uint64_t v;

	if (parse_uint64(s, &v) < 0 || v > UINT32_MAX)
		return husk_error_set(err, EINVAL, "%s: expected a numeric id, got `%s`", what, s);
	*out = (uint32_t)v;
	return 0;
}

static int apply_user(struct spec_user *u, const char *spec, struct husk_error *err)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *colon = strchr(copy, ':');

	if (colon)
		*colon = '\0';
	if (parse_id(copy, "--user", &u->uid, err) < 0)
		return -1;
	if (colon && parse_id(colon + 1, "--user", &u->gid, err) < 0)
		return -1;
	return 0;
}

static int apply_caps(struct spec_process *p, const struct exec_flags *f, struct husk_error *err)
{
	if (f->n_caps && !p->capabilities)
		p->capabilities = xcalloc(1, sizeof *p->capabilities);
	for (size_t i = 0; i < f->n_caps; i++) {
		_cleanup_free_ char *name =
		    str_has_prefix(f->caps[i], "CAP_") || str_has_prefix(f->caps[i], "cap_")
			? xstrdup(f->caps[i])
			: xasprintf("CAP_%s", f->caps[i]);
		for (char *c = name; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		if (spec_capability_from_name(name) < 0)
			return husk_error_set(err, EINVAL, "--cap: unknown capability `%s`",
					      f->caps[i]);
		strv_append(&p->capabilities->bounding, name);
		strv_append(&p->capabilities->effective, name);
		strv_append(&p->capabilities->permitted, name);
	}
	return 0;
}

/* runc's rules: the container's process with the command line's args and
 * overrides applied. */
static int process_from_flags(struct spec_process *p, const struct exec_flags *f, char **args,
			      int n_args, struct husk_error *err)
{
	char **new_args = xcalloc((size_t)n_args + 1, sizeof *new_args);

	for (int i = 0; i < n_args; i++)
		new_args[i] = xstrdup(args[i]);
	strv_free(p->args);
	p->args = new_args;
	if (f->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(f->cwd);
	}
	if (f->apparmor) {
		free(p->apparmor_profile);
		p->apparmor_profile = xstrdup(f->apparmor);
	}
	if (f->label) {
		free(p->selinux_label);
		p->selinux_label = xstrdup(f->label);
	}
	if (!p->env)
		p->env = strv_dup(NULL, 0);
	for (size_t i = 0; i < f->n_env; i++) {
		if (!strchr(f->env[i], '='))
			return husk_error_set(err, EINVAL, "--env: expected KEY=VALUE, got `%s`",
					      f->env[i]);
		env_set(&p->env, f->env[i]);
	}
	p->terminal = f->tty;
	if (f->no_new_privs)
		p->no_new_privileges = true;
	if (f->user && apply_user(&p->user, f->user, err) < 0)
		return -1;
	for (size_t i = 0; i < f->n_gids; i++) {
		uint32_t gid = 0;
		if (parse_id(f->gids[i], "--additional-gids", &gid, err) < 0)
			return -1;
		p->user.additional_gids = xrealloc(
		    p->user.additional_gids, (p->user.n_additional_gids + 1) * sizeof(uint32_t));
		p->user.additional_gids[p->user.n_additional_gids++] = gid;
	}
	/* A terminal size from the container's own config is no business of
	 * this process; the console socket's owner sets it. */
	p->has_console_size = false;
	return apply_caps(p, f, err);
}

static int load_process_file(const char *path, struct spec_process **out, struct husk_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (read_file_at(AT_FDCWD, path, 16 << 20, &buf, &len, err) < 0)
		return husk_error_prefix(err, "--process");
	if (spec_process_parse(buf, len, out, err) < 0)
		return husk_error_prefix(err, "--process %s", path);
	return 0;
}

/* ---- namespaces, cgroups ---- */

/* The namespaces where the init differs from us: setns into one we are
 * already in is refused for user namespaces, and pointless for the rest. */
static int namespaces_to_join(pid_t pid, int ns_fds[SPEC_NS_COUNT], int *flags,
			      struct husk_error *err)
{
	_cleanup_free_ char *their_dir = xasprintf("%d/ns", pid);
	/* The ns entries are magic links: open their directories in our
	 * verified procfs, then follow the kernel's own link from there. */
	_cleanup_close_ int theirs = procfs_open(their_dir, O_RDONLY | O_DIRECTORY, err);
	_cleanup_close_ int ours = -1;

	if (theirs < 0)
		return -1;
	ours = procfs_open("self/ns", O_RDONLY | O_DIRECTORY, err);
	if (ours < 0)
		return -1;
	*flags = 0;
	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		const char *name = spec_ns_proc_name((enum spec_ns_type)t);
		_cleanup_close_ int mine = -1;
		struct stat a, b;

		ns_fds[t] = openat(theirs, name, O_RDONLY | O_CLOEXEC);
		if (ns_fds[t] < 0) {
			if (errno == ENOENT)
				continue; /* the kernel has no such namespace */
			return husk_error_errno(err, "open /proc/%d/ns/%s", pid, name);
		}
		mine = openat(ours, name, O_RDONLY | O_CLOEXEC);
		if (mine < 0 || fstat(ns_fds[t], &a) < 0 || fstat(mine, &b) < 0)
			return husk_error_errno(err, "inspect the %s namespace", name);
		if (a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			close(ns_fds[t]);
			ns_fds[t] = -1;
			continue;
		}
		*flags |= spec_ns_clone_flag((enum spec_ns_type)t);
	}
	return 0;
}

/* One setns on the pidfd joins all at once (5.8+); older kernels take one
 * namespace fd at a time, the user namespace first. */
static int join_namespaces(int pidfd, int flags, int ns_fds[SPEC_NS_COUNT], struct husk_error *err)
{
	if (flags == 0)
		return 0;
	if (pidfd >= 0) {
		if (setns(pidfd, flags) == 0)
			return 0;
		if (errno == ESRCH)
			return husk_error_set(err, 0, "the container stopped: its init is gone");
		if (errno != EINVAL)
			return husk_error_errno(err, "join the container's namespaces");
		husk_debug("kernel: setns on a pidfd (Linux 5.8): refused, joining one "
			   "namespace fd at a time");
	}
	if (ns_fds[SPEC_NS_USER] >= 0 && setns(ns_fds[SPEC_NS_USER], CLONE_NEWUSER) < 0)
		return husk_error_errno(err, "join the user namespace");
	for (int t = 0; t < SPEC_NS_COUNT; t++) {
		if (t == SPEC_NS_USER || ns_fds[t] < 0)
			continue;
		if (setns(ns_fds[t], 0) < 0)
			return husk_error_errno(err, "join the %s namespace",
						spec_ns_type_name((enum spec_ns_type)t));
	}
	return 0;
}

/* --cgroup [CTRL:]PATH: PATH below the container's cgroup, in the
 * hierarchy of CTRL or in every hierarchy. */
static int enter_sub_cgroup_of(const struct cg_hier *h, const char *path, const char *spec,
			       const char *pidstr, struct husk_error *err)
{
	_cleanup_close_ int sub =
	    openat(h->dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (sub < 0)
		return husk_error_errno(err, "--cgroup `%s`", spec);
	if (write_file_at(sub, "cgroup.procs", pidstr, err) < 0)
		return husk_error_prefix(err, "--cgroup `%s`", spec);
	return 0;
}

/* --cgroup PATH (every hierarchy) or CTRL[,CTRL...]:PATH (the hierarchies
 * of those controllers), as runc takes them. */
static int enter_sub_cgroup(struct cgroup_handle *cg, const char *spec, pid_t pid,
			    struct husk_error *err)
{
	const char *colon = strchr(spec, ':');
	_cleanup_free_ char *ctrls = colon ? xasprintf("%.*s", (int)(colon - spec), spec) : NULL;
	const char *path = colon ? colon + 1 : spec;
	char pidstr[32], *save = NULL;

	while (*path == '/')
		path++;
	if (!*path || strcmp(path, "..") == 0 || str_has_prefix(path, "../") ||
	    strstr(path, "/../") || (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")))
		return husk_error_set(
		    err, EINVAL, "--cgroup `%s`: not a path below the container's cgroup", spec);
	snprintf(pidstr, sizeof pidstr, "%d", pid);
	if (ctrls == NULL) {
		for (size_t i = 0; i < cg->n; i++)
			if (cg->h[i].dirfd >= 0 &&
			    enter_sub_cgroup_of(&cg->h[i], path, spec, pidstr, err) < 0)
				return -1;
		return 0;
	}
	for (char *c = strtok_r(ctrls, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		const struct cg_hier *h = cg_find(cg, c);
		if (h == NULL || h->dirfd < 0)
			return husk_error_set(err, ENOENT,
					      "--cgroup `%s`: the container has no `%s` controller",
					      spec, c);
		if (enter_sub_cgroup_of(h, path, spec, pidstr, err) < 0)
			return -1;
	}
	return 0;
}

static int place_in_cgroup(const struct husk_globals *g, const struct spec_state *st,
			   const struct exec_flags *f, pid_t pid, struct husk_error *err)
{
	struct cgroup_handle *cg = NULL;
	bool only_sub = false;
	int ret = 0;

	if (!st->cgroup_path && !f->n_cgroups)
		return 0;
	if (cgroup_load(st, g, &cg, err) < 0)
		return husk_error_prefix(err, "the container's cgroup");
	for (size_t i = 0; i < f->n_cgroups; i++)
		if (!strchr(f->cgroups[i], ':'))
			only_sub = true;
	/* A sub-cgroup in every hierarchy replaces the container's own (on
	 * cgroup v2 the container's cgroup may hold no processes then). */
	if (!only_sub) {
		ret = cgroup_enter(cg, pid, err);
		/* Rootless, the move needs write access up to the common
		 * ancestor of our cgroup and the container's: a caller outside
		 * the delegated subtree (an ssh session scope) has none.  As
		 * runc, the process then runs in the caller's cgroup. */
		if (ret < 0 && g->rootless && !f->n_cgroups && cg_rootless_denied(err->errnum)) {
			husk_debug("exec: rootless: staying in our cgroup: %s",
				   husk_error_text(err));
			husk_error_clear(err);
			ret = 0;
		}
	}
	for (size_t i = 0; ret == 0 && i < f->n_cgroups; i++)
		ret = enter_sub_cgroup(cg, f->cgroups[i], pid, err);
	cgroup_handle_free(cg);
	return ret;
}

/* ---- the two children ---- */

struct exec_job {
	const struct husk_globals *g;
	const struct exec_flags *f;
	struct container_ref *ref;
	struct spec_process *process;
	struct seccomp_prog *seccomp;
	char *state_json;
	int pidfd; /* the container's init */
	int ns_fds[SPEC_NS_COUNT];
	int ns_flags;
	int ctl[2];	  /* husk <-> A */
	int exec_pipe[2]; /* B -> husk: error text, EOF when execve worked */
	int console;	  /* B's end: console socket or our socketpair */
	int pty_pair;	  /* our end of the socketpair, foreground tty */
};

struct a_report {
	int32_t pid;
	int32_t errnum;
	char msg[1024];
};

/* Our own fds must stay clear of 3 .. 3+N-1, which the process inherits. */
static int move_above(int *fd, int min, struct husk_error *err)
{
	int nfd;

	if (*fd < 0 || *fd >= min)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, min);
	if (nfd < 0)
		return husk_error_errno(err, "fcntl(F_DUPFD_CLOEXEC)");
	close(*fd);
	*fd = nfd;
	return 0;
}

static void __attribute__((noreturn)) child_b(struct exec_job *j)
{
	struct husk_error err = HUSK_ERROR_INIT;
	const struct spec_config *cfg = j->ref->config;
	struct exec_opts o = {
	    .process = j->process,
	    .seccomp = j->seccomp,
	    .seccomp_spec = cfg->linux ? cfg->linux->seccomp : NULL,
	    .state_json = j->state_json,
	    .preserve_fds = preserved_fd_count(j->f->preserve_fds),
	    .no_new_keyring = true, /* keep the session keyring we joined */
	    .id = j->ref->id,
	    .personality = cfg->linux ? cfg->linux->personality : NULL,
	    .memory_policy = cfg->linux ? cfg->linux->memory_policy : NULL,
	};

	close(steal_fd(&j->ctl[1]));
	/* A process group of its own: ours is outside the container's pid
	 * namespace, where getpgrp() reads 0, and a signal meant for our group
	 * must not reach it.  With a terminal, setsid makes one. */
	if (!j->process->terminal && setpgid(0, 0) < 0) {
		husk_error_errno(&err, "setpgid");
		goto fail;
	}
	if (j->process->terminal && terminal_setup_exec(j->console, j->process, &err) < 0)
		goto fail;
	if (j->console >= 0)
		close(j->console);
	process_exec(&o, &err);
fail:
	husk_error_prefix(&err, "exec");
	(void)write_all(j->exec_pipe[1], husk_error_text(&err), strlen(husk_error_text(&err)));
	_exit(127);
}

/* The process starts with no signal blocked or ignored, whatever husk's
 * caller left us with. */
static void reset_signals(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* A container without a mount namespace of its own shares ours, chrooted
 * into its rootfs (rootfs.c): setns gave us no root, so take the init's.
 * The pidfd we hold keeps its pid from being reused meanwhile. */
static int enter_init_root(const struct exec_job *j, struct husk_error *err)
{
	char root[64];

	if (j->ref->config == NULL || spec_config_namespace(j->ref->config, SPEC_NS_MOUNT))
		return 0;
	snprintf(root, sizeof root, "/proc/%d/root", j->ref->state->pid);
	if (chroot(root) < 0 || chdir("/") < 0)
		return husk_error_errno(err, "enter the container's root (%s)", root);
	return 0;
}

static void __attribute__((noreturn)) child_a(struct exec_job *j)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct a_report rep = {0};
	char go;
	pid_t b;

	reset_signals();
	close(steal_fd(&j->ctl[0]));
	close(steal_fd(&j->exec_pipe[0]));
	if (j->pty_pair >= 0)
		close(steal_fd(&j->pty_pair));
	/* Nothing in the container may ptrace us or read our memory while we
	 * hold host fds; B's execve makes the process dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		husk_error_errno(&err, "prctl(PR_SET_DUMPABLE)");
		goto fail;
	}
	if (read(j->ctl[1], &go, 1) != 1)
		_exit(1); /* husk gave up (cgroup placement failed) */
	if (join_namespaces(j->pidfd, j->ns_flags, j->ns_fds, &err) < 0)
		goto fail;
	if (enter_init_root(j, &err) < 0)
		goto fail;
	close(steal_fd(&j->pidfd));
	b = fork();
	if (b < 0) {
		husk_error_errno(&err, "fork");
		goto fail;
	}
	if (b == 0)
		child_b(j);
	rep.pid = b;
	(void)!write(j->ctl[1], &rep, sizeof rep);
	_exit(0);
fail:
	rep.errnum = err.errnum;
	snprintf(rep.msg, sizeof rep.msg, "%s", err.msg ? err.msg : "failed");
	(void)!write(j->ctl[1], &rep, sizeof rep);
	_exit(1);
}

/* ---- husk's side ---- */

/* B's execve: EOF on the pipe means it happened; text is B's error. */
static int wait_exec(int fd, struct husk_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;

	if (read_fd_all(fd, 64 << 10, &text, &len, err) < 0)
		return -1;
	if (len > 0)
		return husk_error_set(err, 0, "%s", text);
	return 0;
}

static int start_children(struct exec_job *j, pid_t *b_pid, struct husk_error *err)
{
	struct a_report rep;
	pid_t a;
	int min = 3 + preserved_fd_count(j->f->preserve_fds);
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, j->ctl) < 0)
		return husk_error_errno(err, "socketpair");
	if (pipe2(j->exec_pipe, O_CLOEXEC) < 0)
		return husk_error_errno(err, "pipe");
	if (move_above(&j->ctl[1], min, err) < 0 || move_above(&j->exec_pipe[1], min, err) < 0 ||
	    move_above(&j->console, min, err) < 0 || move_above(&j->pidfd, min, err) < 0)
		return -1;
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		if (move_above(&j->ns_fds[t], min, err) < 0)
			return -1;

	/* on the host's /sys, before A joins the container's mount namespace */
	lsm_detect_for(j->process->apparmor_profile, j->process->selinux_label, NULL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return husk_error_errno(err, "prctl(PR_SET_CHILD_SUBREAPER)");
	a = fork();
	if (a < 0)
		return husk_error_errno(err, "fork");
	if (a == 0)
		child_a(j);
	close(steal_fd(&j->ctl[1]));
	close(steal_fd(&j->exec_pipe[1]));
	if (j->console >= 0)
		close(steal_fd(&j->console));

	if (place_in_cgroup(j->g, j->ref->state, j->f, a, err) < 0) {
		kill(a, SIGKILL);
		waitpid(a, NULL, 0);
		return -1;
	}
	if (write(j->ctl[0], "g", 1) != 1) {
		husk_error_errno(err, "start the exec process");
		kill(a, SIGKILL);
		waitpid(a, NULL, 0);
		return -1;
	}
	n = read(j->ctl[0], &rep, sizeof rep);
	waitpid(a, NULL, 0);
	if (n != (ssize_t)sizeof rep)
		return husk_error_set(err, EPIPE, "the exec process died before it could start");
	if (rep.pid <= 0) {
		rep.msg[sizeof rep.msg - 1] = '\0';
		return husk_error_set(err, rep.errnum, "%s", rep.msg);
	}
	*b_pid = rep.pid;
	return 0;
}

static int prepare_terminal(struct exec_job *j, struct husk_error *err)
{
	const struct exec_flags *f = j->f;
	int sp[2];

	if (!j->process->terminal) {
		if (f->console_socket)
			return husk_error_set(err, EINVAL,
					      "--console-socket needs a terminal (--tty or "
					      "process.terminal)");
		return 0;
	}
	if (f->console_socket) {
		j->console = unix_connect("--console-socket", f->console_socket, err);
		return j->console < 0 ? -1 : 0;
	}
	if (f->detach)
		return husk_error_set(err, EINVAL,
				      "--detach with a terminal needs --console-socket: nobody "
				      "would hold the pty");
	/* The process may ask for its size before our proxy runs: start it
	 * with the size of our own terminal. */
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		j->process->has_console_size = true;
		j->process->console_height = ws.ws_row;
		j->process->console_width = ws.ws_col;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return husk_error_errno(err, "socketpair");
	j->pty_pair = sp[0];
	j->console = sp[1];
	return 0;
}

static int prepare(struct exec_job *j, char **args, int n_args, struct husk_error *err)
{
	const struct exec_flags *f = j->f;
	struct container_ref *ref = j->ref;
	const char *status = container_status(ref, j->g);
	struct spec_config *cfg;

	if (strcmp(status, "stopped") == 0)
		return husk_error_set(err, 0, "container `%s` is stopped: cannot exec in it",
				      ref->id);
	if (strcmp(status, "paused") == 0 && !f->ignore_paused)
		return husk_error_set(err, 0,
				      "container `%s` is paused: resume it first (or use "
				      "--ignore-paused)",
				      ref->id);
	if (state_store_load_config(ref, err) < 0)
		return -1;
	cfg = ref->config;
	if (f->process_file) {
		if (n_args > 0)
			return husk_error_set(err, EINVAL,
					      "give either --process or a command, not both");
		if (load_process_file(f->process_file, &j->process, err) < 0)
			return -1;
		if (f->tty)
			j->process->terminal = true;
	} else {
		if (n_args == 0)
			return husk_error_set(err, EINVAL, "no command given (and no --process)");
		if (!cfg->process)
			return husk_error_set(err, EINVAL,
					      "the container has no process to take settings from: "
					      "use --process");
		j->process = steal_pointer(&cfg->process);
		if (process_from_flags(j->process, f, args, n_args, err) < 0)
			return -1;
	}
	if (!j->process->args || !j->process->args[0])
		return husk_error_set(err, EINVAL, "process.args: empty");
	if (!j->process->cwd || j->process->cwd[0] != '/')
		return husk_error_set(err, EINVAL, "process.cwd: `%s` is not an absolute path",
				      j->process->cwd ? j->process->cwd : "");
	if (seccomp_compile(cfg->linux ? cfg->linux->seccomp : NULL, &j->seccomp, err) < 0)
		return husk_error_prefix(err, "linux.seccomp");
	if (container_state_json(j->g, ref, &j->state_json, err) < 0)
		return -1;
	j->pidfd = process_pidfd_open(ref->state->pid, ref->state->start_time);
	/* Without pidfd_open (before 5.3) the namespace fds, opened by pid,
	 * are checked against the init's start time below. */
	if (j->pidfd < 0 && errno != ENOSYS)
		return husk_error_set(err, 0, "container `%s` is stopped: cannot exec in it",
				      ref->id);
	if (namespaces_to_join(ref->state->pid, j->ns_fds, &j->ns_flags, err) < 0)
		return -1;
	/* The ns files were opened by pid: make sure they were the init's. */
	if (!process_is_same(ref->state->pid, ref->state->start_time))
		return husk_error_set(err, 0, "container `%s` stopped", ref->id);
	return prepare_terminal(j, err);
}

static void job_free(struct exec_job *j)
{
	int *fds[] = {&j->pidfd,	&j->ctl[0],  &j->ctl[1],  &j->exec_pipe[0],
		      &j->exec_pipe[1], &j->console, &j->pty_pair};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	namespaces_close(j->ns_fds);
	if (j->process)
		spec_process_free(j->process);
	seccomp_prog_free(j->seccomp);
	free(j->state_json);
}

static int run_exec(struct exec_job *j, char **args, int n_args, int *code, struct husk_error *err)
{
	_cleanup_close_ int master = -1;
	pid_t b = -1;

	if (prepare(j, args, n_args, err) < 0 || start_children(j, &b, err) < 0)
		return -1;
	if (j->pty_pair >= 0 && terminal_recv_fd(j->pty_pair, &master, err) < 0) {
		struct husk_error e2 = HUSK_ERROR_INIT;
		/* B failed before it sent the pty: its own error says why. */
		if (wait_exec(j->exec_pipe[0], &e2) < 0) {
			husk_error_clear(err);
			*err = e2;
		}
		waitpid(b, NULL, 0);
		return -1;
	}
	if (wait_exec(j->exec_pipe[0], err) < 0) {
		waitpid(b, NULL, 0);
		return -1;
	}
	if ((j->f->pid_file && write_pid_file(j->f->pid_file, b, err) < 0) ||
	    (j->f->pidfd_socket && send_pidfd(j->f->pidfd_socket, b, -1, err) < 0)) {
		if (!j->f->detach) /* nobody else will ever stop it */
			kill(b, SIGKILL);
		return -1;
	}
	/* Let kill, pause and delete at the container while the process runs. */
	container_ref_release(j->ref);
	if (j->f->detach) {
		*code = 0;
		return 0;
	}
	foreground_forward_signals(b, master >= 0);
	if (master >= 0 && terminal_proxy(master, err) < 0)
		husk_warn("%s", husk_error_text(err));
	husk_error_clear(err);
	*code = foreground_wait(b);
	return 0;
}

int exec_run(const struct husk_globals *g, const struct exec_flags *f, const char *id, char **args,
	     int n_args, int *code, struct husk_error *err)
{
	struct container_ref ref = {.dirfd = -1};
	struct exec_job j = {
	    .g = g,
	    .f = f,
	    .ref = &ref,
	    .pidfd = -1,
	    .ctl = {-1, -1},
	    .exec_pipe = {-1, -1},
	    .console = -1,
	    .pty_pair = -1,
	};
	int ret;

	for (int t = 0; t < SPEC_NS_COUNT; t++)
		j.ns_fds[t] = -1;
	ret = state_store_open(g->root, id, &ref, err) < 0 ? -1
							   : run_exec(&j, args, n_args, code, err);
	job_free(&j);
	container_ref_release(&ref);
	return ret;
}
