/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "lockid.h"

/* Open addressing, never removed from: a slot's address is claimed with a
 * compare-and-swap, then its id is stored; a reader that finds the address
 * before the id treats the lock as not yet seen. */
struct slot {
	uintptr_t addr;
	uint64_t id;
};

#define MAX_PROBES 32

static struct slot *slots;
static uintptr_t mask;
static int shift; /* 64 - log2(number of slots) */

int lp_lockid_init(int64_t locks)
{
	size_t n = 64;
	struct slot *t;

	for (shift = 64 - 6; (int64_t)n < locks; shift--)
		n *= 2;
	mask = n - 1;
	t = calloc(n, sizeof(*t));
	if (!t)
		return -1;
	__atomic_store_n(&slots, t, __ATOMIC_RELEASE);
	return 0;
}

/* The first slot to probe for `addr`: Fibonacci hashing, the top bits of
 * the product, which every bit of an aligned address reaches. */
static uintptr_t first_slot(uintptr_t addr)
{
	return (uintptr_t)((addr * 0x9e3779b97f4a7c15ull) >> shift);
}

/* The slot of `addr`, claimed when it has none; NULL when the probes ran
 * out (the table is full around it). */
static struct slot *find(struct slot *t, uintptr_t addr)
{
	uintptr_t i = first_slot(addr);

	for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
		uintptr_t have = __atomic_load_n(&t[i].addr, __ATOMIC_ACQUIRE);

		if (have == 0 &&
		    __atomic_compare_exchange_n(&t[i].addr, &have, addr, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			have = addr;
		if (have == addr)
			return &t[i];
	}
	return NULL;
}

static int in_loaded_object(const void *obj)
{
	struct dl_find_object found;

	return _dl_find_object((void *)obj, &found) == 0;
}

static uint64_t make_id(uint64_t kind, uintptr_t value)
{
	return kind << LP_LOCKID_SHIFT | lp_lockid_value(value);
}

uint64_t lp_lockid(const void *obj, uintptr_t site)
{
	struct slot *t = __atomic_load_n(&slots, __ATOMIC_ACQUIRE);
	struct slot *s = t ? find(t, (uintptr_t)obj) : NULL;
	uint64_t id = s ? __atomic_load_n(&s->id, __ATOMIC_ACQUIRE) : 0, fresh;

	if (id)
		return id;
	fresh = in_loaded_object(obj) ? make_id(LP_LOCKID_STATIC, (uintptr_t)obj)
				      : make_id(LP_LOCKID_SEEN, site);
	/* Remembered, unless another thread named it meanwhile. */
	if (s && !__atomic_compare_exchange_n(&s->id, &id, fresh, 0, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE))
		return id;
	return fresh;
}

void lp_lockid_initialized(const void *obj, uintptr_t site)
{
	struct slot *t = __atomic_load_n(&slots, __ATOMIC_ACQUIRE), *s;
	int saved = errno;

	/* A lock at an address that held another lock before (freed memory)
	 * takes the new name. */
	if (t && !in_loaded_object(obj) && (s = find(t, (uintptr_t)obj)))
		__atomic_store_n(&s->id, make_id(LP_LOCKID_INIT, site), __ATOMIC_RELEASE);
	errno = saved;
}
