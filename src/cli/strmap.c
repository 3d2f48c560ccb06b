/* Open addressing with linear probing; the table stays at most half full. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct strmap_slot *find(const struct strmap *m, const char *key,
				size_t len)
{
	size_t i = hash(key, len) & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		struct strmap_slot *s = &m->slots[i];

		if (!s->key || (s->len == len && !memcmp(s->key, key, len)))
			return s;
	}
}

size_t strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_slot *s;

	if (!m->cap)
		return (size_t)-1;
	s = find(m, key, len);
	return s->key ? s->value : (size_t)-1;
}

static int grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct strmap_slot *old = m->slots, *slots = calloc(cap, sizeof(*slots));
	size_t oldcap = m->cap;

	if (!slots)
		return -1;
	m->slots = slots;
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].len) = old[i];
	free(old);
	return 0;
}

size_t strmap_put(struct strmap *m, const char *key, size_t len,
		  size_t value, int *added)
{
	struct strmap_slot *s;

	*added = 0;
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return (size_t)-1;
	s = find(m, key, len);
	if (s->key)
		return s->value;
	s->key = malloc(len ? len : 1);
	if (!s->key)
		return (size_t)-1;
	memcpy(s->key, key, len);
	s->len = len;
	s->value = value;
	m->n++;
	*added = 1;
	return value;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
