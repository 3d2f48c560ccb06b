/* SPDX-License-Identifier: MIT */
/* The mutex profile's rate limit: the fraction in force for given rates of
 * kept releases, fed with made-up times. */
#include "record/mutexrate.h"
#include "unit.h"

#define MS 1000000LL

/* `n` kept releases evenly over `ns` from `*now`, the fraction set `set`. */
static void keep(int64_t *now, int n, int64_t ns, int64_t set, int64_t max_rate)
{
	for (int i = 0; i < n; i++) {
		*now += ns / n;
		lp_mutexrate_kept(*now, set, max_rate);
	}
}

int main(void)
{
	int64_t now = 1000 * MS;

	/* Under the limit: the fraction set stays. */
	lp_mutexrate_reset();
	keep(&now, 5000, 1000 * MS, 10, 10000); /* 5,000 a second */
	EXPECT(lp_mutexrate_fraction(10) == 10);
	EXPECT(lp_mutexrate_highest(10) == 10);

	/* 1,024 in 1 ms: a million a second. Doubled until under 10,000 a
	 * second at the rate seen: 10 * 2^7 (7,812 a second). */
	lp_mutexrate_reset();
	keep(&now, 1025, 1 * MS, 10, 10000);
	EXPECT(lp_mutexrate_fraction(10) == 1280);
	EXPECT(lp_mutexrate_highest(10) == 1280);

	/* Above a quarter of the limit (halving would pass half of it): it
	 * stays. A window also ends 100 ms after it began: this one twice,
	 * the second ending in the next call. */
	keep(&now, 1024, 200 * MS, 10, 10000); /* 5,120 a second */
	EXPECT(lp_mutexrate_fraction(10) == 1280);
	keep(&now, 10, 101 * MS, 10, 10000);
	EXPECT(lp_mutexrate_fraction(10) == 1280);

	/* Far below: halved in one window while the rate, doubling, stays at
	 * most half the limit: 99 a second at 1280 is 3,168 at 40. The
	 * highest stays. */
	keep(&now, 10, 101 * MS, 10, 10000);
	EXPECT(lp_mutexrate_fraction(10) == 40);
	EXPECT(lp_mutexrate_highest(10) == 1280);
	/* And then down to the fraction set, never below it. */
	for (int w = 0; w < 3; w++)
		keep(&now, 2, 101 * MS, 10, 10000);
	EXPECT(lp_mutexrate_fraction(10) == 10);

	/* Never past 65535, whatever the rate. */
	lp_mutexrate_reset();
	keep(&now, 1025, 1025, 10, 1); /* a billion a second, a limit of 1 */
	EXPECT(lp_mutexrate_fraction(10) == 40960);
	lp_mutexrate_reset();
	keep(&now, 1025, 1025, 40000, 1);
	EXPECT(lp_mutexrate_fraction(40000) == 40000);

	/* Every release (1), or no limit (0): never raised. */
	lp_mutexrate_reset();
	keep(&now, 5000, 1 * MS, 1, 10000);
	EXPECT(lp_mutexrate_fraction(1) == 1);
	keep(&now, 5000, 1 * MS, 10, 0);
	EXPECT(lp_mutexrate_fraction(10) == 10);

	/* A reset goes back to the fraction set. */
	keep(&now, 1025, 1 * MS, 10, 10000);
	EXPECT(lp_mutexrate_fraction(10) > 10);
	lp_mutexrate_reset();
	EXPECT(lp_mutexrate_fraction(10) == 10 && lp_mutexrate_highest(10) == 10);
	return unit_summary();
}
