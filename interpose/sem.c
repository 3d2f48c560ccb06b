/* SPDX-License-Identifier: MIT */
/*
 * sem_wait and its timed forms: try first, like the locks. They are
 * cancellation points that act on a pending cancellation even when the
 * count is positive, so the wrapper tests for it before trying; a thread
 * cancelled while waiting ends its wait in the cleanup handler (a wait that
 * gave up: in the block profile, charged to no post). Errors come through
 * errno, which the wrapper's own trywait must not leave changed.
 *
 * sem_post is async-signal-safe and so is its wrapper: lp_release_charge
 * allocates nothing and takes no lock a handler could find held by its own
 * thread.
 */
#undef __EXCEPTIONS /* the setjmp kind of cleanup handler: interpose/wrap.h */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>

#include "base/export.h"
#include "record/recorder.h"
#include "real.h"
#include "shared.h"
#include "wrap.h"

/* Acquired; timed out or interrupted (a wait that gave up); or failed. */
static enum lp_wait_outcome sem_outcome(int rc)
{
	if (rc == 0)
		return LP_WAIT_ACQUIRED;
	return errno == ETIMEDOUT || errno == EINTR ? LP_WAIT_GAVE_UP : LP_WAIT_FAILED;
}

struct sem_call {
	int (*untimed)(sem_t *);
	int (*timed)(sem_t *, const struct timespec *);
	int (*clocked)(sem_t *, clockid_t, const struct timespec *);
	clockid_t clock;
	const struct timespec *abstime;
	enum lp_primitive prim;
};

static int call_real(const struct sem_call *c, sem_t *s)
{
	if (c->untimed)
		return c->untimed(s);
	if (c->timed)
		return c->timed(s, c->abstime);
	return c->clocked(s, c->clock, c->abstime);
}

/* A pending cancellation acts first, even on a positive count; then the
 * trywait: did it take the semaphore? When it did not, it set errno, which
 * the caller saved before. */
static inline int taken_at_once(sem_t *s)
{
	pthread_testcancel();
	return lp_real_get()->sem_trywait(s) == 0;
}

/* The trywait did not take the semaphore: block in the real call, timed
 * when the count was zero. The wrappers reach this with a tail call and
 * build the call's form only on the way, as for mutexes. */
static int wait_slow(sem_t *s, const struct sem_call *c, int saved)
{
	struct lp_wait w;
	int rc;

	if (errno != EAGAIN ||
	    !lp_wrap_wait_begin(&w, s, lp_sem_is_shared(s) ? LP_WAIT_SHARED : LP_WAIT_HELD, c->prim)) {
		errno = saved;
		return call_real(c, s);
	}
	errno = saved;
	LP_WAIT_CALL(rc, &w, call_real(c, s));
	lp_wrap_wait_end(&w, sem_outcome(rc), NULL);
	return rc;
}

/* sem_wait's slow path: a frame of its own, so that taking a semaphore with
 * a positive count carries neither the wait's frame nor the cleanup
 * handler. */
static __attribute__((noinline)) int wait_untimed_slow(sem_t *s, int saved)
{
	return wait_slow(s, &(struct sem_call){ .untimed = lp_real.sem_wait,
						.prim = LP_PRIM_SEM_WAIT }, saved);
}

LP_EXPORT LP_FAST_PATH int sem_wait(sem_t *s)
{
	int saved = errno;

	if (taken_at_once(s))
		return 0;
	return wait_untimed_slow(s, saved);
}

LP_EXPORT int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	int saved = errno;

	/* glibc checks the timeout before anything else, even a positive count. */
	if (!lp_timeout_valid(CLOCK_REALTIME, abstime))
		return real->sem_timedwait(s, abstime);
	if (taken_at_once(s))
		return 0;
	return wait_slow(s, &(struct sem_call){ .timed = real->sem_timedwait,
						.abstime = abstime,
						.prim = LP_PRIM_SEM_TIMEDWAIT }, saved);
}

LP_EXPORT int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime)
{
	const struct lp_real *real = lp_real_get();
	int saved = errno;

	if (!lp_timeout_valid(clock, abstime))
		return real->sem_clockwait(s, clock, abstime);
	if (taken_at_once(s))
		return 0;
	return wait_slow(s, &(struct sem_call){ .clocked = real->sem_clockwait,
						.clock = clock, .abstime = abstime,
						.prim = LP_PRIM_SEM_CLOCKWAIT }, saved);
}

/* A release with waiters to charge (out of line: the other releases are
 * a tail call). */
static __attribute__((noinline)) int post_charged(sem_t *s)
{
	/* Read before the post: once posted, it may be destroyed. */
	int shared = lp_sem_is_shared(s);
	int rc = lp_real_get()->sem_post(s);

	if (rc == 0)
		lp_wrap_release_charge(s, LP_PRIM_SEM_POST, shared, 0, 1);
	return rc;
}

LP_EXPORT LP_FAST_PATH int sem_post(sem_t *s)
{
	if (lp_release_wanted(s))
		return post_charged(s);
	return lp_real_get()->sem_post(s);
}
