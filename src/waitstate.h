/*
 * Per-lock wait state for the mutex profile (shared/spec/semantics.md,
 * "What a release is charged"): for each lock with waiters, the number of
 * waiters n, the sum S of their "since" times, the time L of the last charge
 * and the waiting time P of waiters that took the lock before a release
 * charged it.
 *
 *   a waiter arrives at t:          n += 1, S += t
 *   a release at T is charged:      P + n*T - S;  then S = n*T, L = T, P = 0
 *   a waiter leaves at t:           since = max(arrival, L); n -= 1,
 *                                   S -= since; if it took the lock,
 *                                   t - since is "late" time or goes to P
 *
 * Late time is the wake-up after a release: a waiter that a release at L
 * charged (arrival < L) goes on waiting until it runs. It belongs to that
 * release, and is added to its sample if the release was sampled (dropped
 * with it otherwise, as sampling drops the rest of an unsampled release).
 * A waiter that took the lock before any release charged it (its releaser
 * had not got to charge yet, or the owner died) leaves its time in P for
 * the next release.
 *
 * A waiter that gave up (timed out, was interrupted or cancelled, or the
 * call failed) did not take the lock: no release ended its wait, and
 * t - since is charged to none. Releases that came while it waited keep
 * what they were charged for it up to their time; later ones find no
 * trace of it, as if it had never come.
 *
 * Every nanosecond of waiting that ends in the lock is thus charged once,
 * and no release is charged for a wait that ended before it. Clocks are
 * read before the entry's spinlock and clamped under it, so that times on
 * one lock are ordered as their operations are: an arrival no earlier than
 * L, a departure no earlier than L, a charge later than L and than every
 * arrival it counts.
 *
 * Entries live in a cds_lfht keyed by lock address. Locks initialized
 * statically, freed without destroy or reused at the same address need
 * nothing special: an idle entry (n == 0, P == 0) is as good as a new one.
 * Idle entries are reclaimed when the table reaches its bound.
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

/* Called once at start (malloc is safe there). Returns 0 or -1. */
int lp_waitstate_init(int64_t max_locks);

/*
 * Register the calling thread as a waiter on `lock`. Returns its entry, to be
 * handed to lp_waitstate_leave, or NULL when the lock cannot be tracked
 * (table full of busy locks); *now is the arrival time the entry counts.
 */
struct lp_lockstate *lp_waitstate_arrive(uintptr_t lock, int64_t *now);

/* The waiter stops waiting: it took the lock (`acquired`), or gave up
 * (timed out, interrupted, cancelled, failed). Returns the time it left. */
int64_t lp_waitstate_leave(struct lp_lockstate *e, int64_t arrival, int acquired);

struct lp_charge {
	int64_t charged;  /* waiting time charged to the release */
	int64_t time;     /* when (T) */
	int sampled;      /* the release is kept in the mutex profile */
	int waiters_left; /* someone still waits: late time may follow */
};

/*
 * A release of `lock`: what it is charged, and whether it is sampled (1 in
 * `fraction`; 0 never). Returns 0 when there was nothing to charge.
 * Signal-safe: it allocates nothing and the guard keeps a handler from
 * meeting its own thread inside an entry.
 */
int lp_waitstate_charge(uintptr_t lock, int64_t fraction, struct lp_charge *c);

/* The sampled release `c` of `lock` was recorded as `sample`: late time of
 * its waiters goes there from now on, scaled by `fraction`. */
void lp_waitstate_attach(uintptr_t lock, const struct lp_charge *c,
			 struct lp_stack *sample, int64_t fraction);

/* A forked child has no waiters: clear every entry. */
void lp_waitstate_after_fork_child(void);


#endif /* LP_WAITSTATE_H */
