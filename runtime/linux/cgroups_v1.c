// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/cgroups.h"
