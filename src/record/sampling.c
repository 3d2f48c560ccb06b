/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>

#include "base/clock.h"
#include "sampling.h"
#include "snapshot.h"

int lp_block_sample(int64_t d, int64_t r, uint64_t rnd,
		    uint64_t *contentions_fx, int64_t *delay)
{
	if (d <= 0)
		d = 1;
	if (d >= r) {
		*contentions_fx = LP_FX_ONE;
		*delay = d;
		return 1;
	}
	if (rnd % (uint64_t)r >= (uint64_t)d)
		return 0;
	*contentions_fx = ((uint64_t)r << LP_FX_SHIFT) / (uint64_t)d;
	*delay = r;
	return 1;
}

double lp_ln_uniform(uint64_t rnd)
{
	/* rnd = m * 2^(63 - lz), m in [1, 2): rnd / 2^64 = m * 2^(-1 - lz).
	 * With m brought into [sqrt(1/2), sqrt(2)), s = (m - 1) / (m + 1) is
	 * within 0.172 of 0, and ln m = 2 atanh s = 2 (s + s^3/3 + ...): the
	 * terms after s^9/9 add up to less than 1e-9. */
	int lz = __builtin_clzll(rnd | 1); /* 0 read as 1: never drawn */
	double m = (double)((rnd << lz) >> 11) * 0x1p-52;
	double e = -1.0 - lz, s, s2;

	if (m > 1.4142135623730951) {
		m *= 0.5;
		e += 1.0;
	}
	s = (m - 1.0) / (m + 1.0);
	s2 = s * s;
	return e * 0.6931471805599453 +
	       2.0 * s * (1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9)))));
}

double lp_hold_gap_scale(int64_t fraction)
{
	return fraction <= 1 ? 0 : 1.0 / log1p(-1.0 / (double)fraction);
}

int64_t lp_hold_gap(uint64_t rnd, double scale)
{
	double g = lp_ln_uniform(rnd) * scale; /* >= 0: truncation is floor */

	return g >= 4e18 ? INT64_MAX : 1 + (int64_t)g;
}

static __thread uint64_t rand_state __attribute__((tls_model("initial-exec")));

uint64_t lp_rand(void)
{
	uint64_t x = rand_state;

	if (x == 0) /* first use on this thread: its TLS address and the time */
		x = (((uint64_t)(uintptr_t)&rand_state ^ (uint64_t)lp_now()) *
		     0x9E3779B97F4A7C15ull) | 1;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rand_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}
