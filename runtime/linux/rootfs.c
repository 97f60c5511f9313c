// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
#include <errno.h>
int rootfs_setup(struct init_ctx *ctx, struct husk_error *err) { return husk_error_set(err, ENOSYS, "rootfs_setup: not implemented"); }
int rootfs_pivot(struct init_ctx *ctx, struct husk_error *err) { return husk_error_set(err, ENOSYS, "rootfs_pivot: not implemented"); }
int rootfs_finish(struct init_ctx *ctx, struct husk_error *err) { return husk_error_set(err, ENOSYS, "rootfs_finish: not implemented"); }
