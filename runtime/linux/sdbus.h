/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd-bus, loaded with dlopen() the first time the systemd cgroup driver is
 * used.  libsystemd drags in gcrypt, lzma, zstd and lz4: linking it would
 * make every start of husk map them, for a driver most runs never touch.
 * Include this instead of <systemd/sd-bus.h> and call sdbus_load() first.
 */
#ifndef HUSK_SDBUS_H
#define HUSK_SDBUS_H

#include "error.h"

#ifdef HAVE_SYSTEMD
#include <systemd/sd-bus.h>

#define HUSK_SDBUS_FUNCS(X)                                                                        \
	X(sd_bus_call)                                                                             \
	X(sd_bus_call_method)                                                                      \
	X(sd_bus_error_free)                                                                       \
	X(sd_bus_error_has_name)                                                                   \
	X(sd_bus_error_is_set)                                                                     \
	X(sd_bus_flush_close_unref)                                                                \
	X(sd_bus_match_signal)                                                                     \
	X(sd_bus_message_append)                                                                   \
	X(sd_bus_message_append_array)                                                             \
	X(sd_bus_message_close_container)                                                          \
	X(sd_bus_message_new_method_call)                                                          \
	X(sd_bus_message_open_container)                                                           \
	X(sd_bus_message_read)                                                                     \
	X(sd_bus_message_unref)                                                                    \
	X(sd_bus_open_system)                                                                      \
	X(sd_bus_open_user)                                                                        \
	X(sd_bus_new)                                                                              \
	X(sd_bus_set_address)                                                                      \
	X(sd_bus_start)                                                                            \
	X(sd_bus_process)                                                                          \
	X(sd_bus_slot_unref)                                                                       \
	X(sd_bus_wait)

struct husk_sdbus {
#define HUSK_SDBUS_MEMBER(name) __typeof__(name) *name;
	HUSK_SDBUS_FUNCS(HUSK_SDBUS_MEMBER)
#undef HUSK_SDBUS_MEMBER
};
extern struct husk_sdbus husk_sdbus;

/* Load libsystemd.so.0 and resolve every function; once per process. */
int sdbus_load(struct husk_error *err);

#ifndef HUSK_SDBUS_IMPL
#define sd_bus_call (*husk_sdbus.sd_bus_call)
#define sd_bus_call_method (*husk_sdbus.sd_bus_call_method)
#define sd_bus_error_free (*husk_sdbus.sd_bus_error_free)
#define sd_bus_error_has_name (*husk_sdbus.sd_bus_error_has_name)
#define sd_bus_error_is_set (*husk_sdbus.sd_bus_error_is_set)
#define sd_bus_flush_close_unref (*husk_sdbus.sd_bus_flush_close_unref)
#define sd_bus_match_signal (*husk_sdbus.sd_bus_match_signal)
#define sd_bus_message_append (*husk_sdbus.sd_bus_message_append)
#define sd_bus_message_append_array (*husk_sdbus.sd_bus_message_append_array)
#define sd_bus_message_close_container (*husk_sdbus.sd_bus_message_close_container)
#define sd_bus_message_new_method_call (*husk_sdbus.sd_bus_message_new_method_call)
#define sd_bus_message_open_container (*husk_sdbus.sd_bus_message_open_container)
#define sd_bus_message_read (*husk_sdbus.sd_bus_message_read)
#define sd_bus_message_unref (*husk_sdbus.sd_bus_message_unref)
#define sd_bus_open_system (*husk_sdbus.sd_bus_open_system)
#define sd_bus_open_user (*husk_sdbus.sd_bus_open_user)
#define sd_bus_new (*husk_sdbus.sd_bus_new)
#define sd_bus_set_address (*husk_sdbus.sd_bus_set_address)
#define sd_bus_start (*husk_sdbus.sd_bus_start)
#define sd_bus_process (*husk_sdbus.sd_bus_process)
#define sd_bus_slot_unref (*husk_sdbus.sd_bus_slot_unref)
#define sd_bus_wait (*husk_sdbus.sd_bus_wait)
#endif
#endif /* HAVE_SYSTEMD */

#endif
