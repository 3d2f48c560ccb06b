/* SPDX-License-Identifier: MIT */
/*
 * The re-entrancy guard. While a thread runs profiler code, lock calls it
 * makes (liburcu's, libunwind's, the allocator's) and those of signal
 * handlers that interrupt it go straight to the real functions: they are
 * never recorded and never re-enter the profiler.
 */
#ifndef LP_GUARD_H
#define LP_GUARD_H

#include <errno.h>

extern __thread int lp_guard_depth __attribute__((tls_model("initial-exec")));

static inline int lp_guarded(void)
{
	return __atomic_load_n(&lp_guard_depth, __ATOMIC_RELAXED) != 0;
}

/* Enter profiler code: keeps errno, which the program may be about to read
 * (semaphores report through it). */
static inline int lp_guard_enter(void)
{
	__atomic_store_n(&lp_guard_depth, lp_guard_depth + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return errno;
}

static inline void lp_guard_leave(int saved_errno)
{
	errno = saved_errno;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&lp_guard_depth, lp_guard_depth - 1, __ATOMIC_RELAXED);
}

#endif /* LP_GUARD_H */
