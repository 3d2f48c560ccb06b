/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/check.h"
#include "base/clock.h"
#include "base/lfht.h"
#include "base/log.h"
#include "lockstate.h"
#include "sampling.h"
#include "sharedstate.h"
#include "base/spin.h"
#include "stacktab.h"
#include "waitstate.h"

uint32_t lp_waiter_filter[1u << LP_FILTER_BITS] __attribute__((aligned(4096)));
static int filter_shared; /* with the processes this one forks */
static int share_wanted;  /* asked before the shared region was there */

static struct cds_lfht *table;
static int64_t max_entries;
static int64_t allocated;
static int free_lock;
static struct lp_lockstate *free_list;
static int sweeping;

/* The filter counts, per slot, the entries with waiters or pending time. */
static inline int busy(struct pair s)
{
	return waiters(s) != 0 || s.hi != 0;
}

/* Counted on every change of state, as the filter counts busy entries
 * (waitstate.h). */
uint32_t lp_pending_alone[1u << LP_FILTER_BITS];

static inline int alone(struct pair s)
{
	return waiters(s) == 0 && s.hi != 0;
}

/* A shared lock's entry changes in other processes too: it is not
 * counted (its releases are charged whether they wake anyone or not). */
static void alone_adjust(const struct lp_lockstate *e, struct pair before, struct pair after)
{
	int delta = alone(after) - alone(before);

	if (delta && !e->shared)
		__atomic_fetch_add(&lp_pending_alone[lp_filter_slot(e->lock)], (uint32_t)delta,
				   __ATOMIC_RELAXED);
}

/* After a compare-and-swap of `e` from `before` to `after` that cannot
 * turn an idle entry busy (join counts that one itself, first). */
static void filter_adjust(const struct lp_lockstate *e, struct pair before, struct pair after)
{
	int delta = busy(after) - busy(before);

	LP_CHECK(delta <= 0);
	if (delta)
		lp_waitstate_hold(e->lock, delta);
	alone_adjust(e, before, after);
}

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
	/* Without it, shared locks are tracked as private ones. */
	if (lp_sharedstate_init() == 0 && __atomic_load_n(&share_wanted, __ATOMIC_ACQUIRE))
		lp_waitstate_share();
	table = lp_lfht_new(max_locks);
	max_entries = max_locks;
	return table ? 0 : -1;
}

/*
 * The filter is shared only from the first primitive shared between
 * processes that the process initializes, and then with the processes it
 * forks. Shared, it counts the waits of every process of the tree, and a
 * process that dies or exits while threads of its own wait leaves their
 * counts raised for good: every release, in every process, of a lock that
 * maps to such a counter then takes the slow path. A tree that shares no
 * primitive never pays that. Counts that other threads change while the
 * filter is copied may be lost: at worst a release misses a waiter (its
 * wait goes to a later release) or a counter stays raised.
 */
void lp_waitstate_share(void)
{
	int saved = errno;

	__atomic_store_n(&share_wanted, 1, __ATOMIC_RELEASE);
	if (lp_sharedstate_on() && !__atomic_exchange_n(&filter_shared, 1, __ATOMIC_ACQ_REL) &&
	    lp_sharedstate_share_filter(lp_waiter_filter, sizeof(lp_waiter_filter)) != 0)
		lp_log("lockprof: no shared memory for the wait state of locks shared "
		       "between processes; their waits are charged in each process only");
	errno = saved;
}

/*
 * Every release that is charged (the recorder skips a lock release that
 * wakes nobody: lp_release_charge) and finds waiters charges, kept or not:
 * the charges end at each such release, so a kept one is charged exactly
 * its own interval. Then it draws whether it is kept, by what it was
 * charged (lp_mutex_keep: 1 in `fraction`, more often above 10 us,
 * weighted back by the inverse of its chance). Letting unkept releases
 * skip the charge (a release drawing the next one's coin, and only then
 * charging) saved a clock read and a compare-and-swap on most releases,
 * but was not true on a lock fought over with almost no pause: the drawing
 * release's own work delayed the waiters of the interval it chose, and a
 * release whose charge landed after the next release had looked stretched
 * the interval over two (docs/performance.md, "Session 8").
 *
 * A kept charge leaves L one ns after its time, odd (SAMPLED), and gives
 * each waiter still counted that ns in D, so that no time moves between
 * charges: a waiter that leaves later knows whether the charge that
 * counted it last was kept (add_late, depart). Other times in L (unkept
 * charges, an arrival on an idle lock, a cleared entry) are even.
 */
#define SAMPLED 1

/* No waiters, nothing pending, L now: a state no operation of an earlier
 * life of the entry can have seen, so that their compare-and-swaps fail. */
static void entry_clear(struct lp_lockstate *e)
{
	e->late.lo = e->late.hi = 0;
	e->state.hi = 0;
	__atomic_store_n(&e->state.lo, ((uint64_t)lp_now() & MASK48 & ~(uint64_t)SAMPLED) << 16,
			 __ATOMIC_RELEASE);
}

static void settle(struct lp_lockstate *e, int64_t now);

/* Retire idle entries to the free list (settled first: lp_waitstate_settle);
 * one thread at a time, rare. */
static void sweep(void)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct lp_lockstate *retired = NULL, *last = NULL;
	int64_t now = lp_now();

	if (__atomic_exchange_n(&sweeping, 1, __ATOMIC_ACQUIRE))
		return;
	urcu_bp_read_lock();
	/* Node by node, as after fork. */
	cds_lfht_for_each(table, &iter, node) {
		struct lp_lockstate *e = caa_container_of(node, struct lp_lockstate, node);
		struct pair s;

		settle(e, now);
		s = load16(&e->state);

		if (waiters(s) == 0 && s.hi == 0 && e->lock &&
		    cas16(&e->state, &s, (struct pair){ RETIRED, 0 }) &&
		    cds_lfht_del(table, &e->node) == 0) {
			__atomic_store_n(&e->lock, 0, __ATOMIC_RELEASE);
			e->next_free = retired;
			if (!retired)
				last = e;
			retired = e;
		}
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
			e = lp_arena_alloc_aligned(sizeof(*e), 64);
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

/*
 * A per-thread memo of the last entries found, by lock address: a thread
 * that waits on or releases the same locks again skips the table lookup. A
 * stale memo (the entry retired, or reused for another lock) is caught by
 * the entry's lock field and state. It also keeps the thread's own pending
 * wait on that lock, and the L it was left under.
 */
#define MEMO_SLOTS 8
static __thread struct memo {
	uintptr_t lock;
	struct lp_lockstate *e;
	uint64_t own_l48;
	int64_t own_pending;
} memo[MEMO_SLOTS] __attribute__((tls_model("initial-exec")));

static struct memo *memo_slot(uintptr_t lock)
{
	return &memo[(lock >> 4) & (MEMO_SLOTS - 1)];
}

static void memo_put(struct memo *m, uintptr_t lock, struct lp_lockstate *e)
{
	if (m->lock != lock || m->e != e) {
		m->lock = lock;
		m->e = e;
		m->own_pending = 0;
	}
}

/* The entry of `lock` in the table, or NULL. Readers use it without RCU
 * afterwards: entries are arena memory that is never unmapped, and every
 * use checks e->lock and the state's compare-and-swap. */
static struct lp_lockstate *lookup(uintptr_t lock)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	urcu_bp_read_lock();
	cds_lfht_lookup(table, hash_lock(lock), match_lock, &lock, &iter);
	node = cds_lfht_iter_get_node(&iter);
	urcu_bp_read_unlock();
	return node ? caa_container_of(node, struct lp_lockstate, node) : NULL;
}

/* The entry of `lock`, added if it has none; NULL when the table is full. */
static struct lp_lockstate *lookup_or_add(uintptr_t lock)
{
	uint64_t hash = hash_lock(lock);
	struct cds_lfht_node *node;
	struct lp_lockstate *fresh;

	if ((fresh = lookup(lock)) != NULL)
		return fresh;
	/* Outside the read-side section: taking an entry may sweep, which
	 * waits for a grace period. */
	fresh = take_entry();
	if (!fresh)
		return NULL;
	cds_lfht_node_init(&fresh->node);
	fresh->lock = lock;
	entry_clear(fresh);
	urcu_bp_read_lock();
	node = cds_lfht_add_unique(table, hash, match_lock, &lock, &fresh->node);
	urcu_bp_read_unlock();
	if (node == &fresh->node)
		return fresh;
	give_back(fresh);
	return caa_container_of(node, struct lp_lockstate, node);
}

enum join_result { JOINED, GONE, CROWDED };

/* Count a waiter that arrived at `a` on `e`, if it still stands for `lock`. */
static enum join_result join(struct lp_lockstate *e, uintptr_t lock, int64_t a,
			     struct lp_waiter *w)
{
	struct pair s = load16(&e->state), ns;
	int raised = 0;

	do {
		uint32_t n = waiters(s);
		int idle = !busy(s);
		uint64_t l48 = time48(s.lo), a48 = (uint64_t)a & MASK48 & ~(uint64_t)SAMPLED;

		/* An idle lock has no shares to keep: L moves to the
		 * arrival, a charge that nobody kept. */
		if (idle)
			l48 = a48;
		/* The filter counts an entry that turns busy before it does:
		 * counted after, a joiner preempted in between would leave
		 * the lock busy and its slot at 0 for as long, and the
		 * releases of the waiters that came meanwhile (a mutex
		 * waiter leaves with its release: lp_waitstate_leave_held)
		 * would not come to charge. Too high for a moment, the
		 * count only sends a release to the slow path. */
		if (idle != raised) {
			lp_waitstate_hold(lock, idle ? 1 : -1);
			raised = idle;
		}
		if (n == RETIRED || __atomic_load_n(&e->lock, __ATOMIC_ACQUIRE) != lock ||
		    n == MAX_WAITERS) {
			if (raised)
				lp_waitstate_hold(lock, -1);
			return n == MAX_WAITERS ? CROWDED : GONE;
		}
		ns.lo = l48 << 16 | (n + 1);
		ns.hi = s.hi + (uint64_t)(near(l48, a) - a);
		LP_CHECK(waiters(ns) == n + 1);
	} while (!cas16(&e->state, &s, ns));
	alone_adjust(e, s, ns);
	w->entry = e;
	w->arrival = a;
	w->seen = time48(ns.lo);
	return JOINED;
}

/* A shared lock's waiter joins, then leaves a record of it, for other
 * processes to take it out if its own dies. */
static int arrive_shared(uintptr_t lock, struct lp_lockstate *e, struct lp_waiter *w)
{
	int64_t a = lp_monotonic_now();

	if (!e && !(e = lp_sharedstate_entry(lock, 1)))
		return 0;
	if (join(e, lock, a, w) != JOINED)
		return 0;
	w->record = lp_sharedstate_note(e, a, w->seen);
	memo_put(memo_slot(lock), lock, e);
	return 1;
}

int lp_waitstate_arrive(uintptr_t lock, int shared, struct lp_waiter *w)
{
	struct memo *m = memo_slot(lock);
	struct lp_lockstate *e = m->lock == lock ? m->e : NULL;
	int64_t a;

	shared = shared && lp_sharedstate_on();
	if (e && e->shared != shared)
		e = NULL;
	if (shared)
		return arrive_shared(lock, e, w);
	w->record = -1;
	a = lp_now();
	for (;;) {
		if (!e && !(e = lookup_or_add(lock)))
			return 0;
		switch (join(e, lock, a, w)) {
		case JOINED:
			memo_put(m, lock, e);
			return 1;
		case CROWDED:
			return 0;
		case GONE:
			e = NULL; /* retired: look again */
			break;
		}
	}
}

/*
 * Late time of a waiter that the charge at `key` counted last: to the
 * sample that the slot holds, if that sample's key is `key` or newer, or
 * if it was kept at a fraction above 1 (EVERY clear); otherwise kept in
 * the slot, under `key`, for the next sample attached there. An older
 * key's late time not yet attached moves along with it.
 *
 * It is added as it is, never scaled by the fraction: the waiter measured
 * it exactly, so sampling it again would only add noise. And that noise
 * was not small: the late time of a thread preempted between its unlock
 * and its departure is negative and milliseconds long (every charge made
 * meanwhile counted it as waiting), and multiplied by the fraction on the
 * one sample it fell on, it swung a whole profile by tens of percent, or
 * below zero. At fraction 1 it goes to the sample of its own release, as
 * that release attaches before any later one can; above, the release that
 * counted it last may not be kept, and it goes to the last kept release of
 * the same lock, with no compare-and-swap. While the lock has no kept
 * release yet, a wake-up (positive) is left pending for the lock's next
 * charge instead (depart), which draws it with its own keep: waiting here
 * for a kept release that a lock taken a few times may never have would
 * drop it. A give-back (negative: the waiter took the lock before the
 * charge that counted it landed) waits here. A lock shared between
 * processes keeps the late time of kept releases only, scaled where it is
 * collected (sharedstate.c).
 */
#define EVERY 1 /* in the slot's low 16 bits: its sample was kept at fraction 1 */

/* The slot's hi holds a sample (attached), or late ns << 1 | 1 (carried). */
static inline int slot_attached(uint64_t hi)
{
	return hi != 0 && !(hi & 1);
}

static inline int64_t slot_carried(uint64_t hi)
{
	return (hi & 1) ? (int64_t)hi >> 1 : 0;
}

static void add_late(struct lp_lockstate *e, uint64_t key, int64_t late)
{
	struct pair s = load16(&e->late), ns;

	do {
		int newer = (int64_t)((time48(s.lo) - key) << 16) >= 0 && s.hi != 0;

		if (slot_attached(s.hi) && (newer || !(s.lo & EVERY))) {
			lp_stack_add_delay((struct lp_stack *)(uintptr_t)s.hi, late);
			return;
		}
		if (newer) {
			ns.lo = s.lo;
			ns.hi = s.hi + ((uint64_t)late << 1);
		} else {
			ns.lo = key << 16;
			ns.hi = (uint64_t)(slot_carried(s.hi) + late) << 1 | 1;
		}
	} while (!cas16(&e->late, &s, ns));
}

/* The sample attached to the lock's late slot, or NULL. */
static struct lp_stack *late_sample(const struct lp_lockstate *e)
{
	uint64_t hi = __atomic_load_n(&e->late.hi, __ATOMIC_RELAXED);

	return slot_attached(hi) ? (struct lp_stack *)(uintptr_t)hi : NULL;
}

/* A waiter's departure from state `s`, at `now`. */
struct departure {
	struct pair ns;
	uint64_t l48;     /* the L it left under */
	int64_t end;      /* when its wait ended */
	int64_t late;     /* after the charge that counted it, if it took the lock */
	int64_t pending;  /* its wait, if no charge counted it and it took the lock */
};

static void depart(struct pair s, const struct lp_waiter *w, int64_t now, int acquired,
		   int clamp, struct departure *d)
{
	/* It is one of the waiters counted. */
	LP_CHECK(waiters(s) > 0 && waiters(s) != RETIRED);
	d->l48 = time48(s.lo);
	d->ns.lo = s.lo - 1;
	d->ns.hi = s.hi;
	d->late = d->pending = 0;
	if (d->l48 != w->seen) {
		/* Its share is 0 since the charge at L, which counted it up to
		 * L: its wait ends no earlier, unless it already ended (a
		 * departure made at the thread's release: the late time is
		 * negative then, and the charge keeps its exact sum). A kept
		 * charge's L is one ns after its time, that ns credited to it
		 * in D: it takes the ns back. */
		int64_t L = near(d->l48, now) - (int64_t)(d->l48 & SAMPLED);

		d->ns.hi -= d->l48 & SAMPLED;
		d->end = clamp && now < L ? L : now;
		d->late = acquired ? d->end - L : 0;
		/* A wake-up after a charge not kept, on a private lock with
		 * no kept sample yet, has nowhere to go: it is pending, for
		 * the next charge to carry it into the draw (add_late). */
		if (d->late > 0 && !(d->l48 & SAMPLED) && !w->entry->shared &&
		    !late_sample(w->entry)) {
			d->pending = d->late;
			d->late = 0;
			d->ns.hi += (uint64_t)d->pending;
		}
	} else {
		d->end = now > w->arrival ? now : w->arrival;
		/* Took the lock with no charge since it arrived: its wait is
		 * pending, for the charge of the release it waited for, which
		 * has not come yet, or else for the next one. */
		d->pending = acquired ? d->end - w->arrival : 0;
		LP_CHECK(d->pending >= 0);
		d->ns.hi -= (uint64_t)(near(d->l48, w->arrival) - w->arrival);
		d->ns.hi += (uint64_t)d->pending;
	}
}

/* After the departure's compare-and-swap: its late time (add_late). */
static void departed(struct lp_lockstate *e, const struct departure *d)
{
	if (d->late && (!e->shared || (d->l48 & SAMPLED)))
		add_late(e, d->l48, d->late);
}

/* The calling thread's own pending wait on `lock`, left under L `l48`. */
static void own_pending_add(struct lp_lockstate *e, uint64_t l48, int64_t pending)
{
	struct memo *m = memo_slot(e->lock);

	memo_put(m, e->lock, e);
	if (m->own_pending && m->own_l48 != l48)
		m->own_pending = 0; /* charged by another thread since */
	m->own_l48 = l48;
	m->own_pending += pending;
}

static void leave_at(const struct lp_waiter *w, int64_t now, int acquired, int clamp,
		     struct departure *d)
{
	struct lp_lockstate *e = w->entry;
	struct pair s = load16(&e->state);

	do
		depart(s, w, now, acquired, clamp, d);
	while (!cas16(&e->state, &s, d->ns));
	filter_adjust(e, s, d->ns);
	departed(e, d);
	if (d->pending)
		own_pending_add(e, d->l48, d->pending);
}

int64_t lp_waitstate_leave(const struct lp_waiter *w, int acquired)
{
	struct departure d;

	/* Out of the records first: a process that dies in between leaves
	 * a waiter counted, never one taken out twice. One that another
	 * process took out (judging it gone) has left already. */
	if (w->record >= 0 && !lp_sharedstate_forget(w->entry, w->record))
		return lockstate_now(w->entry);
	/* Read before the compare-and-swap: a charge that came since counted
	 * this waiter up to its time, so the wait ends no earlier. */
	leave_at(w, lockstate_now(w->entry), acquired, 1, &d);
	return d.end;
}

void lp_waitstate_leave_held(const struct lp_waiter *w, int64_t acquired_at)
{
	struct departure d;

	if (w->record >= 0 && !lp_sharedstate_forget(w->entry, w->record))
		return;
	leave_at(w, acquired_at, 1, 0, &d);
}

/* The waiters of a shared lock whose process died leave, as waiters that
 * gave up then: the releases since their death were charged for them, no
 * later one is. */
static void take_out_dead(struct lp_lockstate *e, int64_t now)
{
	struct lp_dead_waiter dead[LP_SHARED_RECORDS];
	struct departure d;
	int n = lp_sharedstate_dead_waiters(e, now, dead);

	for (int i = 0; i < n; i++) {
		struct lp_waiter w = { e, dead[i].arrival, dead[i].seen, -1 };

		leave_at(&w, now, 0, 1, &d);
	}
}

/*
 * Pending waits that no release may ever charge: a waiter that registered
 * only after its releaser's look for waiters (preempted between its clock
 * read and registering, or making a new lock's entry) took the lock with
 * no charge coming, and its wait is left for the next release by another
 * thread. A lock taken a few times and left never has one. Its own release
 * cannot take it either: most often the releaser's charge is only late
 * (its unlock wakes the waiter inside the futex call, and a waiter with a
 * short critical section releases first), and then that charge is the
 * true one.
 *
 * So the wait stays pending, and each collection settles what is left on
 * locks with nobody waiting (lp_waitstate_settle): to the lock's last kept
 * release, as late time. A lock whose own release leaves it there with no
 * kept release yet has that release recorded as one charged nothing
 * (invisible in the profile), to settle on: once per lock, as its late time
 * goes there from then on (add_late). A wake-up that an unkept charge left
 * pending (depart) is settled the same way.
 */
static int fallback(struct lp_lockstate *e, int64_t L, int64_t fraction, struct lp_charge *c)
{
	if (e->shared || late_sample(e))
		return 0;
	c->charged = 0;
	c->time = L;
	c->every = fraction == 1;
	c->sampled = 1;
	c->contentions_fx = 0;
	c->delay = 0;
	c->late_due = 1;
	c->entry = e;
	return 1;
}

/* What is pending on `e` (an entry of the process's own table), with
 * nobody waiting, to its attached sample. */
static void settle(struct lp_lockstate *e, int64_t now)
{
	struct pair s = load16(&e->state), ns;
	struct lp_stack *sample;

	do {
		int64_t L = near(time48(s.lo), now);

		sample = late_sample(e);
		if (!alone(s) || !sample)
			return;
		/* L moves on: a thread's own pending wait, remembered under
		 * the old L, is no longer counted out of a charge. */
		L = now > L ? now : L + 1;
		ns.lo = ((uint64_t)(L + (L & SAMPLED)) & MASK48) << 16;
		ns.hi = 0;
	} while (!cas16(&e->state, &s, ns));
	filter_adjust(e, s, ns);
	lp_stack_add_delay(sample, (int64_t)s.hi);
}

int lp_waitstate_pending_alone(uintptr_t lock)
{
	struct memo *m = memo_slot(lock);
	struct lp_lockstate *e;
	struct pair s;

	if (!lp_waitstate_maybe_pending_alone(lock))
		return 0;
	e = m->lock == lock ? m->e : lookup(lock);
	if (!e)
		return 0;
	s = load16(&e->state);
	return alone(s);
}

void lp_waitstate_settle(void)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	int64_t now = lp_now();

	if (!table)
		return;
	urcu_bp_read_lock();
	cds_lfht_for_each(table, &iter, node)
		settle(caa_container_of(node, struct lp_lockstate, node), now);
	urcu_bp_read_unlock();
}

int lp_waitstate_charge(uintptr_t lock, int shared, int64_t fraction,
			const struct lp_waiter *left, int64_t left_at, struct lp_charge *c)
{
	struct memo *m = memo_slot(lock);
	struct lp_lockstate *e;
	struct departure d;
	struct pair s, base, ns;
	int64_t t, charged, own, T;
	uint64_t draw;
	int sampled, mark;
	uint32_t n;
	int reread = 0;

	c->charged = 0;
	shared = shared && lp_sharedstate_on();
	/* The mutex profile off: a private lock's release has nothing to
	 * do but a departure left from before, made with a charge that
	 * nobody keeps (the release that ends a kept block sample need not
	 * look its entry up). A shared lock's releases charge still, for
	 * the other processes' profiles. */
	if (fraction <= 0 && !left && !shared)
		return 0;
	e = left ? left->entry :
	    m->lock == lock && m->e->shared == shared ? m->e :
	    shared ? lp_sharedstate_entry(lock, 0) : lookup(lock);
	if (!e)
		return 0;
	if (left && left->record >= 0 && !lp_sharedstate_forget(e, left->record))
		left = NULL;
	draw = fraction > 1 ? lp_rand() : 0;
	s = load16(&e->state);
	/* Read before the compare-and-swap, as at arrival and departure. */
	t = lockstate_now(e);
	if (e->shared)
		take_out_dead(e, t);
	for (;;) {
		uint64_t l48 = time48(s.lo);
		int64_t L = near(l48, t);

		if (waiters(s) == RETIRED || __atomic_load_n(&e->lock, __ATOMIC_ACQUIRE) != lock)
			return 0;
		base = s;
		/* All of d is read only with a departure; set whole for the
		 * compiler, which cannot see that. */
		d.pending = d.late = 0;
		d.l48 = l48;
		if (left) {
			depart(s, left, left_at, 1, 0, &d);
			base = d.ns;
		}
		n = waiters(base);
		/* The thread's own wait, left pending under this L, stays. */
		own = d.pending +
		      (m->lock == lock && m->e == e && m->own_l48 == l48 ? m->own_pending : 0);
		/* Later than the last charge, so that charges stay distinct;
		 * even (SAMPLED). */
		T = t > L ? t : L + 1;
		T += T & SAMPLED;
		charged = (int64_t)((uint64_t)n * (uint64_t)(T - L) + base.hi) - own;
		if (charged <= 0 && n > 0) {
			/* A waiter read its clock after `t` and registered
			 * before this charge: a clock read now comes after
			 * every arrival counted here, and a waiter is never
			 * charged nothing. */
			if (!reread) {
				reread = 1;
				t = lockstate_now(e);
				continue;
			}
			charged += 8 * (int64_t)n;
			T += 8;
		}
		if (charged <= 0) {
			/* Nothing to charge, on a state read whole: only the
			 * departure, if any, and a record to settle the
			 * thread's own wait on (fallback). */
			int unsettled = alone(base) && fraction > 0;

			if (!left)
				return unsettled ? fallback(e, L, fraction, c) : 0;
			if (!cas16(&e->state, &s, base))
				continue;
			filter_adjust(e, s, base);
			departed(e, &d);
			if (d.pending)
				own_pending_add(e, d.l48, d.pending);
			return unsettled ? fallback(e, L, fraction, c) : 0;
		}
		/* Kept or not, by what it is charged (sampling.h); kept, L
		 * is left odd (SAMPLED, above). */
		sampled = lp_mutex_keep(fraction, charged, draw);
		mark = sampled ? SAMPLED : 0;
		/* Charges stay distinct and move forward; a charge with
		 * waiters is never nothing. */
		LP_CHECK(T > L && charged > 0);
		ns.lo = ((uint64_t)(T + mark) & MASK48) << 16 | n;
		ns.hi = (uint64_t)own + (uint64_t)mark * n;
		if (cas16(&e->state, &s, ns))
			break;
	}
	filter_adjust(e, s, ns);
	if (sampled)
		lp_mutex_weight(fraction, charged, &c->contentions_fx, &c->delay);
	if (left)
		departed(e, &d);
	memo_put(m, lock, e);
	m->own_l48 = (uint64_t)(T + mark) & MASK48;
	m->own_pending = own;
	c->charged = charged;
	c->time = T;
	c->sampled = sampled;
	c->every = fraction == 1;
	/* The slot is on the line just written: reading it costs nothing. */
	c->late_due = n > 0 || (__atomic_load_n(&e->late.hi, __ATOMIC_RELAXED) & 1);
	c->entry = e;
	return 1;
}

void lp_waitstate_attach(const struct lp_charge *c, struct lp_stack *sample)
{
	struct lp_lockstate *e = c->entry;
	/* The L it left: one ns after its time, as it was kept. */
	uint64_t key = (uint64_t)(c->time + SAMPLED) & MASK48;
	struct pair s = load16(&e->late), ns = { key << 16 | (c->every ? EVERY : 0),
						 (uintptr_t)sample };
	int64_t carried;

	if (e->shared) {
		/* Its waiters may be in other processes: the sample is this
		 * process's to add to. */
		lp_sharedstate_claim(e, c->time + SAMPLED, sample,
				     (int64_t)((c->contentions_fx + LP_FX_ONE / 2) >> LP_FX_SHIFT));
		return;
	}
	do {
		/* A later release's waiters have the slot: ours went there. */
		if ((int64_t)((time48(s.lo) - key) << 16) > 0 && s.hi != 0)
			return;
		/* Late time so far: this release's, or that of older ones
		 * not attached (unkept, or not attached yet), as it is. */
		carried = slot_carried(s.hi);
	} while (!cas16(&e->late, &s, ns));
	if (carried)
		lp_stack_add_delay(sample, carried);
}

void lp_waitstate_after_fork_child(void)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	size_t i;

	free_lock = 0;
	sweeping = 0;
	/* Node by node: cds_lfht_for_each_entry computes the entry of the
	 * NULL that ends the walk (UBSan: an offset applied to NULL). */
	urcu_bp_read_lock();
	cds_lfht_for_each(table, &iter, node)
		entry_clear(caa_container_of(node, struct lp_lockstate, node));
	urcu_bp_read_unlock();
	/* The forking thread's own pending waits were its parent's. */
	memset(memo, 0, sizeof(memo));
	memset(lp_pending_alone, 0, sizeof(lp_pending_alone));
	lp_sharedstate_after_fork_child();
	/* A shared filter counts the parent's busy entries too, and the
	 * parent takes them out; a private one holds only the parent's. */
	if (filter_shared)
		return;
	for (i = 0; i < sizeof(lp_waiter_filter) / sizeof(lp_waiter_filter[0]); i++)
		lp_waiter_filter[i] = 0;
}
