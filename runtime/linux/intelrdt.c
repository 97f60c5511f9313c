// SPDX-License-Identifier: GPL-2.0-or-later
/* linux.intelRdt: the container's resctrl group. */
#include "config.h"
#include "linux/linux.h"

#include <errno.h>

int intelrdt_setup(const struct spec_config *cfg, const char *id, pid_t pid,
		   struct husk_error *err)
{
	return husk_error_set(err, ENOTSUP, "linux.intelRdt: not implemented yet");
}

int intelrdt_destroy(const struct spec_config *cfg, const char *id, struct husk_error *err)
{
	return 0;
}
