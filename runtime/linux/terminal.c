// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
#include <errno.h>
int terminal_setup(struct init_ctx *ctx, const struct spec_process *p, struct husk_error *err) { return husk_error_set(err, ENOSYS, "terminal: not implemented"); }
int terminal_send_fd(int sock, int fd, const char *name, struct husk_error *err) { return husk_error_set(err, ENOSYS, "terminal: not implemented"); }
int terminal_recv_fd(int sock, int *fd, struct husk_error *err) { return husk_error_set(err, ENOSYS, "terminal: not implemented"); }
int terminal_proxy(int master, struct husk_error *err) { return husk_error_set(err, ENOSYS, "terminal: not implemented"); }
