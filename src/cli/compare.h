/* SPDX-License-Identifier: MIT */
/*
 * Two profiles site by site: totals by default (right for the same work
 * done twice, and equal to rates for runs of equal length), or rates per
 * second of each file's duration_nanos (--per-second, for runs of
 * different lengths). Not rates by default: delay per second cannot exceed
 * the number of threads, so once waits saturate, a rate hides a slowdown
 * of fixed work. Rows are ranked by the size of the change in the chosen
 * value, largest first, so the site that matters most comes first.
 */
#ifndef LP_CLI_COMPARE_H
#define LP_CLI_COMPARE_H

#include "sites.h"

struct lp_cmp_value {
	double contentions, delay;
};

struct lp_cmp_row {
	const char *site;
	struct lp_cmp_value base, new_;
	double change; /* new - base, of the chosen type */
	double factor; /* new / base: INFINITY for a new site, 0 for a gone one */
};

struct lp_cmp {
	enum lp_vtype type;
	int rates;          /* values are per second (--per-second) */
	int timed;          /* both files have a duration */
	char note[512];     /* "" or one line to heed, said before the table */
	double base_scale, new_scale; /* file value -> compared value */
	struct lp_cmp_value base_total, new_total; /* compared */
	struct lp_cmp_value base_sum, new_sum;     /* totals, as in the files */
	size_t n;
	struct lp_cmp_row *rows;
	struct lp_sites bs, ns;
};

int lp_compare(const struct lp_model *base, const struct lp_model *new_,
	       enum lp_by by, enum lp_vtype type, struct lp_cmp *out);
void lp_compare_free(struct lp_cmp *c);

/* Only rates, timed, base_scale, new_scale and note of lp_compare, rates
 * as asked. 0, or -1 with one line in err when rates are asked and a file
 * has no duration. */
int lp_cmp_scales(struct lp_cmp *c, const struct lp_model *base,
		  const struct lp_model *new_, int per_second, char *err,
		  size_t errlen);

static inline double lp_cmp_pick(const struct lp_cmp_value *v,
				 enum lp_vtype t)
{
	return t == LP_VT_DELAY ? v->delay : v->contentions;
}

/* "+100.0%", "new", "gone" for a change from base to new_. */
const char *lp_fmt_change_pct(double base, double new_, char *buf,
			      size_t len);

/* A compared value as text: "79.3ms/s", "+12.0ms/s" (signed), "717/s",
 * or without "/s" when comparing totals. */
char *lp_fmt_cmp_value(const struct lp_cmp *c, double v, int sign, char *buf,
		       size_t len);
/* The same for a value per second (rate) or a total (!rate). */
char *lp_fmt_value_as(enum lp_vtype t, int rate, double v, int sign,
		      char *buf, size_t len);

/* "x2.00", "new", "gone" for a row. */
const char *lp_fmt_factor(const struct lp_cmp_row *r, char *buf, size_t len);

/* "new", "gone", "changed" or "same". */
const char *lp_row_status(const struct lp_cmp_row *r, enum lp_vtype t);

/* Load BASE and NEW and check they are of one kind; on failure report it
 * for `cmd` and return 2, else 0. */
int lp_load_pair(const char *cmd, const char *base, const char *new_,
		 struct lp_model m[2]);

/* lp_load_pair, then lp_compare into c (rates when o->per_second, file
 * names trimmed unless o->full_paths); on failure reports it for `cmd`,
 * frees all and returns 2, else 0. */
struct lp_opts;
int lp_load_compare(const char *cmd, const char *base, const char *new_,
		    const struct lp_opts *o, struct lp_model m[2],
		    struct lp_cmp *c);
/* Frees what lp_load_compare made. */
void lp_load_compare_free(struct lp_model m[2], struct lp_cmp *c);

#endif
