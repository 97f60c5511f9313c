// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "linux/linux.h"
#include <errno.h>
#include <stdlib.h>
struct cgroup_handle { int dummy; };
int cgroup_setup(const struct spec_config *cfg, const char *id, const struct husk_globals *g, struct cgroup_handle **out, struct husk_error *err) { *out = calloc(1, sizeof **out); return 0; }
int cgroup_clone_into_fd(const struct cgroup_handle *cg) { return -1; }
int cgroup_enter(struct cgroup_handle *cg, pid_t pid, struct husk_error *err) { return 0; }
void cgroup_save(const struct cgroup_handle *cg, struct spec_state *st) { }
int cgroup_load(const struct spec_state *st, const struct husk_globals *g, struct cgroup_handle **out, struct husk_error *err) { *out = calloc(1, sizeof **out); return 0; }
int cgroup_destroy(struct cgroup_handle *cg, struct husk_error *err) { return 0; }
int cgroup_freeze(struct cgroup_handle *cg, bool freeze, struct husk_error *err) { return husk_error_set(err, ENOSYS, "freeze: not implemented"); }
int cgroup_is_frozen(const struct cgroup_handle *cg, bool *frozen, struct husk_error *err) { *frozen = false; return 0; }
int cgroup_update(struct cgroup_handle *cg, const struct spec_resources *res, struct husk_error *err) { return husk_error_set(err, ENOSYS, "update: not implemented"); }
int cgroup_pids(const struct cgroup_handle *cg, pid_t **pids, size_t *n, struct husk_error *err) { *pids = NULL; *n = 0; return 0; }
int cgroup_kill_all(const struct cgroup_handle *cg, int sig, struct husk_error *err) { return 0; }
const char *cgroup_path(const struct cgroup_handle *cg) { return "/"; }
void cgroup_handle_free(struct cgroup_handle *cg) { free(cg); }
