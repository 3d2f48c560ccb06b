/* SPDX-License-Identifier: MIT */
/*
 * The wait state of locks and semaphores shared between processes
 * (PTHREAD_PROCESS_SHARED, sem_init(.., 1, ..)), where every process of a
 * tree made by fork sees it: the process that releases charges the waits
 * of the others (docs/profiles.md, "Across processes").
 *
 * Each process where the library starts (at exec) maps, before it has any
 * child, one MAP_SHARED region that its forked descendants inherit at the
 * same address: a fixed table of entries keyed by the primitive's address
 * (a shared mapping inherited by fork has the same address in every
 * process), and the waiter filter itself (waitstate.h), so that a waiter
 * in one process sends another's release of that address to the slow path.
 * The entries hold the same (n, L, D) as a private lock's and change by the
 * same compare-and-swaps (waitstate.c); their times are CLOCK_MONOTONIC.
 * Nothing in the region is locked: a process killed at any instruction
 * blocks no other.
 *
 * Added to what a private lock's entry does:
 * - each waiter's pid, arrival and the L it saw, in a few records per
 *   entry: a release takes the waiters of processes that are gone out of
 *   the accounting (at most once every LP_SHARED_CHECK_EVERY per lock);
 * - the wake-up (late) time of a sampled release's waiters, which may be
 *   in another process, is kept in the entry's late slot; the releasing
 *   process remembers its claim on it and adds it to its sample itself,
 *   at its next sampled release of that lock and before every snapshot.
 */
#ifndef LP_SHAREDSTATE_H
#define LP_SHAREDSTATE_H

#include <stddef.h>
#include <stdint.h>

struct lp_lockstate;
struct lp_stack;

/* Locks the table holds (the contended ones: an entry is added at a
 * lock's first wait), and waiter records per lock. */
#define LP_SHARED_LOCKS 8192
#define LP_SHARED_RECORDS 4
/* How often a lock's records are checked for dead processes (ns). */
#define LP_SHARED_CHECK_EVERY 10000000

/* Map the region: once, at start, before any child and any wait. 0, or
 * -1 (shared primitives then have the state of a private lock in each
 * process: waits, but no charge across processes). */
int lp_sharedstate_init(void);

/* Make `filter` (`size` bytes: whole pages, page-aligned) shared with the
 * processes this one forks from now on, its counts as they are. 0 or -1. */
int lp_sharedstate_share_filter(void *filter, size_t size);

/* The region is there. */
int lp_sharedstate_on(void);

/* The entry of `lock`, added when `add` and it has none; NULL when it has
 * none or the table has no room. */
struct lp_lockstate *lp_sharedstate_entry(uintptr_t lock, int add);

/* Once a waiter joined `e`, arriving at `arrival` under L `seen`: a
 * record of it, or -1 when all are taken (it is then not recognized if its
 * process dies). Before it leaves: lp_sharedstate_forget, which says
 * whether it still counts (0: another process took it out, judging its
 * process gone; it must not leave again). */
int lp_sharedstate_note(struct lp_lockstate *e, int64_t arrival, uint64_t seen);
int lp_sharedstate_forget(struct lp_lockstate *e, int record);

/* A waiter whose process is gone: its arrival and the L it saw. */
struct lp_dead_waiter {
	int64_t arrival;
	uint64_t seen;
};

/* The waiters of `e` whose process is gone, their records freed, in `out`
 * (LP_SHARED_RECORDS at most): the caller takes them out of the state.
 * Looks at most once every LP_SHARED_CHECK_EVERY per lock. */
int lp_sharedstate_dead_waiters(struct lp_lockstate *e, int64_t now,
				struct lp_dead_waiter *out);

/* The sampled release of shared lock `e` charged at `time` was recorded
 * as `sample`: its waiters' late time goes there, scaled by `fraction`
 * (none above 65535). */
void lp_sharedstate_claim(struct lp_lockstate *e, int64_t time, struct lp_stack *sample,
			  int64_t fraction);

/* Add the late time kept for this process's sampled releases to their
 * samples: before a snapshot of the mutex profile. */
void lp_sharedstate_collect(void);

/* A forked child: its own pid, and no claims (they are the parent's). */
void lp_sharedstate_after_fork_child(void);

#endif /* LP_SHAREDSTATE_H */
