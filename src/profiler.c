/*
 * The core: start-up, the two event paths, fork, exit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <urcu-bp.h>

#include "arena.h"
#include "clock.h"
#include "dump.h"
#include "guard.h"
#include "live.h"
#include "profiler.h"
#include "sampling.h"
#include "selfmap.h"
#include "stacktab.h"

struct lp_profiler lp_prof;
__thread int lp_guard_depth __attribute__((tls_model("initial-exec")));

static struct lp_stacktab *tables[2];
static int64_t profile_start;    /* monotonic: what duration_nanos counts from */
static int init_state;           /* 0 not yet, 1 running, 2 done */
static int usable;               /* started, and LOCKPROF is not 0 */

/* A wait is worth timing if either profile wants it. */
static int wants(enum lp_wait_kind kind, int64_t rate, int64_t fraction)
{
	return rate > 0 || (kind == LP_WAIT_HELD && fraction > 0);
}

int lp_wait_begin(struct lp_wait *w, const void *obj, enum lp_wait_kind kind)
{
	int64_t rate, fraction;
	int saved;

	if (!__atomic_load_n(&lp_prof.recording, __ATOMIC_RELAXED) || lp_guarded() ||
	    lp_self_lock(obj))
		return 0;
	rate = __atomic_load_n(&lp_prof.block_rate, __ATOMIC_RELAXED);
	fraction = __atomic_load_n(&lp_prof.mutex_fraction, __ATOMIC_RELAXED);
	if (!wants(kind, rate, fraction))
		return 0;
	saved = lp_guard_enter();
	w->npcs = -1;
	w->entry = NULL;
	/* The wait starts before the walk below: the program sees the time
	 * inside the call, and both profiles count it alike. */
	if (kind == LP_WAIT_HELD && fraction > 0)
		w->entry = lp_waitstate_arrive((uintptr_t)obj, &w->start);
	if (!w->entry)
		w->start = lp_now();
	/* The block sample is drawn now: the wait will be kept if it lasts
	 * longer than draw % rate (lp_block_sample). Once the wait is over a
	 * lock's waiter holds the lock, and a stack walk then lengthens the
	 * program's critical section: allowed only when the wait it records was
	 * long enough to dwarf it. So a waiter whose wait may be kept when
	 * shorter than that takes its stack now, while it would wait anyway.
	 * A condvar waiter holds its mutex both before and after the wait: its
	 * stack is taken only when the wait is kept. */
	w->draw = lp_rand();
	if (kind == LP_WAIT_HELD && rate > 0 &&
	    w->draw % (uint64_t)rate < LP_WALK_AFTER_WAITS_OVER)
		w->npcs = lp_stackwalk(w->pcs, lp_prof.stack_depth, &w->truncated);
	lp_guard_leave(saved);
	return 1;
}

void lp_wait_end(struct lp_wait *w, int waited)
{
	int64_t end, rate, delay;
	uint64_t contentions;
	int saved = lp_guard_enter();

	end = w->entry ? lp_waitstate_leave(w->entry, w->start) : lp_now();
	rate = __atomic_load_n(&lp_prof.block_rate, __ATOMIC_RELAXED);
	if (waited && rate > 0 &&
	    __atomic_load_n(&lp_prof.recording, __ATOMIC_RELAXED) &&
	    lp_block_sample(end - w->start, rate, w->draw, &contentions, &delay)) {
		if (w->npcs < 0)
			w->npcs = lp_stackwalk(w->pcs, lp_prof.stack_depth, &w->truncated);
		lp_stacktab_add(tables[LP_BLOCK], w->pcs, (uint32_t)w->npcs,
				w->truncated ? LP_STACK_TRUNCATED : 0,
				contentions, delay);
	}
	lp_guard_leave(saved);
}

void lp_release_charge(const void *obj)
{
	uintptr_t pcs[LP_MAX_STACK_DEPTH + LP_STACK_SLACK];
	struct lp_charge c;
	struct lp_stack *sample;
	int64_t fraction;
	int saved, n, truncated;

	if (lp_guarded() || lp_self_lock(obj))
		return;
	saved = lp_guard_enter();
	fraction = __atomic_load_n(&lp_prof.recording, __ATOMIC_RELAXED) ?
		__atomic_load_n(&lp_prof.mutex_fraction, __ATOMIC_RELAXED) : 0;
	if (lp_waitstate_charge((uintptr_t)obj, fraction, &c) && c.sampled) {
		n = lp_stackwalk(pcs, lp_prof.stack_depth, &truncated);
		sample = lp_stacktab_add(tables[LP_MUTEX], pcs, (uint32_t)n,
					 truncated ? LP_STACK_TRUNCATED : 0,
					 (uint64_t)fraction << LP_FX_SHIFT,
					 fraction * c.charged);
		if (c.waiters_left)
			lp_waitstate_attach((uintptr_t)obj, &c, sample, fraction);
	}
	lp_guard_leave(saved);
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
		rc = lp_stacktab_snapshot(tables[kind], out);
		lp_guard_leave(saved);
	}
	out->kind = kind;
	out->time_nanos = lp_wall_now();
	out->duration_nanos = lp_now() - __atomic_load_n(&profile_start, __ATOMIC_RELAXED);
	out->period = kind == LP_MUTEX ?
		__atomic_load_n(&lp_prof.mutex_fraction, __ATOMIC_RELAXED) : 1;
	if (out->period <= 0)
		out->period = 1;
	return rc;
}

/* Fork: liburcu's bulletproof flavor must be told; the child keeps one
 * thread and starts profiles of its own. */
static __thread int fork_saved_errno __attribute__((tls_model("initial-exec")));

static void before_fork(void)
{
	fork_saved_errno = lp_guard_enter();
	urcu_bp_before_fork();
}

static void after_fork_parent(void)
{
	urcu_bp_after_fork_parent();
	lp_guard_leave(fork_saved_errno);
}

static void after_fork_child(void)
{
	urcu_bp_after_fork_child();
	lp_arena_after_fork_child();
	lp_waitstate_after_fork_child();
	lp_stacktab_reset(tables[LP_BLOCK]);
	lp_stacktab_reset(tables[LP_MUTEX]);
	profile_start = lp_now();
	lp_dump_after_fork_child();
	lp_live_after_fork_child();
	lp_guard_leave(fork_saved_errno);
}

static void warn_line(const char *line)
{
	size_t len = 0;

	while (line[len])
		len++;
	if (write(STDERR_FILENO, line, len) < 0) {
		/* nowhere else to say it */
	}
}

static const char *env(const char *name)
{
	return getenv(name);
}

void lp_profiler_init(void)
{
	struct lp_config cfg;
	int idle = 0, saved;

	if (!__atomic_compare_exchange_n(&init_state, &idle, 1, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	saved = lp_guard_enter();
	lp_config_load(&cfg, env, warn_line);
	profile_start = lp_now();
	lp_prof.stack_depth = cfg.stack_depth;
	lp_prof.block_rate = cfg.block_rate;
	lp_prof.mutex_fraction = cfg.mutex_fraction;
	lp_dump_init(&cfg);
	if (cfg.enabled) {
		lp_clock_start();
		lp_selfmap_init();
		lp_stackwalk_init();
		tables[LP_BLOCK] = lp_stacktab_new(cfg.max_stacks);
		tables[LP_MUTEX] = lp_stacktab_new(cfg.max_stacks);
		if (!tables[LP_BLOCK] || !tables[LP_MUTEX] ||
		    lp_waitstate_init(cfg.max_locks) != 0) {
			warn_line("lockprof: out of memory at start; not profiling\n");
			cfg.enabled = 0;
		}
	}
	if (cfg.enabled) {
		/* Register this thread with RCU now, so the first lock event
		 * of the main thread does not do it. */
		urcu_bp_register_thread();
		usable = 1;
		pthread_atfork(before_fork, after_fork_parent, after_fork_child);
		__atomic_store_n(&lp_prof.recording, 1, __ATOMIC_RELEASE);
		lp_live_start(&cfg);
	}
	lp_guard_leave(saved);
	__atomic_store_n(&init_state, 2, __ATOMIC_RELEASE);
}

int lp_profiler_ready(void)
{
	return __atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == 2 && usable;
}

__attribute__((constructor)) static void lp_constructor(void)
{
	lp_profiler_init();
}

__attribute__((destructor)) static void lp_destructor(void)
{
	if (!lp_profiler_ready())
		return;
	lp_dump_at_exit();
}
