/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stddef.h>

#include "holdset.h"
#include "sampling.h"
#include "waitstate.h"

__thread int64_t lp_hold_countdown __attribute__((tls_model("initial-exec")));

static __thread struct {
	int n;
	struct lp_held e[LP_HOLDSET_MAX];
} set __attribute__((tls_model("initial-exec")));

/* Trials up to and including the first success, at probability 1/fraction:
 * 1 + floor(ln U / ln(1 - 1/fraction)), U uniform in (0, 1]. The divisor
 * is kept per thread: the fraction seldom changes. */
static int64_t geometric(int64_t fraction)
{
	static __thread int64_t scale_for __attribute__((tls_model("initial-exec")));
	static __thread double scale __attribute__((tls_model("initial-exec")));
	double u, g;

	if (fraction <= 1)
		return 1;
	if (scale_for != fraction) {
		scale = 1.0 / log1p(-1.0 / (double)fraction);
		scale_for = fraction;
	}
	u = ((double)(lp_rand() >> 11) + 1.0) / 9007199254740992.0; /* 2^53 */
	g = log(u) * scale; /* >= 0: truncation is floor */
	return g >= 4e18 ? INT64_MAX : 1 + (int64_t)g;
}

int lp_holdset_draw(int64_t fraction)
{
	static __thread int started __attribute__((tls_model("initial-exec")));
	int64_t g = geometric(fraction);

	/* A new thread's first acquisition is the first trial of its first
	 * draw: timed when that draw is 1, else g - 2 acquisitions pass
	 * before the g-th. */
	if (!started) {
		started = 1;
		if (g > 1) {
			lp_hold_countdown = g - 2;
			return 0;
		}
		g = geometric(fraction);
	}
	/* This acquisition is timed; g - 1 pass before the next one. */
	lp_hold_countdown = g - 1;
	return 1;
}

struct lp_held *lp_holdset_find(const void *lock)
{
	for (int i = 0; i < set.n; i++)
		if (set.e[i].lock == lock)
			return &set.e[i];
	return NULL;
}

struct lp_held *lp_holdset_add(const void *lock, int64_t fraction)
{
	struct lp_held *h;

	if (set.n == LP_HOLDSET_MAX)
		return NULL;
	h = &set.e[set.n++];
	*h = (struct lp_held){ .lock = lock, .fraction = fraction };
	return h;
}

int lp_holdset_same_slot(const void *lock)
{
	uint32_t slot = lp_filter_slot((uintptr_t)lock);
	int n = 0;

	for (int i = 0; i < set.n; i++)
		n += lp_filter_slot((uintptr_t)set.e[i].lock) == slot;
	return n;
}

void lp_holdset_remove(struct lp_held *h)
{
	*h = set.e[--set.n];
}

void lp_holdset_clear(void)
{
	set.n = 0;
}
