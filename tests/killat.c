// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * killat: run a command under ptrace and SIGKILL it on entry to its Nth
 * system call (counting every syscall of that one process, across execve,
 * not its children), or just count its system calls.  strace's
 * inject=...:when=N counts each syscall separately, so it cannot say
 * "the Nth syscall, whichever it is".  Used by tests/fault/sweep.sh.
 *
 *   killat -n N CMD...      kill CMD just before its Nth syscall (1-based)
 *   killat -c FILE CMD...   run CMD to the end, write its syscall count to FILE
 *   killat -n N -x SHELLCMD CMD...
 *                           instead of killing CMD, hold it just before its
 *                           Nth syscall while `sh -c SHELLCMD` runs, then let
 *                           it go on: a test makes the world change at an
 *                           exact point of CMD (a process dies, a pid is
 *                           reused) without a race
 *
 * Exit status: CMD's, 128+signal when killed.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ptrace.h>

static int usage(void)
{
	fprintf(stderr, "usage: killat (-n N [-x SHELLCMD] | -c COUNTFILE) CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long target = 0;
	const char *countfile = NULL, *hold_cmd = NULL;
	long count = 0;
	int opt, status;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+n:c:x:")) != -1) {
		if (opt == 'n')
			target = strtol(optarg, NULL, 10);
		else if (opt == 'c')
			countfile = optarg;
		else if (opt == 'x')
			hold_cmd = optarg;
		else
			return usage();
	}
	if (optind >= argc || (target <= 0 && countfile == NULL))
		return usage();
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(127);
		raise(SIGSTOP);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status))
		return perror("waitpid"), 1;
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
	ptrace(PTRACE_SYSCALL, pid, NULL, NULL);
	for (;;) {
		int sig = 0;
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return perror("waitpid"), 1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			struct ptrace_syscall_info info;
			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info) > 0 &&
			    info.op == PTRACE_SYSCALL_INFO_ENTRY && ++count == target) {
				if (hold_cmd) {
					/* the tracee stays stopped until the command is done */
					fflush(NULL);
					if (system(hold_cmd) != 0)
						fprintf(stderr, "killat: `%s` failed\n", hold_cmd);
					ptrace(PTRACE_SYSCALL, pid, NULL, NULL);
					continue;
				}
				kill(pid, SIGKILL);
				ptrace(PTRACE_CONT, pid, NULL, NULL);
				continue;
			}
		} else if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
			/* the exec event stop; not a signal to pass on */
		} else {
			sig = WSTOPSIG(status);
			if (sig == SIGTRAP)
				sig = 0;
		}
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig);
	}
	if (countfile) {
		FILE *f = fopen(countfile, "we");
		if (f) {
			fprintf(f, "%ld\n", count);
			fclose(f);
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
