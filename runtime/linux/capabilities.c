// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * process.capabilities: leave the process with exactly the configured
 * bounding, permitted, effective, inheritable and ambient sets.
 *
 * Order matters because each step needs privileges a later one removes:
 *   1. clear ambient, so nothing unlisted survives into the new program;
 *   2. raise effective to everything permitted (CAP_SETPCAP is needed to
 *      drop bounding caps) and set inheritable while the old bounding set
 *      still allows it;
 *   3. drop every bounding cap not listed;
 *   4. shrink permitted and effective to the configured sets;
 *   5. raise each listed ambient cap (the kernel wants it permitted and
 *      inheritable, which step 4 left as configured).
 */
#include "config.h"
#include "linux/linux.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* Highest capability this kernel knows: libcap probes PR_CAPBSET_READ,
 * so it is right even when libcap's own name table is older or newer. */
static int last_cap(void)
{
	static int last = -1;

	if (last < 0) {
		last = (int)cap_max_bits() - 1;
		if (last < 0 || last > 63)
			last = CAP_LAST_CAP;
	}
	return last;
}

static int cap_number(const char *name)
{
	cap_value_t v;

	/* cap_from_name also takes bare numbers; the spec only has names */
	if (name == NULL || strncasecmp(name, "CAP_", 4) != 0)
		return -1;
	if (cap_from_name(name, &v) < 0)
		return -1;
	return (int)v;
}

/* The listed names as a bit mask; names unknown here or to this kernel are
 * warned about and left out (the runtime-spec asks for a warning). */
static uint64_t names_to_mask(char **names, const char *set)
{
	uint64_t mask = 0;

	for (size_t i = 0; names && names[i]; i++) {
		int n = cap_number(names[i]);

		if (n < 0) {
			husk_warn("process.capabilities.%s: unknown capability `%s`, skipped", set,
				  names[i]);
			continue;
		}
		if (n > last_cap()) {
			husk_warn("process.capabilities.%s: `%s` is not supported by this kernel "
				  "(cap_last_cap %d), skipped",
				  set, names[i], last_cap());
			continue;
		}
		mask |= UINT64_C(1) << n;
	}
	return mask;
}

static uint64_t flag_mask(cap_t c, cap_flag_t flag)
{
	uint64_t mask = 0;

	for (int n = 0; n <= last_cap(); n++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(c, n, flag, &v) == 0 && v == CAP_SET)
			mask |= UINT64_C(1) << n;
	}
	return mask;
}

/* Which of the capabilities in ASK are in our bounding set.  Only those
 * are asked: one prctl each, and a config keeps few (the default three),
 * where reading the whole set was 41 calls in every container init. */
static uint64_t bounding_mask(uint64_t ask)
{
	uint64_t mask = 0;

	for (int n = 0; n <= last_cap(); n++)
		if ((ask & (UINT64_C(1) << n)) && prctl(PR_CAPBSET_READ, n, 0, 0, 0) == 1)
			mask |= UINT64_C(1) << n;
	return mask;
}

/* Drop N from the bounding set.  Dropping one that is not there succeeds
 * when we hold CAP_SETPCAP; without it, that is no error either. */
static int bounding_drop(int n, struct husk_error *err)
{
	if (prctl(PR_CAPBSET_DROP, n, 0, 0, 0) == 0)
		return 0;
	if (errno == EPERM && prctl(PR_CAPBSET_READ, n, 0, 0, 0) == 0)
		return 0;
	return husk_error_errno(err, "drop %d from the bounding set", n);
}

static void warn_unavailable(uint64_t missing, const char *set, const char *why)
{
	for (int n = 0; n <= last_cap(); n++)
		if (missing & (UINT64_C(1) << n)) {
			char *name = cap_to_name(n);

			husk_warn("process.capabilities.%s: %s %s, skipped", set, name ? name : "?",
				  why);
			cap_free(name);
		}
}

static int set_proc(uint64_t prm, uint64_t eff, uint64_t inh, struct husk_error *err)
{
	cap_t c = cap_init();
	int r = 0;

	if (c == NULL)
		return husk_error_errno(err, "cap_init");
	for (int n = 0; n <= last_cap() && r == 0; n++) {
		cap_value_t v = n;
		uint64_t bit = UINT64_C(1) << n;

		if (prm & bit)
			r = cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET);
		if (r == 0 && (eff & bit))
			r = cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET);
		if (r == 0 && (inh & bit))
			r = cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	if (r == 0)
		r = cap_set_proc(c);
	if (r < 0)
		husk_error_errno(err, "capset");
	cap_free(c);
	return r < 0 ? -1 : 0;
}

int capabilities_keep(struct husk_error *err)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return husk_error_errno(err, "prctl(PR_SET_KEEPCAPS)");
	return 0;
}

int capabilities_apply(const struct spec_capabilities *caps, struct husk_error *err)
{
	uint64_t want_bnd, want_prm, want_eff, want_inh, want_amb;
	uint64_t have_prm, have_inh, have_bnd, missing;
	cap_t cur;

	if (caps == NULL)
		return 0;
	want_bnd = names_to_mask(caps->bounding, "bounding");
	want_prm = names_to_mask(caps->permitted, "permitted");
	want_eff = names_to_mask(caps->effective, "effective");
	want_inh = names_to_mask(caps->inheritable, "inheritable");
	want_amb = names_to_mask(caps->ambient, "ambient");

	/* 1 */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return husk_error_errno(err, "clear the ambient set");

	cur = cap_get_proc();
	if (cur == NULL)
		return husk_error_errno(err, "cap_get_proc");
	have_prm = flag_mask(cur, CAP_PERMITTED);
	have_inh = flag_mask(cur, CAP_INHERITABLE);
	cap_free(cur);
	have_bnd = bounding_mask(want_bnd | want_inh);

	/* The runtime cannot hand out what it does not hold (e.g. when it runs
	 * in a container itself): say so, and go on with what it has. */
	missing = want_bnd & ~have_bnd;
	warn_unavailable(missing, "bounding", "is not in the runtime's bounding set");
	want_bnd &= have_bnd;
	missing = (want_prm | want_eff) & ~have_prm;
	warn_unavailable(missing & want_prm, "permitted", "is not held by the runtime");
	warn_unavailable(missing & want_eff, "effective", "is not held by the runtime");
	want_prm &= have_prm;
	want_eff &= have_prm;
	missing = want_inh & ~(have_inh | have_bnd);
	warn_unavailable(missing, "inheritable", "is not in the runtime's bounding set");
	want_inh &= have_inh | have_bnd;

	if (want_eff & ~want_prm)
		return husk_error_set(err, EINVAL,
				      "process.capabilities.effective: every effective capability "
				      "must also be permitted");

	/* 2 */
	if (set_proc(have_prm, have_prm, want_inh, err) < 0)
		return husk_error_prefix(err, "set the inheritable set");

	/* 3 */
	for (int n = 0; n <= last_cap(); n++)
		if (!(want_bnd & (UINT64_C(1) << n)) && bounding_drop(n, err) < 0)
			return -1;

	/* 4 */
	if (set_proc(want_prm, want_eff, want_inh, err) < 0)
		return husk_error_prefix(err, "set the permitted and effective sets");

	/* 5: the kernel keeps an ambient capability only while it is both
	 * permitted and inheritable.  Clients ask for more (buildah lists
	 * ambient caps with no inheritable set at all): what the config
	 * itself rules out is dropped quietly, as runc does, rather than
	 * written to the container's stderr once per capability. */
	if (want_amb & ~(want_prm & want_inh))
		husk_debug("process.capabilities.ambient: %#" PRIx64
			   " not both permitted and inheritable, skipped",
			   want_amb & ~(want_prm & want_inh));
	want_amb &= want_prm & want_inh;
	for (int n = 0; n <= last_cap(); n++) {
		if (!(want_amb & (UINT64_C(1) << n)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, n, 0, 0) < 0)
			return husk_error_errno(err, "raise %d in the ambient set", n);
	}
	return 0;
}
