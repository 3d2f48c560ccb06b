/* SPDX-License-Identifier: MIT */
/*
 * Lock ids (src/record/lockid.h) and wait buckets (labels.h): a static
 * lock is its address; a heap lock is where it was initialized, else where
 * it was first seen, whatever later sites say; a lock initialized again
 * takes the new site; past a full table, new locks still get an id of the
 * right kind; the buckets' bounds.
 */
#include <stdlib.h>

#include "record/labels.h"
#include "record/lockid.h"
#include "unit.h"

static long static_lock;

int main(void)
{
	long *heap = malloc(64), local = 0;
	uint64_t id;

	EXPECT(lp_lockid_init(64) == 0);

	id = lp_lockid(&static_lock, 0x1234);
	EXPECT(lp_lockid_kind(id) == LP_LOCKID_STATIC &&
	       lp_lockid_value(id) == (uintptr_t)&static_lock);
	EXPECT(lp_lockid(&static_lock, 0x9999) == id);
	lp_lockid_initialized(&static_lock, 0x4444); /* a static lock keeps its symbol */
	EXPECT(lp_lockid(&static_lock, 0) == id);

	id = lp_lockid(&heap[0], 0x1000);
	EXPECT(lp_lockid_kind(id) == LP_LOCKID_SEEN && lp_lockid_value(id) == 0x1000);
	EXPECT(lp_lockid(&heap[0], 0x2000) == id); /* first seen stays */
	lp_lockid_initialized(&heap[0], 0x3000);
	id = lp_lockid(&heap[0], 0x2000);
	EXPECT(lp_lockid_kind(id) == LP_LOCKID_INIT && lp_lockid_value(id) == 0x3000);
	lp_lockid_initialized(&heap[0], 0x5000); /* reused memory */
	EXPECT(lp_lockid_value(lp_lockid(&heap[0], 0)) == 0x5000);

	lp_lockid_initialized(&heap[1], 0x6000); /* named before it is ever seen */
	id = lp_lockid(&heap[1], 0x7000);
	EXPECT(lp_lockid_kind(id) == LP_LOCKID_INIT && lp_lockid_value(id) == 0x6000);
	id = lp_lockid(&local, 0x8000); /* a stack */
	EXPECT(lp_lockid_kind(id) == LP_LOCKID_SEEN && lp_lockid_value(id) == 0x8000);

	/* 64 slots: hundreds of locks, each still named by its own kind. */
	for (int i = 0; i < 500; i++) {
		long *p = malloc(64);

		id = lp_lockid(p, 0x100 + (uintptr_t)i);
		EXPECT(lp_lockid_kind(id) == LP_LOCKID_SEEN &&
		       lp_lockid_value(id) == 0x100 + (uintptr_t)i);
	}
	id = lp_lockid(&static_lock, 0);
	EXPECT(lp_lockid_kind(id) == LP_LOCKID_STATIC);

	EXPECT(lp_wait_bucket(0) == 0 && lp_wait_bucket(9999) == 0);
	EXPECT(lp_wait_bucket(10000) == 1 && lp_wait_bucket(99999) == 1);
	EXPECT(lp_wait_bucket(100000) == 2 && lp_wait_bucket(999999) == 2);
	EXPECT(lp_wait_bucket(1000000) == 3 && lp_wait_bucket(9999999) == 3);
	EXPECT(lp_wait_bucket(10000000) == 4 && lp_wait_bucket(99999999) == 4);
	EXPECT(lp_wait_bucket(100000000) == 5 && lp_wait_bucket(999999999) == 5);
	EXPECT(lp_wait_bucket(1000000000) == 6 && lp_wait_bucket(INT64_MAX) == 6);
	return unit_summary();
}
