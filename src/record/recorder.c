/* SPDX-License-Identifier: MIT */
/*
 * The recorder: the event paths the wrappers call (a wait, a charged
 * release, a timed hold), the stack tables they fill and their snapshots. It knows
 * nothing of files, HTTP, signals or the process's life: the lifecycle
 * (src/lifecycle/lifecycle.c) sets it up and resets it in a forked child.
 */
#include <errno.h>
#include <string.h>

#include "base/clock.h"
#include "base/guard.h"
#include "labels.h"
#include "lockid.h"
#include "recorder.h"
#include "sampling.h"
#include "base/selfmap.h"
#include "sharedstate.h"
#include "stacktab.h"
#include "waiting.h"

struct lp_profiler lp_prof;
__thread int lp_guard_depth __attribute__((tls_model("initial-exec")));

static struct lp_stacktab *tables[LP_KINDS];
static int64_t profile_start;    /* monotonic: what duration_nanos counts from */

/*
 * What the thread's last wait left to do once it holds the lock it took:
 * a mutex waiter's departure from the lock's wait state, and the
 * stack-table insert of a kept wait. Both wait for the release of that
 * lock (the release finds the filter busy and comes to lp_release_charge,
 * whose charge makes the departure), or for the thread's next wait,
 * before it blocks. A thread that exits holding the lock loses that one
 * record, and leaves the lock counted as waited for: robust mutexes, whose
 * owners may die holding them, are left at once (interpose/mutex.c).
 */
__thread const void *lp_deferred_holding
	__attribute__((tls_model("initial-exec"))); /* NULL: nothing deferred */

static __thread struct deferred {
	int raised;            /* it raised the filter of lp_deferred_holding */
	struct lp_waiter left; /* a departure to make, when left.entry */
	int64_t left_at;       /* when it took the lock */
	int record;            /* a block record to insert */
	const void *obj;       /* what it waited on */
	int64_t waited;        /* for how long */
	uint32_t npcs, flags;
	uint64_t contentions;
	int64_t delay;
	uintptr_t pcs[LP_MAX_STACK_DEPTH + LP_STACK_SLACK];
} deferred __attribute__((tls_model("initial-exec")));

/* The labels of a sample on `obj` whose stack is `pcs` (`waited` ns, or
 * -1 for a release), or NULL when samples are not labelled. */
static const struct lp_labels *labels_of(struct lp_labels *l, const void *obj,
					 const uintptr_t *pcs, uint32_t npcs,
					 int64_t waited)
{
	int which = __atomic_load_n(&lp_prof.labels, __ATOMIC_RELAXED);

	if (!which)
		return NULL;
	/* pcs[0] is the primitive: the program's frame is next. */
	lp_labels_fill(l, which, obj, npcs > 1 ? pcs[1] : 0, waited);
	return l;
}

/* The deferred work, after the release of lp_deferred_holding (whose charge
 * made the departure) or before the thread's next wait. */
static void finish_deferred(int released)
{
	struct lp_labels l;

	if (deferred.left.entry && !released)
		lp_waitstate_leave_held(&deferred.left, deferred.left_at);
	deferred.left.entry = NULL;
	if (deferred.record)
		lp_stacktab_add(tables[LP_BLOCK], deferred.pcs, deferred.npcs, deferred.flags,
				labels_of(&l, deferred.obj, deferred.pcs, deferred.npcs,
					  deferred.waited),
				deferred.contentions, deferred.delay);
	deferred.record = 0;
	if (deferred.raised)
		lp_waitstate_hold((uintptr_t)lp_deferred_holding, -1);
	lp_deferred_holding = NULL;
}

/* The thread took `lock` at `at`: a timed hold of it armed before starts
 * then (a wait's end, read right after the real call). */
static void hold_starts(const void *lock, int64_t at)
{
	struct lp_held *h = lp_holdset_find(lock);

	if (h && !h->start)
		h->start = at;
}

/* A wait is worth timing if either profile wants it. */
static int wants(enum lp_wait_kind kind, int64_t rate, int64_t fraction)
{
	return rate > 0 || (kind != LP_WAIT_COND && fraction > 0);
}

int lp_wait_begin(struct lp_wait *w, const void *obj, enum lp_wait_kind kind,
		  enum lp_primitive prim)
{
	int64_t rate = 0, fraction = 0;
	int saved, shown;

	if (lp_guarded() || lp_self_lock(obj))
		return 0;
	if (lp_deferred_holding) {
		saved = lp_guard_enter();
		finish_deferred(0); /* before blocking: the thread waits anyway */
		lp_guard_leave(saved);
	}
	if (__atomic_load_n(&lp_prof.recording, __ATOMIC_RELAXED)) {
		rate = __atomic_load_n(&lp_prof.block_rate, __ATOMIC_RELAXED);
		fraction = __atomic_load_n(&lp_prof.mutex_fraction, __ATOMIC_RELAXED);
	}
	shown = __atomic_load_n(&lp_prof.hang_view, __ATOMIC_RELAXED);
	w->profiled = wants(kind, rate, fraction);
	if (!w->profiled && !shown)
		return 0;
	saved = lp_guard_enter();
	w->npcs = -1;
	w->truncated = 0;
	/* The wait starts before the walk below: the program sees the time
	 * inside the call, and both profiles count it alike. */
	w->kind = kind;
	w->prim = prim;
	w->obj = obj;
	if (!w->profiled) {
		w->held.entry = NULL;
		w->start = lp_now();
	} else if (kind != LP_WAIT_COND && fraction > 0 &&
		   lp_waitstate_arrive((uintptr_t)obj, kind == LP_WAIT_SHARED, &w->held)) {
		w->start = w->held.arrival;
	} else {
		w->held.entry = NULL;
		w->start = lp_now();
	}
	/* The block sample is drawn now: the wait will be kept if it lasts
	 * longer than the draw made uniform below the rate (lp_block_sample).
	 * Once the wait is over a lock's waiter holds the lock, and a stack
	 * walk then lengthens the program's critical section: allowed only
	 * when the wait it records was long enough to dwarf it. So a waiter
	 * whose wait may be kept when shorter than that takes its stack now,
	 * while it would wait anyway.
	 * A condvar waiter holds its mutex both before and after the wait: its
	 * stack is taken only when the wait is kept. */
	w->draw = w->profiled ? lp_rand() : 0;
	if (kind != LP_WAIT_COND && rate > 0 &&
	    lp_rand_below(w->draw, (uint64_t)rate) < LP_WALK_AFTER_WAITS_OVER)
		w->npcs = lp_stack_capture(w->pcs, prim, &w->truncated);
	/* With the hang view on, a lock waiter whose wait outlives
	 * LP_HANG_STACK_AFTER takes its stack then (lp_wait_stack). Other
	 * waits cannot be cut in two: a condvar's would lose a wake-up, a
	 * semaphore's an interruption (EINTR) by a signal handled between
	 * the two parts. Their waiter takes its stack now, before blocking:
	 * a condvar's inside the program's critical section (docs/live.md
	 * says what that costs). */
	if (shown && w->npcs < 0 && !lp_primitive_is_lock(prim))
		w->npcs = lp_stack_capture(w->pcs, prim, &w->truncated);
	w->stack_due = shown && w->npcs < 0;
	lp_waiting_begin(obj, prim, w->start, w->pcs, w->npcs, w->truncated);
	lp_guard_leave(saved);
	return 1;
}

void lp_wait_stack(struct lp_wait *w)
{
	int saved = lp_guard_enter();

	w->npcs = lp_stack_capture(w->pcs, w->prim, &w->truncated);
	w->stack_due = 0;
	lp_waiting_stack(w->pcs, w->npcs, w->truncated);
	lp_guard_leave(saved);
}

void lp_wait_end(struct lp_wait *w, enum lp_wait_outcome how, const void *holding)
{
	int64_t end, rate, delay;
	uint64_t contentions;
	int saved, leave_later;

	lp_waiting_end();
	if (!w->profiled)
		return;
	saved = lp_guard_enter();
	/* A mutex's waiter that took it leaves with its release: the clock
	 * read is all that stays in its critical section. */
	leave_later = holding && w->held.entry && w->kind == LP_WAIT_MUTEX;

	end = w->held.entry && !leave_later ?
		lp_waitstate_leave(&w->held, how == LP_WAIT_ACQUIRED) : lp_now();
	if (leave_later) {
		deferred.left = w->held;
		deferred.left_at = end;
	}
	if (holding)
		hold_starts(holding, end);
	rate = __atomic_load_n(&lp_prof.block_rate, __ATOMIC_RELAXED);
	if (how != LP_WAIT_FAILED && rate > 0 &&
	    __atomic_load_n(&lp_prof.recording, __ATOMIC_RELAXED) &&
	    lp_block_sample(end - w->start, rate, w->draw, &contentions, &delay)) {
		uint32_t flags;

		if (w->npcs < 0)
			w->npcs = lp_stack_capture(w->pcs, w->prim, &w->truncated);
		flags = w->truncated ? LP_STACK_TRUNCATED : 0;
		if (holding) {
			deferred.obj = w->obj;
			deferred.waited = end - w->start;
			deferred.npcs = (uint32_t)w->npcs;
			deferred.flags = flags;
			deferred.contentions = contentions;
			deferred.delay = delay;
			memcpy(deferred.pcs, w->pcs, (size_t)w->npcs * sizeof(w->pcs[0]));
			deferred.record = 1;
		} else {
			struct lp_labels l;

			lp_stacktab_add(tables[LP_BLOCK], w->pcs, (uint32_t)w->npcs, flags,
					labels_of(&l, w->obj, w->pcs, (uint32_t)w->npcs,
						  end - w->start),
					contentions, delay);
		}
	}
	if (leave_later || deferred.record) {
		lp_deferred_holding = holding;
		/* A waiter that has not left yet keeps the filter slot of its
		 * lock busy (lp_waitstate_hold's count includes it), so its
		 * release comes here anyway: no write to the shared slot inside
		 * its critical section. */
		deferred.raised = !leave_later;
		if (deferred.raised)
			lp_waitstate_hold((uintptr_t)holding, 1);
	}
	lp_guard_leave(saved);
}

int lp_hold_arm(const void *lock)
{
	int64_t fraction = __atomic_load_n(&lp_prof.hold_fraction, __ATOMIC_RELAXED);

	if (fraction <= 0) {
		/* Off for the process's life once start-up is over (its
		 * acquisitions never come here again); before, ask again at
		 * the thread's next acquisition. */
		lp_hold_countdown = __atomic_load_n(&lp_prof.configured, __ATOMIC_ACQUIRE) ?
			INT64_MAX : 0;
		return 0;
	}
	if (!lp_holdset_draw(fraction) || lp_guarded() || lp_self_lock(lock) ||
	    !__atomic_load_n(&lp_prof.recording, __ATOMIC_RELAXED))
		return 0;
	/* Held already (a recursive mutex's timed outer hold), or the set is
	 * full: not timed. */
	if (lp_holdset_find(lock) || !lp_holdset_add(lock, fraction))
		return 0;
	lp_waitstate_hold((uintptr_t)lock, 1);
	return 1;
}

void lp_hold_taken(const void *lock, int taken, int relocked)
{
	int64_t now = lp_now();
	struct lp_held *h = lp_holdset_find(lock);

	if (!h)
		return;
	if (taken && !relocked) {
		if (!h->start)
			h->start = now;
		return;
	}
	lp_holdset_remove(h);
	lp_waitstate_hold((uintptr_t)lock, -1);
}

int64_t lp_hold_releasing_timed(const void *lock)
{
	struct lp_held *h = lp_holdset_find(lock);

	if (!h || !h->start)
		return 0;
	return h->end ? h->end : lp_now();
}

void lp_hold_cond_wait(const void *mutex)
{
	struct lp_held *h;

	if (__atomic_load_n(&lp_prof.hold_fraction, __ATOMIC_RELAXED) <= 0)
		return;
	h = lp_holdset_find(mutex);
	if (h && h->start && !h->end)
		h->end = lp_now();
}

/* The timed hold `h` ended at `end`, the lock released by `prim`: its
 * sample, under the release's stack and labels (no wait bucket). */
static void hold_record(struct lp_held *h, int64_t end, enum lp_primitive prim)
{
	uintptr_t pcs[LP_MAX_STACK_DEPTH + LP_STACK_SLACK];
	struct lp_labels l;
	int64_t held = end > h->start ? end - h->start : 0;
	int n, truncated;

	if (__atomic_load_n(&lp_prof.recording, __ATOMIC_RELAXED)) {
		n = lp_stack_capture(pcs, prim, &truncated);
		lp_stacktab_add(tables[LP_HOLD], pcs, (uint32_t)n,
				truncated ? LP_STACK_TRUNCATED : 0,
				labels_of(&l, h->lock, pcs, (uint32_t)n, -1),
				(uint64_t)h->fraction << LP_FX_SHIFT, h->fraction * held);
	}
	lp_waitstate_hold((uintptr_t)h->lock, -1);
	lp_holdset_remove(h);
}

/* The release of a timed hold came here because the thread raised the
 * lock's filter slot itself, and nothing else counts there: no waiter to
 * charge, and the wait state need not be looked up. A waiter counted
 * there after this look is charged by a later release, as one that
 * registers after the wrapper's own look (lp_release_wanted). */
static int only_own_raises(const void *obj, int64_t held_until)
{
	uint32_t own;

	if (!held_until || (lp_deferred_holding && deferred.left.entry))
		return 0;
	own = (uint32_t)lp_holdset_same_slot(obj);
	if (lp_deferred_holding &&
	    lp_filter_slot((uintptr_t)lp_deferred_holding) == lp_filter_slot((uintptr_t)obj))
		own++;
	return lp_waitstate_filter_count((uintptr_t)obj) <= own;
}

void lp_release_charge(const void *obj, enum lp_primitive prim, int shared,
		       int64_t held_until, int woke)
{
	uintptr_t pcs[LP_MAX_STACK_DEPTH + LP_STACK_SLACK];
	struct lp_labels l;
	struct lp_charge c;
	struct lp_stack *sample;
	const struct lp_waiter *left;
	int64_t fraction;
	int saved, n, truncated;

	if (lp_guarded() || lp_self_lock(obj))
		return;
	saved = lp_guard_enter();
	fraction = __atomic_load_n(&lp_prof.recording, __ATOMIC_RELAXED) ?
		__atomic_load_n(&lp_prof.mutex_fraction, __ATOMIC_RELAXED) : 0;
	left = lp_deferred_holding == obj && deferred.left.entry ? &deferred.left : NULL;
	/* The thread's own departure goes with a charge even when it woke
	 * nobody: a lock with no kept release gets one there to settle its
	 * pending waits on (lp_waitstate_charge). So does a release of a
	 * lock with only pending waits: a waiter that never slept (the lock
	 * came free as it went to wait), whose releaser woke nobody, left
	 * its wait for the next release, as one that registered late; and
	 * until a charge takes it, the lock's entry stays busy, sending its
	 * releases (and those of locks that share its filter slot) here. */
	if ((woke || left || lp_waitstate_pending_alone((uintptr_t)obj)) &&
	    !only_own_raises(obj, held_until) &&
	    lp_waitstate_charge((uintptr_t)obj, shared, fraction, left, deferred.left_at, &c) &&
	    c.sampled) {
		n = lp_stack_capture(pcs, prim, &truncated);
		sample = lp_stacktab_add(tables[LP_MUTEX], pcs, (uint32_t)n,
					 truncated ? LP_STACK_TRUNCATED : 0,
					 labels_of(&l, obj, pcs, (uint32_t)n, -1),
					 c.contentions_fx, c.delay);
		if (c.late_due)
			lp_waitstate_attach(&c, sample);
	}
	if (lp_deferred_holding == obj)
		finish_deferred(1);
	if (held_until)
		hold_record(lp_holdset_find(obj), held_until, prim);
	lp_guard_leave(saved);
}

int lp_stack_capture(uintptr_t *pcs, enum lp_primitive prim, int *truncated)
{
	int depth = __atomic_load_n(&lp_prof.stack_depth, __ATOMIC_RELAXED);

	pcs[0] = lp_primitive_pc(prim);
	if (depth <= 1) {
		*truncated = 1;
		return 1;
	}
	return 1 + lp_stackwalk(pcs + 1, depth - 1, truncated);
}

int lp_profiler_has(enum lp_kind kind)
{
	return kind != LP_HOLD || tables[LP_HOLD];
}

int lp_profiler_snapshot(enum lp_kind kind, struct lp_snapshot *out)
{
	int saved, rc;

	if (!tables[kind]) {
		out->n = 0;
		out->records = NULL;
		out->storage = NULL;
		rc = 0;
	} else {
		saved = lp_guard_enter();
		/* Wake-up time that other processes left for our releases,
		 * and waits that no release may come for. */
		if (kind == LP_MUTEX) {
			lp_sharedstate_collect();
			lp_waitstate_settle();
		}
		rc = lp_stacktab_snapshot(tables[kind], out);
		lp_guard_leave(saved);
	}
	out->kind = kind;
	out->time_nanos = lp_wall_now();
	out->duration_nanos = lp_now() - __atomic_load_n(&profile_start, __ATOMIC_RELAXED);
	out->period = kind == LP_MUTEX ? __atomic_load_n(&lp_prof.mutex_fraction, __ATOMIC_RELAXED) :
		      kind == LP_HOLD ? __atomic_load_n(&lp_prof.hold_fraction, __ATOMIC_RELAXED) : 1;
	if (out->period <= 0)
		out->period = 1;
	return rc;
}

int lp_recorder_init(const struct lp_config *cfg)
{
	profile_start = lp_now();
	tables[LP_BLOCK] = lp_stacktab_new(cfg->max_stacks);
	tables[LP_MUTEX] = lp_stacktab_new(cfg->max_stacks);
	/* The hold profile's table only when it is on: it is set once. */
	if (cfg->hold_fraction > 0 && !(tables[LP_HOLD] = lp_stacktab_new(cfg->max_stacks)))
		return -1;
	if (!tables[LP_BLOCK] || !tables[LP_MUTEX] ||
	    lp_waitstate_init(cfg->max_locks) != 0 || lp_waiting_init() != 0 ||
	    ((cfg->labels & LP_LABEL_LOCK) && lp_lockid_init(cfg->max_locks) != 0))
		return -1;
	return 0;
}

void lp_recorder_after_fork_child(void)
{
	/* The parent's wait; the filter and the wait state are cleared. */
	lp_deferred_holding = NULL;
	deferred.left.entry = NULL;
	deferred.record = 0;
	lp_waitstate_after_fork_child();
	lp_waiting_after_fork_child();
	lp_stacktab_reset(tables[LP_BLOCK]);
	lp_stacktab_reset(tables[LP_MUTEX]);
	if (tables[LP_HOLD])
		lp_stacktab_reset(tables[LP_HOLD]);
	lp_holdset_clear();
	profile_start = lp_now();
}
