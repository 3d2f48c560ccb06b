/* SPDX-License-Identifier: MIT */
#include "run_checks.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lp_run_check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "cannot write profiles to %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot write profiles to %s: not a "
			 "directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "cannot write profiles to %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

int lp_run_find_program(const char *prog, char *path, size_t len)
{
	const char *dirs = getenv("PATH");

	if (strchr(prog, '/')) {
		snprintf(path, len, "%s", prog);
		return executable_file(path) ? 0 : -1;
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	for (const char *d = dirs;; d += strcspn(d, ":") + 1) {
		int n = (int)strcspn(d, ":");

		snprintf(path, len, "%.*s%s%s", n, d, n ? "/" : "", prog);
		if (executable_file(path))
			return 0;
		if (!d[n])
			return -1;
	}
}

/* Whether the ELF file has a program interpreter (PT_INTERP): the dynamic
 * loader, which is what reads LD_PRELOAD. 1 yes, 0 no, -1 not an ELF file
 * we can read (a script: its interpreter is what runs). */
static int has_interpreter(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph))
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return -1;
		if (ph.p_type == PT_INTERP)
			return 1;
	}
	return 0;
}

void lp_run_why_not_profiled(const char *path, char *why, size_t len)
{
	struct stat st;
	int fd;

	why[0] = '\0';
	if (stat(path, &st) != 0)
		return;
	/* The loader's secure-execution mode: LD_PRELOAD is ignored when
	 * the program gains privileges its caller lacks. */
	if (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	    ((st.st_mode & S_ISGID) && st.st_gid != getegid())) {
		snprintf(why, len, "%s is set%cid: the loader ignores "
			 "LD_PRELOAD for it, so nothing will be profiled "
			 "(run a copy without the set%cid bit)", path,
			 (st.st_mode & S_ISUID) ? 'u' : 'g',
			 (st.st_mode & S_ISUID) ? 'u' : 'g');
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (has_interpreter(fd) == 0)
		snprintf(why, len, "%s is statically linked: no dynamic loader "
			 "runs, so liblockprof.so is never loaded and nothing "
			 "will be profiled (link it dynamically)", path);
	close(fd);
}
