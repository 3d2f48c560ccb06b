/* SPDX-License-Identifier: MIT */
/*
 * The slow path that mutexes and rwlocks share, for a lock of type TYPE:
 * LP_LOCK_SLOW_PATH(name, TYPE, kind, due_clock) defines
 *
 *   struct name_call        one of the blocking forms, with its arguments;
 *                           an untimed form names the clocked one too, for
 *                           the first part of a wait whose stack is due
 *                           (lp_stack_deadline), on `due_clock(o)`
 *   name_acquire_slow(o, tried, call)
 *                           the try did not take `o`: block in the real
 *                           call, timed as a wait of `kind(o)` when `o` was
 *                           busy (EBUSY from a trylock, ETIMEDOUT from a
 *                           timed lock with a deadline long past). EINVAL,
 *                           EAGAIN, ...: only the blocking call can say,
 *                           and it reports its own error.
 *
 * The wrappers reach it with a tail call and build the call's form only on
 * the way, so that the uncontended path carries none of it. Written once
 * as a template: the two types differ, and a call through a function
 * pointer of another type is undefined.
 */
#ifndef LP_LOCKCALL_H
#define LP_LOCKCALL_H

#include "wrap.h"

#define LP_LOCK_SLOW_PATH(name, TYPE, kind, due_clock)                         \
struct name##_call {                                                           \
	int (*untimed)(TYPE *);                                                \
	int (*timed)(TYPE *, const struct timespec *);                         \
	int (*clocked)(TYPE *, clockid_t, const struct timespec *);            \
	clockid_t clock;                                                       \
	const struct timespec *abstime;                                        \
	enum lp_primitive prim;                                                \
};                                                                             \
                                                                               \
static int name##_call_real(const struct name##_call *c, TYPE *o)              \
{                                                                              \
	if (c->untimed)                                                        \
		return c->untimed(o);                                          \
	if (c->timed)                                                          \
		return c->timed(o, c->abstime);                                \
	return c->clocked(o, c->clock, c->abstime);                            \
}                                                                              \
                                                                               \
/* The real call; in two parts when the waiter's stack is due. An untimed   \
 * call comes with its clock form (`clocked`) for the first part; a timed    \
 * one's first part is the timed call, on CLOCK_REALTIME. */                  \
static int name##_call_wait(const struct name##_call *c, TYPE *o,              \
			    struct lp_wait *w)                                 \
{                                                                              \
	clockid_t clock = c->untimed ? due_clock(o) :                          \
			  c->timed ? CLOCK_REALTIME : c->clock;                \
	struct timespec due;                                                   \
	int rc;                                                                \
                                                                               \
	if (lp_stack_deadline(w, clock, c->untimed ? NULL : c->abstime, &due)) { \
		rc = c->clocked ? c->clocked(o, clock, &due) : c->timed(o, &due); \
		if (rc != ETIMEDOUT)                                           \
			return rc;                                             \
		lp_wrap_wait_stack(w);                                         \
	}                                                                      \
	return name##_call_real(c, o);                                         \
}                                                                              \
                                                                               \
/* In a thread that asynchronous cancellation may end inside the real call:    \
 * a frame of its own for the cleanup handler's setjmp. */                     \
static __attribute__((noinline)) int                                           \
name##_call_cancellable(const struct name##_call *c, TYPE *o, struct lp_wait *w) \
{                                                                              \
	int rc;                                                                \
                                                                               \
	LP_WAIT_CALL(rc, w, name##_call_wait(c, o, w));                        \
	return rc;                                                             \
}                                                                              \
                                                                               \
static int name##_acquire_slow(TYPE *o, int tried, const struct name##_call *c) \
{                                                                              \
	struct lp_wait w;                                                      \
	int rc;                                                                \
                                                                               \
	if ((tried != EBUSY && tried != ETIMEDOUT) ||                          \
	    !lp_wrap_wait_begin(&w, o, kind(o), c->prim))                      \
		return name##_call_real(c, o);                                 \
	rc = lp_cancel_async ? name##_call_cancellable(c, o, &w) :             \
			       name##_call_wait(c, o, &w);                     \
	lp_wrap_wait_end(&w, lp_outcome(rc), rc == 0 ? o : NULL);              \
	return rc;                                                             \
}

#endif /* LP_LOCKCALL_H */
