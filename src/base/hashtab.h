/* SPDX-License-Identifier: MIT */
/*
 * An index by hash: open addressing with linear probing, mapping a
 * caller's 64-bit hash to entry numbers of the caller's own array. The
 * caller hashes its keys and says when an entry equals a key; the table
 * keeps the whole hash, so the callback runs only on a full match. It
 * stays at most half full, growing by doubling.
 */
#ifndef LP_HASHTAB_H
#define LP_HASHTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What lp_hashtab_find returns when no entry matches. */
#define LP_HASHTAB_NONE UINT32_MAX

struct lp_hashtab_slot {
	uint64_t hash;
	uint32_t entry1; /* entry number + 1; 0: empty */
};

/* All zero is an empty table. */
struct lp_hashtab {
	struct lp_hashtab_slot *slot;
	size_t cap, n; /* cap: 0 or a power of two */
};

/* Whether entry number `entry` of the caller's array is the key in ctx. */
typedef bool (*lp_hashtab_eq)(const void *ctx, uint32_t entry);

/* The first slot to probe for a hash: its bits mixed first (murmur3's
 * finalizer), since FNV's low bits depend only on the low bits of what it
 * hashed. */
static inline size_t lp_hashtab_home(uint64_t hash, size_t cap)
{
	hash ^= hash >> 33;
	hash *= 0xff51afd7ed558ccdull;
	hash ^= hash >> 33;
	return (size_t)hash & (cap - 1);
}

/* The entry under `hash` that eq says is the key, or LP_HASHTAB_NONE.
 * Inline, so that the compiler can inline eq too: lookups are the hot
 * part of encoding a profile. */
static inline uint32_t lp_hashtab_find(const struct lp_hashtab *h,
				       uint64_t hash, lp_hashtab_eq eq,
				       const void *ctx)
{
	if (!h->cap)
		return LP_HASHTAB_NONE;
	for (size_t i = lp_hashtab_home(hash, h->cap);;
	     i = (i + 1) & (h->cap - 1)) {
		const struct lp_hashtab_slot *s = &h->slot[i];

		if (!s->entry1)
			return LP_HASHTAB_NONE;
		if (s->hash == hash && eq(ctx, s->entry1 - 1))
			return s->entry1 - 1;
	}
}

/* Index `entry` under `hash` (the caller knows it is not there yet).
 * Returns 0, or -1 when out of memory (the table is then unchanged). */
int lp_hashtab_add(struct lp_hashtab *h, uint64_t hash, uint32_t entry);

/* Release the slots; the table is then empty and usable again. */
void lp_hashtab_free(struct lp_hashtab *h);

/* Hashing for callers: FNV-1a, a word or a byte string at a time,
 * starting from LP_HASH_SEED. The table spreads the bits itself, so any
 * of these (or a plain address) will do as a hash. */
#define LP_HASH_SEED 0xcbf29ce484222325ull

static inline uint64_t lp_hash_word(uint64_t h, uint64_t word)
{
	return (h ^ word) * 0x100000001b3ull;
}

uint64_t lp_hash_bytes(uint64_t h, const void *p, size_t len);

#endif /* LP_HASHTAB_H */
