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

/* The trylock's answer: 1 when it is final (the lock is taken, or owner-dead
 * which also means taken), 0 when the lock was busy, -1 when only the
 * blocking call can say (EINVAL, EAGAIN, ...: it reports its own error). */
static int try_final(int rc)
{
	if (rc == 0 || rc == EOWNERDEAD)
		return 1;
	return rc == EBUSY ? 0 : -1;
}

LP_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	const struct lp_real *real = lp_real_basic();
	struct lp_wait w;
	int rc = real->mutex_trylock(m);

	switch (try_final(rc)) {
	case 1:
		return rc;
	case -1:
		return real->mutex_lock(m);
	}
	if (!lp_wait_begin(&w, m, LP_WAIT_HELD))
		return real->mutex_lock(m);
	rc = real->mutex_lock(m);
	lp_wait_end(&w, lp_waited(rc));
	return rc;
}

LP_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct lp_wait w;
	int rc = real->mutex_trylock(m);

	switch (try_final(rc)) {
	case 1:
		return rc;
	case -1:
		return real->mutex_timedlock(m, abstime);
	}
	if (!lp_wait_begin(&w, m, LP_WAIT_HELD))
		return real->mutex_timedlock(m, abstime);
	rc = real->mutex_timedlock(m, abstime);
	lp_wait_end(&w, lp_waited(rc));
	return rc;
}

LP_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock,
				      const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct lp_wait w;
	int rc;

	/* glibc rejects an unsupported clock before trying the lock. */
	if (!lp_clock_valid(clock))
		return real->mutex_clocklock(m, clock, abstime);
	rc = real->mutex_trylock(m);
	switch (try_final(rc)) {
	case 1:
		return rc;
	case -1:
		return real->mutex_clocklock(m, clock, abstime);
	}
	if (!lp_wait_begin(&w, m, LP_WAIT_HELD))
		return real->mutex_clocklock(m, clock, abstime);
	rc = real->mutex_clocklock(m, clock, abstime);
	lp_wait_end(&w, lp_waited(rc));
	return rc;
}

LP_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int rc = lp_real_basic()->mutex_unlock(m);

	if (rc == 0)
		lp_release(m);
	return rc;
}
