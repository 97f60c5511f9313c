// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a fuzzed linux.seccomp object, wrapped into a minimal
 * config.json, parsed, then compiled to BPF.  Compilation must either fail
 * with a message or give a program; it must never crash, leak or loop.
 * The input is the seccomp object itself, so the fuzzer spends its time
 * on actions, args and architectures rather than on the rest of the config.
 */
#include "config.h"
#include "linux/linux.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every input is a new profile: keep them out of the host's filter cache. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("HUSK_SECCOMP_CACHE", "", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
				   "\"process\":{\"cwd\":\"/\",\"args\":[\"true\"]},"
				   "\"linux\":{\"seccomp\":";
	static const char tail[] = "}}";
	struct husk_error err = HUSK_ERROR_INIT;
	struct spec_config *cfg = NULL;
	struct seccomp_prog *prog = NULL;
	char *doc;
	size_t len;

	if (size > 1 << 16)
		return 0;
	len = sizeof head - 1 + size + sizeof tail - 1;
	doc = xmalloc(len + 1);
	memcpy(doc, head, sizeof head - 1);
	memcpy(doc + sizeof head - 1, data, size);
	memcpy(doc + sizeof head - 1 + size, tail, sizeof tail);
	if (spec_config_parse(doc, len, &cfg, &err) == 0) {
		if (cfg->linux && cfg->linux->seccomp &&
		    seccomp_compile(cfg->linux->seccomp, &prog, &err) == 0 && cfg->linux->seccomp &&
		    prog == NULL)
			abort(); /* a seccomp object always gives a program */
		seccomp_prog_free(prog);
		spec_config_free(cfg);
	}
	husk_error_clear(&err);
	free(doc);
	return 0;
}
