/* SPDX-License-Identifier: MIT */
#include "flame_tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Children are found by linear search: fan-out in contention stacks is
 * small, and the tree is built once. */
static struct lp_fnode *child(struct lp_fnode *n, const char *name)
{
	struct lp_fnode *k;

	for (size_t i = 0; i < n->n_kids; i++)
		if (!strcmp(n->kids[i]->name, name))
			return n->kids[i];
	if (n->n_kids == n->cap_kids) {
		size_t cap = n->cap_kids ? 2 * n->cap_kids : 4;
		struct lp_fnode **kids = realloc(n->kids, cap * sizeof(*kids));

		if (!kids)
			return NULL;
		n->kids = kids;
		n->cap_kids = cap;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->name = name;
	n->kids[n->n_kids++] = k;
	return k;
}

int lp_ftree_add(struct lp_fnode *root, const struct lp_model *m,
		 enum lp_vtype t, double scale, int as_base)
{
	for (size_t i = 0; i < m->n_stacks; i++) {
		const struct lp_model_stack *st = &m->stacks[i];
		double v = lp_stack_value(st, t) * scale;
		struct lp_fnode *n = root;

		if (v <= 0)
			continue; /* a flame graph has no negative widths */
		*(as_base ? &n->base : &n->value) += v;
		for (size_t j = st->n;
		     j-- > 0 && st->n - j <= LP_FTREE_MAX_DEPTH;) {
			n = child(n, m->frames[st->frames[j]].func);
			if (!n)
				return -1;
			*(as_base ? &n->base : &n->value) += v;
		}
	}
	return 0;
}

int lp_ftree_add_signed(struct lp_fnode *root, const struct lp_model *m,
			enum lp_vtype t)
{
	for (size_t i = 0; i < m->n_stacks; i++) {
		const struct lp_model_stack *st = &m->stacks[i];
		double v = lp_stack_value(st, t);
		struct lp_fnode *n = root;

		if (v == 0)
			continue;
		n->value += fabs(v);
		n->net += v;
		for (size_t j = st->n;
		     j-- > 0 && st->n - j <= LP_FTREE_MAX_DEPTH;) {
			n = child(n, m->frames[st->frames[j]].func);
			if (!n)
				return -1;
			n->value += fabs(v);
			n->net += v;
		}
	}
	return 0;
}

int lp_model_has_negative(const struct lp_model *m, enum lp_vtype t)
{
	for (size_t i = 0; i < m->n_stacks; i++)
		if (lp_stack_value(&m->stacks[i], t) < 0)
			return 1;
	return 0;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp((*(struct lp_fnode *const *)a)->name,
		      (*(struct lp_fnode *const *)b)->name);
}

void lp_ftree_sort(struct lp_fnode *root)
{
	if (root->n_kids)
		qsort(root->kids, root->n_kids, sizeof(*root->kids), cmp_node);
	for (size_t i = 0; i < root->n_kids; i++)
		lp_ftree_sort(root->kids[i]);
}

size_t lp_ftree_depth(const struct lp_fnode *root)
{
	size_t d = 0;

	for (size_t i = 0; i < root->n_kids; i++) {
		size_t k;

		if (root->kids[i]->value <= 0)
			continue;
		k = 1 + lp_ftree_depth(root->kids[i]);
		if (k > d)
			d = k;
	}
	return d;
}

void lp_ftree_free(struct lp_fnode *root)
{
	for (size_t i = 0; i < root->n_kids; i++) {
		lp_ftree_free(root->kids[i]);
		free(root->kids[i]);
	}
	free(root->kids);
	root->kids = NULL;
	root->n_kids = root->cap_kids = 0;
}

