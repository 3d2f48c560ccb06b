/* SPDX-License-Identifier: MIT */
/*
 * One lock's wait state, (n, L, D) and its late slot (src/record/waitstate.h
 * has the arithmetic), as both tables hold it: the process's own table of
 * thread-private locks (waitstate.c) and the table of locks shared between
 * processes (sharedstate.c). Internal to src/record.
 */
#ifndef LP_LOCKSTATE_H
#define LP_LOCKSTATE_H

#include <stdint.h>

#include <urcu/rculfhash.h>

#include "base/clock.h"

/* Two words changed together by one cmpxchg16b. */
struct pair {
	uint64_t lo, hi;
} __attribute__((aligned(16)));

#define MASK48 ((1ull << 48) - 1)
#define RETIRED 0xffffu /* n of an entry taken out of the table */
#define MAX_WAITERS (RETIRED - 1)

struct lp_lockstate {
	/* A line of its own: what every waiter and release changes, the
	 * lock it stands for, read before each change, and the late slot,
	 * which a sampled release and its late waiters change right after
	 * their change of the state (one line to fetch, not two). */
	struct pair state; /* lo: L (48 bits) << 16 | n; hi: D */
	struct pair late;  /* lo: charge time (48 bits) << 16;
			    * hi: late ns << 1 | 1 until attached, then the sample
			    * (a shared entry's is never attached: sharedstate.c) */
	uintptr_t lock;    /* 0 once retired */
	int shared;        /* in the table shared between processes */
	/* The next line: the table's chain pointers (lookups are rare: the
	 * memo finds entries). */
	struct cds_lfht_node node __attribute__((aligned(64)));
	struct lp_lockstate *next_free;
};

/* *p = desired if *p == *expected; otherwise *expected = *p. */
static inline int cas16(struct pair *p, struct pair *expected, struct pair desired)
{
	unsigned char ok;

	__asm__ __volatile__("lock cmpxchg16b %1\n\tsete %0"
			     : "=q"(ok), "+m"(*p), "+a"(expected->lo), "+d"(expected->hi)
			     : "b"(desired.lo), "c"(desired.hi)
			     : "memory", "cc");
	return ok;
}

/* Two loads, possibly torn: a compare-and-swap with it checks it. */
static inline struct pair load16(const struct pair *p)
{
	struct pair v;

	v.lo = __atomic_load_n(&p->lo, __ATOMIC_ACQUIRE);
	v.hi = __atomic_load_n(&p->hi, __ATOMIC_ACQUIRE);
	return v;
}

static inline uint32_t waiters(struct pair s)
{
	return (uint32_t)(s.lo & 0xffff);
}

static inline uint64_t time48(uint64_t lo)
{
	return lo >> 16;
}

/* The time whose low 48 bits are `t48`, nearest to `ref` (within 39 hours). */
static inline int64_t near(uint64_t t48, int64_t ref)
{
	return ref + ((int64_t)(((t48 - (uint64_t)ref) & MASK48) << 16) >> 16);
}

/* Is 48-bit time `a` later than `b`? */
static inline int later48(uint64_t a, uint64_t b)
{
	return (int64_t)((a - b) << 16) > 0;
}

/*
 * The clock of an entry's times. A shared entry's are compared between
 * processes: CLOCK_MONOTONIC, which every process reads alike. The TSC
 * clock is measured by each process on its own (base/clock.c), and two
 * measurements may differ by a part in a million.
 */
static inline int64_t lockstate_now(const struct lp_lockstate *e)
{
	return e->shared ? lp_monotonic_now() : lp_now();
}

#endif /* LP_LOCKSTATE_H */
