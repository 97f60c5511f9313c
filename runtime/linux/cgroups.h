// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#ifndef HUSK_CGROUPS_H
#define HUSK_CGROUPS_H
#include "linux/linux.h"
#endif
