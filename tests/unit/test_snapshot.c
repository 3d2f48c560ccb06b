/* SPDX-License-Identifier: MIT */
/* Deltas between snapshots: matched by stack and flags, only changes kept. */
#include <stdlib.h>
#include <string.h>

#include "record/snapshot.h"
#include "unit.h"

static const uintptr_t a[] = { 0x1000, 0x2000 }, b[] = { 0x1000, 0x3000 };

static void make(struct lp_snapshot *s, int64_t t, const struct lp_record *r, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->time_nanos = t;
	s->period = 1;
	s->n = n;
	s->records = malloc(n * sizeof(*r) + 1);
	memcpy(s->records, r, n * sizeof(*r));
}

int main(void)
{
	struct lp_record before[] = {
		{ 3 * LP_FX_ONE, 300, 2, 0, a, { 0 } },
		{ 1 * LP_FX_ONE, 100, 2, 0, b, { 0 } },
	};
	struct lp_record now[] = {
		{ 5 * LP_FX_ONE, 700, 2, 0, a, { 0 } },                /* grew */
		{ 1 * LP_FX_ONE, 100, 2, 0, b, { 0 } },                /* unchanged */
		{ 2 * LP_FX_ONE, 50, 2, LP_STACK_TRUNCATED, b, { 0 } }, /* new: other flags */
		{ LP_FX_ONE / 2, 10, 0, LP_STACK_OVERFLOW, NULL, { 0 } },
	};
	struct lp_snapshot s0, s1, d;

	make(&s0, 1000, before, 2);
	make(&s1, 5000, now, 4);
	EXPECT(lp_snapshot_delta(&s1, &s0, &d) == 0);
	EXPECT(d.time_nanos == 5000 && d.duration_nanos == 4000);
	EXPECT(d.n == 3);
	EXPECT(d.records[0].contentions_fx == 2 * LP_FX_ONE && d.records[0].delay_ns == 400);
	EXPECT(d.records[0].pcs != a && memcmp(d.records[0].pcs, a, sizeof(a)) == 0);
	EXPECT(d.records[1].flags == LP_STACK_TRUNCATED && d.records[1].delay_ns == 50);
	EXPECT(d.records[2].flags == LP_STACK_OVERFLOW && lp_record_contentions(&d.records[2]) == 1);
	lp_snapshot_free(&d);
	lp_snapshot_free(&s0);
	lp_snapshot_free(&s1);
	EXPECT(s0.records == NULL && s0.n == 0);
	return unit_summary();
}
