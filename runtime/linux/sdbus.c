// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#define HUSK_SDBUS_IMPL
#include "linux/sdbus.h"

#ifdef HAVE_SYSTEMD
#include <dlfcn.h>
#include <errno.h>

struct husk_sdbus husk_sdbus;

int sdbus_load(struct husk_error *err)
{
	static void *handle;
	void *sym;

	if (handle)
		return 0;
	handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		return husk_error_set(err, ENOENT, "systemd cgroup driver: load libsystemd: %s",
				      dlerror());
#define HUSK_SDBUS_RESOLVE(name)                                                                   \
	sym = dlsym(handle, #name);                                                                \
	if (sym == NULL) {                                                                         \
		dlclose(handle);                                                                   \
		handle = NULL;                                                                     \
		return husk_error_set(err, ENOENT, "systemd cgroup driver: libsystemd has no %s",  \
				      #name);                                                      \
	}                                                                                          \
	*(void **)&husk_sdbus.name = sym;
	HUSK_SDBUS_FUNCS(HUSK_SDBUS_RESOLVE)
#undef HUSK_SDBUS_RESOLVE
	return 0;
}
#endif
