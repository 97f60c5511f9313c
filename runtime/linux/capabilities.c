// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
int capabilities_apply(const struct spec_capabilities *caps, struct husk_error *err) { return 0; }
int capabilities_keep(struct husk_error *err) { return 0; }
