/* SPDX-License-Identifier: MIT */
/*
 * The profiler's RCU hash tables (liburcu cds_lfht, bulletproof flavor).
 * Their bucket count is fixed: resizes would run in a liburcu worker thread
 * and allocate while the program may hold its allocator's lock. One bucket
 * per eight entries at the bound keeps start-up cheap (laying out buckets is
 * most of a profiled process's start) and chains short.
 */
#ifndef LP_LFHT_H
#define LP_LFHT_H

#include <stdint.h>

#include <urcu-bp.h>
#include <urcu/rculfhash.h>

static inline struct cds_lfht *lp_lfht_new(int64_t max_entries)
{
	unsigned long buckets = 1024;

	while (buckets < (unsigned long)max_entries / 8 && buckets < (1ul << 17))
		buckets <<= 1;
	return cds_lfht_new_flavor(buckets, buckets, buckets, 0,
				   &urcu_bp_flavor, NULL);
}

#endif /* LP_LFHT_H */
