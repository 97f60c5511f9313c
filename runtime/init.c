// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The container's init, from clone to execve.  It runs inside the new
 * namespaces; every step is one concern from runtime/linux/, in the order
 * linux.h describes.  Failures before `start` go to the parent over the
 * sync socket; failures after it go to <state>/init.error, which start
 * reads once the init is gone.
 */
#include "config.h"
#include "container.h"
#include "sync.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int set_names(const struct spec_config *cfg, struct husk_error *err)
{
	if (cfg->hostname && cfg->hostname[0] &&
	    sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		return husk_error_errno(err, "hostname: set `%s`", cfg->hostname);
	if (cfg->domainname && cfg->domainname[0] &&
	    setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
		return husk_error_errno(err, "domainname: set `%s`", cfg->domainname);
	return 0;
}

/* A new network namespace has lo down; containers expect it up. */
static int loopback_up(struct husk_error *err)
{
	struct ifreq ifr = {0};
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return husk_error_errno(err, "network namespace: socket");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return husk_error_errno(err, "network namespace: read the flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return husk_error_errno(err, "network namespace: bring lo up");
	return 0;
}

/* In a new user namespace, become its root so that the setup steps run
 * with the namespace's full capabilities. */
static int become_userns_root(struct husk_error *err)
{
	if (setresgid(0, 0, 0) < 0)
		return husk_error_errno(err, "user namespace: setresgid(0)");
	if (setresuid(0, 0, 0) < 0)
		return husk_error_errno(err, "user namespace: setresuid(0)");
	return 0;
}

/* A bind source the parent opened for us (mounts_send_sources). */
static void keep_mount_source(struct init_ctx *ctx, int i, int fd)
{
	if (i < 0 || (size_t)i >= ctx->cfg->n_mounts) {
		close(fd);
		return;
	}
	if (ctx->mount_src_fds == NULL) {
		ctx->mount_src_fds = xcalloc(ctx->cfg->n_mounts, sizeof(int));
		for (size_t k = 0; k < ctx->cfg->n_mounts; k++)
			ctx->mount_src_fds[k] = -1;
		ctx->mount_src_are_paths = true;
	}
	if (ctx->mount_src_fds[i] >= 0)
		close(ctx->mount_src_fds[i]);
	ctx->mount_src_fds[i] = fd;
}

/* Wait for `type` from the parent; SYNC_CGROUP_DONE and the bind sources may
 * come first. */
static int expect_from_parent(struct init_ctx *ctx, enum sync_type type, char **payload,
			      struct husk_error *err)
{
	while (!ctx->cgroup_done || type != SYNC_CGROUP_DONE) {
		struct sync_msg m;
		_cleanup_free_ char *p = NULL;
		_cleanup_close_ int passed = -1;
		if (sync_recv_fd(ctx->sync_fd, &m, &p, &passed, err) < 0)
			return -1;
		if (m.type == SYNC_ERROR)
			return husk_error_set(err, m.errnum, "%s", p ? p : "unknown error");
		if (m.type == SYNC_MOUNT_SOURCE) {
			keep_mount_source(ctx, m.errnum, steal_fd(&passed));
			continue;
		}
		if (m.type == SYNC_CGROUP_DONE) {
			ctx->cgroup_done = true;
			if (type == SYNC_CGROUP_DONE)
				return 0;
			continue;
		}
		if (m.type != (int)type)
			return husk_error_set(err, EPROTO, "sync: expected message %d, got %d",
					      type, m.type);
		if (payload)
			*payload = steal_pointer(&p);
		return 0;
	}
	return 0;
}

int wait_until_in_cgroup(struct init_ctx *ctx, struct husk_error *err)
{
	if (!ctx->cgroup_done && expect_from_parent(ctx, SYNC_CGROUP_DONE, NULL, err) < 0)
		return -1;
	return 0;
}

/* Everything up to "created": returns with the init waiting for start. */
static int init_setup(struct init_ctx *ctx, char **states, struct husk_error *err)
{
	const struct spec_config *cfg = ctx->cfg;

	/* The parent writes our id maps before SYNC_GO: a non-root parent (or
	 * newuidmap acting for it) may open /proc/PID/uid_map only while we
	 * are dumpable, since a non-dumpable process's /proc files belong to
	 * root.  Nothing of the container runs before GO. */
	if (expect_from_parent(ctx, SYNC_GO, states, err) < 0)
		return -1;
	/* Nothing in the container may ptrace or read us while we work with
	 * host fds in hand; execve resets this for the container's process. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return husk_error_errno(err, "prctl(PR_SET_DUMPABLE)");
	if (namespaces_join(ctx->ns_fds, err) < 0)
		return -1;
	if (ctx->unshare_flags && unshare(ctx->unshare_flags) < 0)
		return husk_error_errno(
		    err, "linux.namespaces: create namespaces in the joined user namespace");
	if (ctx->unshare_cgroupns) {
		if (wait_until_in_cgroup(ctx, err) < 0)
			return -1;
		if (unshare(CLONE_NEWCGROUP) < 0)
			return husk_error_errno(err,
						"linux.namespaces: create the cgroup namespace");
	}
	if (ctx->new_userns && become_userns_root(err) < 0)
		return -1;
	if (set_names(cfg, err) < 0)
		return -1;
	if (rootfs_setup(ctx, err) < 0)
		return -1;
	if (hooks_present(cfg, HOOK_PRESTART) || hooks_present(cfg, HOOK_CREATE_RUNTIME)) {
		if (sync_send(ctx->sync_fd, SYNC_PREPIVOT, 0, NULL, 0, err) < 0 ||
		    expect_from_parent(ctx, SYNC_PREPIVOT_DONE, NULL, err) < 0)
			return -1;
	}
	if (hooks_present(cfg, HOOK_CREATE_CONTAINER) &&
	    hooks_run(cfg, HOOK_CREATE_CONTAINER, *states, err) < 0)
		return -1;
	if (rootfs_pivot(ctx, err) < 0 || rootfs_finish(ctx, err) < 0)
		return -1;
	if (sysctl_apply(cfg, err) < 0)
		return -1;
	if (ctx->new_netns && loopback_up(err) < 0)
		return -1;
	/* A missing executable is create's error, as with runc and crun:
	 * podman reads only create's log to say "command not found". */
	if (process_find_executable(cfg->process, NULL, err) < 0)
		return -1;
	if (cfg->process->terminal && terminal_setup(ctx, cfg->process, err) < 0)
		return -1;
	/* Without a terminal the init leads a session of its own too, as
	 * with runc and crun: a session led from outside the container ties
	 * it to the caller (CRIU refuses to checkpoint it). */
	if (!cfg->process->terminal && setsid() < 0 && errno != EPERM)
		return husk_error_errno(err, "setsid");
	if (ctx->console_socket_fd >= 0) {
		close(ctx->console_socket_fd);
		ctx->console_socket_fd = -1;
	}
	/* The exec labels take effect at execve; writing them now makes an
	 * unknown profile create's error, as with runc, not start's. */
	if (lsm_set_exec_labels(cfg->process->apparmor_profile, cfg->process->selinux_label, err) <
	    0)
		return -1;
	return wait_until_in_cgroup(ctx, err);
}

/* Block until `start` writes its byte to exec.fifo. */
static int wait_for_start(int fifo_fd, struct husk_error *err)
{
	char c;
	ssize_t n;

	do
		n = read(fifo_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return husk_error_errno(err, "wait for start");
	return 0;
}

/* hook_failed: a startContainer hook failed, and start must destroy the
 * container (runtime-spec 1.3, lifecycle step 12); see container.h. */
static void __attribute__((noreturn))
fail_after_start(struct init_ctx *ctx, struct husk_error *err, bool hook_failed)
{
	const char *text = husk_error_text(err);
	if (hook_failed)
		write_all(ctx->error_fd, INIT_ERROR_HOOK_MARK, strlen(INIT_ERROR_HOOK_MARK));
	write_all(ctx->error_fd, text, strlen(text));
	_exit(127);
}

/* The init inherits every fd of husk: the state lock, cgroup directories.
 * Keep only what the setup needs, so no host fd can reach the container
 * and the parent's lock goes away with the parent. */
static void close_inherited_fds(struct init_ctx *ctx)
{
	size_t n_mounts = ctx->mount_src_fds ? ctx->cfg->n_mounts : 0;
	_cleanup_free_ int *keep = xcalloc(10 + SPEC_NS_COUNT + n_mounts, sizeof(int));
	size_t n = 0;
	int fds[] = {ctx->rootfs_fd, ctx->devnull_fd,	     ctx->sync_fd,	ctx->fifo_fd,
		     ctx->error_fd,  ctx->console_socket_fd, procfs_cached_fd()};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			keep[n++] = fds[i];
	for (int i = 0; i < SPEC_NS_COUNT; i++)
		if (ctx->ns_fds[i] >= 0)
			keep[n++] = ctx->ns_fds[i];
	if (seccomp_listener_socket(ctx->seccomp) >= 0)
		keep[n++] = seccomp_listener_socket(ctx->seccomp);
	for (size_t i = 0; i < n_mounts; i++)
		if (ctx->mount_src_fds[i] >= 0)
			keep[n++] = ctx->mount_src_fds[i];
	close_fds_except(keep, n, 3 + ctx->preserve_fds);
}

void container_init_main(struct init_ctx *ctx)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *states = NULL;
	const char *created_state = NULL;

	close_inherited_fds(ctx);

	if (init_setup(ctx, &states, &err) < 0) {
		sync_send_error(ctx->sync_fd, &err);
		_exit(1);
	}
	if (states)
		created_state = states + strlen(states) + 1;
	if (sync_send(ctx->sync_fd, SYNC_READY, 0, NULL, 0, &err) < 0)
		_exit(1);
	close(ctx->sync_fd);
	if (wait_for_start(ctx->fifo_fd, &err) < 0)
		fail_after_start(ctx, &err, false);
	if (hooks_present(ctx->cfg, HOOK_START_CONTAINER) &&
	    hooks_run(ctx->cfg, HOOK_START_CONTAINER, created_state, &err) < 0)
		fail_after_start(ctx, &err, true);

	struct exec_opts eo = {
	    .process = ctx->cfg->process,
	    .seccomp = ctx->seccomp,
	    .seccomp_spec = ctx->cfg->linux->seccomp,
	    .state_json = created_state,
	    .preserve_fds = ctx->preserve_fds,
	    .no_new_keyring = ctx->no_new_keyring,
	    .id = ctx->id,
	    .personality = ctx->cfg->linux->personality,
	    .memory_policy = ctx->cfg->linux->memory_policy,
	    .notify_socket = ctx->notify_bound ? NOTIFY_SOCKET_INSIDE : NULL,
	};
	process_exec(&eo, &err);
	fail_after_start(ctx, &err, false);
}
