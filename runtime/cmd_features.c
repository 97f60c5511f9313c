// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "commands.h"
#include "linux/criu.h"
#include "util.h"

#include <stdio.h>
#include <unistd.h>

#include "linux/kernel.h"

int cmd_features(struct husk_globals *g, int argc, char **argv)
{
	static const struct cli_command_help help = {"features", "",
						     "Print what this husk supports, as JSON."};
	static const struct cli_option opts[] = {{NULL, 0, NULL, NULL, 0}};
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *json = NULL;
	size_t len;
	char **ops;
	int n, r = cli_parse_operands(&help, opts, argc, argv, NULL, NULL, 0, 0, &ops, &n);

	if (r != 0)
		return r < 0 ? CLI_EXIT_USAGE : 0;
	/* Whether checkpoint/restore can work here, and if not why. */
	_cleanup_free_ char *version = NULL, *status = NULL;
	struct husk_error why = HUSK_ERROR_INIT;
	struct spec_kv extra[2];
	size_t n_extra = 0;
	if (criu_usable(&version, &why) == 0) {
		extra[n_extra++] =
		    (struct spec_kv){(char *)"io.github.husk.checkpoint", (char *)"enabled"};
		extra[n_extra++] = (struct spec_kv){(char *)"io.github.husk.criu.version", version};
	} else {
		status = xasprintf("unavailable: %s", husk_error_text(&why));
		extra[n_extra++] = (struct spec_kv){(char *)"io.github.husk.checkpoint", status};
	}
	husk_error_clear(&why);
	const struct spec_features_host host = {
	    .idmap_mounts = kernel_has(KERNEL_MOUNT_SETATTR),
	    /* Each namespace type the kernel has is a file in /proc/self/ns. */
	    .time_namespace = access("/proc/self/ns/time", F_OK) == 0,
	    .seccomp_notify = kernel_has(KERNEL_SECCOMP_NOTIFY),
	};
	if (spec_features_emit(&host, extra, n_extra, &json, &len, &err) < 0)
		return husk_error_report(&err);
	printf("%s\n", json);
	return 0;
}
