// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
#include <errno.h>
int process_exec(const struct exec_opts *o, struct husk_error *err) { return husk_error_set(err, ENOSYS, "exec"); }
int process_set_rlimits(const struct spec_process *p, struct husk_error *err) { return 0; }
int process_set_oom_score_adj(const struct spec_process *p, struct husk_error *err) { return 0; }
