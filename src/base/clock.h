/* SPDX-License-Identifier: MIT */
/*
 * Time as the profiler reads it: CLOCK_MONOTONIC for waits, CLOCK_REALTIME
 * only for a profile's time_nanos.
 *
 * lp_now() reads CLOCK_MONOTONIC through the vDSO (24 ns on the project's
 * machine) until the TSC has been measured against it, then the TSC itself
 * (10 ns): a contended wait and its charge read the clock three times. See
 * src/base/clock.c for when the TSC is trusted.
 */
#ifndef LP_CLOCK_H
#define LP_CLOCK_H

#include <stdint.h>
#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/* CLOCK_MONOTONIC at `tsc` was `ns`; `mult` is ns per tick, 32.32 fixed
 * point. Written once, before lp_tsc_on is set. */
struct lp_tsc_clock {
	uint64_t tsc;
	int64_t ns;
	uint64_t mult;
};

extern struct lp_tsc_clock lp_tsc;
extern int lp_tsc_on;

static inline int64_t lp_clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t lp_monotonic_now(void)
{
	return lp_clock_ns(CLOCK_MONOTONIC);
}

static inline int64_t lp_now(void)
{
#if defined(__x86_64__)
	if (__atomic_load_n(&lp_tsc_on, __ATOMIC_ACQUIRE)) {
		int64_t ticks = (int64_t)(__rdtsc() - lp_tsc.tsc);

		return lp_tsc.ns + (int64_t)(((__int128)ticks * (__int128)lp_tsc.mult) >> 32);
	}
#endif
	return lp_monotonic_now();
}

static inline int64_t lp_wall_now(void)
{
	return lp_clock_ns(CLOCK_REALTIME);
}

/* At start: if the TSC can be trusted, take the first of the two readings
 * that measure its rate. */
void lp_clock_start(void);

/* How long after lp_clock_start the rate is measured (ns). */
#define LP_CLOCK_CALIBRATE_AFTER 50000000

/* Measure the TSC's rate (at least LP_CLOCK_CALIBRATE_AFTER after
 * lp_clock_start; earlier, or without a trusted TSC, nothing happens) and
 * switch lp_now() to it. Called once, from the dump thread. */
void lp_clock_calibrate(void);

#endif /* LP_CLOCK_H */
