// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CVE-2019-5736: while the runtime works inside a container, a process of
 * that container can reach the runtime's binary through /proc/<pid>/exe
 * (or by making the container's program a `#!/proc/self/exe` script) and,
 * once the runtime exits, open it for writing and replace the host's
 * binary.  So the commands that enter a container run from a sealed memfd
 * copy of the binary instead: there is nothing on the host to write to,
 * and the copy itself refuses writes, truncation and growth.
 *
 * Only create, run, exec (and anything this file does not recognise, to
 * fail safe) pay for the copy and the re-exec; state, kill, delete and the
 * other commands that never enter a container start at full speed.
 */
#include "config.h"
#include "linux/linux.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable even under vm.memfd_noexec=1 */
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020 /* Linux 6.3: no chmod */
#endif

#define SELFEXE_ENV "_HUSK_SEALED_EXE"
#define SELFEXE_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* Commands that never run code inside a container's namespaces. */
static const char *const safe_commands[] = {
    "start",  "state", "kill",	 "delete", "list",     "pause",	     "resume",
    "update", "ps",    "events", "spec",   "features", "checkpoint", NULL,
};

/* Global options followed by a separate value (see main.c). */
static const char *const value_options[] = {
    "--root", "--log", "--log-format", "--cgroup-manager", "--rootless", "--criu", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* The command is the first operand after the global options.  Anything
 * unusual (an abbreviated option, a command we do not know) is protected. */
static bool command_enters_container(int argc, char **argv)
{
	int i = 1;

	while (i < argc) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 ||
		    strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0)
			return false;
		i += in_list(value_options, a) ? 2 : 1;
	}
	if (i >= argc)
		return false;
	return !in_list(safe_commands, argv[i]);
}

static bool is_sealed_memfd(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & SELFEXE_SEALS) == SELFEXE_SEALS;
}

/* How much of the file execve needs: up to the end of the last program
 * header's contents.  Debug info and section headers come after it and can
 * be most of an unstripped binary (913 KB -> 230 KB for a -g build: the
 * copy is 0.4 ms of the whole cost otherwise).  The whole file on doubt. */
static off_t exec_size(int fd, off_t file_size)
{
	Elf64_Ehdr eh;
	off_t end = 0;

	if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > 64)
		return file_size;
	/* the whole table in one read (e_phnum <= 64: 3.5 KiB), not one
	 * pread per entry: 13 syscalls fewer in every create, run and exec */
	Elf64_Phdr ph[64];
	size_t table = eh.e_phnum * sizeof ph[0];

	if (pread(fd, ph, table, (off_t)eh.e_phoff) != (ssize_t)table)
		return file_size;
	for (unsigned i = 0; i < eh.e_phnum; i++)
		if ((off_t)(ph[i].p_offset + ph[i].p_filesz) > end)
			end = (off_t)(ph[i].p_offset + ph[i].p_filesz);
	end = (off_t)(eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr)) > end
		  ? (off_t)(eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr))
		  : end;
	return end > 0 && end <= file_size ? end : file_size;
}

static int sealed_copy(int src, struct husk_error *err)
{
	_cleanup_close_ int fd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	struct stat st;
	off_t off = 0, size;

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return husk_error_errno(err, "memfd_create");
	if (fstat(src, &st) < 0)
		return husk_error_errno(err, "fstat /proc/self/exe");
	size = exec_size(src, st.st_size);
	while (off < size) {
		ssize_t n = sendfile(fd, src, &off, (size_t)(size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return husk_error_errno(err, "copy /proc/self/exe");
		if (n == 0)
			return husk_error_set(err, EIO, "copy /proc/self/exe: short file");
	}
	if (fcntl(fd, F_ADD_SEALS, SELFEXE_SEALS | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(fd, F_ADD_SEALS, SELFEXE_SEALS) < 0))
		return husk_error_errno(err, "seal the copy of /proc/self/exe");
	return steal_fd(&fd);
}

int selfexe_protect(int argc, char **argv, struct husk_error *err)
{
	const bool reexecuted = getenv(SELFEXE_ENV) != NULL;
	_cleanup_close_ int exe = -1;
	_cleanup_close_ int copy = -1;

	if (!reexecuted && !command_enters_container(argc, argv))
		return 0;
	/* At start-up no container exists yet: the host's /proc is the one to ask. */
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return husk_error_errno(err, "open /proc/self/exe");
	if (is_sealed_memfd(exe)) {
		unsetenv(SELFEXE_ENV);
		return 0;
	}
	if (reexecuted)
		return husk_error_set(err, 0,
				      "re-executed from a sealed copy of the binary, but "
				      "/proc/self/exe is not sealed");
	copy = sealed_copy(exe, err);
	if (copy < 0)
		return husk_error_prefix(err, "protect the runtime binary (CVE-2019-5736)");
	if (setenv(SELFEXE_ENV, "1", 1) < 0)
		return husk_error_errno(err, "setenv");
	fexecve(copy, argv, environ);
	husk_error_errno(err,
			 "protect the runtime binary (CVE-2019-5736): execute the sealed copy");
	unsetenv(SELFEXE_ENV);
	return -1;
}
