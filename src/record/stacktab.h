/* SPDX-License-Identifier: MIT */
/*
 * The table of one profile: one entry per distinct stack (keyed by its exact
 * return addresses and flags), with its counters. A lock-free RCU hash table
 * (liburcu cds_lfht, bulletproof flavor: the host's threads need not
 * register). Entries are never removed, so the table holds at most
 * `max_stacks` of them; past that, events go to one overflow entry and the
 * totals stay right. Counters are updated with atomics.
 */
#ifndef LP_STACKTAB_H
#define LP_STACKTAB_H

#include <stdint.h>

#include "snapshot.h"

struct lp_stacktab;
struct lp_stack; /* one entry: a stack and its counters */

/* NULL when out of memory. Called once at start, where malloc is safe. */
struct lp_stacktab *lp_stacktab_new(int64_t max_stacks);

/* Add one sampled event; returns the stack's entry (the overflow entry when
 * the table is full). `labels`, when not NULL, are part of the key (the
 * entry gets LP_STACK_LABELS). Never allocates with malloc; signal-safe
 * under the guard. */
struct lp_stack *lp_stacktab_add(struct lp_stacktab *t, const uintptr_t *pcs,
				 uint32_t depth, uint32_t flags,
				 const struct lp_labels *labels,
				 uint64_t contentions_fx, int64_t delay);

/* Add delay to an entry already counted (entries live as long as the
 * process). */
void lp_stack_add_delay(struct lp_stack *s, int64_t delay);

/* Copy the entries with nonzero counters. Returns 0 or -1 (out of memory).
 * Fills records, n and storage of `out`; the caller sets the rest. */
int lp_stacktab_snapshot(struct lp_stacktab *t, struct lp_snapshot *out);

/* Zero every counter (a forked child starts its own profile). */
void lp_stacktab_reset(struct lp_stacktab *t);

#endif /* LP_STACKTAB_H */
