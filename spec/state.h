/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state document.  `husk state` prints the OCI fields (plus runc's
 * rootfs/created/owner); <root>/<id>/state.json holds the same plus what
 * husk needs to find the container again.
 */
#ifndef HUSK_SPEC_STATE_H
#define HUSK_SPEC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/oci_config.h"

/* How many trailing components of cgroup_path husk created in one hierarchy:
 * a v1 hierarchy named by its controllers as /proc/self/cgroup lists them
 * ("cpu,cpuacct", "name=systemd"), cgroup2 as "unified".  Stored as
 * husk.cgroup_owned: {"cpu,cpuacct": 0, "memory": 2, "unified": 2}. */
struct spec_cgroup_owned {
	char *hierarchy;
	uint32_t depth;
};
#define SPEC_CGROUP_UNIFIED "unified"

struct spec_state {
	char *oci_version;
	char *id;
	char *status; /* creating | created | running | stopped | paused */
	pid_t pid;
	char *bundle;
	struct spec_kv *annotations;
	size_t n_annotations;
	/* runc-compatible extras printed by `state` */
	char *rootfs;
	char *created; /* RFC 3339 */
	char *owner;
	/* husk's own, only in the stored file */
	uint64_t start_time; /* init's start time, /proc/PID/stat field 22 */
	char *cgroup_path;   /* the container's cgroup, relative to each hierarchy */
	bool systemd_cgroup; /* created through the systemd driver */
	char *systemd_unit;  /* the transient scope, when systemd_cgroup */
	/* The most trailing components of cgroup_path husk created in any
	 * hierarchy: what a state file without cgroup_owned (husk before
	 * 2026-12) has, for every hierarchy alike; still written for them. */
	uint32_t cgroup_owned_depth;
	/* Per hierarchy; a hierarchy not listed has nothing of husk's.  When
	 * !has_cgroup_owned (an old file), cgroup_owned_depth counts for all. */
	struct spec_cgroup_owned *cgroup_owned;
	size_t n_cgroup_owned;
	bool has_cgroup_owned;
};

enum spec_state_format {
	SPEC_STATE_PUBLIC, /* `husk state`, hooks' stdin */
	SPEC_STATE_STORED, /* <root>/<id>/state.json */
};

int spec_state_emit(const struct spec_state *st, enum spec_state_format fmt, char **out,
		    size_t *len, struct husk_error *err);
int spec_state_parse(const char *json, size_t len, struct spec_state **out, struct husk_error *err);
void spec_state_free(struct spec_state *st);
void spec_cgroup_owned_free(struct spec_cgroup_owned *o, size_t n);

/* `husk features`: the features document for this build. */
/* extra: annotations of the running system (CRIU's status).  host: what
 * the running kernel offers, found by the runtime (features reports only
 * what would work here). */
struct spec_features_host {
	bool idmap_mounts;   /* mount_setattr, 5.12 */
	bool time_namespace; /* 5.6 */
	bool seccomp_notify; /* SCMP_ACT_NOTIFY: 5.0 */
};
int spec_features_emit(const struct spec_features_host *host, const struct spec_kv *extra,
		       size_t n_extra, char **out, size_t *len, struct husk_error *err);

#endif
