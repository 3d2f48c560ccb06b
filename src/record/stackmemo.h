/* SPDX-License-Identifier: MIT */
/*
 * A thread's stack memo: the last few stacks the thread walked, each with
 * the stack address of every frame's return-address slot, so that a walk
 * from the same place can be answered by checking those slots instead of
 * unwinding (a few dozen loads instead of a walk).
 *
 * A memo is keyed by the walker's canonical frame address (CFA: the stack
 * pointer of its caller, just above its return address) and the depth
 * asked. It answers when every recorded slot still holds the return
 * address found there when it was made: the same chain of calls, at the
 * same stack addresses. Slots lie above the key, in increasing order, in
 * the stack the thread is running on.
 *
 * Finding the slots costs a slow walk (libunwind's unw_step), so a stack
 * gets a memo only after it was walked identically MEMO_REPEATS times in a
 * row from the same place, and the thread pays for each memo with hits it
 * had before (a credit, so that a thread whose stacks never repeat often
 * enough stops making memos). The table is the thread's own; the caller
 * keeps signal handlers that interrupt it out of it.
 */
#ifndef LP_STACKMEMO_H
#define LP_STACKMEMO_H

#include <stdint.h>

#include "base/config.h"

#define LP_MEMOS 4
/* A whole walk at the default depth, the walker's own frames in it
 * (LP_STACK_SLACK + 1, checked in stackwalk.c); deeper ones are always
 * walked. */
#define LP_MEMO_FRAMES (LP_DEFAULT_STACK_DEPTH + 17)
#define LP_MEMO_REPEATS 3  /* identical walks before the slots are found */

struct lp_stackmemo {
	uintptr_t cfa;   /* the key; 0: empty */
	int limit;       /* the frames asked of the walker */
	int n;           /* frames, from the walker's caller on */
	int seen;        /* identical walks; < 0: no slots can be found */
	int kept;        /* slots found: the memo answers */
	uint64_t used;   /* when last found or noted, for eviction */
	uintptr_t pcs[LP_MEMO_FRAMES];
	const uintptr_t *slots[LP_MEMO_FRAMES];
};

struct lp_stackmemos {
	uint64_t clock;  /* counts finds and notes */
	long credit;     /* what the thread may still spend on finding slots */
	struct lp_stackmemo m[LP_MEMOS];
};

/* What finding the slots of an n-frame stack costs, in hits. */
#define LP_MEMO_COST(n) (8L * (n))
/* Credit at a thread's start: a few memos of a short stack are free. */
#define LP_MEMO_CREDIT_START LP_MEMO_COST(2 * LP_MEMO_FRAMES)

/* A zeroed table, with its starting credit. */
void lp_stackmemo_init(struct lp_stackmemos *t);

/* The memo's stack for a walk from `cfa` asked for `limit` frames: the
 * number of frames, *pcs pointing to them in the table (valid until the
 * table's next change); or -1. */
int lp_stackmemo_find(struct lp_stackmemos *t, uintptr_t cfa, int limit, const uintptr_t **pcs);

/*
 * A walk from `cfa` found pcs[0..n) (from the walker's caller on). Returns
 * the memo to complete with lp_stackmemo_keep when it is time to find this
 * stack's slots, else NULL.
 */
struct lp_stackmemo *lp_stackmemo_note(struct lp_stackmemos *t, uintptr_t cfa, int limit,
				       const uintptr_t *pcs, int n);

/* The slots of the memo's frames (slots[i] holds pcs[i]), or NULL when
 * they could not be found: that stack then gets no memo. */
void lp_stackmemo_keep(struct lp_stackmemo *m, const uintptr_t *const *slots);

#endif /* LP_STACKMEMO_H */
