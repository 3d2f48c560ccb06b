/* SPDX-License-Identifier: MIT */
#include "strmap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"

struct strmap_key {
	const struct strmap *m;
	const char *key;
	size_t len;
};

static bool key_is(const void *ctx, uint32_t i)
{
	const struct strmap_key *k = ctx;
	const struct strmap_entry *e = &k->m->entries[i];

	return e->len == k->len && !memcmp(e->key, k->key, k->len);
}

static uint32_t find(const struct strmap *m, const char *key, size_t len,
		     uint64_t hash)
{
	struct strmap_key k = {m, key, len};

	return lp_hashtab_find(&m->index, hash, key_is, &k);
}

size_t strmap_get(const struct strmap *m, const char *key, size_t len)
{
	uint32_t i = find(m, key, len, lp_hash_bytes(LP_HASH_SEED, key, len));

	return i == LP_HASHTAB_NONE ? (size_t)-1 : m->entries[i].value;
}

size_t strmap_put(struct strmap *m, const char *key, size_t len,
		  size_t value, int *added)
{
	uint64_t hash = lp_hash_bytes(LP_HASH_SEED, key, len);
	uint32_t i = find(m, key, len, hash);
	char *copy;

	*added = 0;
	if (i != LP_HASHTAB_NONE)
		return m->entries[i].value;
	if (lp_grow((void **)&m->entries, &m->cap, m->n + 1,
		    sizeof(*m->entries)) ||
	    !(copy = malloc(len ? len : 1)))
		return (size_t)-1;
	if (lp_hashtab_add(&m->index, hash, (uint32_t)m->n)) {
		free(copy);
		return (size_t)-1;
	}
	memcpy(copy, key, len);
	m->entries[m->n++] = (struct strmap_entry){copy, len, value};
	*added = 1;
	return value;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->entries[i].key);
	free(m->entries);
	lp_hashtab_free(&m->index);
	memset(m, 0, sizeof(*m));
}
