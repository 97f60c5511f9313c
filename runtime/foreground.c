// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "foreground.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static volatile sig_atomic_t forward_pid = -1;
static volatile sig_atomic_t forward_pidfd = -1;

static void forward_signal(int sig)
{
	int saved = errno;

	/* a pidfd cannot hit a recycled pid; kill() is for kernels without one */
	if (forward_pidfd >= 0)
		syscall(SYS_pidfd_send_signal, (int)forward_pidfd, sig, NULL, 0);
	else if (forward_pid > 0)
		kill((pid_t)forward_pid, sig);
	errno = saved;
}

void foreground_forward_signals(pid_t pid, bool tty_keys_via_pty)
{
	static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
	struct sigaction sa = {.sa_handler = forward_signal, .sa_flags = SA_RESTART};

	forward_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	forward_pid = pid;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		if (tty_keys_via_pty && (sigs[i] == SIGINT || sigs[i] == SIGQUIT))
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int foreground_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 255;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}
