/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lockstate.h"
#include "sharedstate.h"
#include "stacktab.h"

/* A waiter of a shared lock, for another process to take out of the
 * accounting if its own dies. `owner` is its process and thread; written
 * with RESERVED while the rest is filled in. */
struct record {
	uint64_t owner; /* pid << 32 | thread token; 0: free */
	int64_t arrival;
	uint64_t seen;
};

#define RESERVED (1ull << 31)
struct shared_entry {
	struct lp_lockstate s;
	int64_t checked; /* when its records were last checked */
	struct record records[LP_SHARED_RECORDS];
} __attribute__((aligned(64)));

static struct shared_entry *table;
static int32_t self_pid;
static uint32_t last_token;
/* The calling thread's part of its records' owner (1 to 2^31 - 1). */
static __thread uint32_t thread_token __attribute__((tls_model("initial-exec")));

/*
 * This process's claims on the late slots of shared entries, one per
 * entry (same index): the newest sampled release it made of each lock, as
 * that slot's key (48 bits) << 16 | scale, and the sample.
 */
static struct pair claims[LP_SHARED_LOCKS];
static int any_claim; /* so that a process that made none never touches them */

/* A shared mapping with the filter's contents is moved over it, so the
 * release's check stays the same load from the same address. */
int lp_sharedstate_share_filter(void *filter, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	if (size % page != 0 || (uintptr_t)filter % page != 0)
		return -1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	memcpy(p, filter, size);
	if (mremap(p, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, filter) == MAP_FAILED) {
		munmap(p, size);
		return -1;
	}
	return 0;
}

int lp_sharedstate_init(void)
{
	void *p = mmap(NULL, sizeof(struct shared_entry) * LP_SHARED_LOCKS,
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	self_pid = (int32_t)getpid();
	__atomic_store_n(&table, p, __ATOMIC_RELEASE);
	return 0;
}

int lp_sharedstate_on(void)
{
	return __atomic_load_n(&table, __ATOMIC_ACQUIRE) != NULL;
}

/* Open addressing, linear probing; a key once set is never removed, so a
 * lookup stops at the first free slot. */
#define PROBES 64

struct lp_lockstate *lp_sharedstate_entry(uintptr_t lock, int add)
{
	uint64_t h = (uint64_t)lock * 0x9E3779B97F4A7C15ull;
	size_t home = (size_t)(h >> 51) & (LP_SHARED_LOCKS - 1);

	if (!table)
		return NULL;
	for (size_t i = 0; i < PROBES; i++) {
		struct shared_entry *e = &table[(home + i) & (LP_SHARED_LOCKS - 1)];
		uintptr_t key = __atomic_load_n(&e->s.lock, __ATOMIC_ACQUIRE);

		if (key == 0) {
			if (!add)
				return NULL;
			/* Before the key: whoever finds the entry reads its
			 * times with the shared clock. */
			__atomic_store_n(&e->s.shared, 1, __ATOMIC_RELAXED);
			if (__atomic_compare_exchange_n(&e->s.lock, &key, lock, 0,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return &e->s;
		}
		if (key == lock)
			return &e->s;
	}
	return NULL;
}

static struct shared_entry *of(struct lp_lockstate *e)
{
	return (struct shared_entry *)e;
}

static uint64_t owner(void)
{
	if (!thread_token)
		thread_token = __atomic_add_fetch(&last_token, 1, __ATOMIC_RELAXED) & (RESERVED - 1);
	return (uint64_t)(uint32_t)self_pid << 32 | thread_token;
}

int lp_sharedstate_note(struct lp_lockstate *e, int64_t arrival, uint64_t seen)
{
	struct record *r = of(e)->records;
	uint64_t me = owner();

	for (int i = 0; i < LP_SHARED_RECORDS; i++) {
		uint64_t free_slot = 0;

		if (__atomic_load_n(&r[i].owner, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(&r[i].owner, &free_slot, me | RESERVED, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			__atomic_store_n(&r[i].arrival, arrival, __ATOMIC_RELAXED);
			__atomic_store_n(&r[i].seen, seen, __ATOMIC_RELAXED);
			__atomic_store_n(&r[i].owner, me, __ATOMIC_RELEASE);
			return i;
		}
	}
	return -1;
}

int lp_sharedstate_forget(struct lp_lockstate *e, int record)
{
	uint64_t me = owner();

	return __atomic_compare_exchange_n(&of(e)->records[record].owner, &me, 0, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* A process that no longer exists (a zombie still does: until its parent
 * reaps it, its waits stay counted). */
static int gone(int32_t pid)
{
	return kill(pid, 0) != 0 && errno == ESRCH;
}

int lp_sharedstate_dead_waiters(struct lp_lockstate *e, int64_t now,
				struct lp_dead_waiter *out)
{
	struct shared_entry *se = of(e);
	int64_t checked = __atomic_load_n(&se->checked, __ATOMIC_RELAXED);
	int n = 0;

	/* One release in a while looks, and only one. */
	if (now - checked < LP_SHARED_CHECK_EVERY ||
	    !__atomic_compare_exchange_n(&se->checked, &checked, now, 0,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return 0;
	for (int i = 0; i < LP_SHARED_RECORDS; i++) {
		struct record *r = &se->records[i];
		uint64_t who = __atomic_load_n(&r->owner, __ATOMIC_ACQUIRE);
		int32_t pid = (int32_t)(who >> 32);
		struct lp_dead_waiter w = { __atomic_load_n(&r->arrival, __ATOMIC_RELAXED),
					    __atomic_load_n(&r->seen, __ATOMIC_RELAXED) };

		/* One being written is not judged: its writer is alive, or
		 * died with the slot taken. */
		if (who == 0 || (who & RESERVED) || pid == self_pid || !gone(pid) ||
		    !__atomic_compare_exchange_n(&r->owner, &who, 0, 0,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		out[n++] = w;
	}
	return n;
}

/* Late time in the entry's slot for the sampled release `claim` made: to
 * its sample. A slot that a later release's waiters took is that
 * release's, with what it carried. */
static void collect(struct shared_entry *se, struct pair claim)
{
	struct pair s = load16(&se->s.late);
	int64_t late;

	do {
		if (time48(s.lo) != time48(claim.lo) || s.hi <= 1)
			return;
		late = (int64_t)s.hi >> 1;
	} while (!cas16(&se->s.late, &s, (struct pair){ s.lo, 1 }));
	lp_stack_add_delay((struct lp_stack *)(uintptr_t)claim.hi,
			   (int64_t)(claim.lo & 0xffff) * late);
}

void lp_sharedstate_claim(struct lp_lockstate *e, int64_t time, struct lp_stack *sample,
			  int64_t fraction)
{
	struct shared_entry *se = of(e);
	struct pair *slot = &claims[se - table];
	uint64_t key = (uint64_t)time & MASK48;
	struct pair mine = { key << 16 | (uint64_t)fraction, (uintptr_t)sample };
	struct pair old = load16(slot);

	if (fraction <= 0 || fraction > 0xffff)
		return;
	do {
		/* Another thread's later release of it is the claim. */
		if (old.hi && !later48(key, time48(old.lo))) {
			collect(se, mine);
			return;
		}
	} while (!cas16(slot, &old, mine));
	__atomic_store_n(&any_claim, 1, __ATOMIC_RELAXED);
	if (old.hi)
		collect(se, old);
	collect(se, mine);
}

void lp_sharedstate_collect(void)
{
	if (!__atomic_load_n(&any_claim, __ATOMIC_RELAXED))
		return;
	for (size_t i = 0; i < LP_SHARED_LOCKS; i++) {
		struct pair c = load16(&claims[i]);

		if (c.hi)
			collect(&table[i], c);
	}
}

void lp_sharedstate_after_fork_child(void)
{
	self_pid = (int32_t)getpid();
	if (any_claim)
		memset(claims, 0, sizeof(claims));
	any_claim = 0;
}
