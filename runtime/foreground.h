/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * husk in the foreground of a container process (`run`, `exec` without
 * --detach): signals sent to husk go on to the process, and husk exits with
 * the process's status.
 */
#ifndef HUSK_FOREGROUND_H
#define HUSK_FOREGROUND_H

#include <stdbool.h>
#include <sys/types.h>

/* SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1 and SIGUSR2 received by husk are
 * sent on to `pid`.  With `tty_keys_via_pty`, SIGINT and SIGQUIT are left
 * alone: ^C and ^\ already reach the process through its pty. */
void foreground_forward_signals(pid_t pid, bool tty_keys_via_pty);

/* Reap the child `pid`: its exit code, 128 + the signal that killed it,
 * or 255 when it cannot be waited for. */
int foreground_wait(pid_t pid);

#endif
