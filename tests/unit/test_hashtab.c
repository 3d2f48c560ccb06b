/* SPDX-License-Identifier: MIT */
/* The hash index: finds what was added, not what was not, across growth
 * and colliding hashes. */
#include <stdint.h>
#include <string.h>

#include "base/hashtab.h"
#include "unit.h"

#define N 5000

static uint64_t keys[N];

static bool key_is(const void *ctx, uint32_t entry)
{
	return keys[entry] == *(const uint64_t *)ctx;
}

/* A poor hash on purpose: many keys share one, so equality decides. */
static uint64_t poor_hash(uint64_t key)
{
	return key % 97;
}

static uint32_t find(const struct lp_hashtab *h, uint64_t key)
{
	return lp_hashtab_find(h, poor_hash(key), key_is, &key);
}

int main(void)
{
	struct lp_hashtab h = {0};
	const char s[] = "lock\0prof";

	EXPECT(find(&h, 1) == LP_HASHTAB_NONE); /* empty: no slots at all */
	for (uint32_t i = 0; i < N; i++) {
		keys[i] = (uint64_t)i * 7919 + 13;
		EXPECT(find(&h, keys[i]) == LP_HASHTAB_NONE);
		EXPECT(lp_hashtab_add(&h, poor_hash(keys[i]), i) == 0);
	}
	EXPECT(h.n == N && h.cap >= 2 * N);
	for (uint32_t i = 0; i < N; i++)
		EXPECT(find(&h, keys[i]) == i);
	EXPECT(find(&h, 12) == LP_HASHTAB_NONE);
	lp_hashtab_free(&h);
	EXPECT(h.cap == 0 && h.n == 0 && find(&h, keys[0]) == LP_HASHTAB_NONE);
	EXPECT(lp_hashtab_add(&h, poor_hash(keys[3]), 3) == 0);
	EXPECT(find(&h, keys[3]) == 3 && find(&h, keys[4]) == LP_HASHTAB_NONE);
	lp_hashtab_free(&h);

	/* The byte hash sees every byte, NULs included, and continues. */
	EXPECT(lp_hash_bytes(LP_HASH_SEED, s, 4) != lp_hash_bytes(LP_HASH_SEED, s, 9));
	EXPECT(lp_hash_bytes(lp_hash_bytes(LP_HASH_SEED, s, 4), s + 4, 5) ==
	       lp_hash_bytes(LP_HASH_SEED, s, 9));
	EXPECT(lp_hash_word(LP_HASH_SEED, 1) != lp_hash_word(LP_HASH_SEED, 2));
	return unit_summary();
}
