/*
 * pthread_mutex_*: try first; only a lock that was not free at once is
 * timed. The result handed back is always the real blocking call's, or the
 * trylock's when the trylock took the lock.
 */
#include <errno.h>
#include <pthread.h>

#include "profiler.h"
#include "real.h"
#include "wrap.h"

/* One of the blocking forms, with its arguments. */
struct mutex_call {
	int (*untimed)(pthread_mutex_t *);
	int (*timed)(pthread_mutex_t *, const struct timespec *);
	int (*clocked)(pthread_mutex_t *, clockid_t, const struct timespec *);
	clockid_t clock;
	const struct timespec *abstime;
};

static int call_real(const struct mutex_call *c, pthread_mutex_t *m)
{
	if (c->untimed)
		return c->untimed(m);
	if (c->timed)
		return c->timed(m, c->abstime);
	return c->clocked(m, c->clock, c->abstime);
}

/* The lock was busy: time the blocking call. Kept out of line so that the
 * uncontended path carries none of its frame. */
static __attribute__((noinline)) int acquire_busy(pthread_mutex_t *m,
						 const struct mutex_call *c)
{
	struct lp_wait w;
	int rc;

	if (!lp_wait_begin(&w, m, LP_WAIT_HELD))
		return call_real(c, m);
	rc = call_real(c, m);
	lp_wait_end(&w, lp_waited(rc));
	return rc;
}

static inline int acquire(pthread_mutex_t *m, const struct mutex_call *c)
{
	int rc = lp_real_basic()->mutex_trylock(m);

	/* Taken (owner-dead also means taken): the trylock's answer is final. */
	if (__builtin_expect(rc == 0 || rc == EOWNERDEAD, 1))
		return rc;
	/* EINVAL, EAGAIN, ...: only the blocking call can say, and it reports
	 * its own error. */
	if (rc != EBUSY)
		return call_real(c, m);
	return acquire_busy(m, c);
}

LP_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	struct mutex_call c = { .untimed = lp_real_basic()->mutex_lock };

	return acquire(m, &c);
}

LP_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	struct mutex_call c = { .timed = lp_real_get()->mutex_timedlock, .abstime = abstime };

	return acquire(m, &c);
}

LP_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock,
				      const struct timespec *abstime)
{
	struct mutex_call c = { .clocked = lp_real_get()->mutex_clocklock,
				.clock = clock, .abstime = abstime };

	/* glibc rejects an unsupported clock before trying the lock. */
	if (!lp_clock_valid(clock))
		return c.clocked(m, clock, abstime);
	return acquire(m, &c);
}

LP_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int rc = lp_real_basic()->mutex_unlock(m);

	if (rc == 0)
		lp_release(m);
	return rc;
}
