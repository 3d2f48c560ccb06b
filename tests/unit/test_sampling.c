/* SPDX-License-Identifier: MIT */
/* The sampling rules: exact expectations over every random outcome, and
 * the bias correction on a mix of durations. */
#include <math.h>

#include "record/sampling.h"
#include "record/snapshot.h"
#include "unit.h"

/* The first random number that lp_rand_below maps to k of [0, n): the
 * numbers from it to the next k's are equally many, up to one. */
static uint64_t outcome(uint64_t k, uint64_t n)
{
	uint64_t rnd = (uint64_t)((((unsigned __int128)k << 64) + n - 1) / n);

	EXPECT(lp_rand_below(rnd, n) == k && (rnd == 0 || lp_rand_below(rnd - 1, n) == k - 1));
	return rnd;
}

/* Over all r outcomes of the random number, the kept events of a wait of
 * d < r must add up to exactly one event of d ns on average. */
static void exhaustive(int64_t d, int64_t r)
{
	uint64_t count = 0;
	int64_t delay = 0, kept = 0;

	for (uint64_t k = 0; k < (uint64_t)r; k++) {
		uint64_t c;
		int64_t dl;
		if (lp_block_sample(d, r, outcome(k, (uint64_t)r), &c, &dl)) {
			count += c;
			delay += dl;
			kept++;
		}
	}
	EXPECT(kept == d);
	EXPECT(delay == d * r);
	/* r times one event, up to the fixed point's rounding per event */
	EXPECT(count <= (uint64_t)r * LP_FX_ONE && count + (uint64_t)d >= (uint64_t)r * LP_FX_ONE);
}

/* Over all fraction * span outcomes of the random number (the span:
 * fraction units, at most LP_MUTEX_SPAN_MAX_NS), the kept releases of one
 * charged `charged` ns add up to exactly one release of `charged` ns on
 * average, and it is kept with probability
 * min(1, max(1 / fraction, charged / span)). */
static void mutex_exhaustive(int64_t fraction, int64_t charged)
{
	uint64_t span = (uint64_t)fraction * LP_MUTEX_UNIT_NS, count = 0, outcomes, size;
	__int128 delay = 0;
	uint64_t kept = 0;

	if (span > LP_MUTEX_SPAN_MAX_NS)
		span = LP_MUTEX_SPAN_MAX_NS;
	outcomes = (uint64_t)fraction * span;
	size = (uint64_t)charged * (uint64_t)fraction > span ?
		(uint64_t)charged * (uint64_t)fraction : span;
	for (uint64_t k = 0; k < outcomes; k++) {
		uint64_t c;
		int64_t dl;
		if (lp_mutex_keep(fraction, charged, outcome(k, outcomes))) {
			lp_mutex_weight(fraction, charged, &c, &dl);
			count += c;
			delay += dl;
			kept++;
		}
	}
	EXPECT(kept == (size < outcomes ? size : outcomes));
	EXPECT(delay == (__int128)charged * (__int128)outcomes);
	/* all outcomes times one release, up to the fixed point's rounding */
	EXPECT(count <= outcomes * LP_FX_ONE && count + kept >= outcomes * LP_FX_ONE);
}

/* A fixed sequence of random numbers (splitmix64): the mix below gives the
 * same estimates on every run, instead of failing 1 run in 20 at 2 sigma. */
static uint64_t fixed_rand(void)
{
	static uint64_t state = 0x5eed;
	uint64_t z = (state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* The hold profile's draw: the gaps those of 1 + floor(ln U / ln(1 - 1/fraction))
 * (computed here in long double), their mean the fraction and one in
 * `fraction` of them 1 (a geometric distribution). */
static void hold_gaps(int64_t fraction)
{
	double scale = lp_hold_gap_scale(fraction), sum = 0;
	long n = 2000000, ones = 0, differ = 0;

	EXPECT(scale < 0);
	EXPECT(lp_hold_gap(UINT64_MAX, scale) == 1); /* U = 1 */
	for (long i = 0; i < n; i++) {
		uint64_t rnd = fixed_rand();
		int64_t g = lp_hold_gap(rnd, scale);
		long double u = ((long double)(rnd >> 11) + 1) / 9007199254740992.0L; /* 2^53 */
		double exact = (double)(1 + floorl(logl(u) / log1pl(-1.0L / fraction)));

		differ += (double)g != exact;
		sum += (double)g;
		ones += g == 1;
	}
	/* A gap differs only when ln U falls within rounding of a boundary. */
	EXPECT(differ <= 2);
	EXPECT(sum / n > 0.99 * fraction && sum / n < 1.01 * fraction);
	EXPECT(ones > 0.97 * n / fraction && ones < 1.03 * n / fraction);
}

int main(void)
{
	uint64_t c;
	int64_t dl;

	EXPECT(lp_block_sample(500, 100, 12345, &c, &dl) && c == LP_FX_ONE && dl == 500);
	EXPECT(lp_block_sample(100, 100, 99, &c, &dl) && c == LP_FX_ONE && dl == 100);
	EXPECT(lp_block_sample(0, 1, 0, &c, &dl) && c == LP_FX_ONE && dl == 1);
	EXPECT(lp_block_sample(-5, 1, 0, &c, &dl) && dl == 1);
	exhaustive(1, 1000);
	exhaustive(37, 1000);
	exhaustive(999, 1000);
	exhaustive(3, 10000);

	/* A mix: many short waits, few long ones, at rate 500us. The
	 * estimates of count and delay must be unbiased: within 1% here, four
	 * standard deviations of the count at this many waits. */
	{
		const int64_t r = 500000;
		const int64_t durations[] = { 2000, 20000, 100000, 400000, 3000000 };
		double est_count = 0, est_delay = 0, true_count = 0, true_delay = 0;

		for (int i = 0; i < 8000000; i++) {
			int64_t d = durations[i % 5];
			true_count += 1;
			true_delay += (double)d;
			if (lp_block_sample(d, r, fixed_rand(), &c, &dl)) {
				est_count += (double)c / LP_FX_ONE;
				est_delay += (double)dl;
			}
		}
		EXPECT(est_count > 0.99 * true_count && est_count < 1.01 * true_count);
		EXPECT(est_delay > 0.99 * true_delay && est_delay < 1.01 * true_delay);
	}

	mutex_exhaustive(5, 3000);     /* under the unit: 1 in 5, weight 5 */
	mutex_exhaustive(5, 10000);    /* the unit itself: the same */
	mutex_exhaustive(5, 25000);    /* 2.5 units: 1 in 2, weight 2 */
	mutex_exhaustive(5, 49999);    /* just under 5 units: almost always */
	mutex_exhaustive(5, 50000);    /* 5 units and more: always, weight 1 */
	mutex_exhaustive(5, 3000000);
	mutex_exhaustive(1, 5);        /* fraction 1: every release as it is */
	/* Above 10, the span stops at 100 us: 1 in 40 under 2.5 us, then
	 * charged / 100 us, and always from 100 us. */
	mutex_exhaustive(40, 2000);
	mutex_exhaustive(40, 2500);
	mutex_exhaustive(40, 30000);
	mutex_exhaustive(40, 99999);
	mutex_exhaustive(40, 100000);
	mutex_exhaustive(40, 7000000);
	EXPECT(!lp_mutex_keep(0, 1000000, 0));
	hold_gaps(10);
	hold_gaps(1000);
	return unit_summary();
}
