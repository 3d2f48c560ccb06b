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

/* The charge from which a release is always kept: `fraction` units, at
 * most LP_MUTEX_SPAN_MAX_NS. */
static uint64_t mutex_span(int64_t fraction)
{
	uint64_t span = (uint64_t)fraction * LP_MUTEX_UNIT_NS;

	return span < LP_MUTEX_SPAN_MAX_NS ? span : LP_MUTEX_SPAN_MAX_NS;
}

/* A release charged `charged` ns, in a draw of fraction * span outcomes:
 * max(span, fraction * charged), kept for that many of them. fraction <=
 * 1e9 and span <= 1e5: no overflow. */
static uint64_t mutex_size(int64_t fraction, int64_t charged, uint64_t span)
{
	uint64_t c = charged > 0 ? (uint64_t)charged : 0, size;

	if (c >= span)
		return (uint64_t)fraction * span;
	size = c * (uint64_t)fraction;
	return size > span ? size : span;
}

int lp_mutex_keep(int64_t fraction, int64_t charged, uint64_t rnd)
{
	uint64_t span;

	if (fraction <= 0)
		return 0;
	span = mutex_span(fraction);
	return fraction == 1 ||
	       lp_rand_below(rnd, (uint64_t)fraction * span) < mutex_size(fraction, charged, span);
}

void lp_mutex_weight(int64_t fraction, int64_t charged, uint64_t *contentions_fx,
		     int64_t *delay)
{
	uint64_t span = mutex_span(fraction), size = mutex_size(fraction, charged, span);
	uint64_t outcomes = (uint64_t)fraction * span;

	if (fraction == 1 || size >= outcomes) {
		*contentions_fx = LP_FX_ONE;
		*delay = charged;
		return;
	}
	*contentions_fx = (uint64_t)(((unsigned __int128)outcomes << LP_FX_SHIFT) / size);
	*delay = size == span ? fraction * charged : (int64_t)span;
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
