/* SPDX-License-Identifier: MIT */
/*
 * The TSC as the profiler's clock.
 *
 * The TSC is trusted only where the kernel keeps time with it: its current
 * clocksource is "tsc" (the kernel checked at boot that the CPUs' TSCs are
 * synchronized, and stops using one that drifts) and the CPU reports an
 * invariant TSC (constant rate through frequency changes and idle states).
 * Anywhere else lp_now() stays clock_gettime.
 *
 * The kernel does not export the TSC's rate, so it is measured: CLOCK_MONOTONIC
 * and the TSC read together at start, again at least 50 ms later (a read is
 * bracketed to within about 30 ns: a rate error under 1e-6). From then on
 * lp_now() extends CLOCK_MONOTONIC's second reading by TSC ticks, so the
 * switch is continuous to within one read; waits that span it and the
 * wait-state arithmetic (src/record/waitstate.c clamps times read on different
 * CPUs) take that in their stride.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "clock.h"

struct lp_tsc_clock lp_tsc;
int lp_tsc_on;

#if defined(__x86_64__)
static uint64_t start_tsc;
static int64_t start_ns;
static int started;

static int invariant_tsc(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(0x80000007, &a, &b, &c, &d))
		return 0;
	return (d >> 8) & 1;
}

static int kernel_uses_tsc(void)
{
	char buf[16];
	ssize_t n;
	int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		      O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, "tsc\n") == 0;
}

/* The TSC and CLOCK_MONOTONIC at one instant: the tightest of a few tries,
 * the TSC taken halfway between the two that bracket clock_gettime. */
static void read_pair(uint64_t *tsc, int64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t before = __rdtsc();
		int64_t mono = lp_monotonic_now();
		uint64_t after = __rdtsc();

		if (after - before < best) {
			best = after - before;
			*tsc = before + (after - before) / 2;
			*ns = mono;
		}
	}
}

void lp_clock_start(void)
{
	if (!invariant_tsc() || !kernel_uses_tsc())
		return;
	read_pair(&start_tsc, &start_ns);
	started = 1;
}

void lp_clock_calibrate(void)
{
	uint64_t tsc;
	int64_t ns;
	unsigned __int128 mult;

	if (!started || __atomic_load_n(&lp_tsc_on, __ATOMIC_RELAXED))
		return;
	read_pair(&tsc, &ns);
	if (ns - start_ns < LP_CLOCK_CALIBRATE_AFTER || tsc <= start_tsc)
		return;
	mult = ((unsigned __int128)(ns - start_ns) << 32) / (tsc - start_tsc);
	/* A rate outside 100 MHz-20 GHz means the readings are not what they
	 * seem (a TSC that stopped, a clock that jumped): keep clock_gettime. */
	if (mult > (10ull << 32) || mult < (1ull << 32) / 20)
		return;
	lp_tsc.tsc = tsc;
	lp_tsc.ns = ns;
	lp_tsc.mult = (uint64_t)mult;
	__atomic_store_n(&lp_tsc_on, 1, __ATOMIC_RELEASE);
}
#else
void lp_clock_start(void)
{
}

void lp_clock_calibrate(void)
{
}
#endif
