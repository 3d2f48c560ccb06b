/* SPDX-License-Identifier: MIT */
/* What the wrappers share. */
#ifndef LP_WRAP_H
#define LP_WRAP_H

/*
 * The cleanup handler around a profiled wait must be the setjmp-based kind
 * that plain C programs register: with -fexceptions, pthread_cleanup_push
 * becomes an unwinder landing pad, and a cancellation in a program built
 * without -fexceptions longjmps to the program's own handler past it,
 * leaving the wait unended (tests/safety/cancel.c). The setjmp kind chains
 * with both. A wrapper file undefines __EXCEPTIONS before its first
 * #include, as pthread.h picks the kind when it is first read.
 */
#ifdef __EXCEPTIONS
#error "#undef __EXCEPTIONS before the first #include (interpose/wrap.h)"
#endif

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "record/recorder.h"

/* On the hot wrappers: each starts a cache line, so that its fast path
 * (a few dozen bytes) never straddles two, whatever the layout of the rest
 * of the library (a straddling unlock measured 0.7 ns a pair slower). */
#define LP_FAST_PATH __attribute__((aligned(64)))

/* How a blocking call that was waited in ended, from its result. */
static inline enum lp_wait_outcome lp_outcome(int rc)
{
	if (rc == 0 || rc == EOWNERDEAD)
		return LP_WAIT_ACQUIRED;
	return rc == ETIMEDOUT ? LP_WAIT_GAVE_UP : LP_WAIT_FAILED;
}

/* The calling thread has asynchronous cancellation on (interpose/cancel.c). */
extern __thread int lp_cancel_async __attribute__((tls_model("initial-exec")));

static inline void lp_wait_cancelled(void *w)
{
	lp_wait_end(w, LP_WAIT_GAVE_UP, NULL);
}

/*
 * The recorder's entry points as the wrappers call them: in a thread that
 * turned asynchronous cancellation on, it is off while the profiler works,
 * so that such a thread is never cancelled inside the profiler's own code
 * with its shared state half-changed (a stack-table arena's lock held).
 * Other threads pay one load and branch. The real blocking call between
 * begin and end stays cancellable (LP_WAIT_CALL).
 */
static inline int lp_async_cancel_off(void)
{
	int old = PTHREAD_CANCEL_ENABLE;

	if (__builtin_expect(lp_cancel_async, 0))
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	return old;
}

static inline void lp_async_cancel_restore(int old)
{
	if (__builtin_expect(lp_cancel_async, 0))
		pthread_setcancelstate(old, NULL);
}

static inline int lp_wrap_wait_begin(struct lp_wait *w, const void *obj,
				     enum lp_wait_kind kind, enum lp_primitive prim)
{
	int cs = lp_async_cancel_off(), rc = lp_wait_begin(w, obj, kind, prim);

	lp_async_cancel_restore(cs);
	return rc;
}

static inline void lp_wrap_wait_end(struct lp_wait *w, enum lp_wait_outcome how,
				    const void *taken)
{
	int cs = lp_async_cancel_off();

	lp_wait_end(w, how, taken);
	lp_async_cancel_restore(cs);
}

static inline void lp_wrap_wait_stack(struct lp_wait *w)
{
	int cs = lp_async_cancel_off();

	lp_wait_stack(w);
	lp_async_cancel_restore(cs);
}

static inline void lp_wrap_release_charge(const void *obj, enum lp_primitive prim,
					  int shared, int64_t held_until, int woke)
{
	int cs;

	if (lp_release_quiet(obj, held_until, woke))
		return;
	cs = lp_async_cancel_off();

	lp_release_charge(obj, prim, shared, held_until, woke);
	lp_async_cancel_restore(cs);
}

static inline int lp_wrap_hold_arm(const void *obj)
{
	int cs = lp_async_cancel_off(), armed = lp_hold_arm(obj);

	lp_async_cancel_restore(cs);
	return armed;
}

static inline void lp_wrap_hold_taken(const void *obj, int taken, int relocked)
{
	int cs = lp_async_cancel_off();

	lp_hold_taken(obj, taken, relocked);
	lp_async_cancel_restore(cs);
}

/*
 * `rc = call`, an acquisition of `obj` that the hold profile's draw fell
 * on (lp_hold_due): timed from the moment `took` says the call took the
 * lock, unless `relocked` says the thread held it already.
 */
#define LP_HOLD_TIMED(rc, obj, call, took, relocked) do {       \
	int armed_ = lp_wrap_hold_arm(obj);                      \
	(rc) = (call);                                           \
	if (armed_)                                              \
		lp_wrap_hold_taken((obj), (took), (took) && (relocked)); \
} while (0)

/*
 * `rc = call`, the real blocking call of the profiled wait `w`: a thread
 * cancelled inside it ends the wait there, as one that gave up. The
 * handler runs before the program's own, which may release the same
 * object. Always around sem_wait's and pthread_cond_wait's real calls
 * (cancellation points); around a lock's only in a thread that turned
 * asynchronous cancellation on.
 */
#define LP_WAIT_CALL(rc, w, call) do {                  \
	pthread_cleanup_push(lp_wait_cancelled, (w));   \
	(rc) = (call);                                  \
	pthread_cleanup_pop(0);                         \
} while (0)

/* The clocks and timeouts glibc accepts for the timed calls. */
static inline int lp_clock_valid(clockid_t clock)
{
	return clock == CLOCK_MONOTONIC || clock == CLOCK_REALTIME;
}

static inline int lp_timeout_valid(clockid_t clock, const struct timespec *abstime)
{
	return lp_clock_valid(clock) && abstime->tv_nsec >= 0 &&
	       abstime->tv_nsec < 1000000000;
}

/*
 * The hang view wants the waiter's stack (lp_wait.stack_due): the real
 * call is made in two parts, the first timed out at `due`, on `clock`,
 * LP_HANG_STACK_AFTER from now; on that timeout the thread takes its stack
 * (holding nothing) and makes the call as the program made it. Only when
 * `due` comes before the call's own deadline `abstime` (NULL: untimed);
 * a call whose own deadline comes first is made once, as it is. The
 * program sees the second call's result: a lock wait that timed out took
 * nothing, and trying again is what the call does anyway (a lock wait is
 * not interrupted by signals: glibc waits again after a handler).
 * Returns 1 when there is a first part.
 */
static inline int lp_stack_deadline(const struct lp_wait *w, clockid_t clock,
				    const struct timespec *abstime, struct timespec *due)
{
	if (!w->stack_due || (abstime && !lp_timeout_valid(clock, abstime)))
		return 0;
	clock_gettime(clock, due);
	due->tv_sec += LP_HANG_STACK_AFTER / 1000000000;
	due->tv_nsec += LP_HANG_STACK_AFTER % 1000000000;
	if (due->tv_nsec >= 1000000000) {
		due->tv_sec++;
		due->tv_nsec -= 1000000000;
	}
	return !abstime || due->tv_sec < abstime->tv_sec ||
	       (due->tv_sec == abstime->tv_sec && due->tv_nsec < abstime->tv_nsec);
}

#endif /* LP_WRAP_H */
