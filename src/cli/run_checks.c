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

/* The ELF header of a 64-bit ELF file we can read: 0, or -1 (a script:
 * its interpreter is what runs). */
static int read_ehdr(int fd, Elf64_Ehdr *eh)
{
	if (pread(fd, eh, sizeof(*eh), 0) != (ssize_t)sizeof(*eh) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr))
		return -1;
	return 0;
}

static int read_phdr(int fd, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph)
{
	return pread(fd, ph, sizeof(*ph), (off_t)(eh->e_phoff + i * sizeof(*ph))) ==
	       (ssize_t)sizeof(*ph) ? 0 : -1;
}

/* Whether the ELF file has a program interpreter (PT_INTERP): the dynamic
 * loader, which is what reads LD_PRELOAD. 1 yes, 0 no, -1 not an ELF file
 * we can read. */
static int has_interpreter(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (read_ehdr(fd, &eh) != 0)
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (read_phdr(fd, &eh, i, &ph) != 0)
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

/* The file offset of the address `vaddr`, from the loaded segments; -1
 * when none holds it. */
static off_t file_offset(int fd, const Elf64_Ehdr *eh, Elf64_Addr vaddr)
{
	Elf64_Phdr ph;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (read_phdr(fd, eh, i, &ph) != 0)
			return -1;
		if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_filesz)
			return (off_t)(ph.p_offset + (vaddr - ph.p_vaddr));
	}
	return -1;
}

/* The runtimes that abort unless they come first in the initial library
 * list: GCC's and clang's shared AddressSanitizer. */
static int must_come_first(const char *soname)
{
	return strncmp(soname, "libasan.so", 10) == 0 ||
	       strncmp(soname, "libclang_rt.asan", 16) == 0;
}

/* The dynamic section's entry `i` into `d`: 1, or 0 past its end. */
static int dyn_entry(int fd, const Elf64_Phdr *dyn, size_t i, Elf64_Dyn *d)
{
	return i < dyn->p_filesz / sizeof(*d) &&
	       pread(fd, d, sizeof(*d), (off_t)(dyn->p_offset + i * sizeof(*d))) ==
	       (ssize_t)sizeof(*d) && d->d_tag != DT_NULL;
}

/* The first of the dynamic section's DT_NEEDED names that must come first,
 * into `name`; 0 when found. */
static int needed_first(int fd, const Elf64_Ehdr *eh, const Elf64_Phdr *dyn,
			char *name, size_t len)
{
	Elf64_Dyn d;
	Elf64_Addr strtab = 0;
	off_t strings;

	for (size_t i = 0; dyn_entry(fd, dyn, i, &d); i++)
		if (d.d_tag == DT_STRTAB)
			strtab = d.d_un.d_ptr;
	if (!strtab || (strings = file_offset(fd, eh, strtab)) < 0)
		return -1;
	for (size_t i = 0; dyn_entry(fd, dyn, i, &d); i++) {
		ssize_t got;

		if (d.d_tag != DT_NEEDED)
			continue;
		got = pread(fd, name, len - 1, strings + (off_t)d.d_un.d_val);
		if (got <= 0)
			continue;
		name[got] = '\0';
		/* A whole name (its NUL read), of a runtime that goes first. */
		if (strlen(name) < (size_t)got && must_come_first(name))
			return 0;
	}
	return -1;
}

/* Whether the LD_PRELOAD value `preload` names such a runtime already
 * (separated by colons or spaces, as the loader reads it). */
static int preloads_one(const char *preload)
{
	while (*preload) {
		size_t n = strcspn(preload, ": ");
		const char *slash = memrchr(preload, '/', n);
		const char *base = slash ? slash + 1 : preload;

		if (base < preload + n && must_come_first(base))
			return 1;
		preload += n + (preload[n] != '\0');
	}
	return 0;
}

void lp_run_preload_first(const char *path, const char *preload, char *name, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd;

	name[0] = '\0';
	if (preload && preloads_one(preload))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (read_ehdr(fd, &eh) == 0) {
		for (unsigned i = 0; i < eh.e_phnum && read_phdr(fd, &eh, i, &ph) == 0; i++) {
			if (ph.p_type != PT_DYNAMIC)
				continue;
			if (needed_first(fd, &eh, &ph, name, len) != 0)
				name[0] = '\0';
			break;
		}
	}
	close(fd);
}
