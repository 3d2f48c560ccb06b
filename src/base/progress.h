/* SPDX-License-Identifier: MIT */
/*
 * Work the dumps have done, counted coarsely (an address symbolized, a
 * mapping read, a buffer written). A thread that waits for a dump it
 * cannot interrupt, the exit path, tells a slow dump, which moves this on,
 * from a stuck one, which does not: a dump that runs while the exiting
 * thread holds the allocator's lock (exit() from a signal handler that
 * interrupted malloc) never finishes, and the exit must not wait for it.
 */
#ifndef LP_PROGRESS_H
#define LP_PROGRESS_H

extern unsigned long lp_progress;

static inline void lp_progress_tick(void)
{
	__atomic_add_fetch(&lp_progress, 1, __ATOMIC_RELAXED);
}

static inline unsigned long lp_progress_now(void)
{
	return __atomic_load_n(&lp_progress, __ATOMIC_RELAXED);
}

#endif /* LP_PROGRESS_H */
