/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/hashtab.h"
#include "snapshot.h"

void lp_snapshot_free(struct lp_snapshot *s)
{
	free(s->records);
	free(s->storage);
	s->records = NULL;
	s->storage = NULL;
	s->n = 0;
}

static uint64_t record_hash(const struct lp_record *r)
{
	uint64_t h = lp_hash_word(LP_HASH_SEED, r->flags | (uint64_t)r->depth << 32);

	for (uint32_t i = 0; i < r->depth; i++)
		h = lp_hash_word(h, r->pcs[i]);
	if (r->flags & LP_STACK_LABELS)
		h = lp_hash_bytes(h, &r->labels, sizeof(r->labels));
	return h;
}

struct record_key {
	const struct lp_snapshot *s;
	const struct lp_record *r;
};

/* Whether record `i` of the indexed snapshot has the key's stack. */
static bool record_same(const void *ctx, uint32_t i)
{
	const struct record_key *k = ctx;
	const struct lp_record *a = &k->s->records[i], *b = k->r;

	return a->depth == b->depth && a->flags == b->flags &&
	       memcmp(a->pcs, b->pcs, a->depth * sizeof(uintptr_t)) == 0 &&
	       memcmp(&a->labels, &b->labels, sizeof(a->labels)) == 0;
}

/* The records of s indexed by stack. 0, or -1 when out of memory. */
static int index_records(const struct lp_snapshot *s, struct lp_hashtab *h)
{
	for (size_t i = 0; i < s->n; i++)
		if (lp_hashtab_add(h, record_hash(&s->records[i]), (uint32_t)i))
			return -1;
	return 0;
}

/* The record of `s` (indexed by h) with r's stack, or NULL. */
static const struct lp_record *find(const struct lp_snapshot *s,
				    const struct lp_hashtab *h,
				    const struct lp_record *r)
{
	struct record_key k = {s, r};
	uint32_t i = lp_hashtab_find(h, record_hash(r), record_same, &k);

	return i == LP_HASHTAB_NONE ? NULL : &s->records[i];
}

int lp_snapshot_delta(const struct lp_snapshot *now,
		      const struct lp_snapshot *before,
		      struct lp_snapshot *out)
{
	struct lp_hashtab index = {0};
	size_t i, npcs = 0;
	uintptr_t *pcs;

	if (index_records(before, &index)) {
		lp_hashtab_free(&index);
		return -1;
	}
	for (i = 0; i < now->n; i++)
		npcs += now->records[i].depth;
	out->records = malloc((now->n ? now->n : 1) * sizeof(*out->records));
	pcs = malloc((npcs ? npcs : 1) * sizeof(*pcs));
	if (!out->records || !pcs) {
		free(out->records);
		free(pcs);
		lp_hashtab_free(&index);
		out->records = NULL;
		return -1;
	}
	out->kind = now->kind;
	out->period = now->period;
	out->time_nanos = now->time_nanos;
	out->duration_nanos = now->time_nanos - before->time_nanos;
	out->storage = pcs;
	out->n = 0;
	for (i = 0; i < now->n; i++) {
		const struct lp_record *r = &now->records[i];
		const struct lp_record *b = find(before, &index, r);
		struct lp_record d = *r;

		if (b) {
			/* Counters only grow; a reset (fork) shows as a drop. */
			d.contentions_fx = r->contentions_fx > b->contentions_fx ?
				r->contentions_fx - b->contentions_fx : 0;
			d.delay_ns = r->delay_ns > b->delay_ns ?
				r->delay_ns - b->delay_ns : 0;
		}
		if (lp_record_contentions(&d) == 0 && d.delay_ns == 0)
			continue;
		if (r->depth)
			memcpy(pcs, r->pcs, r->depth * sizeof(*pcs));
		d.pcs = pcs;
		pcs += r->depth;
		out->records[out->n++] = d;
	}
	lp_hashtab_free(&index);
	return 0;
}
