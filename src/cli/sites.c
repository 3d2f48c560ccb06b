/* SPDX-License-Identifier: MIT */
#include "sites.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

static void add_location(struct sbuf *b, const struct lp_model *m,
			 const struct lp_frame *f)
{
	if (f->file[0] && f->line)
		sb_printf(b, " (%s:%" PRId64 ")", lp_model_file(m, f), f->line);
	else if (f->line)
		sb_printf(b, " (line %" PRId64 ")", f->line);
}

/* A frame of a folded stack: ';' separates frames and a line ends the
 * stack, so neither may appear inside a name. */
static void add_folded(struct sbuf *b, const char *func)
{
	for (const char *p = func; *p; p++) {
		char c = *p == ';' ? ':' : *p == '\n' || *p == '\r' ? ' ' : *p;

		sb_add(b, &c, 1);
	}
}

char *lp_site_name(const struct lp_model *m, const struct lp_model_stack *st,
		   enum lp_by by)
{
	const struct lp_frame *leaf, *caller;
	struct sbuf b = { 0 };
	size_t k = 0;

	if (by >= LP_BY_LOCK) {
		enum lp_label_key k = (enum lp_label_key)(by - LP_BY_LOCK);

		if (st->labels[k])
			return strdup(st->labels[k]);
		sb_printf(&b, "[no %s label]", lp_label_keys[k]);
		return sb_take(&b);
	}
	if (st->n == 0)
		return strdup("[no stack]");
	leaf = &m->frames[st->frames[0]];
	switch (by) {
	case LP_BY_LEAF:
		return strdup(leaf->func);
	case LP_BY_STACK:
		for (size_t i = st->n; i-- > 0;) {
			add_folded(&b, m->frames[st->frames[i]].func);
			if (i)
				sb_add(&b, ";", 1);
		}
		return sb_take(&b);
	default:
		break;
	}
	while (k < st->n && m->frames[st->frames[k]].primitive)
		k++;
	if (k == st->n) {
		/* Nothing but primitives (a runtime-internal wait). */
		sb_str(&b, leaf->func);
		if (by == LP_BY_LINE)
			add_location(&b, m, leaf);
		return sb_take(&b);
	}
	caller = &m->frames[st->frames[k]];
	if (k > 0)
		sb_printf(&b, "%s in ", m->frames[st->frames[k - 1]].func);
	sb_str(&b, caller->func);
	if (by == LP_BY_LINE)
		add_location(&b, m, caller);
	return sb_take(&b);
}

int lp_sites_build(const struct lp_model *m, enum lp_by by,
		   struct lp_sites *out)
{
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < m->n_stacks; i++) {
		const struct lp_model_stack *st = &m->stacks[i];
		char *name = lp_site_name(m, st, by);
		size_t idx;
		int added;

		if (!name)
			goto oom;
		idx = strmap_put(&out->ix, name, strlen(name), out->n, &added);
		if (idx == (size_t)-1) {
			free(name);
			goto oom;
		}
		if (added) {
			if (out->n == cap) {
				struct lp_site *v;

				cap = cap ? cap * 2 : 16;
				v = realloc(out->v, cap * sizeof(*v));
				if (!v) {
					free(name);
					goto oom;
				}
				out->v = v;
			}
			out->v[out->n++] = (struct lp_site){ .name = name };
		} else {
			free(name);
		}
		out->v[idx].contentions += st->contentions;
		out->v[idx].delay += st->delay;
	}
	return 0;
oom:
	lp_sites_free(out);
	return -1;
}

size_t lp_sites_find(const struct lp_sites *s, const char *name)
{
	return strmap_get(&s->ix, name, strlen(name));
}

static enum lp_vtype sort_type;

static int cmp_site(const void *a, const void *b)
{
	const struct lp_site *x = a, *y = b;
	double vx = lp_site_value(x, sort_type), vy = lp_site_value(y, sort_type);

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return strcmp(x->name, y->name);
}

int lp_sites_sort(struct lp_sites *s, enum lp_vtype t)
{
	sort_type = t;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_site);
	/* The name index now points at old positions: rebuild it. */
	strmap_free(&s->ix);
	for (size_t i = 0; i < s->n; i++) {
		int added;

		if (strmap_put(&s->ix, s->v[i].name, strlen(s->v[i].name), i,
			       &added) == (size_t)-1)
			return -1;
	}
	return 0;
}

void lp_sites_free(struct lp_sites *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	strmap_free(&s->ix);
	memset(s, 0, sizeof(*s));
}
