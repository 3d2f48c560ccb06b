/*
 * pthread_rwlock_*: try first, as for mutexes. glibc validates the clock and
 * the timeout of the timed forms before anything else, so those calls with
 * bad arguments go straight to the real function.
 */
#include <errno.h>
#include <pthread.h>

#include "profiler.h"
#include "real.h"
#include "wrap.h"

/* One of the blocking forms, with its arguments. */
struct rwlock_call {
	int (*untimed)(pthread_rwlock_t *);
	int (*timed)(pthread_rwlock_t *, const struct timespec *);
	int (*clocked)(pthread_rwlock_t *, clockid_t, const struct timespec *);
	clockid_t clock;
	const struct timespec *abstime;
};

static int call_real(const struct rwlock_call *c, pthread_rwlock_t *l)
{
	if (c->untimed)
		return c->untimed(l);
	if (c->timed)
		return c->timed(l, c->abstime);
	return c->clocked(l, c->clock, c->abstime);
}

/* The lock was busy: time the blocking call (out of line, as for mutexes). */
static __attribute__((noinline)) int acquire_busy(pthread_rwlock_t *l,
						 const struct rwlock_call *c)
{
	struct lp_wait w;
	int rc;

	if (!lp_wait_begin(&w, l, LP_WAIT_HELD))
		return call_real(c, l);
	rc = call_real(c, l);
	lp_wait_end(&w, lp_waited(rc));
	return rc;
}

static inline int acquire(pthread_rwlock_t *l, int (*try)(pthread_rwlock_t *),
			  const struct rwlock_call *c)
{
	int rc = try(l);

	if (__builtin_expect(rc == 0, 1))
		return 0;
	if (rc != EBUSY)
		return call_real(c, l);
	return acquire_busy(l, c);
}

LP_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	const struct lp_real *real = lp_real_basic();
	struct rwlock_call c = { .untimed = real->rwlock_rdlock };

	return acquire(l, real->rwlock_tryrdlock, &c);
}

LP_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	const struct lp_real *real = lp_real_basic();
	struct rwlock_call c = { .untimed = real->rwlock_wrlock };

	return acquire(l, real->rwlock_trywrlock, &c);
}

LP_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct rwlock_call c = { .timed = real->rwlock_timedrdlock, .abstime = abstime };

	if (!lp_timeout_valid(CLOCK_REALTIME, abstime))
		return real->rwlock_timedrdlock(l, abstime);
	return acquire(l, real->rwlock_tryrdlock, &c);
}

LP_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct rwlock_call c = { .timed = real->rwlock_timedwrlock, .abstime = abstime };

	if (!lp_timeout_valid(CLOCK_REALTIME, abstime))
		return real->rwlock_timedwrlock(l, abstime);
	return acquire(l, real->rwlock_trywrlock, &c);
}

LP_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
					 const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct rwlock_call c = { .clocked = real->rwlock_clockrdlock,
				  .clock = clock, .abstime = abstime };

	if (!lp_timeout_valid(clock, abstime))
		return real->rwlock_clockrdlock(l, clock, abstime);
	return acquire(l, real->rwlock_tryrdlock, &c);
}

LP_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
					 const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct rwlock_call c = { .clocked = real->rwlock_clockwrlock,
				  .clock = clock, .abstime = abstime };

	if (!lp_timeout_valid(clock, abstime))
		return real->rwlock_clockwrlock(l, clock, abstime);
	return acquire(l, real->rwlock_trywrlock, &c);
}

LP_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	int rc = lp_real_basic()->rwlock_unlock(l);

	if (rc == 0)
		lp_release(l);
	return rc;
}
