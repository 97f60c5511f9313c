// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * checkpoint and restore, with runc's options; CRIU does the work
 * (runtime/linux/criu.c).
 */
#include "config.h"
#include "commands.h"
#include "container.h"
#include "foreground.h"
#include "linux/criu.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

enum {
	O_IMAGE = 1,
	O_WORK,
	O_PARENT,
	O_LEAVE,
	O_TCP,
	O_UNIX,
	O_SHELL,
	O_LOCKS,
	O_PREDUMP,
	O_CGMODE,
	O_EMPTYNS,
	O_DEDUP,
	O_LAZY,
	O_PSERVER,
	O_STATUSFD,
	O_BUNDLE,
	O_DETACH,
	O_PIDFILE,
	O_CONSOLE,
	O_NOPIVOT,
	O_NOSUBREAPER,
	O_LSMPROFILE,
	O_LSMMOUNT,
};

#define COMMON_OPTS                                                                                \
	{"image-path", 0, "DIR", "where CRIU's images are (default ./checkpoint)", O_IMAGE},       \
	    {"work-path", 0, "DIR", "where CRIU's logs go (default: the image path)", O_WORK},     \
	    {"tcp-established", 0, NULL, "allow established TCP connections", O_TCP},              \
	    {"ext-unix-sk", 0, NULL, "allow external unix sockets", O_UNIX},                       \
	    {"shell-job", 0, NULL, "allow a shell job (a tty from outside)", O_SHELL},             \
	    {"file-locks", 0, NULL, "handle file locks", O_LOCKS},                                 \
	    {"manage-cgroups-mode", 0, "MODE", "cgroups: soft (default), full, strict or ignore",  \
	     O_CGMODE},                                                                            \
	    {"empty-ns", 0, "NS", "create this namespace (network) but leave its contents out",    \
	     O_EMPTYNS},                                                                           \
	    {"auto-dedup", 0, NULL, "deduplicate memory images against the parent", O_DEDUP},      \
	    {"lazy-pages", 0, NULL, "restore memory on demand (userfaultfd)", O_LAZY},             \
	{                                                                                          \
		"status-fd", 0, "FD", "with --lazy-pages: CRIU writes \\0 here when ready",        \
		    O_STATUSFD                                                                     \
	}

struct parsed {
	struct criu_opts co;
	struct create_opts create;
	bool detach;
};

static int take_option(int id, const char *arg, void *data)
{
	struct parsed *p = data;
	struct criu_opts *o = &p->co;

	switch (id) {
	case O_IMAGE:
		o->image_path = arg;
		break;
	case O_WORK:
		o->work_path = arg;
		break;
	case O_PARENT:
		o->parent_path = arg;
		break;
	case O_LEAVE:
		o->leave_running = true;
		break;
	case O_TCP:
		o->tcp_established = true;
		break;
	case O_UNIX:
		o->ext_unix_sk = true;
		break;
	case O_SHELL:
		o->shell_job = true;
		break;
	case O_LOCKS:
		o->file_locks = true;
		break;
	case O_PREDUMP:
		o->pre_dump = true;
		break;
	case O_CGMODE:
		o->manage_cgroups_mode = arg;
		break;
	case O_EMPTYNS:
		o->empty_ns = arg;
		break;
	case O_DEDUP:
		o->auto_dedup = true;
		break;
	case O_LAZY:
		o->lazy_pages = true;
		break;
	case O_PSERVER:
		o->page_server = arg;
		break;
	case O_STATUSFD:
		return cli_parse_int("--status-fd", arg, &o->status_fd) < 0 ? -1 : 0;
	case O_BUNDLE:
		p->create.bundle = arg;
		break;
	case O_DETACH:
		p->detach = true;
		break;
	case O_PIDFILE:
		p->create.pid_file = arg;
		break;
	case O_CONSOLE:
		p->create.console_socket = arg;
		break;
	case O_NOPIVOT:
		p->create.no_pivot = true;
		break;
	case O_LSMPROFILE:
		o->lsm_profile = arg;
		break;
	case O_LSMMOUNT:
		o->lsm_mount_context = arg;
		break;
	default:
		break; /* accepted for runc's callers; CRIU decides */
	}
	return 0;
}

/* --help ends with whether CRIU works here, and exits 0 either way: husk
 * implements both commands, and podman (which runs `checkpoint --help`
 * to ask) then reaches checkpoint itself, whose one-line error it shows. */
static int help_status(int r)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *version = NULL;

	if (r != 1)
		return CLI_EXIT_USAGE;
	if (criu_usable(&version, &err) < 0)
		printf("\n%s\n", husk_error_text(&err));
	else
		printf("\nCRIU %s works on this system.\n", version);
	husk_error_clear(&err);
	return 0;
}

int cmd_checkpoint(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "checkpoint", "[options] ID",
	    "Checkpoint a running or paused container with CRIU. Without --leave-running or "
	    "--pre-dump its processes end and it is stopped."};
	static const struct cli_option opts[] = {
	    COMMON_OPTS,
	    {"parent-path", 0, "DIR", "the pre-dump to build on, relative to the image path",
	     O_PARENT},
	    {"leave-running", 0, NULL, "keep the container running after the checkpoint", O_LEAVE},
	    {"pre-dump", 0, NULL, "dump memory only, keep running (for a later --parent-path)",
	     O_PREDUMP},
	    {"page-server", 0, "ADDRESS:PORT", "send memory pages to a CRIU page server",
	     O_PSERVER},
	    {NULL, 0, NULL, NULL, 0}};
	struct husk_error err = HUSK_ERROR_INIT;
	struct parsed p = {0};
	char **ids;
	int n, r;

	criu_opts_init(&p.co);
	r = cli_parse_operands(&help, opts, argc, argv, take_option, &p, 1, 1, &ids, &n);
	if (r != 0)
		return help_status(r);
	if (container_checkpoint(g, ids[0], &p.co, &err) < 0)
		return husk_error_report(&err);
	return 0;
}

int cmd_restore(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {
	    "restore", "[options] ID",
	    "Restore a container from CRIU's images as container ID, with the bundle's config. "
	    "Without --detach, wait for it and exit with its status."};
	static const struct cli_option opts[] = {
	    COMMON_OPTS,
	    {"bundle", 'b', "DIR", "the bundle (default .)", O_BUNDLE},
	    {"detach", 'd', NULL, "do not wait for the restored container", O_DETACH},
	    {"pid-file", 0, "FILE", "write the restored init's pid here", O_PIDFILE},
	    {"console-socket", 0, "PATH", "send the new pty's master here (terminal containers)",
	     O_CONSOLE},
	    {"no-pivot", 0, NULL,
	     "accepted as runc accepts it: CRIU itself builds and enters the restored root, "
	     "and has no such option",
	     O_NOPIVOT},
	    {"no-subreaper", 0, NULL, "do not become a subreaper (with --detach)", O_NOSUBREAPER},
	    {"lsm-profile", 0, "TYPE:NAME",
	     "the restored processes' LSM profile (apparmor:NAME, selinux:LABEL)", O_LSMPROFILE},
	    {"lsm-mount-context", 0, "CTX", "the SELinux context of the restored mounts",
	     O_LSMMOUNT},
	    {NULL, 0, NULL, NULL, 0}};
	struct husk_error err = HUSK_ERROR_INIT;
	struct parsed p = {0};
	char **ids;
	pid_t pid;
	int n, r;

	criu_opts_init(&p.co);
	r = cli_parse_operands(&help, opts, argc, argv, take_option, &p, 1, 1, &ids, &n);
	if (r != 0)
		return help_status(r);
	p.create.id = ids[0];
	if (container_id_check(p.create.id, &err) < 0)
		return husk_error_report(&err);
	/* CRIU detaches from the restored tree: to wait for it, it must come
	 * back to us when criu exits. */
	if (!p.detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		husk_error_errno(&err, "restore: become a subreaper");
		return husk_error_report(&err);
	}
	if (container_restore(g, &p.create, &p.co, &pid, &err) < 0)
		return husk_error_report(&err);
	if (p.detach)
		return 0;
	foreground_forward_signals(pid, false);
	r = foreground_wait(pid);
	if (container_delete(g, p.create.id, true, NULL, &err) < 0)
		husk_error_report(&err);
	return r;
}
