/* SPDX-License-Identifier: MIT */
/*
 * The mutex profile's rate limit (LOCKPROF_MUTEX_MAX_RATE).
 *
 * Under heavy contention a fixed 1 in N keeps a release for every N
 * contended ones, and each kept release costs three charges on its lock's
 * wait-state line (the release that arms it, itself, the one after it),
 * a stack walk and an insert: at millions of contended releases a second
 * that is most of what the profiler costs. So the fraction in force
 * doubles until the process keeps at most the limit a second, up to 1 in
 * 65535, and halves back, never below the fraction set, while that keeps
 * it at most half the limit. A kept release is recorded at the fraction it was drawn
 * at, scaled as Go scales at record time: the estimates stay unbiased,
 * with fewer samples behind them while the limit holds. A fraction of 1
 * (every release) is never raised.
 */
#ifndef LP_MUTEXRATE_H
#define LP_MUTEXRATE_H

#include <stdint.h>

/* The fraction in force when `set` is the fraction set. */
int64_t lp_mutexrate_fraction(int64_t set);

/* A release was kept at `now` (ns), the fraction set being `set`; at
 * most `max_rate` a second are wanted (<= 0: no limit). Every 1024 kept
 * releases, or 100 ms after the last look, one thread looks at the rate
 * and moves the fraction in force. */
void lp_mutexrate_kept(int64_t now, int64_t set, int64_t max_rate);

/* The highest fraction in force since the last reset, for `set`. */
int64_t lp_mutexrate_highest(int64_t set);

/* Back to the fraction set: at start, in a forked child, and when the
 * program sets a new fraction. */
void lp_mutexrate_reset(void);

#endif /* LP_MUTEXRATE_H */
