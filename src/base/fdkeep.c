/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fdkeep.h"

/* Kept numbers, -1 for a free slot; written only while the process has
 * one thread or under the slot's compare-and-swap. */
static int kept[LP_FDKEEP_MAX] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static unsigned losses;

/* Where kept descriptors go: just under the soft limit, at most 1024 (the
 * kernel's table grows to the highest number used, and select() users
 * keep theirs below 1024). Numbers are handed out lowest first, so a
 * program reaches these only after opening all below them. */
static int high_base(void)
{
	struct rlimit rl;
	rlim_t top = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < top)
		top = rl.rlim_cur;
	return (int)top - 16;
}

/* Keep the number `high`: a slot of its own, or the slot that already holds
 * it (a kept descriptor closed behind the library's back by a raw system
 * call, whose number was then kept again). 0, or -1 when all are taken. */
static int keep(int high)
{
	for (int i = 0; i < LP_FDKEEP_MAX; i++)
		if (__atomic_load_n(&kept[i], __ATOMIC_ACQUIRE) == high)
			return 0;
	for (int i = 0; i < LP_FDKEEP_MAX; i++) {
		int none = -1;

		if (__atomic_compare_exchange_n(&kept[i], &none, high, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return 0;
	}
	return -1;
}

/* Below 64 the program would miss the numbers we hold. */
int lp_fdkeep_room(void)
{
	return high_base() >= 48;
}

static int move_high(int fd)
{
	return lp_fdkeep_room() ? fcntl(fd, F_DUPFD_CLOEXEC, high_base()) : -1;
}

int lp_fdkeep(int fd)
{
	int high = move_high(fd);

	close(fd);
	if (high < 0)
		return -1;
	if (keep(high) != 0) {
		close(high);
		return -1;
	}
	return high;
}

int lp_fdkeep_try(int fd)
{
	int high = fd < 0 ? -1 : move_high(fd);

	if (high < 0)
		return fd;
	if (keep(high) != 0) {
		close(high);
		return fd;
	}
	close(fd);
	return high;
}

static void unkeep(int fd)
{
	for (int i = 0; i < LP_FDKEEP_MAX; i++) {
		int want = fd;

		__atomic_compare_exchange_n(&kept[i], &want, -1, 0,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
}

int lp_fdkeep_close(int fd)
{
	unkeep(fd);
	return close(fd);
}

int lp_fdkeep_has(int fd)
{
	if (fd < 0)
		return 0;
	for (int i = 0; i < LP_FDKEEP_MAX; i++)
		if (__atomic_load_n(&kept[i], __ATOMIC_ACQUIRE) == fd)
			return 1;
	return 0;
}

void lp_fdkeep_lost(int fd)
{
	unkeep(fd);
	__atomic_add_fetch(&losses, 1, __ATOMIC_RELEASE);
}

unsigned lp_fdkeep_losses(void)
{
	return __atomic_load_n(&losses, __ATOMIC_ACQUIRE);
}

int lp_fdkeep_sorted(int *out)
{
	int n = 0;

	for (int i = 0; i < LP_FDKEEP_MAX; i++) {
		int fd = __atomic_load_n(&kept[i], __ATOMIC_ACQUIRE), j = n++;

		if (fd < 0) {
			n--;
			continue;
		}
		while (j > 0 && out[j - 1] > fd) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = fd;
	}
	return n;
}
