/* SPDX-License-Identifier: MIT */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "units.h"

/* Runs whose durations differ more than this are worth a note when their
 * totals are compared. */
#define LENGTHS_APART 2.0

static void note_lengths(struct lp_cmp *c, const struct lp_model *b,
			 const struct lp_model *n)
{
	double lb = (double)b->duration_ns, ln = (double)n->duration_ns;
	char x[32], y[32];

	if (!c->timed || (lb <= LENGTHS_APART * ln && ln <= LENGTHS_APART * lb))
		return;
	snprintf(c->note, sizeof(c->note), "the profiles cover %s and %s "
		 "(x%.1f): totals are compared, right for the same work; "
		 "--per-second compares rates, for runs of different lengths",
		 lp_fmt_duration(lb, x, sizeof(x)),
		 lp_fmt_duration(ln, y, sizeof(y)), ln / lb);
}

int lp_cmp_scales(struct lp_cmp *c, const struct lp_model *b,
		  const struct lp_model *n, int per_second, char *err,
		  size_t errlen)
{
	c->timed = b->duration_ns > 0 && n->duration_ns > 0;
	c->rates = per_second;
	c->note[0] = '\0';
	c->base_scale = c->new_scale = 1;
	if (!per_second) {
		note_lengths(c, b, n);
		return 0;
	}
	if (!c->timed) {
		snprintf(err, errlen, "--per-second: %s has no duration_nanos "
			 "(Go writes none for cumulative profiles): compare "
			 "totals", b->duration_ns ? n->path : b->path);
		return -1;
	}
	c->base_scale = 1e9 / (double)b->duration_ns;
	c->new_scale = 1e9 / (double)n->duration_ns;
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct lp_cmp_row *x = a, *y = b;
	double dx = fabs(x->change), dy = fabs(y->change);

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->site, y->site);
}

static void fill(struct lp_cmp_value *v, const struct lp_site *s, double k)
{
	v->contentions = s->contentions * k;
	v->delay = s->delay * k;
}

/* After lp_cmp_scales: sites, rows and totals. */
static int compare_sites(const struct lp_model *base,
			 const struct lp_model *new_, enum lp_by by,
			 enum lp_vtype type, struct lp_cmp *c)
{
	c->type = type;
	if (lp_sites_build(base, by, &c->bs) || lp_sites_build(new_, by, &c->ns))
		goto oom;
	c->rows = calloc(c->bs.n + c->ns.n + 1, sizeof(*c->rows));
	if (!c->rows)
		goto oom;
	c->base_total = (struct lp_cmp_value){ base->contentions * c->base_scale,
					       base->delay * c->base_scale };
	c->new_total = (struct lp_cmp_value){ new_->contentions * c->new_scale,
					      new_->delay * c->new_scale };
	c->base_sum = (struct lp_cmp_value){ base->contentions, base->delay };
	c->new_sum = (struct lp_cmp_value){ new_->contentions, new_->delay };
	for (size_t i = 0; i < c->ns.n; i++) {
		struct lp_cmp_row *r = &c->rows[c->n++];
		size_t j = lp_sites_find(&c->bs, c->ns.v[i].name);

		r->site = c->ns.v[i].name;
		fill(&r->new_, &c->ns.v[i], c->new_scale);
		if (j != (size_t)-1)
			fill(&r->base, &c->bs.v[j], c->base_scale);
	}
	for (size_t j = 0; j < c->bs.n; j++) {
		struct lp_cmp_row *r;

		if (lp_sites_find(&c->ns, c->bs.v[j].name) != (size_t)-1)
			continue;
		r = &c->rows[c->n++];
		r->site = c->bs.v[j].name;
		fill(&r->base, &c->bs.v[j], c->base_scale);
	}
	for (size_t i = 0; i < c->n; i++) {
		struct lp_cmp_row *r = &c->rows[i];
		double b = lp_cmp_pick(&r->base, type);
		double n = lp_cmp_pick(&r->new_, type);

		r->change = n - b;
		r->factor = b ? n / b : (n ? INFINITY : 1);
	}
	if (c->n)
		qsort(c->rows, c->n, sizeof(*c->rows), cmp_row);
	return 0;
oom:
	lp_compare_free(c);
	return -1;
}

void lp_compare_free(struct lp_cmp *c)
{
	free(c->rows);
	lp_sites_free(&c->bs);
	lp_sites_free(&c->ns);
	memset(c, 0, sizeof(*c));
}

const char *lp_fmt_change_pct(double base, double new_, char *buf,
			      size_t len)
{
	if (!base && !new_)
		snprintf(buf, len, "0%%");
	else if (!base)
		snprintf(buf, len, "new");
	else if (!new_)
		snprintf(buf, len, "gone");
	else
		snprintf(buf, len, "%+.1f%%", 100 * (new_ - base) / fabs(base));
	return buf;
}

char *lp_fmt_value_as(enum lp_vtype t, int rate, double v, int sign,
		      char *buf, size_t len)
{
	char num[40];

	snprintf(buf, len, "%s%s%s", sign && v > 0 ? "+" : "",
		 lp_fmt_value(t, v, num, sizeof(num)), rate ? "/s" : "");
	return buf;
}

char *lp_fmt_cmp_value(const struct lp_cmp *c, double v, int sign, char *buf,
		       size_t len)
{
	return lp_fmt_value_as(c->type, c->rates, v, sign, buf, len);
}

const char *lp_fmt_factor(const struct lp_cmp_row *r, char *buf, size_t len)
{
	if (isinf(r->factor))
		return "new";
	if (r->factor == 0)
		return "gone";
	snprintf(buf, len, "x%.2f", r->factor);
	return buf;
}

const char *lp_row_status(const struct lp_cmp_row *r, enum lp_vtype t)
{
	double b = lp_cmp_pick(&r->base, t), n = lp_cmp_pick(&r->new_, t);

	if (!b && n)
		return "new";
	if (b && !n)
		return "gone";
	return b == n ? "same" : "changed";
}

int lp_load_pair(const char *cmd, const char *base, const char *new_,
		 struct lp_model m[2])
{
	char err[1024];

	if (lp_model_load(base, &m[0], err, sizeof(err)))
		return lp_input_error(cmd, err);
	if (lp_model_load(new_, &m[1], err, sizeof(err))) {
		lp_model_free(&m[0]);
		return lp_input_error(cmd, err);
	}
	if (lp_model_compatible(&m[0], &m[1], err, sizeof(err))) {
		lp_model_free(&m[0]);
		lp_model_free(&m[1]);
		return lp_input_error(cmd, err);
	}
	return 0;
}

int lp_load_compare(const char *cmd, const char *base, const char *new_,
		    const struct lp_opts *o, struct lp_model m[2],
		    struct lp_cmp *c)
{
	char err[1024];
	int rc = lp_load_pair(cmd, base, new_, m);

	if (rc)
		return rc;
	lp_model_keep_paths(&m[0], o->full_paths);
	lp_model_keep_paths(&m[1], o->full_paths);
	memset(c, 0, sizeof(*c));
	if (lp_cmp_scales(c, &m[0], &m[1], o->per_second, err, sizeof(err)))
		rc = lp_input_error(cmd, err);
	else if (compare_sites(&m[0], &m[1], o->by, o->type, c))
		rc = lp_input_error(cmd, "out of memory");
	if (rc) {
		lp_model_free(&m[0]);
		lp_model_free(&m[1]);
	}
	return rc;
}

void lp_load_compare_free(struct lp_model m[2], struct lp_cmp *c)
{
	lp_compare_free(c);
	lp_model_free(&m[0]);
	lp_model_free(&m[1]);
}
