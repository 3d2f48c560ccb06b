#include <stdlib.h>
#include <string.h>

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
	uint64_t h = 0x9E3779B97F4A7C15ull ^ r->flags ^ ((uint64_t)r->depth << 32);
	uint32_t i;

	for (i = 0; i < r->depth; i++)
		h = (h ^ r->pcs[i]) * 0x100000001b3ull;
	return h ^ (h >> 31);
}

static int record_same(const struct lp_record *a, const struct lp_record *b)
{
	return a->depth == b->depth && a->flags == b->flags &&
	       memcmp(a->pcs, b->pcs, a->depth * sizeof(uintptr_t)) == 0;
}

/* Index of `before`'s records by stack: open addressing, NULL when empty. */
static const struct lp_record **index_records(const struct lp_snapshot *s, size_t *mask)
{
	size_t cap = 16, i;
	const struct lp_record **slots;

	while (cap < s->n * 2)
		cap <<= 1;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return NULL;
	for (i = 0; i < s->n; i++) {
		size_t j = record_hash(&s->records[i]) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = &s->records[i];
	}
	*mask = cap - 1;
	return slots;
}

static const struct lp_record *find(const struct lp_record **slots, size_t mask,
				    const struct lp_record *r)
{
	size_t j = record_hash(r) & mask;

	for (; slots[j]; j = (j + 1) & mask)
		if (record_same(slots[j], r))
			return slots[j];
	return NULL;
}

int lp_snapshot_delta(const struct lp_snapshot *now,
		      const struct lp_snapshot *before,
		      struct lp_snapshot *out)
{
	const struct lp_record **slots;
	size_t mask, i, npcs = 0;
	uintptr_t *pcs;

	slots = index_records(before, &mask);
	if (!slots)
		return -1;
	for (i = 0; i < now->n; i++)
		npcs += now->records[i].depth;
	out->records = malloc((now->n ? now->n : 1) * sizeof(*out->records));
	pcs = malloc((npcs ? npcs : 1) * sizeof(*pcs));
	if (!out->records || !pcs) {
		free(out->records);
		free(pcs);
		free(slots);
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
		const struct lp_record *b = find(slots, mask, r);
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
	free(slots);
	return 0;
}
