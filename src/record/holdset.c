/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "holdset.h"
#include "sampling.h"
#include "waitstate.h"

__thread int64_t lp_hold_countdown __attribute__((tls_model("initial-exec")));

__thread int lp_holdset_count __attribute__((tls_model("initial-exec")));
static __thread struct lp_held set[LP_HOLDSET_MAX] __attribute__((tls_model("initial-exec")));

/*
 * The thread's next gaps (lp_hold_gap), drawn GAP_BATCH at a time: a draw
 * is a chain of dependent arithmetic that a timed acquisition would wait
 * for (the lock's atomic instructions wait for everything before them),
 * while a batch's draws are independent and overlap. Each gap is still
 * drawn on its own, before it is used: the gaps stay independent and
 * geometric. Drawn again when the fraction changed.
 */
#define GAP_BATCH 16

static __thread struct {
	int64_t fraction; /* the gaps' */
	double scale;     /* lp_hold_gap_scale(fraction) */
	int n;            /* gaps left */
	int64_t gap[GAP_BATCH];
} gaps __attribute__((tls_model("initial-exec")));

static int64_t next_gap(int64_t fraction)
{
	if (fraction <= 1)
		return 1;
	if (gaps.fraction != fraction) {
		gaps.fraction = fraction;
		gaps.scale = lp_hold_gap_scale(fraction);
		gaps.n = 0;
	}
	if (gaps.n == 0) {
		for (int i = 0; i < GAP_BATCH; i++)
			gaps.gap[i] = lp_hold_gap(lp_rand(), gaps.scale);
		gaps.n = GAP_BATCH;
	}
	return gaps.gap[--gaps.n];
}

int lp_holdset_draw(int64_t fraction)
{
	static __thread int started __attribute__((tls_model("initial-exec")));
	int64_t g = next_gap(fraction);

	/* A new thread's first acquisition is the first trial of its first
	 * draw: timed when that draw is 1, else g - 2 acquisitions pass
	 * before the g-th. */
	if (!started) {
		started = 1;
		if (g > 1) {
			lp_hold_countdown = g - 2;
			return 0;
		}
		g = next_gap(fraction);
	}
	/* This acquisition is timed; g - 1 pass before the next one. */
	lp_hold_countdown = g - 1;
	return 1;
}

struct lp_held *lp_holdset_find(const void *lock)
{
	for (int i = 0; i < lp_holdset_count; i++)
		if (set[i].lock == lock)
			return &set[i];
	return NULL;
}

struct lp_held *lp_holdset_add(const void *lock, int64_t fraction)
{
	struct lp_held *h;

	if (lp_holdset_count == LP_HOLDSET_MAX)
		return NULL;
	h = &set[lp_holdset_count++];
	*h = (struct lp_held){ .lock = lock, .fraction = fraction };
	return h;
}

int lp_holdset_same_slot(const void *lock)
{
	uint32_t slot = lp_filter_slot((uintptr_t)lock);
	int n = 0;

	for (int i = 0; i < lp_holdset_count; i++)
		n += lp_filter_slot((uintptr_t)set[i].lock) == slot;
	return n;
}

void lp_holdset_remove(struct lp_held *h)
{
	*h = set[--lp_holdset_count];
}

void lp_holdset_clear(void)
{
	lp_holdset_count = 0;
}
