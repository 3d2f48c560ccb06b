/* SPDX-License-Identifier: MIT */
/*
 * Which lock a sample is about, as one word that stays the same across
 * runs once named (src/export/lockname.h names it; docs/profiles.md,
 * "Labels"):
 *
 *   a lock in a loaded object's data or bss: its address (the object's
 *   symbols name it at dump time);
 *   any other lock (heap, stack, mmap): the return address in the
 *   program's code of its pthread_mutex_init, pthread_rwlock_init or
 *   sem_init call (lp_lockid_initialized); for one set up otherwise (an
 *   initializer, zeroed memory, a condition variable), the return address
 *   where it was first seen, in the first sample kept of it (a wait, or a
 *   release). Both remembered per lock address.
 *
 * Called for kept samples only, never inside the program's critical
 * section: a lookup, and the first time a lock is seen a search of the
 * loaded objects (_dl_find_object: lock-free, signal-safe) and an insert;
 * static locks are remembered too, so that they are searched for once.
 */
#ifndef LP_LOCKID_H
#define LP_LOCKID_H

#include <stdint.h>

/* The kind of an id, in its top two bits. */
#define LP_LOCKID_SHIFT 62
#define LP_LOCKID_STATIC 1ull /* the address in a loaded object */
#define LP_LOCKID_SEEN 2ull   /* the return address it was first seen at */
#define LP_LOCKID_INIT 3ull   /* the return address of its init call */

static inline uint64_t lp_lockid_kind(uint64_t id)
{
	return id >> LP_LOCKID_SHIFT;
}

static inline uintptr_t lp_lockid_value(uint64_t id)
{
	return (uintptr_t)(id & ((1ull << LP_LOCKID_SHIFT) - 1));
}

/* Room for `locks` distinct non-static locks (rounded up to a power of
 * two). 0, or -1 when out of memory. Called once at start. */
int lp_lockid_init(int64_t locks);

/* The id of the lock at `obj`; `site` is the return address of the
 * sample's first frame of the program (0 when none): a lock not yet seen
 * is remembered as first seen there. When the table is full, a new lock is
 * named without being remembered (by `site` for a heap lock). */
uint64_t lp_lockid(const void *obj, uintptr_t site);

/* The lock at `obj` was initialized (successfully) by a call returning to
 * `site`: a lock outside the loaded objects is named by it from now on.
 * Nothing before lp_lockid_init (labels without `lock`: nothing at all).
 * Keeps errno. */
void lp_lockid_initialized(const void *obj, uintptr_t site);

#endif /* LP_LOCKID_H */
