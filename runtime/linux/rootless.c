// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running without root: whether we are rootless (--rootless true|false|auto),
 * where the state root goes by default, and the user namespace mappings an
 * unprivileged caller cannot write itself (newuidmap / newgidmap, the
 * setuid helpers from shadow that check /etc/subuid and /etc/subgid).
 */
#include "config.h"
#include "cli.h"
#include "linux/linux.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATE_ROOT_PRIVILEGED "/run/husk"

/* The initial user namespace maps every id onto itself: "0 0 4294967295". */
bool rootless_in_user_namespace(void)
{
	static int cached = -1;
	_cleanup_file_ FILE *f = NULL;
	unsigned long a, b, c;

	if (cached >= 0)
		return cached;
	f = fopen("/proc/self/uid_map", "re");
	if (f == NULL)
		return (cached = 0);
	if (fscanf(f, "%lu %lu %lu", &a, &b, &c) != 3)
		return (cached = 0);
	cached = !(a == 0 && b == 0 && c == 4294967295UL);
	return cached;
}

int rootless_parse_option(const char *arg, enum rootless_mode *out, struct husk_error *err)
{
	if (strcmp(arg, "true") == 0)
		*out = ROOTLESS_TRUE;
	else if (strcmp(arg, "false") == 0)
		*out = ROOTLESS_FALSE;
	else if (strcmp(arg, "auto") == 0)
		*out = ROOTLESS_AUTO;
	else
		return husk_error_set(err, 0, "--rootless: expected true, false or auto, got `%s`",
				      arg);
	return 0;
}

/* As runc means it: auto is rootless when we are not root, or are root only
 * inside a user namespace (podman runs us so). */
void rootless_resolve(struct husk_globals *g, enum rootless_mode mode)
{
	if (mode == ROOTLESS_AUTO)
		g->rootless = geteuid() != 0 || rootless_in_user_namespace();
	else
		g->rootless = mode == ROOTLESS_TRUE;
}

/* Not root (or root of a user namespace): $XDG_RUNTIME_DIR/husk, as runc and
 * crun use $XDG_RUNTIME_DIR/<name>.  A plain user without it has no place
 * of its own we could guess: NULL, and state_root_open says what to set. */
char *rootless_default_state_root(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	bool unprivileged = geteuid() != 0;

	if (unprivileged || rootless_in_user_namespace()) {
		if (xdg && *xdg == '/')
			return xasprintf("%s/husk", xdg);
		if (unprivileged)
			return NULL;
	}
	return xstrdup(STATE_ROOT_PRIVILEGED);
}

/* ---- user namespace mappings through newuidmap / newgidmap ---- */

/* Whether we may write any mapping ourselves: CAP_SETUID and CAP_SETGID in
 * our own user namespace (the child's parent). */
bool rootless_can_map_any(void)
{
	_cleanup_file_ FILE *f = fopen("/proc/self/status", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	unsigned long long eff = 0;

	if (f == NULL)
		return geteuid() == 0;
	while (getline(&line, &cap, f) > 0)
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	return (eff >> 6 & 1) && (eff >> 7 & 1); /* CAP_SETGID 6, CAP_SETUID 7 */
}

/* The one mapping an unprivileged user may write: its own id, once. */
bool rootless_is_single_own_mapping(const struct spec_id_mapping *m, size_t n, unsigned own)
{
	return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

static const char *find_helper(const char *name)
{
	static const char *const dirs[] = {"/usr/bin/", "/usr/local/bin/", "/bin/", "/usr/sbin/",
					   NULL};
	static char path[64];

	for (size_t i = 0; dirs[i]; i++) {
		snprintf(path, sizeof path, "%s%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return path;
	}
	return NULL;
}

/* Run `helper PID cid hid size ...` and wait; its stderr goes to ours, and
 * a failure names the field and the helper. */
int rootless_run_idmap_helper(const char *helper, const char *field, pid_t pid,
			      const struct spec_id_mapping *m, size_t n, struct husk_error *err)
{
	const char *path = find_helper(helper);
	_cleanup_free_ char **argv = NULL;
	_cleanup_strv_ char **owned = NULL;
	pid_t child;
	int status;

	if (path == NULL)
		return husk_error_set(err, ENOENT,
				      "%s: mapping more than our own id needs %s (package uidmap) "
				      "and a range in /etc/sub%cid; %s is not installed",
				      field, helper, helper[3] == 'u' ? 'u' : 'g', helper);
	argv = xcalloc(3 + 3 * n + 1, sizeof *argv);
	owned = xcalloc(1 + 3 * n + 1, sizeof *owned);
	size_t k = 0, o = 0;
	argv[k++] = (char *)path;
	argv[k++] = owned[o++] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		argv[k++] = owned[o++] = xasprintf("%u", m[i].container_id);
		argv[k++] = owned[o++] = xasprintf("%u", m[i].host_id);
		argv[k++] = owned[o++] = xasprintf("%u", m[i].size);
	}
	child = fork();
	if (child < 0)
		return husk_error_errno(err, "%s: fork for %s", field, helper);
	if (child == 0) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, 0);
		execv(path, argv);
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return husk_error_errno(err, "%s: wait for %s", field, helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return husk_error_set(err, EPERM,
				      "%s: %s refused the mapping (exit %d); the host ids must be "
				      "the caller's own or in its /etc/sub%cid range",
				      field, path, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				      helper[3] == 'u' ? 'u' : 'g');
	return 0;
}
