/* SPDX-License-Identifier: MIT */
/*
 * The hold profile's per-thread state (docs/profiles.md, "Hold profile"):
 * the countdown to the next timed acquisition, and the small set of the
 * thread's timed holds, which may be taken and released in any order.
 */
#ifndef LP_HOLDSET_H
#define LP_HOLDSET_H

#include <stdint.h>

/* Acquisitions that pass before the next timed one: the lock wrappers
 * decrement it, and the one that takes it below 0 is drawn (lp_hold_due:
 * a decrement and a sign test, one instruction each). */
extern __thread int64_t lp_hold_countdown __attribute__((tls_model("initial-exec")));

/*
 * The countdown went below 0: draw the next one, from a geometric
 * distribution of mean `fraction` (> 0), so that each acquisition is timed
 * with probability 1/fraction whatever the program's own rhythm. Returns 1
 * when this acquisition is timed (a thread's first acquisition, which
 * finds the countdown unset, is drawn as any other).
 */
int lp_holdset_draw(int64_t fraction);

/* One timed hold of the thread. */
struct lp_held {
	const void *lock;
	int64_t fraction; /* in force when drawn: the sample's weight */
	int64_t start;    /* taken at; 0 while armed, not yet taken */
	int64_t end;      /* 0 while held; when a condvar wait released it */
};

/* Holds timed at once by one thread; a draw past that is not timed. */
#define LP_HOLDSET_MAX 8

/* How many timed holds the thread has: 0 at every release but those of
 * a thread that the hold profile drew, which then need not look. */
extern __thread int lp_holdset_count __attribute__((tls_model("initial-exec")));

/* The thread's timed hold of `lock`, or NULL. */
struct lp_held *lp_holdset_find(const void *lock);

/* A new entry for `lock` (start and end 0), or NULL when the set is full. */
struct lp_held *lp_holdset_add(const void *lock, int64_t fraction);

/* How many of the thread's timed holds are of locks whose filter slot is
 * `lock`'s (lp_filter_slot): its own raises of that slot. */
int lp_holdset_same_slot(const void *lock);

/* Drop an entry that lp_holdset_find or lp_holdset_add returned. */
void lp_holdset_remove(struct lp_held *h);

/* A forked child: the parent's holds are not its profile's. */
void lp_holdset_clear(void);

#endif /* LP_HOLDSET_H */
