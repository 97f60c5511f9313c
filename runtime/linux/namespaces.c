// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
int namespaces_clone_flags(const struct spec_config *cfg) { return 0; }
int namespaces_open_paths(const struct spec_config *cfg, int fds[SPEC_NS_COUNT], struct husk_error *err) { return 0; }
int namespaces_join(int fds[SPEC_NS_COUNT], struct husk_error *err) { return 0; }
int namespaces_write_id_maps(pid_t pid, const struct spec_config *cfg, struct husk_error *err) { return 0; }
void namespaces_close(int fds[SPEC_NS_COUNT]) { }
