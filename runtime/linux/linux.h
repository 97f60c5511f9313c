/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux setup steps, one file per concern.  container.c (parent side)
 * and init.c (inside the new namespaces) call them in this order:
 *
 *   parent: seccomp_compile, namespaces_open_paths, cgroup_prepare/create,
 *           clone -> namespaces_write_id_maps, cgroup placement
 *   init:   namespaces_join, hostname, rootfs_setup (mounts, devices),
 *           [createRuntime/prestart hooks in the parent],
 *           createContainer hooks, rootfs_pivot, rootfs_finish (masked and
 *           readonly paths, read-only root), sysctl, terminal_setup,
 *           -- wait for start --
 *           startContainer hooks, process_exec (user, rlimits, caps,
 *           LSM labels, seccomp, execve)
 */
#ifndef HUSK_LINUX_H
#define HUSK_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../spec/check.h"
#include "../../spec/oci_config.h"
#include "../../spec/state.h"
#include "../error.h"

/* The global command-line options (--root, --systemd-cgroup...): cli.h. */
struct husk_globals;

/* ---- rootless.c: running without root ---- */

enum rootless_mode { ROOTLESS_AUTO, ROOTLESS_TRUE, ROOTLESS_FALSE };
int rootless_parse_option(const char *arg, enum rootless_mode *out, struct husk_error *err);
/* Set g->rootless: auto is "not root, or root only inside a user namespace". */
void rootless_resolve(struct husk_globals *g, enum rootless_mode mode);
/* Not the initial user namespace. */
bool rootless_in_user_namespace(void);
/* The default state root (allocated); NULL when there is none to guess. */
char *rootless_default_state_root(void);
/* CAP_SETUID and CAP_SETGID held: any mapping may be written directly. */
bool rootless_can_map_any(void);
bool rootless_is_single_own_mapping(const struct spec_id_mapping *m, size_t n, unsigned own);
/* newuidmap/newgidmap PID cid hid size... for what we may not write ourselves. */
int rootless_run_idmap_helper(const char *helper, const char *field, pid_t pid,
			      const struct spec_id_mapping *m, size_t n, struct husk_error *err);

/* ---- namespaces.c ---- */

/* CLONE_NEW* flags for the namespaces config.json asks to create. */
int namespaces_clone_flags(const struct spec_config *cfg);
/* Open every `path` namespace (checked to be a namespace of that type). */
int namespaces_open_paths(const struct spec_config *cfg, int fds[SPEC_NS_COUNT],
			  struct husk_error *err);
/* setns() into the opened namespaces, user first; skips pid and time. */
int namespaces_join(int fds[SPEC_NS_COUNT], struct husk_error *err);
/* Write /proc/PID/{uid_map,setgroups,gid_map} for a new user namespace. */
int namespaces_write_id_maps(pid_t pid, const struct spec_config *cfg, struct husk_error *err);
void namespaces_close(int fds[SPEC_NS_COUNT]);
/* husk check: the kernel has each namespace type, each `path` is one. */
void namespaces_check(const struct spec_config *cfg, struct check_report *r);

/* ---- procfs.c: a procfs handle the container cannot redirect ---- */

/* A private, verified procfs mount (fsopen), or the host's /proc checked to
 * be procfs.  Cached for the life of the process. */
int procfs_fd(struct husk_error *err);
/* Write value to <procfs>/<path> (e.g. "self/oom_score_adj", "123/uid_map"). */
int procfs_write(const char *path, const char *value, struct husk_error *err);
/* The handle if one is open already, else -1 (the init keeps it). */
int procfs_cached_fd(void);
/* Open <procfs>/<path> with flags, resolved inside procfs only. */
int procfs_open(const char *path, int flags, struct husk_error *err);

/* ---- resolve.c: paths inside the untrusted rootfs ---- */

enum resolve_create {
	RESOLVE_NO_CREATE,
	RESOLVE_MKDIR,	/* create missing directories, the last one included */
	RESOLVE_MKFILE, /* create missing parents, and the last as an empty file */
};
/* Open `path` (absolute or relative) inside the tree at rootfd, never leaving
 * it: openat2(RESOLVE_IN_ROOT), or a component-by-component walk that
 * resolves symlinks against rootfd.  Returns an O_PATH (or flags) fd. */
int resolve_in_root(int rootfd, const char *path, int flags, enum resolve_create create,
		    mode_t mode, struct husk_error *err);
/* Set by the unit tests to take the walk where openat2 exists. */
extern bool resolve_force_fallback;

/* ---- cgroups*.c ---- */

struct cgroup_handle;
/* Find the hierarchies and the container's cgroup path, and how many of its
 * trailing components do not exist yet (what cgroup_create will own), so
 * the caller can record them before anything is made. */
int cgroup_prepare(const struct spec_config *cfg, const char *id, const struct husk_globals *g,
		   struct cgroup_handle **out, struct husk_error *err);
/* Create the container's cgroup and apply linux.resources (before the init
 * runs any container code); on failure remove what it made. */
int cgroup_create(struct cgroup_handle *cg, struct husk_error *err);
/* A directory fd for clone3's CLONE_INTO_CGROUP (cgroup v2), or -1. */
int cgroup_clone_into_fd(const struct cgroup_handle *cg);
/* Move pid into every hierarchy (skipped where CLONE_INTO_CGROUP placed it). */
int cgroup_enter(struct cgroup_handle *cg, pid_t pid, struct husk_error *err);
/* Record what later commands need to find the cgroup again. */
void cgroup_save(const struct cgroup_handle *cg, struct spec_state *st);
int cgroup_load(const struct spec_state *st, const struct husk_globals *g,
		struct cgroup_handle **out, struct husk_error *err);
/* Kill what is left, thaw, and remove every directory we created. */
int cgroup_destroy(struct cgroup_handle *cg, struct husk_error *err);
int cgroup_freeze(struct cgroup_handle *cg, bool freeze, struct husk_error *err);
int cgroup_is_frozen(const struct cgroup_handle *cg, bool *frozen, struct husk_error *err);
/* cgroup v1: fail (naming why) when a parent's freezer, not ours, holds the
 * container frozen: its processes cannot be killed until that is thawed. */
int cgroup_check_not_frozen_by_parent(const struct cgroup_handle *cg, struct husk_error *err);
/* cgroup v1, for delete --force: kill the container's processes held frozen
 * by a parent's freezer and move them out of it (to its root), so they die;
 * the freezer above stays frozen.  Names the reason when the kernel refuses. */
int cgroup_leave_parent_freezer(const struct cgroup_handle *cg, struct husk_error *err);
/* The same from a stored state alone, cheaply (for state and list). */
int cgroup_state_frozen(const struct spec_state *st, bool *frozen, struct husk_error *err);
int cgroup_update(struct cgroup_handle *cg, const struct spec_resources *res,
		  struct husk_error *err);
int cgroup_pids(const struct cgroup_handle *cg, pid_t **pids, size_t *n, struct husk_error *err);
int cgroup_kill_all(const struct cgroup_handle *cg, int sig, struct husk_error *err);
/* How many OOM kills the cgroup has seen (memory.events oom_kill on v2,
 * memory.oom_control oom_kill on v1); 0 when unknown.  For explaining an
 * init that died during create: "memory limit too small". */
uint64_t cgroup_oom_kills(const struct cgroup_handle *cg);
/* The cgroup path as the container's processes see it (for exec --cgroup). */
const char *cgroup_path(const struct cgroup_handle *cg);
void cgroup_handle_free(struct cgroup_handle *cg);
/* husk check: the cgroup create would make (its path in the form the
 * driver of g expects, writable, or rootless and not needed), a hierarchy
 * mounted and a controller available for each resource asked for. */
void cgroup_check(const struct spec_config *cfg, const struct husk_globals *g,
		  struct check_report *r);

/* ---- seccomp.c ---- */

struct seccomp_prog;
/* Compile linux.seccomp into a BPF program once, before clone, so neither
 * the init nor exec pays for it twice. NULL *out when there is no filter. */
int seccomp_compile(const struct spec_seccomp *sc, struct seccomp_prog **out,
		    struct husk_error *err);
/* Load it (the last step before execve). With a listenerPath, the notify fd
 * and state_json go to that unix socket. */
int seccomp_install(const struct seccomp_prog *prog, const struct spec_seccomp *sc,
		    const char *state_json, struct husk_error *err);
void seccomp_prog_free(struct seccomp_prog *prog);
/* husk check: the filter compiles and listenerPath is a socket. */
void seccomp_check(const struct spec_seccomp *sc, struct check_report *r);
/* With SCMP_ACT_NOTIFY: the socket seccomp_compile connected to
 * listenerPath (a host path), which the init must keep open; else -1. */
int seccomp_listener_socket(const struct seccomp_prog *prog);

/* ---- capabilities.c ---- */

/* Leave exactly the configured sets (bounding, permitted, effective,
 * inheritable, ambient). Call after the uid change (keep-caps held). */
int capabilities_apply(const struct spec_capabilities *caps, struct husk_error *err);
/* Before the uid change: keep permitted caps across setresuid. */
int capabilities_keep(struct husk_error *err);

/* ---- lsm.c ---- */

int lsm_apparmor_enabled(void);
int lsm_selinux_enabled(void);
void lsm_detect_for(const char *apparmor, const char *selinux, const char *mount_label);
/* Label the next execve (AppArmor profile, SELinux process label). */
int lsm_set_exec_labels(const char *apparmor, const char *selinux, struct husk_error *err);

/* ---- process.c: the container process, from setup to execve ---- */

struct exec_opts {
	const struct spec_process *process;
	const struct seccomp_prog *seccomp; /* NULL: no filter */
	const struct spec_seccomp *seccomp_spec;
	const char *state_json; /* for the seccomp listener */
	int preserve_fds;	/* keep 3 .. 3+N-1 */
	bool no_new_keyring;
	const char *id;					/* session keyring name */
	const struct spec_personality *personality;	/* linux.personality */
	const struct spec_memory_policy *memory_policy; /* linux.memoryPolicy */
	const char *notify_socket;			/* NOTIFY_SOCKET for the process, or NULL */
};
/* rlimits, oom_score_adj, scheduler, ioPriority, personality, user and
 * groups, umask, capabilities, NoNewPrivs, cwd, LSM labels, close fds,
 * seccomp, execve. Returns only on failure. */
int process_exec(const struct exec_opts *o, struct husk_error *err);
int process_set_rlimits(const struct spec_process *p, struct husk_error *err);
/* args[0] as execve will find it (the process's own PATH); *path may be NULL. */
int process_find_executable(const struct spec_process *p, char **path, struct husk_error *err);
int process_set_oom_score_adj(const struct spec_process *p, struct husk_error *err);
/* How many sockets systemd (or another activator) handed husk: LISTEN_FDS in
 * husk's own environment; they are fds 3.. and go on to the process. */
int listen_fds_passed(void);
/* husk check: args[0] is an executable file in the rootfs at rootfd. */
void process_check_executable(int rootfd, const struct spec_process *p, struct check_report *r);
/* A regular file with an execute bit at the absolute path inside the rootfs. */
bool process_executable_in_root(int rootfd, const char *path);

/* ---- rootfs.c, mounts.c, devices.c: the mount namespace ---- */

struct init_ctx {
	const struct spec_config *cfg;
	const char *id;
	const char *bundle;	   /* absolute */
	const char *rootfs;	   /* absolute host path of root.path */
	int rootfs_fd;		   /* O_PATH fd on the rootfs, opened by the parent */
	int devnull_fd;		   /* the host's /dev/null, verified char 1:3 */
	int sync_fd;		   /* socketpair to the parent */
	int fifo_fd;		   /* exec.fifo, O_RDWR: start writes one byte */
	int error_fd;		   /* <state>/init.error: why the init failed after start */
	int *ns_fds;		   /* namespaces to join by path, [SPEC_NS_COUNT] */
	int *mount_src_fds;	   /* [n_mounts]: bind sources the parent cloned, or NULL */
	bool mount_src_are_paths;  /* ... or opened (O_PATH) in our mount namespace */
	int unshare_flags;	   /* new namespaces to make after joining a user namespace */
	bool placed_by_clone;	   /* CLONE_INTO_CGROUP: born in the container's cgroup */
	bool unshare_cgroupns;	   /* make the cgroup namespace once in the cgroup */
	bool late_cgroupns;	   /* ...always: the user namespace was joined by path */
	bool cgroup_done;	   /* SYNC_CGROUP_DONE received */
	int console_socket_fd;	   /* --console-socket, connected; -1 when none */
	const char *notify_socket; /* NOTIFY_SOCKET of husk (a path), or NULL */
	bool notify_bound;	   /* ...made reachable at NOTIFY_SOCKET_INSIDE */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	bool new_userns;
	bool new_mntns;
	bool chrooted; /* no mount namespace: chroot, no mounts, no pivot */
	bool new_cgroupns;
	bool new_pidns;
	bool new_netns;
	const struct seccomp_prog *seccomp;
};

/* Where the container's process finds the NOTIFY_SOCKET husk was given. */
#define NOTIFY_SOCKET_INSIDE "/run/notify/notify.sock"

/* Everything before pivot_root: propagation, the rootfs bind, mounts,
 * devices, /dev symlinks and devpts. */
int rootfs_setup(struct init_ctx *ctx, struct husk_error *err);
/* In the parent, before the init exists: a clone of each bind source
 * (-1 where none) for an init whose root may not reach it, or NULL when
 * none is handed over (see mounts.c for when). */
int *mounts_open_sources(const struct spec_config *cfg, const char *bundle, bool new_userns);
/* As real root: send the init (pid, over sock) an O_PATH fd of each bind
 * source, opened in its own mount namespace (SYNC_MOUNT_SOURCE). */
int mounts_send_sources(const struct spec_config *cfg, const char *bundle, pid_t pid, int sock,
			struct husk_error *err);
/* husk check: each mount's type, destination, idmap and (bind) source. */
void mounts_check(const struct spec_config *cfg, const char *bundle, struct check_report *r);
/* pivot_root into the rootfs (chroot with --no-pivot). */
int rootfs_pivot(struct init_ctx *ctx, struct husk_error *err);
/* After the pivot: maskedPaths, readonlyPaths, the read-only root and the
 * final rootfsPropagation. */
int rootfs_finish(struct init_ctx *ctx, struct husk_error *err);
/* init.c: block until the parent has moved the init into its cgroups
 * (mounts.c needs that to bind the container's own cgroups). */
int wait_until_in_cgroup(struct init_ctx *ctx, struct husk_error *err);

/* ---- netdevices.c: linux.netDevices ---- */

/* Move each listed host interface into the network namespace of pid
 * (renamed to its `name` there); parent side, before the init runs. */
int netdevices_move(const struct spec_config *cfg, pid_t pid, struct husk_error *err);

/* ---- intelrdt.c: linux.intelRdt ---- */

/* Create (or join, with closID) the resctrl group, write its schemata and
 * put pid in it; parent side, before the init runs. */
int intelrdt_setup(const struct spec_config *cfg, const char *id, pid_t pid,
		   struct husk_error *err);
/* update --l3-cache-schema / --mem-bw-schema: write them (either may be
 * NULL) to the schemata of the container's group. */
int intelrdt_update(const struct spec_config *cfg, const char *id, const char *l3_cache_schema,
		    const char *mem_bw_schema, struct husk_error *err);
/* Remove the group husk created for the container (not a shared closID). */
int intelrdt_destroy(const struct spec_config *cfg, const char *id, struct husk_error *err);

/* ---- sysctl.c ---- */
int sysctl_apply(const struct spec_config *cfg, struct husk_error *err);

/* ---- terminal.c ---- */

/* Inside the container: open a pty, send its master to console_socket_fd
 * (SCM_RIGHTS), apply consoleSize, make the slave the controlling tty and
 * stdio, and bind it over /dev/console. */
int terminal_setup(struct init_ctx *ctx, const struct spec_process *p, struct husk_error *err);
/* exec: the same pty handling, without touching /dev/console. */
int terminal_setup_exec(int console_socket_fd, const struct spec_process *p,
			struct husk_error *err);
int terminal_send_fd(int sock, int fd, const char *name, struct husk_error *err);
int terminal_recv_fd(int sock, int *fd, struct husk_error *err);
/* Give master the window size of our stdin (or stdout) when that is a
 * sized terminal; otherwise leave it (process.consoleSize) alone. */
void terminal_copy_window_size(int master);
/* Foreground: copy between our stdio and master, pass window size changes,
 * until the master closes. */
int terminal_proxy(int master, struct husk_error *err);

/* ---- hooks.c ---- */

enum hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
};
const struct spec_hook_list *hooks_of_kind(const struct spec_config *cfg, enum hook_kind kind);
/* Whether config.json lists any hook of this kind (the sync steps for them
 * are skipped otherwise). */
bool hooks_present(const struct spec_config *cfg, enum hook_kind kind);
/* Run each hook in order with state_json on stdin; the first failure stops
 * (poststop: each failure is logged as a warning and the rest still run). */
int hooks_run(const struct spec_config *cfg, enum hook_kind kind, const char *state_json,
	      struct husk_error *err);
/* husk check: each hook's path is an executable file where it will run:
 * the host for every kind but startContainer, which runs after pivot_root
 * and so resolves in the rootfs at rootfd (-1: the rootfs is missing, and
 * already reported). */
void hooks_check(const struct spec_config *cfg, int rootfd, struct check_report *r);

/* ---- selfexe.c: CVE-2019-5736 ---- */

/* Make sure /proc/self/exe is not the host binary that a container could
 * open for writing: a sealed memfd copy, made once, before any container
 * work. Re-executes; returns 0 when nothing needed to happen. */
int selfexe_protect(int argc, char **argv, struct husk_error *err);

#endif
