/* SPDX-License-Identifier: MIT */
/*
 * lp_file_replace: the file at the path replaced whole, a planted link
 * replaced and not followed, and nothing left in the directory by a writer
 * killed mid-write (SIGXFSZ at a file size limit, as a process cut short
 * by _exit() or SIGKILL). Then the same where the file system has no
 * unnamed files, or where they cannot be named (no /proc, no capability):
 * this test's own openat and linkat stand in front of libc's and refuse.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/export/safefile.h"
#include "unit.h"

static int refuse_unnamed; /* openat(O_TMPFILE): EOPNOTSUPP */
static int refuse_naming;  /* linkat: ENOENT, as without /proc and the capability */
static int unnamed_opened, named_opened;

/* Under _FILE_OFFSET_BITS=64 the header names it openat64, for this
 * definition and for safefile.c's call alike. */
int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		if (refuse_unnamed) {
			errno = EOPNOTSUPP;
			return -1;
		}
		unnamed_opened++;
	} else if (flags & O_CREAT) {
		named_opened++;
	}
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
	if (refuse_naming) {
		errno = ENOENT;
		return -1;
	}
	return (int)syscall(SYS_linkat, olddirfd, oldpath, newdirfd, newpath, flags);
}

static char dir[64];

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

/* The file's contents equal `len` bytes at `want`. */
static int holds(const char *name, const void *want, size_t len)
{
	char p[128], *got = malloc(len + 1);
	FILE *f;
	size_t n;

	path_of(p, sizeof(p), name);
	f = fopen(p, "r");
	if (!f) {
		free(got);
		return 0;
	}
	n = fread(got, 1, len + 1, f);
	fclose(f);
	n = n == len && memcmp(got, want, len) == 0;
	free(got);
	return (int)n;
}

/* How many entries the directory has (. and .. aside). */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void clear_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
}

/* A new file replaces the old one; a link planted at the name is replaced,
 * its target untouched. */
static void replaces(void)
{
	char p[128], victim[128];
	const char *text = "the new profile\n";

	clear_dir();
	write_file("block.pprof", "an older profile\n");
	path_of(p, sizeof(p), "block.pprof");
	EXPECT(lp_file_replace(p, text, strlen(text)) == 0);
	EXPECT(holds("block.pprof", text, strlen(text)));
	EXPECT(entries() == 1);

	write_file("victim", "not ours\n");
	path_of(victim, sizeof(victim), "victim");
	unlink(p);
	EXPECT(symlink(victim, p) == 0);
	EXPECT(lp_file_replace(p, text, strlen(text)) == 0);
	EXPECT(holds("victim", "not ours\n", 9));
	EXPECT(holds("block.pprof", text, strlen(text)));
	EXPECT(entries() == 2);
}

/* A writer killed by the file size limit halfway through: the old file as
 * it was, and `left` more entries in the directory. */
static void killed_midway(int left)
{
	enum { BIG = 1 << 16 };
	char p[128], *big = malloc(BIG);
	int status;
	pid_t pid;

	clear_dir();
	write_file("mutex.pprof", "an older profile\n");
	path_of(p, sizeof(p), "mutex.pprof");
	memset(big, 'x', BIG);
	pid = fork();
	if (pid == 0) {
		struct rlimit small = { BIG / 4, BIG / 4 };

		signal(SIGXFSZ, SIG_DFL);
		setrlimit(RLIMIT_FSIZE, &small);
		lp_file_replace(p, big, BIG);
		_exit(0);
	}
	EXPECT(waitpid(pid, &status, 0) == pid);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ);
	EXPECT(holds("mutex.pprof", "an older profile\n", 17));
	EXPECT(entries() == 1 + left);
	free(big);
}

/* A failed write (the size limit, SIGXFSZ ignored: EFBIG) leaves nothing. */
static void fails_cleanly(void)
{
	enum { BIG = 1 << 16 };
	struct rlimit old, small = { BIG / 4, BIG / 4 };
	char p[128], *big = malloc(BIG);

	clear_dir();
	write_file("mutex.pprof", "an older profile\n");
	path_of(p, sizeof(p), "mutex.pprof");
	memset(big, 'x', BIG);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	setrlimit(RLIMIT_FSIZE, &small);
	EXPECT(lp_file_replace(p, big, BIG) == -1 && errno == EFBIG);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	EXPECT(holds("mutex.pprof", "an older profile\n", 17));
	EXPECT(entries() == 1);
	free(big);
}

/* Whether the directory's file system has unnamed files (the kernel's
 * answer, past this test's openat). */
static int has_unnamed_files(void)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, dir, O_TMPFILE | O_WRONLY, 0600);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lp-safefile-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}

	/* Unnamed while written: a killed writer leaves nothing. */
	if (has_unnamed_files()) {
		replaces();
		EXPECT(unnamed_opened > 0 && named_opened == 0);
		killed_midway(0);
		fails_cleanly();
	} else {
		printf("note: %s has no unnamed files (O_TMPFILE): only the named way "
		       "is tested\n", dir);
	}

	/* No unnamed files: named ones, which a killed writer leaves. */
	refuse_unnamed = 1;
	unnamed_opened = named_opened = 0;
	replaces();
	EXPECT(named_opened > 0);
	killed_midway(1);
	fails_cleanly();
	refuse_unnamed = 0;

	/* Unnamed files that cannot be named: the named way, nothing left of
	 * the unnamed attempt. */
	refuse_naming = 1;
	unnamed_opened = named_opened = 0;
	replaces();
	EXPECT(unnamed_opened > 0 && named_opened > 0);
	fails_cleanly();
	refuse_naming = 0;

	clear_dir();
	rmdir(dir);
	return unit_summary();
}
