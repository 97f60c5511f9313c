// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linux.sysctl.  Only keys the kernel scopes to a namespace the container
 * has of its own are accepted; anything else would change the host.  The
 * values are written through our procfs handle: after the pivot the
 * container's /proc is whatever the image and its mounts made it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "linux/linux.h"
#include "util.h"

static const char *const ipc_keys[] = {
    "kernel.msgmax",	  "kernel.msgmnb",	"kernel.msgmni",      "kernel.sem",
    "kernel.shmall",	  "kernel.shmmax",	"kernel.shmmni",      "kernel.shm_rmid_forced",
    "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id",
};

/* The namespace that scopes key, or SPEC_NS_COUNT when none does. */
static enum spec_ns_type sysctl_namespace(const char *key)
{
	for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(ipc_keys[0]); i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			return SPEC_NS_IPC;
	if (str_has_prefix(key, "fs.mqueue."))
		return SPEC_NS_IPC;
	if (str_has_prefix(key, "net."))
		return SPEC_NS_NETWORK;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return SPEC_NS_UTS;
	return SPEC_NS_COUNT;
}

/*
 * "net.ipv4.ip_forward" or "net/ipv4/ip_forward" (the form that can name an
 * interface with a dot, "net/ipv4/conf/eth0.100/forwarding").  Returns the
 * path under /proc/sys and the dotted name for the namespace check.
 */
static int sysctl_paths(const char *key, char **path, char **dotted, struct husk_error *err)
{
	bool slashed = strchr(key, '/') != NULL;
	char *p = xstrdup(key), *d = xstrdup(key);

	for (char *c = p; *c; c++)
		if (!slashed && *c == '.')
			*c = '/';
	for (char *c = d; *c; c++)
		if (*c == '/')
			*c = '.';
	*path = p;
	*dotted = d;
	/* Every component a plain name: no "", ".", ".." to climb out of sys/. */
	for (const char *c = p; *c;) {
		const char *end = strchrnul(c, '/');
		size_t n = (size_t)(end - c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return husk_error_set(err, EINVAL, "sysctl `%s`: not a valid name", key);
		c = *end ? end + 1 : end;
	}
	return 0;
}

int sysctl_apply(const struct spec_config *cfg, struct husk_error *err)
{
	const struct spec_linux *l = cfg->linux;

	for (size_t i = 0; l && i < l->n_sysctl; i++) {
		const char *key = l->sysctl[i].key, *value = l->sysctl[i].value;
		_cleanup_free_ char *path = NULL, *dotted = NULL, *full = NULL;

		if (key == NULL || *key == '\0' || sysctl_paths(key, &path, &dotted, err) < 0) {
			if (key == NULL || *key == '\0')
				husk_error_set(err, EINVAL, "sysctl: empty name");
			return -1;
		}
		enum spec_ns_type ns = sysctl_namespace(dotted);
		if (ns == SPEC_NS_COUNT)
			return husk_error_set(
			    err, EPERM, "sysctl `%s` is not namespaced: it would change the host",
			    key);
		if (spec_config_namespace(cfg, ns) == NULL)
			return husk_error_set(
			    err, EPERM, "sysctl `%s` needs the container's own %s namespace", key,
			    ns == SPEC_NS_IPC	    ? "ipc"
			    : ns == SPEC_NS_NETWORK ? "network"
						    : "uts");
		full = xasprintf("sys/%s", path);
		if (procfs_write(full, value ? value : "", err) < 0)
			return husk_error_prefix(err, "sysctl `%s`", key);
	}
	return 0;
}
