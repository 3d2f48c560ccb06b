/* SPDX-License-Identifier: MIT */
/*
 * The waits in progress (the hang view, docs/live.md): what each thread is
 * waiting for right now in a profiled primitive, the whole time it waits.
 *
 * Each thread that waits gets a slot of its own, on a global list that only
 * grows (slots are never freed, so a reader never touches freed memory); a
 * thread that exits gives its slot back for the next new thread to take.
 * Only the slot's thread writes it, as a seqlock: its `seq` is odd while a
 * record is being written, and moves on with every wait, so a reader never
 * takes a torn record and can tell whether a wait it saw is still the same
 * one. A wait costs its thread a few stores to its own slot; no line
 * another thread writes.
 */
#ifndef LP_WAITING_H
#define LP_WAITING_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "primitive.h"
#include "stackwalk.h"

/* A wait in progress, as read. */
struct lp_wait_now {
	const void *slot;  /* with gen: which wait this is */
	uint32_t gen;
	int tid;
	enum lp_primitive prim;
	uintptr_t obj;
	int64_t start;     /* lp_now() at its start */
	int npcs;          /* stack, leaf first; 0 when none was taken */
	int truncated;
	uintptr_t pcs[LP_MAX_STACK_DEPTH + LP_STACK_SLACK];
};

/* Once, at start (creates the key whose destructor gives a slot back).
 * 0 or -1. */
int lp_waiting_init(void);

/* The calling thread begins waiting on `obj` in `prim` since `start`, with
 * its stack when `npcs` >= 0. Nothing is shown when the thread has no slot
 * and none can be had (out of memory). */
void lp_waiting_begin(const void *obj, enum lp_primitive prim, int64_t start,
		      const uintptr_t *pcs, int npcs, int truncated);

/* Its stack, taken during the wait. */
void lp_waiting_stack(const uintptr_t *pcs, int npcs, int truncated);

/* The wait is over. */
void lp_waiting_end(void);

/*
 * Every wait in progress now, in a malloc'd array (*out, *n; NULL and 0
 * when none). 0, or -1 when out of memory.
 */
int lp_waiting_snapshot(struct lp_wait_now **out, size_t *n);

/* Without copying stacks: how many waits are in progress, and when the
 * oldest mutex or rwlock wait began (INT64_MAX: none). */
void lp_waiting_summary(size_t *n, int64_t *oldest_lock);

/* Is the wait `w` (from a snapshot) still in progress? */
int lp_waiting_still(const struct lp_wait_now *w);

/* A forked child: the other threads are gone; their slots are free. */
void lp_waiting_after_fork_child(void);

#endif /* LP_WAITING_H */
