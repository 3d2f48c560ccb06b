/* SPDX-License-Identifier: MIT */
/*
 * pthread_rwlock_*: try first, as for mutexes. glibc validates the clock and
 * the timeout of the timed forms before anything else, so those calls with
 * bad arguments go straight to the real function. Timeouts and asynchronous
 * cancellation end a wait as for mutexes.
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

/* A waiter on a rwlock is charged to its releases, in whichever process
 * makes them when it is shared. */
static enum lp_wait_kind wait_kind(const pthread_rwlock_t *l)
{
	return lp_rwlock_is_shared(l) ? LP_WAIT_SHARED : LP_WAIT_HELD;
}

static clockid_t due_clock(const pthread_rwlock_t *l)
{
	(void)l;
	return CLOCK_MONOTONIC;
}

LP_LOCK_SLOW_PATH(rwlock, pthread_rwlock_t, wait_kind, due_clock)

/*
 * A read lock's try: the timed read lock with a deadline long past. A
 * timed lock that can be taken at once never times out (POSIX), so it
 * takes the lock exactly when a trylock would; where it cannot, glibc
 * answers a negative deadline without a system call (futex_abstimed_wait,
 * since the rwlock of 2.25), with ETIMEDOUT for the trylock's EBUSY. Its
 * registration is the rdlock's one atomic add, where tryrdlock loads the
 * word every reader writes and then compare-and-swaps it: two transfers
 * of that line a lock instead of one (bench/run's four readers, 1.26 times
 * native through a tryrdlock, 1.11 through this). Where a tool that tracks
 * locks would not see the timed form, before resolution, or where it did
 * not take a free lock so, lp_real's try is the trylock (interpose/real.c).
 */
static inline int rdlock_try(const struct lp_real *real, pthread_rwlock_t *l)
{
	return real->rwlock_rdlock_try(l, &lp_long_past);
}

/* The untimed forms' slow paths: frames of their own, so that the fast
 * paths need none. */
static __attribute__((noinline)) int rdlock_slow(pthread_rwlock_t *l, int tried)
{
	return rwlock_acquire_slow(l, tried, &(struct rwlock_call){ .untimed = lp_real.rwlock_rdlock,
							  .clocked = lp_real.rwlock_clockrdlock,
							  .prim = LP_PRIM_RWLOCK_RDLOCK });
}

static __attribute__((noinline)) int wrlock_slow(pthread_rwlock_t *l, int tried)
{
	return rwlock_acquire_slow(l, tried, &(struct rwlock_call){ .untimed = lp_real.rwlock_wrlock,
							     .clocked = lp_real.rwlock_clockwrlock,
							     .prim = LP_PRIM_RWLOCK_WRLOCK });
}

LP_EXPORT LP_FAST_PATH int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	int rc = rdlock_try(lp_real_basic(), l);

	if (__builtin_expect(rc == 0, 1))
		return 0;
	return rdlock_slow(l, rc);
}

/* pthread_rwlock_wrlock but for the hold profile's draw. */
static inline __attribute__((always_inline)) int rwlock_wrlock(pthread_rwlock_t *l)
{
	int rc = lp_real_basic()->rwlock_trywrlock(l);

	if (__builtin_expect(rc == 0, 1))
		return 0;
	return wrlock_slow(l, rc);
}

/* The write locks the hold profile's draw fell on (lp_hold_due). */
static __attribute__((noinline)) int wrlock_drawn(pthread_rwlock_t *l)
{
	int rc;

	LP_HOLD_TIMED(rc, l, rwlock_wrlock(l), rc == 0, 0);
	return rc;
}

LP_EXPORT LP_FAST_PATH int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	if (lp_hold_due())
		return wrlock_drawn(l);
	return rwlock_wrlock(l);
}

LP_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	int rc;

	if (!lp_timeout_valid(CLOCK_REALTIME, abstime))
		return real->rwlock_timedrdlock(l, abstime);
	rc = rdlock_try(real, l);
	if (__builtin_expect(rc == 0, 1))
		return 0;
	return rwlock_acquire_slow(l, rc, &(struct rwlock_call){ .timed = real->rwlock_timedrdlock,
							  .abstime = abstime,
							  .prim = LP_PRIM_RWLOCK_TIMEDRDLOCK });
}

static int rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	int rc;

	if (!lp_timeout_valid(CLOCK_REALTIME, abstime))
		return real->rwlock_timedwrlock(l, abstime);
	rc = real->rwlock_trywrlock(l);
	if (__builtin_expect(rc == 0, 1))
		return 0;
	return rwlock_acquire_slow(l, rc, &(struct rwlock_call){ .timed = real->rwlock_timedwrlock,
							  .abstime = abstime,
							  .prim = LP_PRIM_RWLOCK_TIMEDWRLOCK });
}

LP_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
					 const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	int rc;

	if (!lp_timeout_valid(clock, abstime))
		return real->rwlock_clockrdlock(l, clock, abstime);
	rc = rdlock_try(real, l);
	if (__builtin_expect(rc == 0, 1))
		return 0;
	return rwlock_acquire_slow(l, rc, &(struct rwlock_call){ .clocked = real->rwlock_clockrdlock,
							  .clock = clock, .abstime = abstime,
							  .prim = LP_PRIM_RWLOCK_CLOCKRDLOCK });
}

static int rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
			      const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	int rc;

	if (!lp_timeout_valid(clock, abstime))
		return real->rwlock_clockwrlock(l, clock, abstime);
	rc = real->rwlock_trywrlock(l);
	if (__builtin_expect(rc == 0, 1))
		return 0;
	return rwlock_acquire_slow(l, rc, &(struct rwlock_call){ .clocked = real->rwlock_clockwrlock,
							  .clock = clock, .abstime = abstime,
							  .prim = LP_PRIM_RWLOCK_CLOCKWRLOCK });
}

static __attribute__((noinline)) int timedwrlock_drawn(pthread_rwlock_t *l,
						       const struct timespec *abstime)
{
	int rc;

	LP_HOLD_TIMED(rc, l, rwlock_timedwrlock(l, abstime), rc == 0, 0);
	return rc;
}

static __attribute__((noinline)) int clockwrlock_drawn(pthread_rwlock_t *l, clockid_t clock,
						       const struct timespec *abstime)
{
	int rc;

	LP_HOLD_TIMED(rc, l, rwlock_clockwrlock(l, clock, abstime), rc == 0, 0);
	return rc;
}

LP_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	if (lp_hold_due())
		return timedwrlock_drawn(l, abstime);
	return rwlock_timedwrlock(l, abstime);
}

LP_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
					 const struct timespec *abstime)
{
	if (lp_hold_due())
		return clockwrlock_drawn(l, clock, abstime);
	return rwlock_clockwrlock(l, clock, abstime);
}

/* glibc's rwlock state (nptl/pthread_rwlock_common.c, since 2.25; the
 * values in its pthreadP.h): the bits of __readers, the count of
 * registered readers above them, and the bit of a futex word that says
 * threads sleep on it. */
#define GLIBC_RWLOCK_WRPHASE 1
#define GLIBC_RWLOCK_WRLOCKED 2
#define GLIBC_RWLOCK_RWAITING 4
#define GLIBC_RWLOCK_READER_SHIFT 3
#define GLIBC_RWLOCK_FUTEX_USED 2

/*
 * Will this unlock of `l`, held by the calling thread, wake a waiter? The
 * mutex's rule (interpose/mutex.c, unlock_wakes), as Go charges only the
 * RUnlock that wakes the writer (rUnlockSlow, the last reader) and the
 * Unlock that lets readers or a writer in. In a write phase the caller is
 * the writer, and it hands over to the readers registered meanwhile, to a
 * writer counted in __writers (writers preferred), or wakes one sleeping
 * on __writers_futex (readers preferred, the default, counts none); in a
 * read phase it is a reader, and only the last one wakes: the primary
 * writer (WRLOCKED), or readers that waited for one (RWAITING). Other
 * readers come and go while it reads: a reader that turns out to be the
 * last one after all leaves its waiters' time to the next release that
 * wakes (or to their pending, as a waiter that never slept), never loses
 * it. A shared rwlock is charged at every release, as a shared mutex.
 */
static int unlock_wakes(const pthread_rwlock_t *l, int shared)
{
	unsigned int r, registered;

	if (shared)
		return 1;
	r = __atomic_load_n(&l->__data.__readers, __ATOMIC_RELAXED);
	registered = r >> GLIBC_RWLOCK_READER_SHIFT;
	if (r & GLIBC_RWLOCK_WRPHASE)
		return registered != 0 ||
		       __atomic_load_n(&l->__data.__writers, __ATOMIC_RELAXED) != 0 ||
		       (__atomic_load_n(&l->__data.__writers_futex, __ATOMIC_RELAXED) &
			GLIBC_RWLOCK_FUTEX_USED);
	return registered <= 1 && (r & (GLIBC_RWLOCK_WRLOCKED | GLIBC_RWLOCK_RWAITING));
}

/* A release with waiters to charge (out of line: the other releases are
 * a tail call). */
static __attribute__((noinline)) int unlock_charged(pthread_rwlock_t *l)
{
	/* Read while it is held: after the unlock it may be gone. */
	int shared = lp_rwlock_is_shared(l), wakes = unlock_wakes(l, shared);
	int64_t held_until = lp_hold_releasing(l);
	int rc = lp_real_basic()->rwlock_unlock(l);

	if (rc == 0)
		lp_wrap_release_charge(l, LP_PRIM_RWLOCK_UNLOCK, shared, held_until, wakes);
	return rc;
}

LP_EXPORT LP_FAST_PATH int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	if (lp_release_wanted(l))
		return unlock_charged(l);
	return lp_real_basic()->rwlock_unlock(l);
}
