/* SPDX-License-Identifier: MIT */
/*
 * The CPU a thread runs on, to split counters by CPU: read from the rseq
 * area that glibc (2.35 and later) registers for every thread, where the
 * kernel keeps the thread's current CPU up to date (one load, no system
 * call). The answer may be stale when it is used (the thread migrated
 * meanwhile): counters split this way are still changed atomically; the
 * split only keeps CPUs off each other's cache lines most of the time.
 */
#ifndef LP_CPU_H
#define LP_CPU_H

#include <stdint.h>

#ifdef LP_HAVE_RSEQ
#include <sys/rseq.h>
#endif

/* The calling thread's CPU; one same value for every thread when it is
 * not known (a glibc without rseq, or its registration turned off, leaves
 * the field at a negative constant). */
static inline uint32_t lp_cpu_now(void)
{
#ifdef LP_HAVE_RSEQ
	const struct rseq *r =
		(const struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);

	return __atomic_load_n(&r->cpu_id, __ATOMIC_RELAXED);
#else
	return 0;
#endif
}

#endif /* LP_CPU_H */
