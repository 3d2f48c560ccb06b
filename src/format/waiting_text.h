/* SPDX-License-Identifier: MIT */
/*
 * The hang view as text (docs/live.md), for the library (the endpoint's
 * ?debug=1, waiting.txt) and the CLI (`lockprof waiting`, which reads it
 * back from a waiting profile's labels): one block per waiting thread,
 * longest first, then the owners that are not waiting, then the deadlock
 * cycles of the wait-for graph (a thread waits for the owner of its lock).
 * Pure: no I/O but the FILE given.
 */
#ifndef LP_WAITING_TEXT_H
#define LP_WAITING_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One waiting thread. Strings are never NULL ("" when unknown). */
struct lp_waiter {
	long tid;
	const char *thread;     /* its name */
	const char *primitive;  /* "pthread_mutex_lock" */
	const char *lock;       /* the lock's name, or its address */
	long owner;             /* the thread holding the lock; 0: none known */
	const char *owner_name;
	int64_t waited_ns;      /* so far */
};

/* Sort longest first (then by tid). */
void lp_waiters_sort(struct lp_waiter *v, size_t n);

/* "thread 1234 "worker-3" waiting 12.3s in pthread_mutex_lock on
 * accounts_lock, held by thread 1235 "audit"", without a newline. */
void lp_waiter_line(const struct lp_waiter *w, char *buf, size_t len);

/*
 * The deadlock cycles among `v`, one per line into `buf` ("deadlock:
 * thread 1234 -> lock_a (held by 1235) -> thread 1235 -> lock_b (held by
 * 1234)"), separated by newlines, without a final one; "" when none.
 * Returns how many cycles.
 */
size_t lp_waiters_cycles(const struct lp_waiter *v, size_t n, char *buf, size_t len);

/*
 * The whole text. `v` sorted; `stack(f, i, arg)` writes waiter i's stack
 * lines ("#\t..."). 0, or -1 when writing failed.
 */
int lp_waiters_text(FILE *f, const struct lp_waiter *v, size_t n,
		    void (*stack)(FILE *f, size_t i, void *arg), void *arg);

#endif /* LP_WAITING_TEXT_H */
