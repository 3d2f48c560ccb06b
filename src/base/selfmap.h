/* SPDX-License-Identifier: MIT */
/*
 * Where the profiler itself is in memory: the code of liblockprof (frames
 * dropped from every stack) and the data of the libraries whose locks are
 * its own business (liburcu's registry and grace-period mutexes, libunwind's
 * caches, taken for instance when a program thread exits): waits on those
 * are never profiled.
 */
#ifndef LP_SELFMAP_H
#define LP_SELFMAP_H

#include <stdint.h>

struct lp_range {
	uintptr_t lo, hi;
};

#define LP_SELF_DATA_MAX 8

struct lp_selfmap {
	struct lp_range code;                  /* liblockprof's text */
	struct lp_range data[LP_SELF_DATA_MAX]; /* writable segments */
	int ndata;
	struct lp_range span;                  /* from the lowest to the highest */
};

extern struct lp_selfmap lp_self;

/* Fill lp_self; once, at start. */
void lp_selfmap_init(void);

static inline int lp_self_code(uintptr_t pc)
{
	return pc >= lp_self.code.lo && pc < lp_self.code.hi;
}

/* Is this lock one of the profiler's own libraries'? */
static inline int lp_self_lock(const void *obj)
{
	uintptr_t a = (uintptr_t)obj;

	/* The program's locks, in its own image, heap and stacks, are mostly
	 * outside the span: one test. */
	if (a < lp_self.span.lo || a >= lp_self.span.hi)
		return 0;
	for (int i = 0; i < lp_self.ndata; i++)
		if (a >= lp_self.data[i].lo && a < lp_self.data[i].hi)
			return 1;
	return 0;
}

#endif /* LP_SELFMAP_H */
