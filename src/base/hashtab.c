#include "hashtab.h"

#include <stdlib.h>

/* Slot of a hash: the bits mixed first (murmur3's finalizer), since FNV's
 * low bits depend only on the low bits of what it hashed. */
static size_t home(uint64_t hash, size_t cap)
{
	hash ^= hash >> 33;
	hash *= 0xff51afd7ed558ccdull;
	hash ^= hash >> 33;
	return (size_t)hash & (cap - 1);
}

uint32_t lp_hashtab_find(const struct lp_hashtab *h, uint64_t hash,
			 lp_hashtab_eq eq, const void *ctx)
{
	if (!h->cap)
		return LP_HASHTAB_NONE;
	for (size_t i = home(hash, h->cap);; i = (i + 1) & (h->cap - 1)) {
		const struct lp_hashtab_slot *s = &h->slot[i];

		if (!s->entry1)
			return LP_HASHTAB_NONE;
		if (s->hash == hash && eq(ctx, s->entry1 - 1))
			return s->entry1 - 1;
	}
}

static void place(struct lp_hashtab_slot *slot, size_t cap,
		  struct lp_hashtab_slot s)
{
	size_t i = home(s.hash, cap);

	while (slot[i].entry1)
		i = (i + 1) & (cap - 1);
	slot[i] = s;
}

int lp_hashtab_add(struct lp_hashtab *h, uint64_t hash, uint32_t entry)
{
	if (2 * (h->n + 1) > h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		struct lp_hashtab_slot *slot = calloc(cap, sizeof(*slot));

		if (!slot)
			return -1;
		for (size_t i = 0; i < h->cap; i++)
			if (h->slot[i].entry1)
				place(slot, cap, h->slot[i]);
		free(h->slot);
		h->slot = slot;
		h->cap = cap;
	}
	place(h->slot, h->cap, (struct lp_hashtab_slot){hash, entry + 1});
	h->n++;
	return 0;
}

void lp_hashtab_free(struct lp_hashtab *h)
{
	free(h->slot);
	*h = (struct lp_hashtab){0};
}

uint64_t lp_hash_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}
