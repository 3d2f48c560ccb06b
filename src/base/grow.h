/* SPDX-License-Identifier: MIT */
/* Growing a malloc'd array by doubling: for the dump-time builders. */
#ifndef LP_GROW_H
#define LP_GROW_H

#include <stdlib.h>

/* Make room for `need` elements of `elem` bytes in *p (capacity *cap).
 * Returns 0, or -1 when out of memory (*p is then unchanged). */
static inline int lp_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

#endif /* LP_GROW_H */
