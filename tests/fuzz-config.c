// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for every JSON document husk reads: config.json, an
 * `exec --process` document, an `update --resources` document and the
 * state file.  A state document that parses must survive emit -> parse.
 * `husk check`'s parse of config.json (which reads on past bad fields)
 * finds an error exactly when create's parse fails.
 *   make fuzz && ./tests/fuzz-config -max_total_time=60 tests/data/corpus-config
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/util.h"
#include "spec/check.h"
#include "spec/oci_config.h"
#include "spec/state.h"

static void state_round_trip(const struct spec_state *st)
{
	struct husk_error err = HUSK_ERROR_INIT;
	char *text = NULL;
	size_t len = 0;
	struct spec_state *back = NULL;

	if (spec_state_emit(st, SPEC_STATE_STORED, &text, &len, &err) < 0)
		abort();
	if (spec_state_parse(text, len, &back, &err) < 0)
		abort();
	if (strcmp(back->id, st->id) != 0 || strcmp(back->status, st->status) != 0 ||
	    back->pid != st->pid || back->start_time != st->start_time)
		abort();
	spec_state_free(back);
	free(text);
}

/* Every problem has a path and a message; errors iff create refuses. */
static void check_agrees(const char *text, size_t size, bool parses)
{
	struct check_report report = {0};
	struct spec_config *cfg = NULL;

	if (spec_config_check(text, size, &cfg, &report) == 0)
		spec_config_free(cfg);
	for (size_t i = 0; i < report.n; i++)
		if (report.items[i].path == NULL || report.items[i].message == NULL)
			abort();
	if (parses != (report.n_errors == 0))
		abort();
	check_report_free(&report);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct husk_error err = HUSK_ERROR_INIT;
	const char *text = (const char *)data;
	struct spec_config *cfg = NULL;
	struct spec_process *proc = NULL;
	struct spec_resources *res = NULL;
	struct spec_state *st = NULL;

	if (spec_config_parse(text, size, &cfg, &err) == 0) {
		spec_config_free(cfg);
		check_agrees(text, size, true);
	} else {
		if (err.msg == NULL)
			abort(); /* every failure must say why */
		check_agrees(text, size, false);
	}
	husk_error_clear(&err);

	if (spec_process_parse(text, size, &proc, &err) == 0)
		spec_process_free(proc);
	husk_error_clear(&err);

	if (spec_resources_parse(text, size, &res, &err) == 0)
		spec_resources_free(res);
	husk_error_clear(&err);

	if (spec_state_parse(text, size, &st, &err) == 0) {
		state_round_trip(st);
		spec_state_free(st);
	}
	husk_error_clear(&err);
	return 0;
}
