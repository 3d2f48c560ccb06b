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

int lp_file_replace(const char *path, int (*fill)(int fd, void *arg), void *arg)
{
	char tmp[NAME_MAX + 1];
	const char *base;
	int dirfd, fd, rc, err;

	dirfd = open_dir(path, &base);
	if (dirfd < 0)
		return -1;
	if (!*base) {
		lp_fdkeep_close(dirfd);
		errno = EISDIR;
		return -1;
	}
	fd = create_new(dirfd, tmp, sizeof(tmp), base);
	if (fd < 0) {
		err = errno;
		lp_fdkeep_close(dirfd);
		errno = err;
		return -1;
	}
	rc = fill(fd, arg);
	err = errno;
	if (lp_fdkeep_close(fd) != 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	if (rc == 0 && renameat(dirfd, tmp, dirfd, base) != 0) {
		rc = -1;
		err = errno;
	}
	if (rc != 0)
		unlinkat(dirfd, tmp, 0); /* never a half-written file under any name */
	lp_fdkeep_close(dirfd);
	errno = err;
	return rc;
}
