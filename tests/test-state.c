// SPDX-License-Identifier: GPL-2.0-or-later
/* The state document (public and stored) and the features document. */
#include "config.h"
#include "tests/unit.h"

#include <yajl/yajl_tree.h>

#include "runtime/util.h"
#include "spec/json.h"
#include "spec/state.h"

static struct spec_kv annotations[] = {
    {(char *)"org.example/key", (char *)"value with \"quotes\""},
    {(char *)"empty", (char *)""},
};

static const struct spec_state sample = {
    .oci_version = (char *)"1.3.0",
    .id = (char *)"spec-abc",
    .status = (char *)"running",
    .pid = 4242,
    .bundle = (char *)"/run/bundles/abc",
    .annotations = annotations,
    .n_annotations = 2,
    .rootfs = (char *)"/run/bundles/abc/rootfs",
    .created = (char *)"2024-01-02T03:04:05.123456789Z",
    .owner = (char *)"",
    .start_time = 18446744073709551615ull,
    .cgroup_path = (char *)"/machine.slice/husk-abc.scope",
    .systemd_cgroup = true,
    .systemd_unit = (char *)"husk-abc.scope",
};

static void check_oci_fields(const struct spec_state *st)
{
	EXPECT(strcmp(st->oci_version, "1.3.0") == 0);
	EXPECT(strcmp(st->id, "spec-abc") == 0);
	EXPECT(strcmp(st->status, "running") == 0);
	EXPECT(st->pid == 4242);
	EXPECT(strcmp(st->bundle, "/run/bundles/abc") == 0);
	EXPECT(st->n_annotations == 2);
	EXPECT(st->n_annotations == 2 && strcmp(st->annotations[0].key, "org.example/key") == 0 &&
	       strcmp(st->annotations[0].value, "value with \"quotes\"") == 0 &&
	       strcmp(st->annotations[1].value, "") == 0);
	EXPECT(strcmp(st->rootfs, "/run/bundles/abc/rootfs") == 0);
	EXPECT(strcmp(st->created, "2024-01-02T03:04:05.123456789Z") == 0);
	EXPECT(st->owner && strcmp(st->owner, "") == 0);
}

TEST(stored_round_trip)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	struct spec_state *st = NULL;
	size_t len = 0;

	ASSERT_OK(spec_state_emit(&sample, SPEC_STATE_STORED, &text, &len, &err), &err);
	ASSERT_INT_EQ(len, strlen(text));
	ASSERT_OK(spec_state_parse(text, len, &st, &err), &err);
	check_oci_fields(st);
	ASSERT_UINT_EQ(st->start_time, 18446744073709551615ull);
	ASSERT_STREQ(st->cgroup_path, "/machine.slice/husk-abc.scope");
	ASSERT(st->systemd_cgroup);
	ASSERT_STREQ(st->systemd_unit, "husk-abc.scope");
	spec_state_free(st);
}

/* Per hierarchy, what husk created below cgroup_path survives the file. */
TEST(cgroup_owned_round_trip)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_cgroup_owned owned[] = {
	    {(char *)"cpu,cpuacct", 0}, {(char *)"memory", 2}, {(char *)"unified", 2}};
	struct spec_state in = {.id = (char *)"x",
				.status = (char *)"created",
				.cgroup_path = (char *)"/X/x",
				.cgroup_owned_depth = 2,
				.cgroup_owned = owned,
				.n_cgroup_owned = ARRAY_SIZE(owned),
				.has_cgroup_owned = true};
	_cleanup_free_ char *text = NULL;
	struct spec_state *st = NULL;
	size_t len = 0;

	ASSERT_OK(spec_state_emit(&in, SPEC_STATE_STORED, &text, &len, &err), &err);
	ASSERT_STRSTR(text, "\"cgroup_owned\":{\"cpu,cpuacct\":0,\"memory\":2,\"unified\":2}");
	ASSERT_OK(spec_state_parse(text, len, &st, &err), &err);
	ASSERT(st->has_cgroup_owned);
	ASSERT_UINT_EQ(st->cgroup_owned_depth, 2);
	ASSERT_UINT_EQ(st->n_cgroup_owned, 3);
	for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
		ASSERT_STREQ(st->cgroup_owned[i].hierarchy, owned[i].hierarchy);
		ASSERT_UINT_EQ(st->cgroup_owned[i].depth, owned[i].depth);
	}
	spec_state_free(st);
}

/* A file written before husk recorded depths per hierarchy: one depth,
 * no per-hierarchy record (cgroup_load uses the one for all). */
TEST(cgroup_owned_absent_in_old_files)
{
	static const char old[] = "{\"ociVersion\":\"1.3.0\",\"id\":\"a\",\"status\":\"created\","
				  "\"pid\":7,\"husk\":{\"cgroup_path\":\"/X/a\","
				  "\"cgroup_owned_depth\":2}}";
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_state *st = NULL;

	ASSERT_OK(spec_state_parse(old, strlen(old), &st, &err), &err);
	ASSERT(!st->has_cgroup_owned);
	ASSERT_UINT_EQ(st->n_cgroup_owned, 0);
	ASSERT_UINT_EQ(st->cgroup_owned_depth, 2);
	spec_state_free(st);
}

TEST(public_has_no_private_fields)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	struct spec_state *st = NULL;
	size_t len = 0;

	ASSERT_OK(spec_state_emit(&sample, SPEC_STATE_PUBLIC, &text, &len, &err), &err);
	ASSERT(strstr(text, "\"husk\"") == NULL);
	ASSERT(strstr(text, "start_time") == NULL);
	ASSERT(strstr(text, "cgroup_path") == NULL);
	/* Paths stay readable: no "\/" escapes. */
	ASSERT_STRSTR(text, "\"/run/bundles/abc\"");
	ASSERT_OK(spec_state_parse(text, len, &st, &err), &err);
	check_oci_fields(st);
	ASSERT_UINT_EQ(st->start_time, 0);
	ASSERT_NULL(st->cgroup_path);
	ASSERT(!st->systemd_cgroup);
	spec_state_free(st);
}

TEST(stopped_state_keeps_pid_zero)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	struct spec_state st = {.id = (char *)"x", .status = (char *)"stopped"};
	struct spec_state *back = NULL;
	yajl_val doc;

	ASSERT_OK(spec_state_emit(&st, SPEC_STATE_PUBLIC, &text, NULL, &err), &err);
	doc = yajl_tree_parse(text, NULL, 0);
	ASSERT_NOT_NULL(doc);
	{
		const char *pid_path[] = {"pid", NULL};
		const char *ver_path[] = {"ociVersion", NULL};
		const char *ann_path[] = {"annotations", NULL};
		yajl_val pid = yajl_tree_get(doc, pid_path, yajl_t_number);
		yajl_val ver = yajl_tree_get(doc, ver_path, yajl_t_string);
		bool has_ann = yajl_tree_get(doc, ann_path, yajl_t_any) != NULL;
		bool ok = pid && YAJL_GET_INTEGER(pid) == 0 && ver &&
			  strcmp(ver->u.string, "1.3.0") == 0 && !has_ann;
		yajl_tree_free(doc);
		ASSERT_MSG(ok, "unexpected document: %s", text);
	}
	ASSERT_OK(spec_state_parse(text, strlen(text), &back, &err), &err);
	ASSERT_INT_EQ(back->pid, 0);
	ASSERT_NULL(back->bundle);
	spec_state_free(back);
}

TEST(emit_requires_id_and_status)
{
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_state st = {.status = (char *)"created"};
	char *text = NULL;

	ASSERT(spec_state_emit(&st, SPEC_STATE_PUBLIC, &text, NULL, &err) < 0);
	ASSERT_NULL(text);
	husk_error_clear(&err);
}

TEST(parse_errors)
{
	static const struct {
		const char *json, *message;
	} cases[] = {
	    {"{\"ociVersion\":\"1.3.0\",\"status\":\"running\"}", "id: required but missing"},
	    {"{\"ociVersion\":\"1.3.0\",\"id\":\"a\",\"status\":\"dead\"}",
	     "status: unknown container status \"dead\""},
	    {"{\"ociVersion\":\"1.3.0\",\"id\":\"a\",\"status\":\"running\",\"pid\":-4}",
	     "pid: -4 is out of range [0, 2147483647]"},
	    {"{\"ociVersion\":\"1.3.0\",\"id\":\"a\",\"status\":\"running\",\"husk\":"
	     "{\"start_time\":\"x\"}}",
	     "husk.start_time: expected an integer, got a string"},
	    {"{\"ociVersion\":\"1.3.0\",\"id\":\"a\",\"status\":\"running\",\"husk\":"
	     "{\"cgroup_owned\":{\"memory\":-1}}}",
	     "husk.cgroup_owned.memory: -1 is out of range [0, 4294967295]"},
	    {"", "invalid JSON: parse error: premature EOF"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct husk_error err = HUSK_ERROR_INIT;
		struct spec_state *st = NULL;
		int r = spec_state_parse(cases[i].json, strlen(cases[i].json), &st, &err);
		if (r == 0) {
			unit_fail_at(__FILE__, __LINE__, "case %zu accepted", i);
			spec_state_free(st);
		} else if (strcmp(err.msg, cases[i].message) != 0) {
			unit_fail_at(__FILE__, __LINE__, "case %zu: got \"%s\", want \"%s\"", i,
				     err.msg, cases[i].message);
		}
		husk_error_clear(&err);
	}
}

static yajl_val get(yajl_val doc, const char *a, const char *b, const char *c, yajl_type t)
{
	const char *path[] = {a, b, c, NULL};
	return yajl_tree_get(doc, path, t);
}

static bool array_has(yajl_val arr, const char *s)
{
	for (size_t i = 0; arr && YAJL_IS_ARRAY(arr) && i < arr->u.array.len; i++)
		if (YAJL_IS_STRING(arr->u.array.values[i]) &&
		    strcmp(arr->u.array.values[i]->u.string, s) == 0)
			return true;
	return false;
}

TEST(features_document)
{
	struct husk_error err = HUSK_ERROR_INIT;
	_cleanup_free_ char *text = NULL;
	yajl_val doc, v;
	size_t len = 0;
	char errbuf[128];

	const struct spec_features_host host = {
	    .idmap_mounts = true, .time_namespace = true, .seccomp_notify = true};

	ASSERT_OK(spec_features_emit(&host, NULL, 0, &text, &len, &err), &err);
	doc = yajl_tree_parse(text, errbuf, sizeof errbuf);
	ASSERT_MSG(doc, "not JSON: %s", errbuf);
	v = get(doc, "ociVersionMin", NULL, NULL, yajl_t_string);
	EXPECT(v && strcmp(v->u.string, "1.0.0") == 0);
	v = get(doc, "ociVersionMax", NULL, NULL, yajl_t_string);
	EXPECT(v && strcmp(v->u.string, "1.3.0") == 0);
	v = get(doc, "hooks", NULL, NULL, yajl_t_array);
	EXPECT(v && v->u.array.len == 6 && array_has(v, "createRuntime"));
	EXPECT(array_has(get(doc, "mountOptions", NULL, NULL, yajl_t_array), "rbind"));
	EXPECT(array_has(get(doc, "mountOptions", NULL, NULL, yajl_t_array), "idmap"));
	v = get(doc, "linux", "namespaces", NULL, yajl_t_array);
	EXPECT(v && v->u.array.len == 8 && array_has(v, "time"));
	v = get(doc, "linux", "capabilities", NULL, yajl_t_array);
	EXPECT(v && v->u.array.len == 41 && array_has(v, "CAP_CHECKPOINT_RESTORE"));
	EXPECT(array_has(get(doc, "linux", "seccomp", "actions", yajl_t_array), "SCMP_ACT_NOTIFY"));
	EXPECT(array_has(get(doc, "linux", "seccomp", "operators", yajl_t_array),
			 "SCMP_CMP_MASKED_EQ"));
	EXPECT(array_has(get(doc, "linux", "seccomp", "archs", yajl_t_array), "SCMP_ARCH_X86_64"));
	EXPECT(array_has(get(doc, "linux", "seccomp", "knownFlags", yajl_t_array),
			 "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
	/* TSYNC has been in every kernel husk can run on (3.17). */
	EXPECT(array_has(get(doc, "linux", "seccomp", "supportedFlags", yajl_t_array),
			 "SECCOMP_FILTER_FLAG_TSYNC"));
	EXPECT(get(doc, "linux", "cgroup", "v2", yajl_t_true) != NULL);
	EXPECT(array_has(get(doc, "linux", "memoryPolicy", "modes", yajl_t_array), "MPOL_BIND"));
	EXPECT(get(doc, "linux", "mountExtensions", "idmap", yajl_t_object) != NULL);
	EXPECT(get(doc, "linux", "netDevices", "enabled", yajl_t_any) != NULL);
	yajl_tree_free(doc);
}

/* features reports only what the kernel offers: no time namespace before
 * 5.6, no idmapped mounts before 5.12. */
TEST(features_on_an_old_kernel)
{
	struct husk_error err = HUSK_ERROR_INIT;
	const struct spec_features_host host = {
	    .idmap_mounts = false, .time_namespace = false, .seccomp_notify = false};
	const char *idmap[] = {"linux", "mountExtensions", "idmap", "enabled", NULL};
	_cleanup_free_ char *text = NULL;
	yajl_val doc, v;
	size_t len = 0;
	char errbuf[128];

	ASSERT_OK(spec_features_emit(&host, NULL, 0, &text, &len, &err), &err);
	doc = yajl_tree_parse(text, errbuf, sizeof errbuf);
	ASSERT_MSG(doc, "not JSON: %s", errbuf);
	v = get(doc, "linux", "namespaces", NULL, yajl_t_array);
	EXPECT(v && v->u.array.len == 7 && !array_has(v, "time") && array_has(v, "cgroup"));
	EXPECT(yajl_tree_get(doc, idmap, yajl_t_false) != NULL);
	v = get(doc, "linux", "seccomp", "actions", yajl_t_array);
	EXPECT(v && !array_has(v, "SCMP_ACT_NOTIFY") && array_has(v, "SCMP_ACT_ERRNO"));
	yajl_tree_free(doc);
}

int main(void)
{
	RUN(stored_round_trip);
	RUN(cgroup_owned_round_trip);
	RUN(cgroup_owned_absent_in_old_files);
	RUN(public_has_no_private_fields);
	RUN(stopped_state_keeps_pid_zero);
	RUN(emit_requires_id_and_status);
	RUN(parse_errors);
	RUN(features_document);
	RUN(features_on_an_old_kernel);
	return unit_done();
}
