#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fdkeep.h"

/* Kept numbers, -1 for a free slot; written only while the process has
 * one thread or under the slot's compare-and-swap. */
static int kept[LP_FDKEEP_MAX] = { -1, -1, -1, -1 };
static int lost;

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

int lp_fdkeep(int fd)
{
	int base = high_base(), high = -1;

	/* Below 64 the program would miss the numbers we hold. */
	if (base >= 48)
		high = fcntl(fd, F_DUPFD_CLOEXEC, base);
	close(fd);
	if (high < 0)
		return -1;
	for (int i = 0; i < LP_FDKEEP_MAX; i++) {
		int none = -1;

		if (__atomic_compare_exchange_n(&kept[i], &none, high, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return high;
	}
	close(high);
	return -1;
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
	for (int i = 0; i < LP_FDKEEP_MAX; i++) {
		int want = fd;

		if (__atomic_compare_exchange_n(&kept[i], &want, -1, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			__atomic_store_n(&lost, 1, __ATOMIC_RELEASE);
	}
}

int lp_fdkeep_any_lost(void)
{
	return __atomic_load_n(&lost, __ATOMIC_ACQUIRE);
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
