/* SPDX-License-Identifier: MIT */
/*
 * A string-keyed hash map to small integers (indexes into the caller's
 * arrays). Keys are copied; lookups are exact byte comparisons of the
 * given length, so keys may contain NULs.
 */
#ifndef LP_CLI_STRMAP_H
#define LP_CLI_STRMAP_H

#include <stddef.h>

#include "base/hashtab.h"

struct strmap_entry {
	char *key;
	size_t len;
	size_t value;
};

/* All zero is an empty map. */
struct strmap {
	struct strmap_entry *entries; /* in the order put */
	size_t n, cap;
	struct lp_hashtab index;
};

/* Index stored under key, or (size_t)-1. */
size_t strmap_get(const struct strmap *m, const char *key, size_t len);

/*
 * The index under key, inserting `value` when absent (*added set to 1).
 * Returns (size_t)-1 when out of memory.
 */
size_t strmap_put(struct strmap *m, const char *key, size_t len,
		  size_t value, int *added);

void strmap_free(struct strmap *m);

#endif
