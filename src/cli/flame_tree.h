/* SPDX-License-Identifier: MIT */
/*
 * The tree a flame graph draws: stacks merged from the root, each node
 * holding the inclusive value of the profile shown and, for a differential
 * graph, of the baseline (already scaled to the shown profile's time).
 */
#ifndef LP_CLI_FLAME_TREE_H
#define LP_CLI_FLAME_TREE_H

#include <stddef.h>

#include "profile_model.h"

/* Frames beyond this depth (from the root) are not drawn: it bounds the
 * recursion over hostile stacks, and no real stack is that deep. */
#define LP_FTREE_MAX_DEPTH 1024

struct lp_fnode {
	const char *name;   /* the model's frame name */
	double value, base; /* inclusive */
	double net;         /* signed trees: the sum of the signed values */
	size_t n_kids, cap_kids;
	struct lp_fnode **kids; /* sorted by name once built */
};

/* Add every stack of m (values times scale) to the tree under root, into
 * node->value, or node->base when `as_base`. 0, or -1 when OOM. */
int lp_ftree_add(struct lp_fnode *root, const struct lp_model *m,
		 enum lp_vtype t, double scale, int as_base);
/* A profile with negative values (a difference, `diff -o`): every stack
 * drawn as wide as its absolute value, its sign summed into node->net. */
int lp_ftree_add_signed(struct lp_fnode *root, const struct lp_model *m,
			enum lp_vtype t);

/* Whether any stack of m has a negative value of type t. */
int lp_model_has_negative(const struct lp_model *m, enum lp_vtype t);

/* Sort children by name, recursively (flamegraph.pl's order). */
void lp_ftree_sort(struct lp_fnode *root);
/* Depth of the deepest node with a nonzero value below root (root: 0). */
size_t lp_ftree_depth(const struct lp_fnode *root);
void lp_ftree_free(struct lp_fnode *root);

#endif
