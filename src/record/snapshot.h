/* SPDX-License-Identifier: MIT */
/*
 * A snapshot: the records of one profile (block, mutex or hold) at one instant,
 * copied out of the live stack table. It is what the encoders write and what
 * deltas are computed from. Plain data, owned by whoever took it.
 */
#ifndef LP_SNAPSHOT_H
#define LP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "labels.h"

enum lp_kind { LP_BLOCK = 0, LP_MUTEX = 1, LP_HOLD = 2 };
#define LP_KINDS 3

/* The profile's name: "block", "mutex", "hold" (its file, its endpoint). */
static inline const char *lp_kind_name(enum lp_kind kind)
{
	return kind == LP_HOLD ? "hold" : kind == LP_MUTEX ? "mutex" : "block";
}

/* Contentions are kept in fixed point: the block profile's bias correction
 * adds fractions (rate / duration) per sampled event. */
#define LP_FX_SHIFT 16
#define LP_FX_ONE ((uint64_t)1 << LP_FX_SHIFT)

/* Record flags: what the stack's frames do not say by themselves. */
#define LP_STACK_TRUNCATED 1u /* deeper than the depth limit: root side cut */
#define LP_STACK_OVERFLOW 2u  /* the stack table was full: pcs are empty */
#define LP_STACK_LABELS 4u    /* labels are part of the key (LOCKPROF_LABELS) */

struct lp_record {
	uint64_t contentions_fx; /* contentions (hold: holds), fixed point (LP_FX_ONE = 1) */
	int64_t delay_ns;        /* hold: time held */
	uint32_t depth;          /* number of pcs */
	uint32_t flags;          /* LP_STACK_* */
	const uintptr_t *pcs;    /* return addresses, leaf first */
	struct lp_labels labels; /* with LP_STACK_LABELS; else zero */
};

struct lp_snapshot {
	enum lp_kind kind;
	int64_t time_nanos;     /* wall clock when taken (CLOCK_REALTIME) */
	int64_t duration_nanos; /* time the profile covers */
	int64_t period;         /* mutex, hold: the fraction in force; block: 1 */
	size_t n;
	struct lp_record *records;
	void *storage;          /* one allocation holding records and pcs */
};

/* Contentions rounded to a whole count, as written in profiles. */
static inline int64_t lp_record_contentions(const struct lp_record *r)
{
	return (int64_t)((r->contentions_fx + LP_FX_ONE / 2) >> LP_FX_SHIFT);
}

/* Release what a snapshot owns; the struct itself is the caller's. */
void lp_snapshot_free(struct lp_snapshot *s);

/*
 * `out` = `now` minus `before`, record by record (matched on flags, pcs and
 * labels),
 * keeping only records that changed. time_nanos is now's, duration_nanos the
 * gap between the two. Returns 0, or -1 when out of memory.
 */
int lp_snapshot_delta(const struct lp_snapshot *now,
		      const struct lp_snapshot *before,
		      struct lp_snapshot *out);

#endif /* LP_SNAPSHOT_H */
