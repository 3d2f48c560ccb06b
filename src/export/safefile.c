/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/fdkeep.h"
#include "base/progress.h"
#include "safefile.h"

/* Tries before giving up when every random name is taken: only someone
 * guessing names (see random_name) gets that far. */
#define CREATE_TRIES 16

/* `<base>.<16 hex digits>.tmp`, unguessable. Without entropy (early boot,
 * a kernel without getrandom) the clock stands in: a guessed name is
 * refused by O_EXCL, so the worst a guesser can do is make the dump fail. */
static void random_name(char *name, size_t len, const char *base)
{
	static uint64_t count;
	uint64_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) *
		     0x9e3779b97f4a7c15u) ^
		    __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
	}
	snprintf(name, len, "%.200s.%016llx.tmp", base, (unsigned long long)r);
}

static int create_new(int dirfd, char *name, size_t len, const char *base)
{
	for (int i = 0; i < CREATE_TRIES; i++) {
		int fd;

		random_name(name, len, base);
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_NOCTTY | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return lp_fdkeep_try(fd);
	}
	return -1; /* errno EEXIST */
}

/* The directory of `path`, opened (a descriptor, not a name, so that the
 * new file and the rename happen in the same one), and its last component. */
static int open_dir(const char *path, const char **base)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash) {
		*base = path;
		return lp_fdkeep_try(open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
	}
	*base = slash + 1;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return lp_fdkeep_try(open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

int lp_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
		lp_progress_tick();
	}
	return 0;
}

/* Name the unnamed file `fd` `tmp` (random, new) in `dirfd`: through the
 * descriptor itself where the kernel allows it (CAP_DAC_READ_SEARCH), else
 * through /proc. A name taken is never replaced (EEXIST: another). */
static int name_unnamed(int fd, int dirfd, char *tmp, size_t len, const char *base)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int i = 0; i < CREATE_TRIES; i++) {
		random_name(tmp, len, base);
		if (linkat(fd, "", dirfd, tmp, AT_EMPTY_PATH) == 0 ||
		    (errno != EEXIST && linkat(AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) == 0))
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* The new file `fd`, written (`rc` 0) or not, and named `tmp` when
 * `named`: closed, then renamed onto `base`, or removed. */
static int finish(int fd, int rc, int dirfd, const char *tmp, int named, const char *base)
{
	int err = errno;

	if (lp_fdkeep_close(fd) != 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	if (rc == 0 && renameat(dirfd, tmp, dirfd, base) != 0) {
		rc = -1;
		err = errno;
	}
	if (rc != 0 && named)
		unlinkat(dirfd, tmp, 0); /* never a half-written file under any name */
	errno = err;
	return rc;
}

/*
 * The contents written to a file with no name (O_TMPFILE), named only once
 * complete: a process killed while it writes (SIGKILL, _exit() from another
 * thread, SIGXFSZ) leaves nothing in the directory; a name exists only
 * between the link and the rename. -1 with errno on failure, and
 * `*unsupported` set when the directory's file system has no unnamed files
 * or the file cannot be named (no /proc, no capability): nothing is left.
 */
static int replace_unnamed(int dirfd, const char *base, const void *buf, size_t len,
			   int *unsupported)
{
	char tmp[NAME_MAX + 1];
	int fd = lp_fdkeep_try(openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644));
	int rc;

	if (fd < 0) {
		*unsupported = errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL;
		return -1;
	}
	rc = lp_write_all(fd, buf, len);
	if (rc == 0 && (rc = name_unnamed(fd, dirfd, tmp, sizeof(tmp), base)) != 0)
		*unsupported = errno == ENOENT || errno == EPERM || errno == EACCES;
	/* Named exactly when written and linked. */
	return finish(fd, rc, dirfd, tmp, rc == 0, base);
}

/* The same through a file created under a random name, for file systems
 * without unnamed files: a process killed while it writes leaves it. */
static int replace_named(int dirfd, const char *base, const void *buf, size_t len)
{
	char tmp[NAME_MAX + 1];
	int fd = create_new(dirfd, tmp, sizeof(tmp), base);

	if (fd < 0)
		return -1;
	return finish(fd, lp_write_all(fd, buf, len), dirfd, tmp, 1, base);
}

int lp_file_replace(const char *path, const void *buf, size_t len)
{
	const char *base;
	int dirfd, rc, err, unsupported = 0;

	dirfd = open_dir(path, &base);
	if (dirfd < 0)
		return -1;
	if (!*base) {
		lp_fdkeep_close(dirfd);
		errno = EISDIR;
		return -1;
	}
	rc = replace_unnamed(dirfd, base, buf, len, &unsupported);
	if (rc != 0 && unsupported)
		rc = replace_named(dirfd, base, buf, len);
	err = errno;
	lp_fdkeep_close(dirfd);
	errno = err;
	return rc;
}
