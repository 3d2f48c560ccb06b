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
	if (lp_rand_below(rnd, (uint64_t)r) >= (uint64_t)d)
		return 0;
	*contentions_fx = ((uint64_t)r << LP_FX_SHIFT) / (uint64_t)d;
	*delay = r;
	return 1;
}

/* A release charged `charged` ns, in the draw: at least one unit. */
static uint64_t mutex_size(int64_t charged)
{
	return charged > LP_MUTEX_UNIT_NS ? (uint64_t)charged : LP_MUTEX_UNIT_NS;
}

int lp_mutex_keep(int64_t fraction, int64_t charged, uint64_t rnd)
{
	if (fraction <= 0)
		return 0;
	/* fraction <= 1e9: no overflow */
	return fraction == 1 ||
	       lp_rand_below(rnd, (uint64_t)fraction * LP_MUTEX_UNIT_NS) < mutex_size(charged);
}

void lp_mutex_weight(int64_t fraction, int64_t charged, uint64_t *contentions_fx,
		     int64_t *delay)
{
	uint64_t span = (uint64_t)fraction * LP_MUTEX_UNIT_NS, size = mutex_size(charged);

	if (fraction == 1 || size >= span) {
		*contentions_fx = LP_FX_ONE;
		*delay = charged;
		return;
	}
	*contentions_fx = (uint64_t)(((unsigned __int128)span << LP_FX_SHIFT) / size);
	*delay = size == LP_MUTEX_UNIT_NS ? fraction * charged : (int64_t)span;
}

double lp_hold_gap_scale(int64_t fraction)
{
	return fraction <= 1 ? 0 : 1.0 / log1p(-1.0 / (double)fraction);
}

int64_t lp_hold_gap(uint64_t rnd, double scale)
{
	double u = ((double)(rnd >> 11) + 1.0) * 0x1p-53; /* in (0, 1] */
	double g = log(u) * scale;                         /* >= 0: truncation is floor */

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
