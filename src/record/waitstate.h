/* SPDX-License-Identifier: MIT */
/*
 * Per-lock wait state for the mutex profile (docs/profiles.md,
 * "Mutex profile: who makes them wait"), without a lock: each operation is one
 * 16-byte compare-and-swap of (n, L, D) on the lock's own cache line.
 *
 *   n  waiters
 *   L  the time of the last charge (or of the first arrival on an idle lock)
 *   D  the sum over waiters of L - since, plus P, the waiting time of
 *      waiters that took the lock before a release charged it
 *
 *   a waiter arrives at a:        n += 1, D += L - a      (since = a)
 *   a release at T is charged:    n*(T - L) + D;  then L = T, D = 0 (kept:
 *                                 L = T + 1, D = n, that ns credited to
 *                                 each waiter, which a leaver takes back)
 *   a waiter that a charge since its arrival counted (it saw another L)
 *   leaves at t:                  n -= 1  (its share is 0); t - L is "late"
 *   one that no charge counted:   n -= 1, D -= L - a; and if it took the
 *                                 lock, D += t - a (pending, for the next
 *                                 release)
 *
 * Stored relative to L, every term is a difference of times: the charge is
 * integer-exact whatever the order in which threads read their clocks, and
 * each nanosecond waited that ends in the lock is charged once (the sum of
 * all charges and of what is left equals the sum of the waits, exactly).
 * The clamps keep each wait's end no earlier than what was charged for it:
 * a waiter's wait ends at max(t, L) when a charge counted it.
 *
 * Late time is the wake-up after a release: a waiter that a release charged
 * goes on waiting until it runs (or, having taken the lock before that
 * charge, waited less than it counted: late time is negative then). It is
 * known exactly when the waiter leaves, and added as it is, unscaled, to
 * the sample of its release once that release attached it
 * (lp_waitstate_attach), or kept in the lock's late slot until then; when
 * that release is not kept, to the last kept release of the lock; while the
 * lock has none, a wake-up is left pending for its next charge.
 *
 * A thread's own wait is never charged to its own release: a thread that
 * took the lock before its releaser charged leaves its wait pending, and
 * remembers it; if its own release comes first, it leaves that much for the
 * releaser's charge. What no release comes for, on a lock left behind, a
 * collection settles (lp_waitstate_settle). A waiter that gave up (timed out, interrupted,
 * cancelled) took no lock: it removes its share, and no release is charged
 * for its wait after the last one that counted it.
 *
 * Entries live in a cds_lfht keyed by lock address, each on a cache line of
 * its own (the table's chain pointers are on the next). Locks initialized
 * statically, freed without destroy or reused at the same address need
 * nothing special: an idle entry (n == 0, D == 0) is as good as a new one.
 * Idle entries are reclaimed when the table reaches its bound. Locks shared
 * between processes have their entries in a table shared by a process
 * tree (sharedstate.h), changed by the same operations.
 *
 * A small counting filter, indexed by a hash of the address, tells a
 * release in a few instructions that no entry it could map to is busy: the
 * uncontended unlock never touches the table.
 */
#ifndef LP_WAITSTATE_H
#define LP_WAITSTATE_H

#include <stdint.h>

struct lp_lockstate;
struct lp_stack;

#define LP_FILTER_BITS 12
/* Whole pages, page-aligned: shared with the process's forked descendants
 * once it initialized a primitive shared between processes
 * (lp_waitstate_share). */
extern uint32_t lp_waiter_filter[1u << LP_FILTER_BITS];

static inline uint32_t lp_filter_slot(uintptr_t lock)
{
	return (uint32_t)(((uint64_t)lock * 0x9E3779B97F4A7C15ull) >> (64 - LP_FILTER_BITS));
}

/* Could `lock` have waiters or uncharged time? False means surely not. */
static inline int lp_waitstate_maybe_busy(uintptr_t lock)
{
	return __atomic_load_n(&lp_waiter_filter[lp_filter_slot(lock)],
			       __ATOMIC_RELAXED) != 0;
}

/* What the filter counts in `lock`'s slot: busy entries, and the work
 * raised there by lp_waitstate_hold. */
static inline uint32_t lp_waitstate_filter_count(uintptr_t lock)
{
	return __atomic_load_n(&lp_waiter_filter[lp_filter_slot(lock)], __ATOMIC_RELAXED);
}

/*
 * Per filter slot, the entries there with waits pending and nobody
 * waiting: a lock release that wakes nobody looks at its entry only when
 * its slot has one (lp_waitstate_pending_alone), which a charge then turns
 * idle. An entry of another lock in the slot costs a look.
 */
extern uint32_t lp_pending_alone[1u << LP_FILTER_BITS];

/* Could the private lock `lock` have waits pending and nobody waiting?
 * False means surely not. */
static inline int lp_waitstate_maybe_pending_alone(uintptr_t lock)
{
	return __atomic_load_n(&lp_pending_alone[lp_filter_slot(lock)], __ATOMIC_RELAXED) != 0;
}

/* Called once at start (malloc is safe there). Returns 0 or -1. */
int lp_waitstate_init(int64_t max_locks);

/* A registered waiter: its entry, its arrival, and the L it saw; on a
 * shared lock, its record there (sharedstate.h), or -1. */
struct lp_waiter {
	struct lp_lockstate *entry;
	int64_t arrival;
	uint64_t seen;
	int record;
};

/*
 * Register the calling thread as a waiter on `lock`, arriving now; a lock
 * `shared` between processes is in the shared table (its times on
 * CLOCK_MONOTONIC). Returns 1, or 0 when the lock cannot be tracked (table
 * full of busy locks).
 */
int lp_waitstate_arrive(uintptr_t lock, int shared, struct lp_waiter *w);

/* The waiter stops waiting: it took the lock (`acquired`), or gave up
 * (timed out, interrupted, cancelled, failed). Returns the time its wait
 * ended. */
int64_t lp_waitstate_leave(const struct lp_waiter *w, int acquired);

/*
 * A mutex's waiter that took the lock at `acquired_at` may leave later,
 * out of its critical section: with its release's charge
 * (lp_waitstate_charge's `left`), or alone before its next wait. Until
 * then it counts as waiting; only its own release can come meanwhile, but
 * for the releaser that woke it, whose charge may still count it: the late
 * time it then leaves is negative, and the sum stays exact.
 */
void lp_waitstate_leave_held(const struct lp_waiter *w, int64_t acquired_at);

struct lp_charge {
	int64_t charged;  /* waiting time charged to the release */
	int64_t time;     /* when (T) */
	int every;        /* every release is kept (fraction 1) */
	int sampled;      /* the release is kept in the mutex profile, */
	uint64_t contentions_fx; /* as this many releases (fixed point, */
	int64_t delay;           /* LP_FX_ONE = 1) and this much delay */
	int late_due;     /* someone still waits (late time may follow), or the
			   * lock's late slot carries some: attach the sample */
	struct lp_lockstate *entry;
};

/*
 * A release of `lock`: what it is charged, and whether it is sampled (1 in
 * `fraction`, by lp_mutex_keep; 0 never), `shared` as at arrival. Every
 * release charged that finds waiters charges, kept or not (waitstate.c).
 * Returns 0 when there was nothing to charge, and with the mutex profile
 * off (`fraction` <= 0) for a private lock unless it leaves (`left`); 1
 * with nothing charged for a release that leaves its own wait pending on
 * a lock with no kept release, to be recorded all the same (the waits no
 * release takes are settled there: lp_waitstate_settle). With `left`, the
 * releasing thread's own departure as a waiter that took the lock at
 * `left_at` is made in the same compare-and-swap.
 * Signal-safe: it allocates nothing and takes no lock.
 */
int lp_waitstate_charge(uintptr_t lock, int shared, int64_t fraction,
			const struct lp_waiter *left, int64_t left_at, struct lp_charge *c);

/* Has the private lock `lock` waits left pending and nobody waiting?
 * Read only: a lock release that wakes nobody charges then, and the
 * lock's entry turns idle (lp_release_charge). */
int lp_waitstate_pending_alone(uintptr_t lock);

/* Each collection first settles the waits left pending on locks with
 * nobody waiting: to the lock's last kept release (waitstate.c). */
void lp_waitstate_settle(void);

/* The sampled release `c` was recorded as `sample`: late time of its
 * waiters goes there, as it is; a shared lock's, scaled by the sample's
 * weight (rounded, none above 65535), where it is collected. */
void lp_waitstate_attach(const struct lp_charge *c, struct lp_stack *sample);

/* `delta` more or fewer reasons for `lock`'s releases to take the slow
 * path: the calling thread has work for after its release of `lock` (1),
 * or did it (-1); the wait state counts its busy entries the same way. */
static inline void lp_waitstate_hold(uintptr_t lock, int delta)
{
	__atomic_fetch_add(&lp_waiter_filter[lp_filter_slot(lock)], (uint32_t)delta,
			   __ATOMIC_RELAXED);
}

/* A primitive shared between processes was initialized: share the filter
 * with the processes this one forks from now on (once; errno kept). */
void lp_waitstate_share(void);

/* A forked child has no waiters: clear every entry of its own table (the
 * shared table, and the filter once shared, are its parent's too, and
 * stay). */
void lp_waitstate_after_fork_child(void);


#endif /* LP_WAITSTATE_H */
