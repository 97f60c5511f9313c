// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OCI hooks: each one is execve'd exactly as configured (path, args, env and
 * nothing inherited from husk's environment), gets the container state on
 * stdin, and is killed when its timeout passes.  Where each kind runs (in
 * husk or in the init, before or after pivot_root) is the caller's business;
 * see container.c and init.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../spec/names.h"
#include "linux/linux.h"
#include "linux/kernel.h"
#include "spec/check.h"
#include "util.h"

static const char *const hook_kind_names[] = {
    [HOOK_PRESTART] = "prestart",
    [HOOK_CREATE_RUNTIME] = "createRuntime",
    [HOOK_CREATE_CONTAINER] = "createContainer",
    [HOOK_START_CONTAINER] = "startContainer",
    [HOOK_POSTSTART] = "poststart",
    [HOOK_POSTSTOP] = "poststop",
};

const struct spec_hook_list *hooks_of_kind(const struct spec_config *cfg, enum hook_kind kind)
{
	const struct spec_hooks *h = cfg ? cfg->hooks : NULL;

	if (!h)
		return NULL;
	switch (kind) {
	case HOOK_PRESTART:
		return &h->prestart;
	case HOOK_CREATE_RUNTIME:
		return &h->create_runtime;
	case HOOK_CREATE_CONTAINER:
		return &h->create_container;
	case HOOK_START_CONTAINER:
		return &h->start_container;
	case HOOK_POSTSTART:
		return &h->poststart;
	case HOOK_POSTSTOP:
		return &h->poststop;
	}
	return NULL;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child between fork and execve: only async-signal-safe calls. */
static void __attribute__((noreturn))
hook_child(const struct spec_hook *h, int stdin_fd, int errpipe)
{
	static char *const empty_env[] = {NULL};
	char *default_argv[] = {h->path, NULL};
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t all;
	int e;

	if (stdin_fd == STDIN_FILENO ? fcntl(stdin_fd, F_SETFD, 0) < 0
				     : dup2(stdin_fd, STDIN_FILENO) < 0)
		goto fail;
	/* Dispositions set to SIG_IGN and the mask survive execve: undo ours. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Nothing but stdio reaches the hook. */
	if (!kernel_has(KERNEL_CLOSE_RANGE) ||
	    syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) < 0)
		for (int fd = 3; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	execve(h->path, h->args ? h->args : default_argv, h->env ? h->env : empty_env);
fail:
	e = errno;
	(void)!write(errpipe, &e, sizeof e);
	_exit(127);
}

struct hook_run {
	pid_t pid;
	int pidfd;
	int stdin_w; /* -1 once the whole state is written */
	const char *data;
	size_t len, off;
};

/* Feed the state as the hook reads it: a hook that never reads its stdin
 * must not block us, whatever the size of the state. */
static void feed_stdin(struct hook_run *r)
{
	while (r->stdin_w >= 0 && r->off < r->len) {
		ssize_t n = write(r->stdin_w, r->data + r->off, r->len - r->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			break; /* EPIPE: the hook closed stdin, its own choice */
		}
		r->off += (size_t)n;
	}
	close(r->stdin_w);
	r->stdin_w = -1;
}

/* Wait for the hook to exit or its deadline (-1: none).  Returns 1 when
 * it exited, 0 on timeout. */
static int wait_hook(struct hook_run *r, int64_t deadline, struct husk_error *err)
{
	for (;;) {
		struct pollfd fds[2] = {
		    {.fd = r->pidfd, .events = POLLIN},
		    {.fd = r->stdin_w, .events = POLLOUT},
		};
		int timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0)
				return 0;
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		if (r->pidfd < 0) {
			siginfo_t si = {.si_pid = 0};
			/* WNOWAIT: reap() still collects the status. */
			if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
			    si.si_pid == r->pid)
				return 1;
			if (timeout < 0 || timeout > 10)
				timeout = 10;
		}
		int n = poll(fds, 2, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return husk_error_errno(err, "poll");
		}
		if (fds[1].revents)
			feed_stdin(r);
		if (fds[0].revents & POLLIN)
			return 1;
	}
}

static int reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int describe_status(int status, int timeout_s, bool timed_out, struct husk_error *err)
{
	if (timed_out)
		return husk_error_set(err, 0, "timed out after %d second%s and was killed",
				      timeout_s, timeout_s == 1 ? "" : "s");
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 0)
			return 0;
		return husk_error_set(err, 0, "exited with status %d", WEXITSTATUS(status));
	}
	if (WIFSIGNALED(status)) {
		const char *name = spec_signal_name(WTERMSIG(status));
		return husk_error_set(err, 0, "killed by signal %d%s%s%s", WTERMSIG(status),
				      name ? " (" : "", name ? name : "", name ? ")" : "");
	}
	return husk_error_set(err, 0, "ended with wait status %#x", status);
}

static int run_one(const struct spec_hook *h, const char *state_json, struct husk_error *err)
{
	int in[2], ep[2];
	_cleanup_close_ int in_r = -1, ep_r = -1, ep_w = -1;
	struct hook_run r = {.pid = -1, .pidfd = -1, .stdin_w = -1, .data = state_json};
	int status = 0, child_errno = 0, ret;
	bool timed_out = false;
	int64_t deadline = -1;

	r.len = state_json ? strlen(state_json) : 0;
	if (pipe2(in, O_CLOEXEC) < 0)
		return husk_error_errno(err, "pipe");
	in_r = in[0];
	r.stdin_w = in[1];
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(r.stdin_w);
		return husk_error_errno(err, "pipe");
	}
	ep_r = ep[0];
	ep_w = ep[1];

	r.pid = fork();
	if (r.pid < 0) {
		close(r.stdin_w);
		return husk_error_errno(err, "fork");
	}
	if (r.pid == 0)
		hook_child(h, in_r, ep_w);

	close(steal_fd(&ep_w));
	close(steal_fd(&in_r));
	/* A hook that closes its stdin early must not kill us with SIGPIPE;
	 * the fd is ours only, so O_NONBLOCK is safe. */
	fcntl(r.stdin_w, F_SETFL, O_NONBLOCK);
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
	sigaction(SIGPIPE, &ign, &old_pipe);

	/* The hook is our unreaped child, so its pid cannot be reused: without
	 * pidfd_open (before 5.3) wait_hook looks at it with waitid instead. */
	if (kernel_has(KERNEL_PIDFD_OPEN))
		r.pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
	if (r.pidfd < 0 && kernel_has(KERNEL_PIDFD_OPEN)) {
		ret = husk_error_errno(err, "pidfd_open");
		kill(r.pid, SIGKILL);
		goto out;
	}
	if (h->has_timeout && h->timeout > 0)
		deadline = now_ms() + (int64_t)h->timeout * 1000;
	feed_stdin(&r);
	ret = wait_hook(&r, deadline, err);
	if (ret < 0) {
		kill(r.pid, SIGKILL);
		goto out;
	}
	if (ret == 0) {
		timed_out = true;
		/* The pidfd names exactly our child even if it was reaped elsewhere. */
		if (r.pidfd < 0 || syscall(SYS_pidfd_send_signal, r.pidfd, SIGKILL, NULL, 0) < 0)
			kill(r.pid, SIGKILL);
	}
	ret = 0;
out:
	if (reap(r.pid, &status) < 0 && ret == 0)
		ret = husk_error_errno(err, "wait for the hook");
	sigaction(SIGPIPE, &old_pipe, NULL);
	if (r.stdin_w >= 0)
		close(r.stdin_w);
	if (r.pidfd >= 0)
		close(r.pidfd);
	if (ret < 0)
		return ret;
	if (read(ep_r, &child_errno, sizeof child_errno) == (ssize_t)sizeof child_errno)
		return husk_error_set(err, child_errno, "cannot execute");
	return describe_status(status, h->has_timeout ? h->timeout : 0, timed_out, err);
}

bool hooks_present(const struct spec_config *cfg, enum hook_kind kind)
{
	const struct spec_hook_list *l = hooks_of_kind(cfg, kind);

	return l && l->n > 0;
}

int hooks_run(const struct spec_config *cfg, enum hook_kind kind, const char *state_json,
	      struct husk_error *err)
{
	const struct spec_hook_list *list = hooks_of_kind(cfg, kind);

	if (!list)
		return 0;
	for (size_t i = 0; i < list->n; i++) {
		const struct spec_hook *h = &list->items[i];
		husk_debug("running %s hook #%zu: %s", hook_kind_names[kind], i, h->path);
		if (run_one(h, state_json, err) == 0)
			continue;
		husk_error_prefix(err, "%s hook #%zu (%s)", hook_kind_names[kind], i, h->path);
		/* The spec: a poststop failure is a warning, and the remaining
		 * hooks still run. */
		if (kind != HOOK_POSTSTOP)
			return -1;
		husk_warn("%s", husk_error_text(err));
		husk_error_clear(err);
	}
	return 0;
}

/* ---- husk check ---- */

/* Why the host file at path cannot be run as a hook; NULL when it can. */
static const char *host_unrunnable(const char *path, char *buf, size_t len)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(buf, len, "%s", strerror(errno));
		return buf;
	}
	if (!S_ISREG(st.st_mode))
		return "not a regular file";
	/* as husk will run it: its effective ids */
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return "not executable";
	return NULL;
}

void hooks_check(const struct spec_config *cfg, int rootfd, struct check_report *r)
{
	for (int kind = HOOK_PRESTART; kind <= HOOK_POSTSTOP; kind++) {
		const struct spec_hook_list *l = hooks_of_kind(cfg, kind);
		for (size_t i = 0; l && i < l->n; i++) {
			_cleanup_free_ char *field =
			    xasprintf("hooks.%s[%zu].path", hook_kind_names[kind], i);
			const char *path = l->items[i].path;
			char buf[128];
			const char *why;

			/* husk check: the parse reported this hook already */
			if (check_report_parse_error_near(r, field))
				continue;
			if (kind != HOOK_START_CONTAINER) {
				why = host_unrunnable(path, buf, sizeof buf);
				if (why)
					check_add(r, CHECK_ERROR, field, "`%s`: %s", path, why);
			} else if (rootfd >= 0 && !process_executable_in_root(rootfd, path)) {
				check_add(
				    r, CHECK_ERROR, field,
				    "`%s` is not an executable file in the rootfs (startContainer "
				    "hooks run in the container)",
				    path);
			}
		}
	}
}
