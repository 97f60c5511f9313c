// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "tests/unit.h"
int main(void) { return 77; }
