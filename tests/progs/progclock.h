/* SPDX-License-Identifier: MIT */
/* The test programs' own clock and sleeps: what they measure themselves
 * by, with nothing the library profiles. */
#ifndef PROGCLOCK_H
#define PROGCLOCK_H

#include <errno.h>
#include <time.h>

static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* At least `us` microseconds, a signal handler or not. */
static inline void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Handshakes count rounds, so neither side can miss the other's step. */
static inline void await_round(int *counter, int round)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < round)
		sleep_us(5);
}

#endif /* PROGCLOCK_H */
