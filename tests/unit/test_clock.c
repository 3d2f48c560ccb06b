/* SPDX-License-Identifier: MIT */
/* The profiler's clock: the TSC, once measured, must keep CLOCK_MONOTONIC's
 * time (continuous at the switch, the same rate), and until then, or where
 * it is not trusted, lp_now() is CLOCK_MONOTONIC. */
#include <stdlib.h>
#include <time.h>

#include "base/clock.h"
#include "unit.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0) {
	}
}

/* How far lp_now() is from CLOCK_MONOTONIC now: the smallest gap of a few
 * bracketed reads. */
static int64_t offset(void)
{
	int64_t best = INT64_MAX, off = 0;

	for (int i = 0; i < 10; i++) {
		int64_t a = lp_monotonic_now(), t = lp_now(), b = lp_monotonic_now();

		if (b - a < best) {
			best = b - a;
			off = t - (a + (b - a) / 2);
		}
	}
	return off;
}

int main(void)
{
	int64_t prev, now;
	int backwards = 0;

	lp_clock_start();
	lp_clock_calibrate(); /* too early: must not switch */
	EXPECT(!lp_tsc_on);
	EXPECT(llabs(offset()) < 2000);
	sleep_ms(60);
	lp_clock_calibrate();
	printf("clock: %s\n", lp_tsc_on ? "TSC, measured against CLOCK_MONOTONIC" :
	       "CLOCK_MONOTONIC (the TSC is not trusted here)");

	/* Continuous at the switch, and the same rate afterwards: 300 ms later
	 * within 30 us (1e-4) of CLOCK_MONOTONIC. */
	EXPECT(llabs(offset()) < 2000);
	for (int i = 0; i < 3; i++) {
		sleep_ms(100);
		printf("lp_now - CLOCK_MONOTONIC after %d ms: %lld ns\n", 100 * (i + 1),
		       (long long)offset());
	}
	EXPECT(llabs(offset()) < 30000);

	/* Never backwards on one thread. */
	prev = lp_now();
	for (int i = 0; i < 1000000; i++) {
		now = lp_now();
		backwards += now < prev;
		prev = now;
	}
	EXPECT(backwards == 0);
	return unit_summary();
}
