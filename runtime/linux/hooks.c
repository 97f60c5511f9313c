// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
const struct spec_hook_list *hooks_of_kind(const struct spec_config *cfg, enum hook_kind kind) { return NULL; }
int hooks_run(const struct spec_config *cfg, enum hook_kind kind, const char *state_json, struct husk_error *err) { return 0; }
