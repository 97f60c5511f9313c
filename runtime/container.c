// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parent side of the lifecycle.  create clones the init into its
 * namespaces (and cgroup), answers its sync messages and records the state;
 * start releases the init through exec.fifo; kill and delete find it again
 * by pid and start time.
 */
#include "config.h"
#include "container.h"
#include "linux/criu.h"
#include "sync.h"
#include "linux/kernel.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#define FIFO_FILE "exec.fifo"
#define INIT_ERROR_FILE "init.error"
#define CONFIG_FILE "config.json"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int reserve_preserved_fds(int n, struct husk_error *err)
{
	for (int fd = 3; fd < 3 + n; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int nfd = open("/dev/null", O_RDWR);
		if (nfd < 0)
			return husk_error_errno(err, "open /dev/null");
		if (nfd != fd) {
			if (dup2(nfd, fd) < 0)
				return husk_error_errno(err, "dup2");
			close(nfd);
		}
	}
	return 0;
}

int preserved_fd_count(int preserve_fds)
{
	return preserve_fds + listen_fds_passed();
}

static int open_verified_devnull(struct husk_error *err)
{
	struct stat st;
	int fd = open("/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return husk_error_errno(err, "open /dev/null");
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		close(fd);
		return husk_error_set(err, EPERM, "/dev/null on the host is not the 1:3 device");
	}
	return fd;
}

/* Load and validate the bundle's config; keep the bytes for the state dir. */
static int load_bundle_config(const char *bundle, const char *config_path, char **bytes,
			      size_t *len, struct spec_config **cfg, struct husk_error *err)
{
	const char *name = config_path ? config_path : CONFIG_FILE;
	_cleanup_close_ int bfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *slash;

	if (bfd < 0)
		return husk_error_errno(err, "bundle `%s`", bundle);
	if (read_file_at(bfd, name, 64 << 20, bytes, len, err) < 0)
		return -1;
	slash = strrchr(name, '/');
	if (spec_config_parse(*bytes, *len, cfg, err) < 0)
		return husk_error_prefix(err, "%s", slash ? slash + 1 : name);
	return 0;
}

/* What create needs beyond a valid document. */
static void check_runnable(const struct spec_config *cfg, struct check_report *r)
{
	if (cfg->process == NULL)
		check_add(r, CHECK_ERROR, "process", "missing; nothing to run");
	if (cfg->linux == NULL) {
		check_add(r, CHECK_ERROR, "linux", "missing");
		return;
	}
	/* husk check: which namespaces there are is not known when one of
	 * them is bad */
	if (check_report_parse_error_near(r, "linux.namespaces"))
		return;
	/* Without a mount namespace of its own the container runs in ours:
	 * a mount would be made on the host, so none is (see rootfs.c). */
	if (spec_config_namespace(cfg, SPEC_NS_MOUNT) == NULL && cfg->n_mounts > 0)
		check_add(r, CHECK_ERROR, "mounts",
			  "not possible without a mount namespace (linux.namespaces has no "
			  "`mount`)");
	if (spec_config_namespace(cfg, SPEC_NS_MOUNT) == NULL && cfg->root && cfg->root->readonly)
		check_add(r, CHECK_ERROR, "root.readonly",
			  "not possible without a mount namespace (linux.namespaces has no "
			  "`mount`)");
}

static int check_config_runnable(const struct spec_config *cfg, struct husk_error *err)
{
	struct check_report r = {0};
	int ret;

	check_runnable(cfg, &r);
	ret = check_report_first_error(&r, err);
	check_report_free(&r);
	if (ret < 0) {
		husk_error_prefix(err, "config.json");
		err->errnum = EINVAL;
	}
	return ret;
}

/* Everything create builds, so one function can undo it. */
struct create_job {
	const struct husk_globals *g;
	const struct create_opts *o;
	char *bundle;
	char *config_bytes;
	size_t config_len;
	struct spec_config *cfg;
	struct container_ref ref;
	bool ref_created;
	struct cgroup_handle *cg;
	struct seccomp_prog *seccomp;
	int ns_fds[SPEC_NS_COUNT];
	int rootfs_fd, devnull_fd, fifo_fd, error_fd, console_fd, sync_parent, sync_child;
	int pty_pair[2];
	int *mount_src_fds; /* [cfg->n_mounts] or NULL: see mounts_open_sources */
	pid_t pid;
	int pidfd;
	bool placed_by_clone;	 /* CLONE_INTO_CGROUP did the cgroup move */
	bool send_mount_sources; /* see mounts_send_sources */
	bool restoring;		 /* CRIU makes the processes: no fifo, no init */
	struct spec_state *state;
};

static void create_job_init(struct create_job *j, const struct husk_globals *g,
			    const struct create_opts *o)
{
	memset(j, 0, sizeof *j);
	j->g = g;
	j->o = o;
	j->ref.dirfd = -1;
	for (int i = 0; i < SPEC_NS_COUNT; i++)
		j->ns_fds[i] = -1;
	j->rootfs_fd = j->devnull_fd = j->fifo_fd = j->error_fd = j->console_fd = -1;
	j->sync_parent = j->sync_child = -1;
	j->pty_pair[0] = j->pty_pair[1] = -1;
	j->pid = -1;
	j->pidfd = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_mount_sources(struct create_job *j)
{
	for (size_t i = 0; j->mount_src_fds && i < j->cfg->n_mounts; i++)
		close_fd(&j->mount_src_fds[i]);
	free(j->mount_src_fds);
	j->mount_src_fds = NULL;
}

/* Every fd of the job but the state directory's and the cgroups'. */
static void close_job_fds(struct create_job *j)
{
	close_fd(&j->rootfs_fd);
	close_fd(&j->devnull_fd);
	close_fd(&j->fifo_fd);
	close_fd(&j->error_fd);
	close_fd(&j->console_fd);
	close_fd(&j->sync_parent);
	close_fd(&j->sync_child);
	close_fd(&j->pty_pair[0]);
	close_fd(&j->pty_pair[1]);
	close_fd(&j->pidfd);
	namespaces_close(j->ns_fds);
	close_mount_sources(j);
}

/* On failure: nothing may be left behind. */
static void create_job_undo(struct create_job *j)
{
	struct husk_error e = HUSK_ERROR_INIT;

	if (j->pid > 0) {
		kill(j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
	}
	/* Out of file descriptors is one way to get here: give back those
	 * the cleanup does not need, so it can open what it does. */
	close_job_fds(j);
	if (j->cg && cgroup_destroy(j->cg, &e) < 0) {
		husk_warn("cleanup: %s", husk_error_text(&e));
		husk_error_clear(&e);
	}
	if (j->cfg && j->cfg->linux && j->cfg->linux->intel_rdt &&
	    intelrdt_destroy(j->cfg, j->o->id, &e) < 0) {
		husk_warn("cleanup: %s", husk_error_text(&e));
		husk_error_clear(&e);
	}
	if (j->ref_created && state_store_remove(j->g->root, &j->ref, &e) < 0) {
		husk_warn("cleanup: %s", husk_error_text(&e));
		husk_error_clear(&e);
	}
}

static void create_job_free(struct create_job *j)
{
	close_job_fds(j);
	cgroup_handle_free(j->cg);
	seccomp_prog_free(j->seccomp);
	spec_state_free(j->state);
	/* ref.state is j->state's twin only when set below */
	j->ref.state = NULL;
	container_ref_release(&j->ref);
	spec_config_free(j->cfg);
	free(j->config_bytes);
	free(j->bundle);
}

static struct spec_state *new_state(const struct create_job *j, char *rootfs)
{
	struct spec_state *st = xcalloc(1, sizeof *st);
	char stamp[RFC3339_SIZE];

	st->oci_version = xstrdup("1.3.0");
	st->id = xstrdup(j->o->id);
	st->status = xstrdup("creating");
	st->bundle = xstrdup(j->bundle);
	st->rootfs = rootfs;
	rfc3339_format_now(stamp);
	st->created = xstrdup(stamp);
	st->owner = geteuid() == 0 ? xstrdup("root") : xasprintf("%u", geteuid());
	st->n_annotations = j->cfg->n_annotations;
	if (st->n_annotations) {
		st->annotations = xcalloc(st->n_annotations, sizeof *st->annotations);
		for (size_t i = 0; i < st->n_annotations; i++) {
			st->annotations[i].key = xstrdup(j->cfg->annotations[i].key);
			st->annotations[i].value = xstrdup(j->cfg->annotations[i].value);
		}
	}
	return st;
}

static char *state_json_with_status(struct spec_state *st, const char *status)
{
	struct husk_error e = HUSK_ERROR_INIT;
	char *saved = st->status, *out = NULL;
	size_t len;

	st->status = (char *)status;
	if (spec_state_emit(st, SPEC_STATE_PUBLIC, &out, &len, &e) < 0) {
		husk_error_clear(&e);
		out = xstrdup("{}");
	}
	st->status = saved;
	return out;
}

static int set_status(struct spec_state *st, const char *status)
{
	free(st->status);
	st->status = xstrdup(status);
	return 0;
}

/* A time namespace's offsets must be written before any process is in it:
 * unshare it here (it applies to our children only) and write them. */
static int prepare_time_namespace(const struct spec_config *cfg, struct husk_error *err)
{
	const struct spec_namespace *ns = spec_config_namespace(cfg, SPEC_NS_TIME);
	const struct spec_linux *l = cfg->linux;
	char buf[128];
	int n = 0;

	if (ns == NULL || ns->path)
		return 0;
	if (unshare(CLONE_NEWTIME) < 0) {
		/* EINVAL: the kernel has no such namespace (before 5.6, or
		 * built without CONFIG_TIME_NS); there is nothing to fall back to. */
		if (errno == EINVAL)
			return husk_error_set(err, ENOSYS,
					      "linux.namespaces: a time namespace needs Linux 5.6 "
					      "(CONFIG_TIME_NS), which this kernel does not have");
		return husk_error_errno(err, "linux.namespaces: create the time namespace");
	}
	if (l->time_monotonic.present)
		n += snprintf(buf + n, sizeof buf - n, "monotonic %lld %u\n",
			      (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.present)
		n += snprintf(buf + n, sizeof buf - n, "boottime %lld %u\n",
			      (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	if (n && procfs_write("self/timens_offsets", buf, err) < 0)
		return husk_error_prefix(err, "linux.timeOffsets");
	return 0;
}

/* pid and time namespaces apply to children: join them here, before clone. */
static int join_parent_side_namespaces(int fds[SPEC_NS_COUNT], struct husk_error *err)
{
	if (fds[SPEC_NS_PID] >= 0 && setns(fds[SPEC_NS_PID], CLONE_NEWPID) < 0)
		return husk_error_errno(err, "linux.namespaces: join the pid namespace");
	if (fds[SPEC_NS_TIME] >= 0 && setns(fds[SPEC_NS_TIME], CLONE_NEWTIME) < 0)
		return husk_error_errno(err, "linux.namespaces: join the time namespace");
	return 0;
}

/* One clone3 attempt.  The child reads in its copy of ctx how it was
 * placed: born in its cgroup, or moved there by us while it sets up. */
static long try_clone3(struct create_job *j, struct init_ctx *ctx, int flags, int cgfd)
{
	struct clone_args args = {
	    .pidfd = (uint64_t)(uintptr_t)&j->pidfd,
	    .exit_signal = SIGCHLD,
	};

	ctx->placed_by_clone = cgfd >= 0;
	/* A cgroup namespace is rooted where the process is when it is made:
	 * a process we move later makes its own once it is in place. */
	ctx->unshare_cgroupns =
	    ctx->late_cgroupns || (!ctx->placed_by_clone && (flags & CLONE_NEWCGROUP));
	if (ctx->unshare_cgroupns)
		flags &= ~CLONE_NEWCGROUP;
	args.flags = (uint64_t)(flags & ~CLONE_NEWTIME) | CLONE_PIDFD;
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
	}
	return syscall(SYS_clone3, &args, sizeof args);
}

static pid_t clone_init(struct create_job *j, struct init_ctx *ctx, int flags,
			struct husk_error *err)
{
	int cgfd = cgroup_clone_into_fd(j->cg);
	long pid = -1;

	errno = ENOSYS;
	if (kernel_has(KERNEL_CLONE3))
		pid = try_clone3(j, ctx, flags, cgfd);
	if (pid < 0 && cgfd >= 0 && errno != ENOMEM && errno != ENOSYS) {
		/* CLONE_INTO_CGROUP is 5.7, clone3 5.3; and some kernels refuse
		 * it with certain controllers: the parent moves the init. */
		husk_debug("kernel: clone3 CLONE_INTO_CGROUP refused (%s), writing cgroup.procs",
			   strerror(errno));
		pid = try_clone3(j, ctx, flags, -1);
	}
	if (pid < 0 && errno == ENOSYS) {
		j->pidfd = -1;
		ctx->placed_by_clone = false;
		ctx->unshare_cgroupns = ctx->late_cgroupns || (flags & CLONE_NEWCGROUP) != 0;
		pid = syscall(SYS_clone,
			      (unsigned long)(flags & ~(CLONE_NEWTIME | CLONE_NEWCGROUP)) | SIGCHLD,
			      0, NULL, NULL, 0);
	}
	if (pid < 0)
		return husk_error_errno(err, "clone the container init");
	j->placed_by_clone = ctx->placed_by_clone;
	return (pid_t)pid;
}

/* A send fails when the init already gave up: its error is waiting for us
 * in the socket, and is the one worth reporting. */
static int send_to_init(struct create_job *j, enum sync_type type, const void *payload, size_t len,
			struct husk_error *err)
{
	struct sync_msg m;
	_cleanup_free_ char *why = NULL;

	if (sync_send(j->sync_parent, type, 0, payload, len, err) == 0)
		return 0;
	if (err->errnum != EPIPE && err->errnum != ECONNRESET)
		return -1;
	if (sync_recv(j->sync_parent, &m, &why, err) == 0 && m.type == SYNC_ERROR)
		husk_error_set(err, m.errnum, "%s", why ? why : "unknown error");
	return -1;
}

/* After a failure of ours, an error the init already sent explains more
 * (e.g. the cgroup move fails because the init has died of its own error). */
static void prefer_init_error(struct create_job *j, struct husk_error *err)
{
	struct pollfd pfd = {.fd = j->sync_parent, .events = POLLIN};
	struct husk_error e = HUSK_ERROR_INIT;
	_cleanup_free_ char *why = NULL;
	struct sync_msg m;

	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
		return;
	if (sync_recv(j->sync_parent, &m, &why, &e) == 0 && m.type == SYNC_ERROR)
		husk_error_set(err, m.errnum, "%s", why ? why : "unknown error");
	husk_error_clear(&e);
}

/* Parent side after clone: ids, cgroup, then answer the init until ready. */
static int drive_init(struct create_job *j, struct husk_error *err)
{
	const struct spec_config *cfg = j->cfg;
	_cleanup_free_ char *creating = NULL, *created = NULL, *payload = NULL;
	size_t plen = 0;
	bool init_needs_state = hooks_present(cfg, HOOK_CREATE_CONTAINER) ||
				hooks_present(cfg, HOOK_START_CONTAINER) ||
				(cfg->linux->seccomp && cfg->linux->seccomp->listener_path);

	if (spec_config_namespace(cfg, SPEC_NS_USER) &&
	    !spec_config_namespace(cfg, SPEC_NS_USER)->path &&
	    namespaces_write_id_maps(j->pid, cfg, err) < 0)
		return -1;
	if (cfg->linux->n_net_devices && netdevices_move(cfg, j->pid, err) < 0)
		return -1;
	if (cfg->linux->intel_rdt && intelrdt_setup(cfg, j->o->id, j->pid, err) < 0)
		return -1;
	creating = state_json_with_status(j->state, "creating");
	if (init_needs_state) {
		created = state_json_with_status(j->state, "created");
		plen = strlen(creating) + 1 + strlen(created);
		payload = xasprintf("%s%c%s", creating, '\0', created);
	}
	if (j->send_mount_sources &&
	    mounts_send_sources(cfg, j->bundle, j->pid, j->sync_parent, err) < 0) {
		prefer_init_error(j, err);
		return -1;
	}
	if (send_to_init(j, SYNC_GO, payload, plen, err) < 0)
		return -1;
	/* The move into a v1 cgroup waits for an RCU grace period (several
	 * ms): the init sets up its mounts meanwhile, and waits for
	 * SYNC_CGROUP_DONE only before it can run anything of the container. */
	if (!j->placed_by_clone && cgroup_enter(j->cg, j->pid, err) < 0) {
		prefer_init_error(j, err);
		return -1;
	}
	/* systemd says where it put the scope only now (a user manager's is
	 * below user@UID.service): what later commands must open */
	cgroup_save(j->cg, j->state);
	if (send_to_init(j, SYNC_CGROUP_DONE, NULL, 0, err) < 0)
		return -1;
	if (hooks_present(cfg, HOOK_PRESTART) || hooks_present(cfg, HOOK_CREATE_RUNTIME)) {
		if (sync_expect(j->sync_parent, SYNC_PREPIVOT, NULL, err) < 0)
			return -1;
		if (hooks_run(cfg, HOOK_PRESTART, creating, err) < 0 ||
		    hooks_run(cfg, HOOK_CREATE_RUNTIME, creating, err) < 0)
			return -1;
		if (send_to_init(j, SYNC_PREPIVOT_DONE, NULL, 0, err) < 0)
			return -1;
	}
	return sync_expect(j->sync_parent, SYNC_READY, NULL, err);
}

/* state.json as create knows it so far (status "creating"). */
static int record_state(struct create_job *j, struct husk_error *err)
{
	j->ref.state = j->state;
	int r = state_store_write(&j->ref, err);
	j->ref.state = NULL;
	return r < 0 ? husk_error_prefix(err, "record the container's state") : 0;
}

static int prepare_job(struct create_job *j, struct husk_error *err)
{
	const struct create_opts *o = j->o;
	char rootfs_abs[PATH_MAX];
	_cleanup_close_ int bfd = -1;
	int sp[2];

	/* a bad id is refused before anything else reads it (a cgroup path) */
	if (container_id_check(o->id, err) < 0)
		return -1;
	j->bundle = realpath(o->bundle ? o->bundle : ".", NULL);
	if (j->bundle == NULL)
		return husk_error_errno(err, "bundle `%s`", o->bundle ? o->bundle : ".");
	if (load_bundle_config(j->bundle, o->config_path, &j->config_bytes, &j->config_len, &j->cfg,
			       err) < 0)
		return -1;
	if (check_config_runnable(j->cfg, err) < 0)
		return -1;
	if (j->cfg->process->terminal && o->console_socket == NULL && !o->foreground)
		return husk_error_set(err, EINVAL,
				      "process.terminal is true but no --console-socket was given");
	bfd = open(j->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return husk_error_errno(err, "bundle `%s`", j->bundle);
	j->rootfs_fd = openat(bfd, j->cfg->root->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->rootfs_fd < 0)
		return husk_error_errno(err, "root.path `%s`", j->cfg->root->path);
	if (realpath(j->cfg->root->path[0] == '/' ? j->cfg->root->path : ".", rootfs_abs) == NULL)
		return husk_error_errno(err, "root.path");
	if (j->cfg->root->path[0] != '/') {
		_cleanup_free_ char *joined = xasprintf("%s/%s", j->bundle, j->cfg->root->path);
		if (realpath(joined, rootfs_abs) == NULL)
			return husk_error_errno(err, "root.path `%s`", joined);
	}
	j->devnull_fd = open_verified_devnull(err);
	if (j->devnull_fd < 0)
		return -1;
	if (j->cfg->linux->seccomp && seccomp_compile(j->cfg->linux->seccomp, &j->seccomp, err) < 0)
		return husk_error_prefix(err, "linux.seccomp");
	if (namespaces_open_paths(j->cfg, j->ns_fds, err) < 0)
		return -1;

	if (cgroup_prepare(j->cfg, o->id, j->g, &j->cg, err) < 0)
		return -1;
	if (state_store_create(j->g->root, o->id, &j->ref, err) < 0)
		return -1;
	j->ref_created = true;
	/* Intent first: from here on, whatever create makes is findable in
	 * state.json (status "creating") by delete --force, even when we are
	 * killed at the next instruction. */
	j->state = new_state(j, xstrdup(rootfs_abs));
	cgroup_save(j->cg, j->state);
	if (record_state(j, err) < 0)
		return -1;
	if (write_file_atomic_at(j->ref.dirfd, CONFIG_FILE, j->config_bytes, j->config_len, 0600,
				 err) < 0)
		return -1;
	if (j->restoring)
		goto state_and_cgroup;
	if (mkfifoat(j->ref.dirfd, FIFO_FILE, 0600) < 0)
		return husk_error_errno(err, "create exec.fifo");
	j->fifo_fd = openat(j->ref.dirfd, FIFO_FILE, O_RDWR | O_CLOEXEC);
	if (j->fifo_fd < 0)
		return husk_error_errno(err, "open exec.fifo");
	j->error_fd =
	    openat(j->ref.dirfd, INIT_ERROR_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (j->error_fd < 0)
		return husk_error_errno(err, "create init.error");
state_and_cgroup:
	if (cgroup_create(j->cg, err) < 0)
		return -1;
	cgroup_save(j->cg, j->state);
	if (j->restoring) {
		if (o->console_socket) {
			j->console_fd = unix_connect("--console-socket", o->console_socket, err);
			if (j->console_fd < 0)
				return -1;
		}
		return 0;
	}

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return husk_error_errno(err, "socketpair");
	j->sync_parent = sp[0];
	j->sync_child = sp[1];
	if (o->console_socket) {
		j->console_fd = unix_connect("--console-socket", o->console_socket, err);
		if (j->console_fd < 0)
			return -1;
	} else if (j->cfg->process->terminal) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, j->pty_pair) < 0)
			return husk_error_errno(err, "socketpair");
	}
	return 0;
}

/* sd_notify(3): a service manager (systemd, podman --sdnotify=container)
 * gave us the socket it waits for READY=1 on.  Only a path can be bound
 * into the container; an abstract socket (@name) is not reachable from
 * another network namespace. */
static const char *notify_socket_path(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s && s[0] == '/' ? s : NULL;
}

static int spawn_init(struct create_job *j, struct husk_error *err)
{
	int flags = namespaces_clone_flags(j->cfg);
	struct init_ctx ctx = {
	    .cfg = j->cfg,
	    .id = j->o->id,
	    .bundle = j->bundle,
	    .rootfs = j->state->rootfs,
	    .rootfs_fd = j->rootfs_fd,
	    .devnull_fd = j->devnull_fd,
	    .fifo_fd = j->fifo_fd,
	    .console_socket_fd = j->console_fd >= 0 ? j->console_fd : j->pty_pair[1],
	    .preserve_fds = preserved_fd_count(j->o->preserve_fds),
	    .notify_socket = notify_socket_path(),
	    .no_pivot = j->o->no_pivot,
	    .no_new_keyring = j->o->no_new_keyring,
	    .new_userns = (flags & CLONE_NEWUSER) != 0 || j->ns_fds[SPEC_NS_USER] >= 0,
	    .new_mntns = (flags & CLONE_NEWNS) != 0,
	    .new_cgroupns = (flags & CLONE_NEWCGROUP) != 0,
	    .new_pidns = (flags & CLONE_NEWPID) != 0,
	    .new_netns = (flags & CLONE_NEWNET) != 0,
	    .seccomp = j->seccomp,
	    .error_fd = j->error_fd,
	    .ns_fds = j->ns_fds,
	};

	/* Joining a user namespace by path: the new namespaces must belong to
	 * it, so the init makes them itself after setns(). */
	if (j->ns_fds[SPEC_NS_USER] >= 0) {
		if (flags & CLONE_NEWPID)
			return husk_error_set(err, ENOTSUP,
					      "linux.namespaces: a new pid namespace inside a user "
					      "namespace joined by path is not supported");
		ctx.unshare_flags = flags & ~(CLONE_NEWTIME | CLONE_NEWCGROUP);
		ctx.late_cgroupns = (flags & CLONE_NEWCGROUP) != 0;
		flags = 0;
	}
	/* on the host's /sys: the init after pivot_root may not see it */
	lsm_detect_for(j->cfg->process->apparmor_profile, j->cfg->process->selinux_label,
		       j->cfg->linux ? j->cfg->linux->mount_label : NULL);
	if (prepare_time_namespace(j->cfg, err) < 0 ||
	    join_parent_side_namespaces(j->ns_fds, err) < 0)
		return -1;
	ctx.sync_fd = j->sync_child;
	j->mount_src_fds = mounts_open_sources(j->cfg, j->bundle, ctx.new_userns);
	/* Real root: sources opened inside the init's mount namespace instead. */
	j->send_mount_sources = (flags & CLONE_NEWUSER) && (flags & CLONE_NEWNS) &&
				j->cfg->n_mounts && geteuid() == 0 && !rootless_in_user_namespace();
	ctx.mount_src_fds = j->mount_src_fds;
	j->pid = clone_init(j, &ctx, flags, err);
	if (j->pid == 0)
		container_init_main(&ctx);
	/* The init has its own copies: ours would only hold the mounts. */
	close_mount_sources(j);
	if (j->pid < 0)
		return -1;
	/* The init exists: record it before anything else can fail or kill us
	 * (it waits for SYNC_GO, and exits when our end of the socket closes). */
	j->state->pid = j->pid;
	j->state->start_time = process_start_time(j->pid);
	if (record_state(j, err) < 0)
		return -1;
	close_fd(&j->sync_child);
	close_fd(&j->pty_pair[1]);
	close_fd(&j->fifo_fd);
	close_fd(&j->error_fd);
	close_fd(&j->console_fd);
	return 0;
}

/* An init that dies during create was most often OOM-killed: say so. */
static void explain_init_death(struct create_job *j, struct husk_error *err)
{
	const struct spec_resources *r = j->cfg->linux->resources;

	if (err->errnum != ECONNRESET || j->cg == NULL || cgroup_oom_kills(j->cg) == 0)
		return;
	if (r && r->memory && r->memory->has_limit)
		husk_error_set(err, ENOMEM,
			       "linux.resources.memory.limit: %lld bytes is too small to start the "
			       "container (its init was killed by the OOM killer)",
			       (long long)r->memory->limit);
	else
		husk_error_set(err, ENOMEM, "the container's init was killed by the OOM killer");
}

int container_create(const struct husk_globals *g, const struct create_opts *o,
		     struct created_container *out, struct husk_error *err)
{
	struct create_job j;
	int ret = -1;

	out->pid = -1;
	out->pidfd = -1;
	out->pty_master = -1;
	memset(&out->held, 0, sizeof out->held);
	create_job_init(&j, g, o);
	if (prepare_job(&j, err) < 0 || spawn_init(&j, err) < 0)
		goto fail;
	if (drive_init(&j, err) < 0) {
		explain_init_death(&j, err);
		goto fail;
	}
	if (j.pty_pair[0] >= 0) {
		if (terminal_recv_fd(j.pty_pair[0], &out->pty_master, err) < 0)
			goto fail;
		/* Size the pty while the init still waits for start: the proxy
		 * starts only after it, too late for a process that asks first. */
		terminal_copy_window_size(out->pty_master);
	}
	set_status(j.state, "created");
	j.ref.state = j.state;
	if (state_store_write(&j.ref, err) < 0)
		goto fail;
	if (o->pid_file && write_pid_file(o->pid_file, j.pid, err) < 0)
		goto fail;
	if (o->pidfd_socket && send_pidfd(o->pidfd_socket, j.pid, j.pidfd, err) < 0)
		goto fail;
	out->pid = j.pid;
	out->pidfd = steal_fd(&j.pidfd);
	out->held = (struct container_held){j.pid, j.state->start_time, j.cfg, j.cg};
	j.cfg = NULL;
	j.cg = NULL;
	ret = 0;
	j.pid = -1; /* it is the container now */
	goto done;
fail:
	if (out->pty_master >= 0)
		close_fd(&out->pty_master);
	create_job_undo(&j);
done:
	create_job_free(&j);
	return ret;
}

void container_held_free(struct container_held *h)
{
	spec_config_free(h->config);
	cgroup_handle_free(h->cg);
	memset(h, 0, sizeof *h);
}

/* Whether held is of the container ref now names (see container_held). */
static bool held_matches(const struct container_held *held, const struct spec_state *st)
{
	return held && held->pid == st->pid && held->start_time == st->start_time;
}

/* Lend ref the config create parsed, instead of reading it back. */
static void borrow_held_config(struct container_ref *ref, const struct container_held *held)
{
	if (held_matches(held, ref->state) && !ref->config)
		ref->config = held->config;
}

static void release_ref(struct container_ref *ref, const struct container_held *held)
{
	if (held && ref->config == held->config)
		ref->config = NULL; /* lent, not ours to free */
	container_ref_release(ref);
}

static int read_init_error(int dirfd, bool *hook_failed, struct husk_error *err)
{
	_cleanup_free_ char *msg = NULL;
	size_t len = 0, mark = strlen(INIT_ERROR_HOOK_MARK);
	struct husk_error e = HUSK_ERROR_INIT;

	if (read_file_at(dirfd, INIT_ERROR_FILE, 64 * 1024, &msg, &len, &e) < 0) {
		husk_error_clear(&e);
		return 0;
	}
	if (len == 0)
		return 0;
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	*hook_failed = len >= mark && memcmp(msg, INIT_ERROR_HOOK_MARK, mark) == 0;
	return husk_error_set(err, 0, "%s", *hook_failed ? msg + mark : msg);
}

/* Release the init and wait until it has exec'd (its fifo fd closes). */
static int release_init(struct container_ref *ref, bool *hook_failed, struct husk_error *err)
{
	_cleanup_close_ int fd = openat(ref->dirfd, FIFO_FILE, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	struct pollfd pfd;

	if (fd < 0) {
		if (errno == ENXIO)
			return husk_error_set(err, ESRCH, "the container's init is gone");
		return husk_error_errno(err, "open exec.fifo");
	}
	if (write(fd, "0", 1) != 1)
		return husk_error_errno(err, "write exec.fifo");
	pfd.fd = fd;
	pfd.events = 0; /* only POLLERR: the init's end closed (exec, or exit) */
	for (;;) {
		int r = poll(&pfd, 1, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return husk_error_errno(err, "wait on exec.fifo");
		if (pfd.revents)
			break;
	}
	unlinkat(ref->dirfd, FIFO_FILE, 0);
	return read_init_error(ref->dirfd, hook_failed, err);
}

static int signal_init(const struct spec_state *st, int sig, struct husk_error *err);

/*
 * runtime-spec 1.3, lifecycle: when a startContainer or poststart hook
 * fails, the runtime generates an error, stops the container and goes on
 * at step 12: the container is destroyed (what create did is undone) and
 * the poststop hooks run.  That is delete --force, reported as a warning
 * if it fails: the hook's error is the one start returns.
 */
static void destroy_after_failed_hook(const struct husk_globals *g, const char *id,
				      const struct container_held *held)
{
	struct husk_error e = HUSK_ERROR_INIT;

	if (container_delete(g, id, true, held, &e) < 0) {
		husk_warn("start `%s`: destroy the container after the failed hook: %s", id,
			  husk_error_text(&e));
		husk_error_clear(&e);
	}
}

int container_start(const struct husk_globals *g, const char *id, const struct container_held *held,
		    struct husk_error *err)
{
	struct container_ref ref;
	_cleanup_free_ char *running = NULL;
	const char *status;
	bool hook_failed = false;
	int ret = -1;

	if (state_store_open(g->root, id, &ref, err) < 0)
		goto out;
	status = container_status(&ref, g);
	if (strcmp(status, "created") != 0) {
		husk_error_set(err, 0, "cannot start container `%s`: it is %s, not created", id,
			       status);
		goto out;
	}
	if (release_init(&ref, &hook_failed, err) < 0) {
		/* the init may be long gone and its pid reused: only through the
		 * pidfd checked against the stored start time */
		signal_init(ref.state, SIGKILL, NULL);
		husk_error_prefix(err, "start `%s`", id);
		goto out;
	}
	set_status(ref.state, "running");
	if (state_store_write(&ref, err) < 0)
		goto out;
	borrow_held_config(&ref, held);
	if (state_store_load_config(&ref, err) < 0)
		goto out;
	running = state_json_with_status(ref.state, "running");
	if (hooks_run(ref.config, HOOK_POSTSTART, running, err) < 0) {
		hook_failed = true;
		husk_error_prefix(err, "start `%s`", id);
		goto out;
	}
	ret = 0;
out:
	release_ref(&ref, held);
	if (hook_failed)
		destroy_after_failed_hook(g, id, held);
	return ret;
}

static int signal_init(const struct spec_state *st, int sig, struct husk_error *err)
{
	_cleanup_close_ int pidfd = process_pidfd_open(st->pid, st->start_time);

	if (pidfd < 0 && errno == ENOSYS) {
		/* No pidfd (before 5.3): the pid, checked by its start time
		 * right before the signal, as runtimes did before pidfds. */
		if (!process_is_same(st->pid, st->start_time))
			return husk_error_set(err, ESRCH, "container `%s` is not running", st->id);
		if (kill(st->pid, sig) < 0)
			return husk_error_errno(err, "signal %d to container `%s`", sig, st->id);
		return 0;
	}
	if (pidfd < 0) {
		if (errno == ESRCH)
			return husk_error_set(err, ESRCH, "container `%s` is not running", st->id);
		return husk_error_errno(err, "pidfd_open %d", st->pid);
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return husk_error_errno(err, "signal %d to container `%s`", sig, st->id);
	return 0;
}

static int kill_ref(const struct husk_globals *g, struct container_ref *ref, int sig, bool all,
		    struct husk_error *err)
{
	/* without a cgroup (rootless) the processes are those of its pid namespace */
	if (all) {
		struct cgroup_handle *cg = NULL;
		int r = cgroup_load(ref->state, g, &cg, err);
		if (r == 0)
			r = cgroup_kill_all(cg, sig, err);
		cgroup_handle_free(cg);
		if (r < 0)
			return -1;
		/* the init may not be in the cgroup (no cgroup namespace tricks): signal it too */
		if (process_is_same(ref->state->pid, ref->state->start_time))
			signal_init(ref->state, sig, NULL);
		return 0;
	}
	return signal_init(ref->state, sig, err);
}

int container_kill(const struct husk_globals *g, const char *id, int sig, bool all,
		   struct husk_error *err)
{
	struct container_ref ref;
	int ret = -1;

	if (state_store_open(g->root, id, &ref, err) < 0)
		goto out;
	/* --all reaches what is left in the cgroup after the init exited: in
	 * a pid namespace shared with another container (a Kubernetes pod's),
	 * the init's children outlive it, and containerd kills them so. */
	if (strcmp(container_status(&ref, g), "stopped") == 0 && !(all && ref.state->cgroup_path)) {
		husk_error_set(err, ESRCH, "container `%s` is not running", id);
		goto out;
	}
	ret = kill_ref(g, &ref, sig, all, err);
out:
	container_ref_release(&ref);
	return ret;
}

/* Wait (bounded) for the init to be gone after SIGKILL. */
static void wait_for_exit(const struct spec_state *st)
{
	_cleanup_close_ int pidfd = process_pidfd_open(st->pid, st->start_time);
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

	if (pidfd < 0 && errno == ENOSYS) {
		/* No pidfd to poll (before 5.3): look every 10 ms. */
		for (int i = 0; i < 1000 && process_is_same(st->pid, st->start_time); i++)
			usleep(10000);
		return;
	}
	if (pidfd < 0)
		return;
	poll(&pfd, 1, 10000);
}

static int delete_dir_only(const struct husk_globals *g, const char *id, struct husk_error *err)
{
	_cleanup_close_ int rootfd = state_root_open(g->root, false, err);
	struct container_ref ref = {.dirfd = -1};

	if (rootfd < 0) {
		if (err->errnum != ENOENT)
			return -1;
		husk_error_clear(err);
		return 0;
	}
	ref.dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (ref.dirfd < 0)
		return 0;
	ref.id = xstrdup(id);
	int r = state_store_remove(g->root, &ref, err);
	container_ref_release(&ref);
	return r;
}

int container_delete(const struct husk_globals *g, const char *id, bool force,
		     const struct container_held *held, struct husk_error *err)
{
	struct container_ref ref;
	struct cgroup_handle *cg = NULL;
	_cleanup_free_ char *stopped = NULL;
	struct husk_error e = HUSK_ERROR_INIT;
	const char *status;
	int ret = -1;

	if (state_store_open(g->root, id, &ref, err) < 0) {
		container_ref_release(&ref);
		if (force && err->errnum == ENOENT) {
			husk_error_clear(err);
			return delete_dir_only(g, id, err);
		}
		return -1;
	}
	status = container_status(&ref, g);
	if (strcmp(status, "stopped") && strcmp(status, "created") && !force) {
		husk_error_set(err, 0, "cannot delete container `%s`: it is %s (use --force)", id,
			       status);
		goto out;
	}
	if (ref.state->cgroup_path && held_matches(held, ref.state) && held->cg)
		cg = held->cg;
	else if (ref.state->cgroup_path && cgroup_load(ref.state, g, &cg, &e) < 0) {
		husk_warn("delete `%s`: %s", id, husk_error_text(&e));
		husk_error_clear(&e);
	}
	/* Frozen by a freezer that is not ours, nothing could die there:
	 * --force takes the container's processes out of it; without it (or
	 * when the kernel refuses) say why, and leave the container whole. */
	if (cg && (force ? cgroup_leave_parent_freezer(cg, err)
			 : cgroup_check_not_frozen_by_parent(cg, err)) < 0) {
		husk_error_prefix(err, "delete `%s`", id);
		goto out;
	}
	if (strcmp(status, "stopped") != 0) {
		if (cg)
			cgroup_kill_all(cg, SIGKILL, NULL);
		signal_init(ref.state, SIGKILL, NULL);
		/* A frozen process cannot act on SIGKILL: thaw (after the kill,
		 * so nothing runs in between) before waiting for it to go. */
		bool frozen = false;
		if (cg && cgroup_is_frozen(cg, &frozen, &e) == 0 && frozen)
			cgroup_freeze(cg, false, &e);
		husk_error_clear(&e);
		wait_for_exit(ref.state);
	}
	if (cg && cgroup_destroy(cg, err) < 0) {
		husk_error_prefix(err, "delete `%s`", id);
		goto out;
	}
	borrow_held_config(&ref, held);
	if (state_store_load_config(&ref, &e) == 0) {
		if (ref.config->linux && ref.config->linux->intel_rdt &&
		    intelrdt_destroy(ref.config, id, err) < 0) {
			husk_error_prefix(err, "delete `%s`", id);
			goto out;
		}
		stopped = state_json_with_status(ref.state, "stopped");
		if (hooks_run(ref.config, HOOK_POSTSTOP, stopped, &e) < 0)
			husk_warn("delete `%s`: %s", id, husk_error_text(&e));
	}
	husk_error_clear(&e);
	ret = state_store_remove(g->root, &ref, err);
out:
	if (!held || cg != held->cg)
		cgroup_handle_free(cg);
	release_ref(&ref, held);
	return ret;
}

int container_state_json(const struct husk_globals *g, struct container_ref *ref, char **json,
			 struct husk_error *err)
{
	struct spec_state *st = ref->state;
	const char *status = container_status(ref, g);
	char *saved = st->status;
	pid_t saved_pid = st->pid;
	size_t len;
	int r;

	st->status = (char *)status;
	if (strcmp(status, "stopped") == 0)
		st->pid = 0;
	r = spec_state_emit(st, SPEC_STATE_PUBLIC, json, &len, err);
	st->status = saved;
	st->pid = saved_pid;
	return r;
}

/* ---- checkpoint and restore (CRIU runs in linux/criu.c) ---- */

int container_checkpoint(const struct husk_globals *g, const char *id, const struct criu_opts *co,
			 struct husk_error *err)
{
	struct container_ref ref;
	struct cgroup_handle *cg = NULL;
	const char *status;
	int ret = -1;

	if (criu_usable(NULL, err) < 0)
		return husk_error_prefix(err, "checkpoint `%s`", id);
	if (state_store_open(g->root, id, &ref, err) < 0)
		goto out;
	status = container_status(&ref, g);
	if (strcmp(status, "running") != 0 && strcmp(status, "paused") != 0) {
		husk_error_set(err, 0, "cannot checkpoint container `%s`: it is %s", id, status);
		goto out;
	}
	if (state_store_load_config(&ref, err) < 0)
		goto out;
	if (ref.state->cgroup_path && cgroup_load(ref.state, g, &cg, err) < 0)
		goto out;
	if (criu_checkpoint(&ref, cg, co, err) < 0)
		goto out;
	if (!co->leave_running && !co->pre_dump) {
		/* CRIU killed the processes: the container is stopped, as
		 * runc reports it, until delete or a restore elsewhere. */
		wait_for_exit(ref.state);
		set_status(ref.state, "stopped");
		if (state_store_write(&ref, err) < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		husk_error_prefix(err, "checkpoint `%s`", id);
	cgroup_handle_free(cg);
	container_ref_release(&ref);
	return ret;
}

int container_restore(const struct husk_globals *g, const struct create_opts *o,
		      const struct criu_opts *co, pid_t *pid, struct husk_error *err)
{
	struct create_job j;
	struct criu_restore_target t;
	int ret = -1;

	*pid = -1;
	if (criu_usable(NULL, err) < 0)
		return husk_error_prefix(err, "restore `%s`", o->id);
	create_job_init(&j, g, o);
	j.restoring = true;
	if (prepare_job(&j, err) < 0)
		goto fail;
	t = (struct criu_restore_target){
	    .cfg = j.cfg,
	    .bundle = j.bundle,
	    .rootfs = j.state->rootfs,
	    .cg = j.cg,
	    .console_socket_fd = j.console_fd,
	};
	if (criu_restore(&t, co, &j.pid, err) < 0)
		goto fail;
	/* CRIU put the processes at the cgroup path; under the systemd
	 * driver, entering it now makes the scope, which needs a pid to
	 * exist.  (The cgroupfs driver's cgroup is complete already.) */
	if (j.cg && j.state->systemd_cgroup) {
		if (cgroup_enter(j.cg, j.pid, err) < 0)
			goto fail;
		cgroup_save(j.cg, j.state);
	}
	j.state->pid = j.pid;
	j.state->start_time = process_start_time(j.pid);
	set_status(j.state, "running");
	j.ref.state = j.state;
	if (state_store_write(&j.ref, err) < 0)
		goto fail;
	if (o->pid_file && write_pid_file(o->pid_file, j.pid, err) < 0)
		goto fail;
	*pid = j.pid;
	j.pid = -1; /* it is the container now */
	ret = 0;
	goto done;
fail:
	husk_error_prefix(err, "restore `%s`", o->id);
	create_job_undo(&j);
done:
	create_job_free(&j);
	return ret;
}

/* ---- husk check: what create would find wrong, without creating anything ---- */

/* The rootfs exists and args[0] is in it; returns its fd, -1 when missing. */
static int check_rootfs(const struct spec_config *cfg, int bfd, struct check_report *r)
{
	int rootfd;

	if (cfg->root == NULL || cfg->root->path == NULL) {
		check_add(r, CHECK_ERROR, "root.path", "missing");
		return -1;
	}
	/* a bad root.path was reported by the parse */
	if (check_report_parse_error_near(r, "root.path"))
		return -1;
	rootfd = openat(bfd, cfg->root->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		check_add(r, CHECK_ERROR, "root.path", "`%s`: %s", cfg->root->path,
			  strerror(errno));
		return -1;
	}
	/* what the parse could not read is no program to look for */
	if (cfg->process && cfg->process->args && cfg->process->args[0] &&
	    cfg->process->args[0][0] && cfg->process->cwd[0] == '/' &&
	    !check_report_parse_error_near(r, "process.args") &&
	    !check_report_parse_error_near(r, "process.cwd") &&
	    (strchr(cfg->process->args[0], '/') ||
	     !check_report_parse_error_near(r, "process.env")))
		process_check_executable(rootfd, cfg->process, r);
	return rootfd;
}

/* The bundle's config.json, or a problem about the whole document. */
static char *read_bundle_config(const char *abs, const char *config_path, size_t *len,
				struct check_report *r)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_close_ int bfd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *bytes = NULL;

	if (bfd < 0)
		husk_error_errno(&err, "bundle `%s`", abs);
	else if (read_file_at(bfd, config_path ? config_path : CONFIG_FILE, 64 << 20, &bytes, len,
			      &err) == 0)
		return bytes;
	check_add_error(r, "", &err);
	return NULL;
}

void container_check(const struct husk_globals *g, const char *bundle, const char *config_path,
		     struct check_report *r)
{
	_cleanup_free_ char *bytes = NULL, *abs = realpath(bundle, NULL);
	_cleanup_close_ int bfd = -1, rootfd = -1;
	struct spec_config *cfg = NULL;
	size_t len;

	if (abs == NULL) {
		check_add(r, CHECK_ERROR, "", "bundle `%s`: %s", bundle, strerror(errno));
		return;
	}
	bytes = read_bundle_config(abs, config_path, &len, r);
	if (bytes == NULL || spec_config_check(bytes, len, &cfg, r) < 0)
		return;
	bfd = open(abs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	check_runnable(cfg, r);
	rootfd = check_rootfs(cfg, bfd, r);
	hooks_check(cfg, rootfd, r);
	mounts_check(cfg, abs, r);
	namespaces_check(cfg, r);
	/* the cgroup create would make depends on both */
	if (!check_report_parse_error_near(r, "linux.resources") &&
	    !check_report_parse_error_near(r, "linux.cgroupsPath"))
		cgroup_check(cfg, g, r);
	/* The compiler would only repeat what the spec's rules said. */
	if (cfg->linux && cfg->linux->seccomp && !check_report_has_error_under(r, "linux.seccomp"))
		seccomp_check(cfg->linux->seccomp, r);
	spec_config_free(cfg);
}
