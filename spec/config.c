// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "spec/config.h"
#include <errno.h>
#include <stdlib.h>
int spec_config_parse(const char *json, size_t len, struct spec_config **out, struct husk_error *err) { return husk_error_set(err, ENOSYS, "parser not implemented"); }
int spec_config_load(const char *path, struct spec_config **out, struct husk_error *err) { return husk_error_set(err, ENOSYS, "parser not implemented"); }
void spec_config_free(struct spec_config *cfg) { }
int spec_process_parse(const char *json, size_t len, struct spec_process **out, struct husk_error *err) { return husk_error_set(err, ENOSYS, "parser not implemented"); }
void spec_process_free(struct spec_process *p) { }
int spec_resources_parse(const char *json, size_t len, struct spec_resources **out, struct husk_error *err) { return husk_error_set(err, ENOSYS, "parser not implemented"); }
void spec_resources_free(struct spec_resources *r) { }
const struct spec_namespace *spec_config_namespace(const struct spec_config *cfg, enum spec_ns_type type) { return NULL; }
const char *spec_annotation(const struct spec_config *cfg, const char *key) { return NULL; }
