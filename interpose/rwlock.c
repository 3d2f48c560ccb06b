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

typedef int (*try_fn)(pthread_rwlock_t *);

/* The shape every rwlock acquisition shares; `block` is called with the
 * remaining arguments through a small closure. */
struct acquire {
	int (*block)(struct acquire *, pthread_rwlock_t *);
	int (*untimed)(pthread_rwlock_t *);
	int (*timed)(pthread_rwlock_t *, const struct timespec *);
	int (*clocked)(pthread_rwlock_t *, clockid_t, const struct timespec *);
	clockid_t clock;
	const struct timespec *abstime;
};

static int block_untimed(struct acquire *a, pthread_rwlock_t *l)
{
	return a->untimed(l);
}

static int block_timed(struct acquire *a, pthread_rwlock_t *l)
{
	return a->timed(l, a->abstime);
}

static int block_clocked(struct acquire *a, pthread_rwlock_t *l)
{
	return a->clocked(l, a->clock, a->abstime);
}

static int acquire(pthread_rwlock_t *l, try_fn try, struct acquire *a)
{
	struct lp_wait w;
	int rc = try(l);

	if (rc == 0)
		return 0;
	if (rc != EBUSY || !lp_wait_begin(&w, l, LP_WAIT_HELD))
		return a->block(a, l);
	rc = a->block(a, l);
	lp_wait_end(&w, lp_waited(rc));
	return rc;
}

LP_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	const struct lp_real *real = lp_real_basic();
	struct acquire a = { .block = block_untimed, .untimed = real->rwlock_rdlock };

	return acquire(l, real->rwlock_tryrdlock, &a);
}

LP_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	const struct lp_real *real = lp_real_basic();
	struct acquire a = { .block = block_untimed, .untimed = real->rwlock_wrlock };

	return acquire(l, real->rwlock_trywrlock, &a);
}

LP_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct acquire a = { .block = block_timed, .timed = real->rwlock_timedrdlock,
			     .abstime = abstime };

	if (!lp_timeout_valid(CLOCK_REALTIME, abstime))
		return real->rwlock_timedrdlock(l, abstime);
	return acquire(l, real->rwlock_tryrdlock, &a);
}

LP_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct acquire a = { .block = block_timed, .timed = real->rwlock_timedwrlock,
			     .abstime = abstime };

	if (!lp_timeout_valid(CLOCK_REALTIME, abstime))
		return real->rwlock_timedwrlock(l, abstime);
	return acquire(l, real->rwlock_trywrlock, &a);
}

LP_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
					 const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct acquire a = { .block = block_clocked, .clocked = real->rwlock_clockrdlock,
			     .clock = clock, .abstime = abstime };

	if (!lp_timeout_valid(clock, abstime))
		return real->rwlock_clockrdlock(l, clock, abstime);
	return acquire(l, real->rwlock_tryrdlock, &a);
}

LP_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
					 const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct acquire a = { .block = block_clocked, .clocked = real->rwlock_clockwrlock,
			     .clock = clock, .abstime = abstime };

	if (!lp_timeout_valid(clock, abstime))
		return real->rwlock_clockwrlock(l, clock, abstime);
	return acquire(l, real->rwlock_trywrlock, &a);
}

LP_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	int rc = lp_real_basic()->rwlock_unlock(l);

	if (rc == 0)
		lp_release(l);
	return rc;
}
