// SPDX-License-Identifier: GPL-2.0-or-later
/* linux.netDevices: host interfaces moved into the container. */
#include "config.h"
#include "linux/linux.h"

#include <errno.h>

int netdevices_move(const struct spec_config *cfg, pid_t pid, struct husk_error *err)
{
	return husk_error_set(err, ENOTSUP, "linux.netDevices: not implemented yet");
}
