/* SPDX-License-Identifier: MIT */
/*
 * What the interposed calls hand to the core. A wrapper that found its lock
 * busy (the trylock failed) brackets the real blocking call with
 * lp_wait_begin/lp_wait_end; a release checks lp_release_wanted before the
 * real unlock or post and calls lp_release_charge after it. All are cheap
 * when profiling is off, and everything they do happens outside the
 * program's critical sections, but for that one check (a load) and, on a
 * release's slow path, the wrapper's loads of the object's own words.
 */
#ifndef LP_RECORDER_H
#define LP_RECORDER_H

#include <stdint.h>

#include "base/config.h"
#include "holdset.h"
#include "primitive.h"
#include "snapshot.h"
#include "stackwalk.h"
#include "waitstate.h"

struct lp_profiler {
	int recording;           /* constructor ran, LOCKPROF!=0, not stopped */
	int64_t block_rate;      /* ns; <= 0 off */
	int64_t mutex_fraction;  /* <= 0 off */
	int64_t hold_fraction;   /* <= 0 off; set once, at start */
	int configured;          /* start-up is over: hold_fraction is final */
	int stack_depth;
	int labels;              /* LP_LABEL_*: what samples are labelled with */
	int hang_view;           /* the waits in progress are watched (LOCKPROF_HANG,
				  * the endpoint, LOCKPROF_SIGNAL): every wait is
				  * shown there, with its stack */
};

/* Hidden in its declaration too: the lock wrappers read it with one
 * instruction, not through the GOT. */
extern struct lp_profiler lp_prof __attribute__((visibility("hidden")));

/* How a waited-on object relates to the mutex profile. */
enum lp_wait_kind {
	LP_WAIT_HELD,   /* a lock or semaphore whose release is charged */
	LP_WAIT_MUTEX,  /* the same, released only by the thread that took it */
	LP_WAIT_SHARED, /* a lock or semaphore shared between processes (its
			 * release is charged in whichever process makes it) */
	LP_WAIT_COND,   /* a condition variable: block profile only */
};

/* A stack walk (a few hundred ns) may follow a wait inside the program's
 * critical section only when that wait lasted at least this long (ns). */
#define LP_WALK_AFTER_WAITS_OVER 5000

/* With the hang view on, a mutex or rwlock waiter whose stack was not
 * taken before blocking takes it once it has waited this long (ns): the
 * wrapper's real call is first made with this timeout (lp_stack_deadline
 * in interpose/wrap.h), and on that timeout the thread walks its stack,
 * holding nothing, then makes the call as the program made it. */
#define LP_HANG_STACK_AFTER 20000000

struct lp_wait {
	int64_t start;
	uint64_t draw;              /* the block sample's random number */
	struct lp_waiter held;      /* registered waiter when held.entry */
	enum lp_wait_kind kind;
	enum lp_primitive prim;     /* the call the program made */
	const void *obj;            /* what it waits on */
	int profiled;               /* for the profiles; else only shown */
	int stack_due;              /* the hang view wants a stack taken during
				     * the wait (lp_wait_stack) */
	int npcs;                   /* stack captured before blocking, or -1 */
	int truncated;
	uintptr_t pcs[LP_MAX_STACK_DEPTH + LP_STACK_SLACK];
};

/* Returns 0 when this wait is neither profiled nor shown among the waits
 * in progress (the wrapper then just calls the real function); 1 when
 * lp_wait_end must follow. A profiled wait is shown there too (a few
 * stores to the thread's own slot); with the hang view on, every wait is,
 * whatever the profiles' rates. */
int lp_wait_begin(struct lp_wait *w, const void *obj, enum lp_wait_kind kind,
		  enum lp_primitive prim);

/* The waiter's stack, now that its wait has lasted LP_HANG_STACK_AFTER:
 * for the waits in progress, and for the block profile if it keeps it. */
void lp_wait_stack(struct lp_wait *w);

/* How a profiled wait ended. */
enum lp_wait_outcome {
	LP_WAIT_FAILED,    /* an immediate error (EDEADLK, EINVAL, ...): no wait */
	LP_WAIT_ACQUIRED,  /* took the lock (owner-dead too); a condvar's wake */
	LP_WAIT_GAVE_UP,   /* timed out, interrupted or cancelled: a wait that
			    * no release ended, charged to none */
};

/* The wait is over: the real call returned, or the thread is cancelled
 * inside it (from a cleanup handler: LP_WAIT_GAVE_UP). Records the wait in
 * the block profile unless it failed: at once, or, when the thread now
 * holds the lock `holding` (not NULL), after its release of that lock (or
 * before its next wait, whichever comes first), so that the stack-table
 * insert is not in the program's critical section. A mutex's waiter
 * leaves the lock's wait state then too, with its release's charge. */
void lp_wait_end(struct lp_wait *w, enum lp_wait_outcome how, const void *holding);

/*
 * A release (unlock, post) asks lp_release_wanted before the real call and,
 * only when it says yes, calls lp_release_charge after a successful one;
 * otherwise the real call is a tail call, with no load after its atomic
 * instruction (a load there costs a few cycles on every uncontended unlock).
 *
 * Checked before the release, the filter misses a waiter that registers
 * after the check: in the few instructions between check and release (or
 * with the releaser preempted right there), or after the release, having
 * been slow between its failed trylock and registering (a new lock's entry
 * to make, or preempted). Its time is not lost: it stays pending on the
 * lock, for the next release by another thread, or for the collection
 * (lp_waitstate_settle).
 */
static inline int lp_release_wanted(const void *obj)
{
	return __builtin_expect(lp_waitstate_maybe_busy((uintptr_t)obj), 0);
}

/* The lock whose release the thread's last wait left work for (a
 * departure, a record: recorder.c), or NULL. */
extern __thread const void *lp_deferred_holding __attribute__((tls_model("initial-exec")));

/* Most releases of a hot lock that find its filter busy wake nobody and
 * end nothing of the thread's own (a wait deferred to this release, a
 * timed hold), with no waits pending alone in its slot: lp_release_charge
 * would do nothing for them, and the wrappers do not call it. */
static inline int lp_release_quiet(const void *obj, int64_t held_until, int woke)
{
	return !woke && !held_until && lp_deferred_holding != obj &&
	       !lp_waitstate_maybe_pending_alone((uintptr_t)obj);
}

/* After the real unlock or post (`prim`) succeeded: charge the waiters
 * when the release `woke` one (or may have), record the thread's wait
 * deferred until this release, and, when `held_until` is not 0
 * (lp_hold_releasing), the thread's timed hold of `obj`, which ended then.
 * `shared`: the object is shared between processes (read from it before
 * the release). A release that woke nobody leaves the waiting since the
 * last charge to the next release that wakes one, as Go does
 * (docs/profiles.md, "What a release is charged"). */
void lp_release_charge(const void *obj, enum lp_primitive prim, int shared,
		       int64_t held_until, int woke);

/*
 * The hold profile: 1 in lp_prof.hold_fraction acquisitions of a mutex or
 * of a rwlock's write lock is timed from acquisition to release. A lock
 * wrapper asks lp_hold_due first: a decrement of the thread's countdown
 * and a sign test, whether the profile is on or off (off, a thread's first
 * acquisition after start-up sets its countdown beyond reach, in
 * lp_hold_arm; no branch is laid out of line for either). Only when
 * it says yes does the acquisition go through lp_hold_arm, the real lock
 * call, and lp_hold_taken:
 *
 *   lp_hold_arm, before the lock is taken: the draw (lp_holdset_draw), an
 *     entry in the thread's set, and the lock's waiter-filter slot raised
 *     so that its release, whose fast path stays as it is, comes to
 *     lp_release_charge. Returns 1 when armed.
 *   lp_hold_taken, right after the call returns: the clock read that
 *     starts the hold (a wait's end, when the lock was waited for), or the
 *     entry dropped when the call did not take the lock or took it again
 *     (`relocked`: a recursive mutex the thread already held, whose
 *     outermost lock was not drawn).
 *
 * The release (on its slow path, where the raised filter slot sends it)
 * asks lp_hold_releasing just before the real unlock, and the stack is
 * walked after it: no work of the profiler falls inside the hold but the
 * two clock reads (and a look at the thread's set).
 */
static inline int lp_hold_due(void)
{
	return __builtin_expect(--lp_hold_countdown < 0, 0);
}

int lp_hold_arm(const void *lock);
void lp_hold_taken(const void *lock, int taken, int relocked);

int64_t lp_hold_releasing_timed(const void *lock);

/* The thread is about to release `lock`: when it has a timed hold of it,
 * the time (the hold's end, for lp_release_charge), else 0. Call it only
 * for the release that ends the hold (not a recursive mutex's inner one). */
static inline int64_t lp_hold_releasing(const void *lock)
{
	return __builtin_expect(lp_holdset_count == 0, 1) ? 0 : lp_hold_releasing_timed(lock);
}

/* A condvar wait is about to release `mutex` inside the C library: a timed
 * hold of it ends now, and is recorded at the thread's release of the
 * mutex taken back. */
void lp_hold_cond_wait(const void *mutex);

/* Is the profile recorded in this process? Block and mutex always; hold
 * when LOCKPROF_HOLD_FRACTION turned it on. */
int lp_profiler_has(enum lp_kind kind);

/*
 * The calling thread's stack for a sample in `prim`: the primitive as its
 * leaf (lp_primitive_pc), then the program's frames, without the library's,
 * lp_prof.stack_depth frames in all. `pcs` has room for
 * LP_MAX_STACK_DEPTH + LP_STACK_SLACK. Returns the number of frames;
 * *truncated says the program's stack went deeper.
 */
int lp_stack_capture(uintptr_t *pcs, enum lp_primitive prim, int *truncated);

/* Snapshot one profile now (time and duration filled in). 0 or -1. */
int lp_profiler_snapshot(enum lp_kind kind, struct lp_snapshot *out);

/* The recorder's tables and wait state, sized by `cfg`. 0, or -1 when out
 * of memory. */
int lp_recorder_init(const struct lp_config *cfg);

/* A forked child starts profiles of its own. */
void lp_recorder_after_fork_child(void);

#endif /* LP_RECORDER_H */
