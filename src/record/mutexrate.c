/* SPDX-License-Identifier: MIT */
#include "mutexrate.h"

/* Kept releases, or nanoseconds, between two looks at the rate. */
#define WINDOW_KEPT 1024
#define WINDOW_NS 100000000

/* The fraction in force is the one set, doubled `shift` times, but not
 * past 65535: a kept release's late waiters are scaled by at most that
 * (waitstate.c). At the default of 10, one release in 40960 at most. */
#define MAX_FRACTION 0xffff

static int shift;
static int highest_shift;      /* since the last reset */
static uint64_t window_kept;   /* kept since window_start */
static int64_t window_start;   /* 0: no window yet */

/* `set` doubled `s` times; next_shift keeps that within MAX_FRACTION. */
static int64_t doubled(int64_t set, int s)
{
	return set <= 1 ? set : set << s;
}

int64_t lp_mutexrate_fraction(int64_t set)
{
	return doubled(set, __atomic_load_n(&shift, __ATOMIC_RELAXED));
}

int64_t lp_mutexrate_highest(int64_t set)
{
	return doubled(set, __atomic_load_n(&highest_shift, __ATOMIC_RELAXED));
}

/* The shift for a window that kept `rate` a second at shift `s` of the
 * fraction `set`. */
static int next_shift(int64_t set, int s, int64_t rate, int64_t max_rate)
{
	if (rate > max_rate) {
		while (rate > max_rate && set > 1 && doubled(set, s + 1) <= MAX_FRACTION) {
			rate /= 2;
			s++;
		}
		return s;
	}
	/* Halving the fraction doubles the rate: halved while that keeps it
	 * at most half the limit, so that it does not swing back at once. A
	 * burst that raised it far is undone in one window. */
	while (s > 0 && rate <= max_rate / 4) {
		rate *= 2;
		s--;
	}
	return s;
}

void lp_mutexrate_kept(int64_t now, int64_t set, int64_t max_rate)
{
	uint64_t kept;
	int64_t start;
	int s, high;

	if (max_rate <= 0 || set <= 1)
		return;
	kept = __atomic_add_fetch(&window_kept, 1, __ATOMIC_RELAXED);
	start = __atomic_load_n(&window_start, __ATOMIC_RELAXED);
	if (start == 0 || now <= start) {
		if (start == 0)
			__atomic_compare_exchange_n(&window_start, &start, now, 0,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		return;
	}
	if (kept < WINDOW_KEPT && now - start < WINDOW_NS)
		return;
	/* One thread closes the window; releases kept meanwhile count in
	 * the next one. */
	if (!__atomic_compare_exchange_n(&window_start, &start, now, 0,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	kept = __atomic_exchange_n(&window_kept, 0, __ATOMIC_RELAXED);
	s = next_shift(set, __atomic_load_n(&shift, __ATOMIC_RELAXED),
		       (int64_t)(kept * 1000000000ull / (uint64_t)(now - start)), max_rate);
	__atomic_store_n(&shift, s, __ATOMIC_RELAXED);
	high = __atomic_load_n(&highest_shift, __ATOMIC_RELAXED);
	while (s > high && !__atomic_compare_exchange_n(&highest_shift, &high, s, 0,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void lp_mutexrate_reset(void)
{
	__atomic_store_n(&shift, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&highest_shift, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&window_kept, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&window_start, 0, __ATOMIC_RELAXED);
}
