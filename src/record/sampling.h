/* SPDX-License-Identifier: MIT */
/*
 * The sampling rules of the two profiles (docs/profiles.md), as
 * pure functions of a random number so they can be tested exactly.
 */
#ifndef LP_SAMPLING_H
#define LP_SAMPLING_H

#include <stdint.h>

/*
 * Block profile, Go's rate rule with the 1.17 bias correction: a wait of
 * `d` ns at rate `r` (> 0) is kept always when d >= r, else with
 * probability d/r and then counts r/d contentions and r ns. Returns 1 when
 * kept, with the amounts to add.
 */
int lp_block_sample(int64_t d, int64_t r, uint64_t rnd,
		    uint64_t *contentions_fx, int64_t *delay);

/* The random number `rnd` made uniform in [0, n): the high word of
 * rnd * n, a multiply where `rnd % n` is a division (tens of cycles on
 * every contended release). Biased by at most n / 2^64. */
static inline uint64_t lp_rand_below(uint64_t rnd, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rnd * n) >> 64);
}

/*
 * Mutex profile, 1 in `fraction` charged releases, with the block
 * profile's bias correction: a release charged `charged` ns is kept with
 * probability min(1, max(1 / fraction, charged / span)), where the span is
 * `fraction` units of LP_MUTEX_UNIT_NS but at most LP_MUTEX_SPAN_MAX_NS, and
 * then counts the inverse of that as contentions (fixed point) and charged
 * times it as delay. Without it, the rare release charged milliseconds (a
 * holder preempted with threads waiting) is kept 1 in `fraction`, and a
 * run's estimate is off by its weight nine runs in ten and by nine times
 * it in the tenth (docs/profiles.md). The span's bound makes a fraction
 * above 10 keep the long charges as 10 does: only releases that wake a
 * waiter are charged, and their charges are few and long; without it a
 * fraction of 100 left a hot lock's estimate more than 3.5% off one run in
 * two (quartiles 0.970-1.036 over 40 runs; 0.982-1.012 with the bound).
 *
 * lp_mutex_keep: is it kept, for the random number `rnd`? `fraction` <= 0
 * keeps nothing. A multiply, the same whichever the answer: it is made
 * between a release's read of the lock's wait state and its
 * compare-and-swap, and a kept release that took longer there lost its
 * charge more often to a release that came meanwhile, not kept (the
 * estimate read 0.5-1% low). lp_mutex_weight, after: the amounts a kept
 * release records.
 */
#define LP_MUTEX_UNIT_NS 10000
#define LP_MUTEX_SPAN_MAX_NS 100000
int lp_mutex_keep(int64_t fraction, int64_t charged, uint64_t rnd);
void lp_mutex_weight(int64_t fraction, int64_t charged, uint64_t *contentions_fx,
		     int64_t *delay);

/*
 * Hold profile: the number of acquisitions up to and including the next
 * timed one, geometric of mean `fraction`: 1 + floor(ln U / ln(1 - 1/fraction))
 * for U = (rnd / 2^11 + 1) / 2^53, in (0, 1], with `scale`
 * = 1 / ln(1 - 1/fraction) from lp_hold_gap_scale (< 0; computed once per
 * fraction).
 */
double lp_hold_gap_scale(int64_t fraction);
int64_t lp_hold_gap(uint64_t rnd, double scale);

/* A per-thread xorshift64* generator: cheap, no locks, signal-safe. */
uint64_t lp_rand(void);

#endif /* LP_SAMPLING_H */
