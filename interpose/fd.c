/* SPDX-License-Identifier: MIT */
/*
 * The calls that close descriptors, so that a program that closes all of
 * them (closefrom(3), close_range(3, ~0U, 0), a loop of close()) does not
 * close the few the profiler keeps for the process's life (src/base/fdkeep.h),
 * whose numbers would then be handed to the program's files and used by
 * the profiler. To the program a kept number is as if it were closed
 * already: closing it succeeds, and nothing else changes.
 */
#include <errno.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fdkeep.h"
#include "base/export.h"

extern int __close(int fd);

LP_EXPORT int close(int fd)
{
	if (__builtin_expect(lp_fdkeep_has(fd), 0))
		return 0;
	return __close(fd);
}

static int close_span(unsigned first, unsigned last, unsigned flags)
{
	long rc = syscall(SYS_close_range, first, last, flags);

	if (rc != 0 && errno == ENOSYS && flags == 0) {
		/* Before Linux 5.9, as glibc's closefrom() falls back. */
		long max = sysconf(_SC_OPEN_MAX);

		for (long fd = first; fd <= (long)last && fd < max; fd++)
			__close((int)fd);
		return 0;
	}
	return (int)rc;
}

/* close_range over [first, last] without the kept numbers. */
static int close_around_kept(unsigned first, unsigned last, unsigned flags)
{
	int kept[LP_FDKEEP_MAX], n = lp_fdkeep_sorted(kept), err = 0;
	unsigned long long from = first;

	for (int i = 0; i < n; i++) {
		unsigned long long k = (unsigned)kept[i];

		if (k < from || k > last)
			continue;
		if (k > from && close_span((unsigned)from, (unsigned)k - 1, flags) != 0 &&
		    !err)
			err = errno;
		from = k + 1;
	}
	if (from <= last && close_span((unsigned)from, last, flags) != 0 && !err)
		err = errno;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

LP_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	if (first > last) {
		errno = EINVAL;
		return -1;
	}
	return close_around_kept(first, last, (unsigned)flags);
}

LP_EXPORT void closefrom(int lowfd)
{
	close_around_kept(lowfd < 0 ? 0 : (unsigned)lowfd, ~0U, 0);
}

LP_EXPORT int dup2(int oldfd, int newfd)
{
	if (oldfd != newfd && lp_fdkeep_has(newfd))
		lp_fdkeep_lost(newfd);
	return (int)syscall(SYS_dup2, oldfd, newfd);
}

LP_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	if (oldfd != newfd && lp_fdkeep_has(newfd))
		lp_fdkeep_lost(newfd);
	return (int)syscall(SYS_dup3, oldfd, newfd, flags);
}
