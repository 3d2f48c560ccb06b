/* SPDX-License-Identifier: MIT */
/*
 * pthread_mutex_*: try first; only a lock that was not free at once is
 * timed, and a normal mutex seen held is not tried. The result handed back is always the real blocking call's, or the
 * trylock's when the trylock took the lock. A wait that times out, or whose
 * thread is cancelled asynchronously inside the real call, gave up: it is in
 * the block profile and charged to no unlock.
 */
#undef __EXCEPTIONS /* the setjmp kind of cleanup handler: interpose/wrap.h */
#include <errno.h>
#include <pthread.h>

#include "base/export.h"
#include "record/recorder.h"
#include "real.h"
#include "shared.h"
#include "lockcall.h"
#include "wrap.h"

/* Did the trylock take the lock? Owner-dead also means taken: the trylock's
 * answer is final then. */
static inline int taken(int rc)
{
	return rc == 0 || rc == EOWNERDEAD;
}

/* glibc's kind bit of a robust mutex (PTHREAD_MUTEX_ROBUST_NORMAL_NP in
 * its pthreadP.h). */
#define GLIBC_KIND_ROBUST 16

/* How a wait on `m` relates to the wait state: a robust or shared mutex's
 * owner may die holding it (its process killed), so its waiter leaves the
 * wait state at once rather than with a release that may never come. */
static enum lp_wait_kind wait_kind(const pthread_mutex_t *m)
{
	if (lp_mutex_is_shared(m))
		return LP_WAIT_SHARED;
	return __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) & GLIBC_KIND_ROBUST ?
		LP_WAIT_HELD : LP_WAIT_MUTEX;
}

/* glibc's kind bit of a priority-inheritance mutex. */
#define GLIBC_KIND_PI 32

/* The clock of the first part of a wait whose stack is due: a PI mutex
 * waits in the kernel, whose oldest PI lock takes CLOCK_REALTIME only. */
static clockid_t due_clock(const pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) & GLIBC_KIND_PI ?
		CLOCK_REALTIME : CLOCK_MONOTONIC;
}

LP_LOCK_SLOW_PATH(mutex, pthread_mutex_t, wait_kind, due_clock)

/* pthread_mutex_lock's slow path: a frame of its own, so that the fast path
 * needs none. */
static __attribute__((noinline)) int lock_slow(pthread_mutex_t *m, int tried)
{
	return mutex_acquire_slow(m, tried, &(struct mutex_call){ .untimed = lp_real.mutex_lock,
							  .clocked = lp_real.mutex_clocklock,
							  .prim = LP_PRIM_MUTEX_LOCK });
}

/* A normal mutex that looks held (a plain load) is busy: it goes straight
 * to the timed wait, without a compare-and-swap bound to fail. One that
 * looks free is still tried first, so no wait is lost. The other kinds
 * (recursive, error-checking, robust, PI, shared) are always tried: their
 * owner's trylock answers differently. */
static inline int looks_held(const pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) != 0 &&
	       __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) == PTHREAD_MUTEX_NORMAL;
}

/* pthread_mutex_lock but for the hold profile's draw. */
static inline __attribute__((always_inline)) int mutex_lock(pthread_mutex_t *m)
{
	const struct lp_real *real = lp_real_basic();
	int rc;

	if (__builtin_expect(looks_held(m), 0))
		return lock_slow(m, EBUSY);
	rc = real->mutex_trylock(m);
	if (__builtin_expect(taken(rc), 1))
		return rc;
	return lock_slow(m, rc);
}

static int mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	int rc = real->mutex_trylock(m);

	if (__builtin_expect(taken(rc), 1))
		return rc;
	return mutex_acquire_slow(m, rc, &(struct mutex_call){ .timed = real->mutex_timedlock,
							 .abstime = abstime,
							 .prim = LP_PRIM_MUTEX_TIMEDLOCK });
}

static int mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	int rc;

	/* glibc rejects an unsupported clock before trying the lock. */
	if (!lp_clock_valid(clock))
		return real->mutex_clocklock(m, clock, abstime);
	rc = real->mutex_trylock(m);
	if (__builtin_expect(taken(rc), 1))
		return rc;
	return mutex_acquire_slow(m, rc, &(struct mutex_call){ .clocked = real->mutex_clocklock,
							 .clock = clock, .abstime = abstime,
							 .prim = LP_PRIM_MUTEX_CLOCKLOCK });
}

/* glibc's kind bits (PTHREAD_MUTEX_KIND_MASK_NP in its pthreadP.h). */
#define GLIBC_KIND_MASK 3

/* The calling thread holds the recursive mutex `m` more than once: it has
 * just taken it again, or is about to release an inner lock. Read only by
 * the thread that holds `m` (its owner alone changes the count). */
static int relocked(const pthread_mutex_t *m)
{
	return (__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) & GLIBC_KIND_MASK) ==
		       PTHREAD_MUTEX_RECURSIVE &&
	       m->__data.__count > 1;
}

/* The acquisitions the hold profile's draw fell on (lp_hold_due). */
static __attribute__((noinline)) int lock_drawn(pthread_mutex_t *m)
{
	int rc;

	LP_HOLD_TIMED(rc, m, mutex_lock(m), taken(rc), relocked(m));
	return rc;
}

static __attribute__((noinline)) int timedlock_drawn(pthread_mutex_t *m,
						     const struct timespec *abstime)
{
	int rc;

	LP_HOLD_TIMED(rc, m, mutex_timedlock(m, abstime), taken(rc), relocked(m));
	return rc;
}

static __attribute__((noinline)) int clocklock_drawn(pthread_mutex_t *m, clockid_t clock,
						     const struct timespec *abstime)
{
	int rc;

	LP_HOLD_TIMED(rc, m, mutex_clocklock(m, clock, abstime), taken(rc), relocked(m));
	return rc;
}

LP_EXPORT LP_FAST_PATH int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (lp_hold_due())
		return lock_drawn(m);
	return mutex_lock(m);
}

LP_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	if (lp_hold_due())
		return timedlock_drawn(m, abstime);
	return mutex_timedlock(m, abstime);
}

LP_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock,
				      const struct timespec *abstime)
{
	if (lp_hold_due())
		return clocklock_drawn(m, clock, abstime);
	return mutex_clocklock(m, clock, abstime);
}

/*
 * Will this unlock of `m`, held by the calling thread, wake a waiter?
 * glibc's lock word is above 1 once a thread sleeps on it (its lock sets 2
 * before the futex wait), and the unlock that swaps out such a word wakes
 * one; no other thread lowers the word while the lock is held. Only such
 * a release is charged, as Go charges only the Unlock that wakes a waiter
 * (sync.Mutex's unlockSlow, then semrelease): the releases that wake
 * nobody are most of a hot lock's, a thread taking it again before the
 * woken waiter runs, and a charge each cost more than the program's own
 * hand-over (docs/performance.md, "Session 10"). The kinds whose word
 * holds the owner (robust, PI) and shared mutexes are charged at every
 * release; a recursive mutex's `inner` release wakes nobody.
 */
static int unlock_wakes(const pthread_mutex_t *m, int shared, int inner)
{
	int kind = __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED);

	if (shared || (kind & (GLIBC_KIND_ROBUST | GLIBC_KIND_PI)))
		return 1;
	return !inner && __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) > 1;
}

/* A release with waiters to charge (out of line: the other releases are
 * a tail call). */
static __attribute__((noinline)) int unlock_charged(pthread_mutex_t *m)
{
	/* Read while it is held: after the unlock it may be gone. */
	int shared = lp_mutex_is_shared(m), inner = relocked(m);
	int wakes = unlock_wakes(m, shared, inner);
	int64_t held_until = inner ? 0 : lp_hold_releasing(m);
	int rc = lp_real_basic()->mutex_unlock(m);

	if (rc == 0)
		lp_wrap_release_charge(m, LP_PRIM_MUTEX_UNLOCK, shared, held_until, wakes);
	return rc;
}

LP_EXPORT LP_FAST_PATH int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (lp_release_wanted(m))
		return unlock_charged(m);
	return lp_real_basic()->mutex_unlock(m);
}
