// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "spec/state.h"
#include <errno.h>
int spec_state_emit(const struct spec_state *st, enum spec_state_format fmt, char **out, size_t *len, struct husk_error *err) { return husk_error_set(err, ENOSYS, "state emit not implemented"); }
int spec_state_parse(const char *json, size_t len, struct spec_state **out, struct husk_error *err) { return husk_error_set(err, ENOSYS, "state parse not implemented"); }
void spec_state_free(struct spec_state *st) { }
