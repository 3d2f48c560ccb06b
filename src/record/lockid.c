/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdlib.h>

#include "lockid.h"

/* Open addressing, never removed from: a slot's address is claimed with a
 * compare-and-swap, then its id is stored; a reader that finds the address
 * before the id treats the lock as not yet seen and computes the same kind
 * of id itself. */
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

	for (shift = 64 - 6; (int64_t)n < locks; shift--)
		n *= 2;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	mask = n - 1;
	return 0;
}

static int in_loaded_object(const void *obj)
{
	struct dl_find_object found;

	return _dl_find_object((void *)obj, &found) == 0;
}

uint64_t lp_lockid(const void *obj, uintptr_t site)
{
	uintptr_t addr = (uintptr_t)obj;
	uint64_t seen = LP_LOCKID_SEEN << LP_LOCKID_SHIFT | lp_lockid_value(site);
	/* Fibonacci hashing: the top bits of the product, which every bit of
	 * an aligned address reaches. */
	uintptr_t i = slots ? (uintptr_t)((addr * 0x9e3779b97f4a7c15ull) >> shift) : 0;

	for (int probe = 0; slots && probe < MAX_PROBES; probe++, i = (i + 1) & mask) {
		uintptr_t have = __atomic_load_n(&slots[i].addr, __ATOMIC_ACQUIRE);
		uint64_t id;

		if (have == addr) {
			id = __atomic_load_n(&slots[i].id, __ATOMIC_ACQUIRE);
			return id ? id : seen;
		}
		if (have != 0)
			continue;
		if (in_loaded_object(obj))
			return LP_LOCKID_STATIC << LP_LOCKID_SHIFT | addr;
		if (__atomic_compare_exchange_n(&slots[i].addr, &have, addr, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&slots[i].id, seen, __ATOMIC_RELEASE);
			return seen;
		}
		if (have == addr) { /* another thread saw it first, just now */
			id = __atomic_load_n(&slots[i].id, __ATOMIC_ACQUIRE);
			return id ? id : seen;
		}
	}
	return in_loaded_object(obj) ? LP_LOCKID_STATIC << LP_LOCKID_SHIFT | addr : seen;
}
