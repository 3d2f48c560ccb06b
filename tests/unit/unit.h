/* SPDX-License-Identifier: MIT */
/* A minimal test harness: EXPECT counts, the summary line is the one CI
 * reads ("N passed, M failed"). */
#ifndef LP_UNIT_H
#define LP_UNIT_H

#include <stdio.h>

static int unit_passed, unit_failed;

#define EXPECT(cond) do { \
	if (cond) { \
		unit_passed++; \
	} else { \
		unit_failed++; \
		fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

static inline int unit_summary(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
