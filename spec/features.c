// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "spec/state.h"
#include <errno.h>
int spec_features_emit(char **out, size_t *len, struct husk_error *err) { return husk_error_set(err, ENOSYS, "features not implemented"); }
