#include <stdlib.h>

#include "arena.h"
#include "clock.h"
#include "lfht.h"
#include "sampling.h"
#include "spin.h"
#include "stacktab.h"
#include "waitstate.h"

struct lp_lockstate {
	struct cds_lfht_node node;
	uintptr_t lock;          /* 0 once retired */
	int spin;
	uint32_t n;
	__int128 sum_since;      /* S: n times up to 2^63 each */
	int64_t last_charge;     /* L */
	int64_t last_arrival;    /* the latest arrival counted */
	int64_t pending;         /* P */
	uintptr_t pending_owner; /* the one thread whose wait P is, or 0 */
	/* The last release, for its waiters' late time. */
	int last_sampled;
	int64_t late;                 /* late time until the sample is known */
	struct lp_stack *last_sample; /* NULL until attached */
	int64_t last_scale;
	struct lp_lockstate *next_free;
};

uint32_t lp_waiter_filter[1u << LP_FILTER_BITS];

static struct cds_lfht *table;
static int64_t max_entries;
static int64_t allocated;
static int free_lock;
static struct lp_lockstate *free_list;
static int sweeping;

/* A cheap identity of the calling thread. */
static __thread char thread_tag __attribute__((tls_model("initial-exec")));
#define SELF ((uintptr_t)&thread_tag)

static uint64_t hash_lock(uintptr_t lock)
{
	uint64_t h = (uint64_t)lock * 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

static int match_lock(struct cds_lfht_node *node, const void *key)
{
	const struct lp_lockstate *e = caa_container_of(node, struct lp_lockstate, node);
	return e->lock == *(const uintptr_t *)key;
}

int lp_waitstate_init(int64_t max_locks)
{
	table = lp_lfht_new(max_locks);
	max_entries = max_locks;
	return table ? 0 : -1;
}

/* No waiters, nothing pending: as a lock nobody has waited for. */
static void entry_clear(struct lp_lockstate *e)
{
	e->spin = 0;
	e->n = 0;
	e->sum_since = 0;
	e->last_charge = 0;
	e->last_arrival = 0;
	e->pending = 0;
	e->pending_owner = 0;
	e->last_sampled = 0;
	e->late = 0;
	e->last_sample = NULL;
	e->last_scale = 0;
}

/* The filter counts, per slot, waiters plus entries holding uncharged time. */
static int busy_weight(const struct lp_lockstate *e)
{
	return (int)e->n + (e->pending > 0);
}

static void filter_adjust(uintptr_t lock, int delta)
{
	if (delta)
		__atomic_fetch_add(&lp_waiter_filter[lp_filter_slot(lock)],
				   (uint32_t)delta, __ATOMIC_RELAXED);
}

/* Retire idle entries to the free list; one thread at a time, rare. */
static void sweep(void)
{
	struct cds_lfht_iter iter;
	struct lp_lockstate *e, *retired = NULL, *last = NULL;

	if (__atomic_exchange_n(&sweeping, 1, __ATOMIC_ACQUIRE))
		return;
	urcu_bp_read_lock();
	cds_lfht_for_each_entry(table, &iter, e, node) {
		lp_spin_lock(&e->spin);
		if (e->n == 0 && e->pending == 0 && e->lock &&
		    cds_lfht_del(table, &e->node) == 0) {
			e->lock = 0;
			e->next_free = retired;
			if (!retired)
				last = e;
			retired = e;
		}
		lp_spin_unlock(&e->spin);
	}
	urcu_bp_read_unlock();
	if (retired) {
		/* Readers that found an entry before it was unlinked may still
		 * look at it: reuse only after they are all gone. */
		urcu_bp_synchronize_rcu();
		lp_spin_lock(&free_lock);
		last->next_free = free_list;
		free_list = retired;
		lp_spin_unlock(&free_lock);
	}
	__atomic_store_n(&sweeping, 0, __ATOMIC_RELEASE);
}

static struct lp_lockstate *take_entry(void)
{
	struct lp_lockstate *e;

	for (int attempt = 0; attempt < 2; attempt++) {
		lp_spin_lock(&free_lock);
		e = free_list;
		if (e)
			free_list = e->next_free;
		lp_spin_unlock(&free_lock);
		if (e)
			return e;
		if (__atomic_fetch_add(&allocated, 1, __ATOMIC_RELAXED) < max_entries) {
			e = lp_arena_alloc(sizeof(*e));
			if (e)
				return e;
		}
		__atomic_fetch_sub(&allocated, 1, __ATOMIC_RELAXED);
		if (attempt == 0)
			sweep();
	}
	return NULL;
}

static void give_back(struct lp_lockstate *e)
{
	lp_spin_lock(&free_lock);
	e->next_free = free_list;
	free_list = e;
	lp_spin_unlock(&free_lock);
}

/* `e`, locked, if it still stands for `lock`; NULL otherwise. Entries are
 * arena memory that is never unmapped, and an entry stands for a lock only
 * while e->lock says so under its spinlock: any pointer that once found an
 * entry may be checked here, without RCU. */
static struct lp_lockstate *lock_if(struct lp_lockstate *e, uintptr_t lock)
{
	lp_spin_lock(&e->spin);
	if (e->lock == lock)
		return e;
	lp_spin_unlock(&e->spin);
	return NULL;
}

/*
 * A per-thread memo of the last entries found, by lock address: a thread
 * that waits on or releases the same locks again skips the table lookup. A
 * stale memo (the entry retired, or reused for another lock) is a miss.
 */
#define MEMO_SLOTS 8
static __thread struct memo {
	uintptr_t lock;
	struct lp_lockstate *e;
} memo[MEMO_SLOTS] __attribute__((tls_model("initial-exec")));

static struct memo *memo_slot(uintptr_t lock)
{
	return &memo[(lock >> 4) & (MEMO_SLOTS - 1)];
}

static struct lp_lockstate *memo_locked(uintptr_t lock)
{
	struct memo *m = memo_slot(lock);

	return m->lock == lock ? lock_if(m->e, lock) : NULL;
}

static void memo_put(uintptr_t lock, struct lp_lockstate *e)
{
	struct memo *m = memo_slot(lock);

	m->lock = lock;
	m->e = e;
}

/* Register a waiter on `e` (locked) that came at `t` and unlock it. *now
 * is the arrival the entry counts: `t`, or the last charge if one came
 * since `t` was read (the clock is read before the spinlock, to keep the
 * spinlock's hold short; a charge only counts waiters it finds). */
static void join_locked(struct lp_lockstate *e, int64_t t, int64_t *now)
{
	int before = busy_weight(e);

	*now = t > e->last_charge ? t : e->last_charge;
	if (*now > e->last_arrival)
		e->last_arrival = *now;
	e->n++;
	e->sum_since += *now;
	filter_adjust(e->lock, busy_weight(e) - before);
	lp_spin_unlock(&e->spin);
}

struct lp_lockstate *lp_waitstate_arrive(uintptr_t lock, int64_t *now)
{
	uint64_t hash = hash_lock(lock);
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct lp_lockstate *e, *fresh = NULL;
	int64_t t = lp_now();

	if ((e = memo_locked(lock)) != NULL) {
		join_locked(e, t, now);
		return e;
	}
	for (;;) {
		urcu_bp_read_lock();
		cds_lfht_lookup(table, hash, match_lock, &lock, &iter);
		node = cds_lfht_iter_get_node(&iter);
		if (!node && fresh) {
			node = cds_lfht_add_unique(table, hash, match_lock, &lock,
						   &fresh->node);
			if (node == &fresh->node)
				fresh = NULL; /* it is in the table now */
		}
		if (node) {
			e = lock_if(caa_container_of(node, struct lp_lockstate, node), lock);
			if (e) {
				join_locked(e, t, now);
				urcu_bp_read_unlock();
				memo_put(lock, e);
				if (fresh)
					give_back(fresh);
				return e;
			}
		}
		urcu_bp_read_unlock();
		if (!fresh) {
			/* Outside the read-side section: taking an entry may
			 * sweep, which waits for a grace period. */
			fresh = take_entry();
			if (!fresh)
				return NULL;
			cds_lfht_node_init(&fresh->node);
			fresh->lock = lock;
			entry_clear(fresh);
		}
	}
}

/* Late time of a waiter charged by the last release, under e->spin. */
static void add_late(struct lp_lockstate *e, int64_t late)
{
	if (!e->last_sampled)
		return;
	if (e->last_sample)
		lp_stack_add_delay(e->last_sample, e->last_scale * late);
	else
		e->late += late;
}

/* Time no release has charged yet, under e->spin. */
static void add_pending(struct lp_lockstate *e, int64_t t)
{
	if (e->pending == 0)
		e->pending_owner = SELF;
	else if (e->pending_owner != SELF)
		e->pending_owner = 0;
	e->pending += t;
}

int64_t lp_waitstate_leave(struct lp_lockstate *e, int64_t arrival, int acquired)
{
	int64_t now, since;
	int before;

	/* Read before the spinlock, as at arrival: a charge that came since
	 * counted this waiter up to its time, so the wait ends there. */
	now = lp_now();
	lp_spin_lock(&e->spin);
	before = busy_weight(e);
	if (now < e->last_charge)
		now = e->last_charge;
	since = arrival > e->last_charge ? arrival : e->last_charge;
	e->n--;
	e->sum_since -= since;
	if (acquired && now > since) {
		if (arrival < e->last_charge)
			add_late(e, now - since);
		else
			add_pending(e, now - since);
	}
	filter_adjust(e->lock, busy_weight(e) - before);
	lp_spin_unlock(&e->spin);
	return now;
}

/* The live entry of `lock`, with its spinlock held, or NULL. */
static struct lp_lockstate *find_locked(uintptr_t lock)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct lp_lockstate *e;

	if ((e = memo_locked(lock)) != NULL)
		return e;
	urcu_bp_read_lock();
	cds_lfht_lookup(table, hash_lock(lock), match_lock, &lock, &iter);
	node = cds_lfht_iter_get_node(&iter);
	e = node ? lock_if(caa_container_of(node, struct lp_lockstate, node), lock) : NULL;
	urcu_bp_read_unlock();
	if (e)
		memo_put(lock, e);
	return e;
}

int lp_waitstate_charge(uintptr_t lock, int64_t fraction, struct lp_charge *c)
{
	struct lp_lockstate *e;
	int before;
	/* Read before the spinlock, as at arrival and departure. */
	int64_t t = lp_now();
	uint64_t draw = fraction > 0 ? lp_rand() : 0;

	c->charged = 0;
	e = find_locked(lock);
	if (e) {
		/* A thread's own wait is never charged to its own release: it
		 * took the lock before its releaser got to charge, and that
		 * releaser's charge is on its way. */
		int64_t pending = e->pending_owner == SELF ? 0 : e->pending;
		/* Late time of a sampled release that has not attached its
		 * sample yet: this release takes it rather than lose it. */
		int64_t orphan = e->last_sampled && !e->last_sample ? e->late : 0;
		/* The charge comes later than the last charge and than every
		 * arrival it counts (either may have come since `t` was read):
		 * charges stay distinct (lp_waitstate_attach matches by time),
		 * and a waiter it counts leaves with late time, not pending. */
		int64_t latest = e->last_charge > e->last_arrival ? e->last_charge :
								     e->last_arrival;

		before = busy_weight(e);
		c->time = t > latest ? t : latest + 1;
		c->charged = (int64_t)(pending + orphan + (__int128)e->n * c->time - e->sum_since);
		c->sampled = c->charged > 0 && fraction > 0 &&
			     lp_mutex_sample(fraction, draw);
		c->waiters_left = e->n > 0;
		e->sum_since = (__int128)e->n * c->time;
		e->last_charge = c->time;
		e->pending -= pending;
		e->last_sampled = c->sampled;
		e->late = 0;
		e->last_sample = NULL;
		filter_adjust(lock, busy_weight(e) - before);
		lp_spin_unlock(&e->spin);
	}
	return c->charged > 0;
}

void lp_waitstate_attach(uintptr_t lock, const struct lp_charge *c,
			 struct lp_stack *sample, int64_t fraction)
{
	struct lp_lockstate *e = find_locked(lock);

	if (e) {
		if (e->last_charge == c->time && e->last_sampled) {
			e->last_sample = sample;
			e->last_scale = fraction;
			if (e->late)
				lp_stack_add_delay(sample, fraction * e->late);
			e->late = 0;
		}
		lp_spin_unlock(&e->spin);
	}
}

void lp_waitstate_after_fork_child(void)
{
	struct cds_lfht_iter iter;
	struct lp_lockstate *e;
	size_t i;

	free_lock = 0;
	sweeping = 0;
	urcu_bp_read_lock();
	cds_lfht_for_each_entry(table, &iter, e, node) {
		entry_clear(e);
	}
	urcu_bp_read_unlock();
	for (i = 0; i < sizeof(lp_waiter_filter) / sizeof(lp_waiter_filter[0]); i++)
		lp_waiter_filter[i] = 0;
}
