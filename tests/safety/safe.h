/* SPDX-License-Identifier: MIT */
/* What the safety test programs share: failing loudly, and spinning. */
#ifndef SAFE_H
#define SAFE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		exit(99); \
	} \
} while (0)

/* pthread calls report errors by return value. */
#define PT(call) do { int rc_ = (call); \
	if (rc_ != 0) { \
		fprintf(stderr, "%s:%d: %s: error %d\n", __FILE__, __LINE__, #call, rc_); \
		exit(99); \
	} \
} while (0)

static inline long long safe_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Busy for about `ns`: a hold long enough that other threads queue up. */
static inline void safe_spin_ns(long long ns)
{
	long long end = safe_now_ns() + ns;
	while (safe_now_ns() < end)
		;
}

static inline void safe_sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) != 0)
		;
}

#endif
