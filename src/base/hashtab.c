/* SPDX-License-Identifier: MIT */
#include "hashtab.h"

#include <stdlib.h>

static void place(struct lp_hashtab_slot *slot, size_t cap,
		  struct lp_hashtab_slot s)
{
	size_t i = lp_hashtab_home(s.hash, cap);

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
