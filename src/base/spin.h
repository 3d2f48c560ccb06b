/* SPDX-License-Identifier: MIT */
/*
 * A tiny spinlock for the profiler's own few-instruction critical sections
 * (never held across a call that can block). Yields when the holder was
 * preempted. A trylock form serves signal-safe callers.
 */
#ifndef LP_SPIN_H
#define LP_SPIN_H

#include <sched.h>

static inline int lp_spin_trylock(int *l)
{
	return !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}

static inline void lp_spin_lock(int *l)
{
	unsigned spins = 0;

	while (!lp_spin_trylock(l)) {
		while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
			if (++spins < 100)
				__builtin_ia32_pause();
			else
				sched_yield();
		}
	}
}

static inline void lp_spin_unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

#endif /* LP_SPIN_H */
