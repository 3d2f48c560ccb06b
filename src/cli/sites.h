/* SPDX-License-Identifier: MIT */
/*
 * Aggregating a profile's stacks into sites, the rows of every table:
 *   leaf      the leaf frame's function (what `pprof -top` calls flat);
 *   function  the primitive the program called and the function calling it
 *             ("pthread_mutex_lock in worker");
 *   line      the same with the caller's file:line;
 *   stack     the whole stack, root first, frames joined with ';';
 *   lock, thread, wait
 *             the sample's label of that name ("[no lock label]" without).
 */
#ifndef LP_CLI_SITES_H
#define LP_CLI_SITES_H

#include "profile_model.h"

enum lp_by {
	LP_BY_FUNCTION, LP_BY_LINE, LP_BY_STACK, LP_BY_LEAF,
	LP_BY_LOCK, LP_BY_THREAD, LP_BY_WAIT, /* the samples' labels */
};

struct lp_site {
	char *name;
	double contentions, delay;
};

struct lp_sites {
	size_t n;
	struct lp_site *v;
	struct strmap ix;
};

int lp_sites_build(const struct lp_model *m, enum lp_by by,
		   struct lp_sites *out);
/* Index of the site named `name`, or (size_t)-1. */
size_t lp_sites_find(const struct lp_sites *s, const char *name);
/* Descending by the chosen value, then by name. 0, or -1 when OOM. */
int lp_sites_sort(struct lp_sites *s, enum lp_vtype t);
void lp_sites_free(struct lp_sites *s);

/* The site name of one stack under `by`; malloc'd, NULL when OOM. */
char *lp_site_name(const struct lp_model *m, const struct lp_model_stack *st,
		   enum lp_by by);

static inline double lp_site_value(const struct lp_site *s, enum lp_vtype t)
{
	return t == LP_VT_DELAY ? s->delay : s->contentions;
}

#endif
