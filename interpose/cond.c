/* SPDX-License-Identifier: MIT */
/*
 * pthread_cond_*wait: the whole time inside the call is a wait (Go counts
 * Cond.Wait the same way); block profile only. They are cancellation
 * points: a thread cancelled inside the real call (which has reacquired
 * the mutex by then) ends its wait in the cleanup handler, recorded as the
 * wait it was.
 *
 * The call releases the mutex and takes it back inside the C library: a
 * timed hold of the mutex (the hold profile) ends where the wait begins.
 *
 * The program's references are to the GLIBC_2.3.2 versions (new-style
 * condvars); real.c resolves exactly those.
 */
#undef __EXCEPTIONS /* the setjmp kind of cleanup handler: interpose/wrap.h */
#include <pthread.h>

#include "base/export.h"
#include "record/recorder.h"
#include "real.h"
#include "wrap.h"

LP_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	const struct lp_real *real = lp_real_get();
	struct lp_wait w;
	int rc;

	lp_hold_cond_wait(m);
	if (!lp_wrap_wait_begin(&w, c, LP_WAIT_COND, LP_PRIM_COND_WAIT))
		return real->cond_wait(c, m);
	LP_WAIT_CALL(rc, &w, real->cond_wait(c, m));
	lp_wrap_wait_end(&w, lp_outcome(rc), m);
	return rc;
}

LP_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
				     const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct lp_wait w;
	int rc;

	lp_hold_cond_wait(m);
	if (!lp_wrap_wait_begin(&w, c, LP_WAIT_COND, LP_PRIM_COND_TIMEDWAIT))
		return real->cond_timedwait(c, m, abstime);
	LP_WAIT_CALL(rc, &w, real->cond_timedwait(c, m, abstime));
	lp_wrap_wait_end(&w, lp_outcome(rc), m);
	return rc;
}

LP_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m,
				     clockid_t clock, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	struct lp_wait w;
	int rc;

	lp_hold_cond_wait(m);
	if (!lp_wrap_wait_begin(&w, c, LP_WAIT_COND, LP_PRIM_COND_CLOCKWAIT))
		return real->cond_clockwait(c, m, clock, abstime);
	LP_WAIT_CALL(rc, &w, real->cond_clockwait(c, m, clock, abstime));
	lp_wrap_wait_end(&w, lp_outcome(rc), m);
	return rc;
}
