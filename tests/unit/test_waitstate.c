/* SPDX-License-Identifier: MIT */
/*
 * The wait accounting, against itself: threads wait on a few locks and
 * release them at random; every nanosecond waited must be charged exactly
 * once, to a sampled release (fraction 1), or still be pending at the end.
 * Exact integer equality, whatever the timing. Then waiters that give up
 * (time out, are cancelled): what releases charged while they waited stays
 * charged, and no later release is charged for them.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <urcu-bp.h>

#include "base/clock.h"
#include "record/sampling.h"
#include "record/sharedstate.h"
#include "record/stacktab.h"
#include "unit.h"
#include "record/waitstate.h"

#define THREADS 8 /* more than the cores: waiters preempted mid-update */
#define LOCKS 3
#define ROUNDS 2000

static char locks[LOCKS];
static struct lp_stacktab *releases;
static int64_t waited[THREADS];         /* by waiters that took the lock */
static int64_t gave_up_waited[THREADS]; /* by waiters that gave up */
static int give_up;                     /* one wait in give_up gives up; 0: none */
static int shared_locks;                /* the locks are shared between processes */
static int64_t fraction = 1;            /* the workers' releases keep 1 in this */
static int64_t all_charged;             /* every charge, kept or not */
static int64_t kept_delay;              /* what kept charges recorded, scaled */

static void spin_ns(long ns)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < ns);
}

/* A release of `lock`; with `left`, by a waiter that took it at `left_at`
 * and leaves with its release. */
static void release_leaving(uintptr_t lock, const struct lp_waiter *left, int64_t left_at)
{
	struct lp_charge c;
	uintptr_t pc = lock; /* one stack per lock */

	if (lp_waitstate_charge(lock, shared_locks, fraction, left, left_at, &c)) {
		struct lp_stack *s;

		__atomic_fetch_add(&all_charged, c.charged, __ATOMIC_RELAXED);
		EXPECT(c.sampled || fraction > 1);
		if (!c.sampled)
			return;
		/* At fraction 1, kept as one release; or, charged nothing,
		 * as none (a fallback to settle pending waits on). */
		EXPECT(fraction > 1 || (c.contentions_fx == (c.charged ? LP_FX_ONE : 0) &&
					c.delay == c.charged));
		__atomic_fetch_add(&kept_delay, c.delay, __ATOMIC_RELAXED);
		s = lp_stacktab_add(releases, &pc, 1, 0, NULL, c.contentions_fx, c.delay);
		if (c.late_due)
			lp_waitstate_attach(&c, s);
	}
}

static void release(uintptr_t lock)
{
	release_leaving(lock, NULL, 0);
}

static void *worker(void *arg)
{
	int self = (int)(intptr_t)arg;

	for (int i = 0; i < ROUNDS; i++) {
		uintptr_t lock = (uintptr_t)&locks[lp_rand() % LOCKS];
		struct lp_waiter w;
		int64_t left;
		int acquired = !give_up || lp_rand() % give_up != 0;

		EXPECT(lp_waitstate_arrive(lock, shared_locks, &w));
		spin_ns((long)(lp_rand() % 20000));
		if (lp_rand() % 2)
			release((uintptr_t)&locks[lp_rand() % LOCKS]);
		if (acquired && lp_rand() % 2) {
			/* As a mutex's waiter: it leaves with its release,
			 * out of its critical section, or before its next
			 * wait; others may charge meanwhile. */
			left = shared_locks ? lp_monotonic_now() : lp_now();
			spin_ns((long)(lp_rand() % 5000));
			if (lp_rand() % 4)
				release_leaving(lock, &w, left);
			else
				lp_waitstate_leave_held(&w, left);
			waited[self] += left - w.arrival;
			continue;
		}
		left = lp_waitstate_leave(&w, acquired);
		EXPECT(left >= w.arrival);
		if (acquired)
			waited[self] += left - w.arrival;
		else
			gave_up_waited[self] += left - w.arrival;
		if (lp_rand() % 3 == 0)
			release(lock);
	}
	return NULL;
}

/* The delay recorded in `tab`. */
static int64_t recorded(struct lp_stacktab *tab)
{
	struct lp_snapshot s;
	int64_t total = 0;

	EXPECT(lp_stacktab_snapshot(tab, &s) == 0);
	for (size_t i = 0; i < s.n; i++)
		total += s.records[i].delay_ns;
	lp_snapshot_free(&s);
	return total;
}

/* THREADS workers, then a release per lock from a thread that never waited
 * (it collects what is pending). Returns what the releases recorded; the
 * time waited by waiters that took the lock and by those that gave up. */
static void run_threads(int n)
{
	pthread_t t[THREADS];

	releases = lp_stacktab_new(16);
	for (intptr_t i = 0; i < n; i++) {
		waited[i] = gave_up_waited[i] = 0;
		pthread_create(&t[i], NULL, worker, (void *)i);
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static int64_t run_workers(int64_t *acquired, int64_t *gave_up)
{
	int64_t workers_fraction = fraction;

	all_charged = kept_delay = 0;
	run_threads(THREADS);
	/* Kept, so that they take what the late slots carry. */
	fraction = 1;
	for (int i = 0; i < LOCKS; i++)
		release((uintptr_t)&locks[i]);
	fraction = workers_fraction;
	for (int i = 0; i < LOCKS; i++)
		EXPECT(!lp_waitstate_maybe_busy((uintptr_t)&locks[i]));
	*acquired = *gave_up = 0;
	for (int i = 0; i < THREADS; i++) {
		*acquired += waited[i];
		*gave_up += gave_up_waited[i];
	}
	return recorded(releases);
}

static void every_wait_charged_once(void)
{
	int64_t acquired, gave_up, charged;

	give_up = 0;
	charged = run_workers(&acquired, &gave_up);
	printf("waited %lld ns, charged %lld ns\n", (long long)acquired,
	       (long long)charged);
	EXPECT(acquired > 0);
	EXPECT(charged == acquired);
}

/*
 * The same, keeping 1 in 10 releases: the estimate is random, but nothing
 * is lost. Every charge, kept or not, plus the late time that reached the
 * kept samples unscaled (what they recorded beyond their scaled charges),
 * adds up to the time waited, exactly: no release skips its charge, and
 * the late time of a release not kept goes to the next one kept.
 */
static void every_wait_charged_once_sampled(void)
{
	int64_t acquired, gave_up, recorded_total;

	give_up = 0;
	fraction = 10;
	recorded_total = run_workers(&acquired, &gave_up);
	fraction = 1;
	printf("fraction 10: waited %lld ns, charged %lld ns, late %lld ns, estimated %lld ns\n",
	       (long long)acquired, (long long)all_charged,
	       (long long)(recorded_total - kept_delay), (long long)recorded_total);
	EXPECT(acquired > 0 && kept_delay > 0);
	EXPECT(all_charged + (recorded_total - kept_delay) == acquired);
}

/* Waiters give up at random: a wait that took the lock is charged whole;
 * one that gave up, at most up to the last release before it did (exact
 * cases below). */
static void gave_up_at_random(void)
{
	int64_t acquired, gave_up, charged;

	give_up = 4;
	charged = run_workers(&acquired, &gave_up);
	printf("waited %lld ns, gave up after %lld ns, charged %lld ns\n",
	       (long long)acquired, (long long)gave_up, (long long)charged);
	EXPECT(gave_up > 0);
	EXPECT(charged >= acquired && charged <= acquired + gave_up);
}

static char lone, shared, mixed;

/* Alone on a lock, a waiter gives up: the next release finds nothing. */
static void gave_up_alone(void)
{
	struct lp_charge c;
	struct lp_waiter w;

	EXPECT(lp_waitstate_arrive((uintptr_t)&lone, 0, &w));
	spin_ns(20000);
	EXPECT(lp_waitstate_leave(&w, 0) >= w.arrival + 20000);
	EXPECT(!lp_waitstate_maybe_busy((uintptr_t)&lone));
	EXPECT(lp_waitstate_charge((uintptr_t)&lone, 0, 1, NULL, 0, &c) == 0 && c.charged == 0);
}

/* Two waiters; a release charges both up to its time. Then one gives up
 * and the other takes the lock: the release keeps its charge plus the
 * taker's wake-up (late time), and nothing of the one that gave up after
 * it; the next release is charged nothing. */
static void gave_up_after_a_release(void)
{
	struct lp_stacktab *tab = lp_stacktab_new(4);
	uintptr_t lock = (uintptr_t)&shared, pc = 1;
	struct lp_waiter w1, w2;
	int64_t a1, a2, end2;
	struct lp_charge c;
	struct lp_stack *sample;

	EXPECT(lp_waitstate_arrive(lock, 0, &w1) && lp_waitstate_arrive(lock, 0, &w2));
	a1 = w1.arrival;
	a2 = w2.arrival;
	spin_ns(20000);
	EXPECT(lp_waitstate_charge(lock, 0, 1, NULL, 0, &c));
	EXPECT(c.charged == (c.time - a1) + (c.time - a2) && c.late_due);
	sample = lp_stacktab_add(tab, &pc, 1, 0, NULL, LP_FX_ONE, c.charged);
	lp_waitstate_attach(&c, sample);
	spin_ns(20000);
	EXPECT(lp_waitstate_leave(&w1, 0) >= c.time + 20000);
	end2 = lp_waitstate_leave(&w2, 1);
	EXPECT(end2 > c.time);
	EXPECT(recorded(tab) == c.charged + (end2 - c.time));
	EXPECT(!lp_waitstate_maybe_busy(lock));
	EXPECT(lp_waitstate_charge(lock, 0, 1, NULL, 0, &c) == 0);
}

static void *charge_mixed(void *out)
{
	lp_waitstate_charge((uintptr_t)&mixed, 0, 1, NULL, 0, out);
	return NULL;
}

/* Before any release, one waiter takes the lock (its wait is left for the
 * next release by another thread) and one gives up: that release is
 * charged the first one's wait only. */
static void gave_up_beside_a_taker(void)
{
	uintptr_t lock = (uintptr_t)&mixed;
	struct lp_waiter w1, w2;
	int64_t end1;
	struct lp_charge c;
	pthread_t t;

	EXPECT(lp_waitstate_arrive(lock, 0, &w1) && lp_waitstate_arrive(lock, 0, &w2));
	spin_ns(20000);
	end1 = lp_waitstate_leave(&w1, 1);
	spin_ns(20000);
	EXPECT(lp_waitstate_leave(&w2, 0) >= end1 + 20000);
	pthread_create(&t, NULL, charge_mixed, &c);
	pthread_join(t, NULL);
	EXPECT(c.charged == end1 - w1.arrival);
	EXPECT(!lp_waitstate_maybe_busy(lock));
}

static char own;

static void *charge_own(void *out)
{
	lp_waitstate_charge((uintptr_t)&own, 0, 1, NULL, 0, out);
	return NULL;
}

/* A waiter takes the lock before its releaser charged, and releases it
 * first: its own release is charged nothing (at fraction 1 it is recorded,
 * as no release, for a collection to settle the wait on), and the
 * releaser's charge, when it comes, is charged the whole wait. */
static void own_wait_not_charged_to_own_release(void)
{
	uintptr_t lock = (uintptr_t)&own;
	struct lp_waiter w;
	struct lp_charge c;
	int64_t end;
	pthread_t t;

	EXPECT(lp_waitstate_arrive(lock, 0, &w));
	EXPECT(!lp_waitstate_pending_alone(lock));
	spin_ns(20000);
	end = lp_waitstate_leave(&w, 1);
	EXPECT(lp_waitstate_charge(lock, 0, 1, NULL, 0, &c) == 1);
	EXPECT(c.charged == 0 && c.sampled && c.contentions_fx == 0 && c.delay == 0);
	EXPECT(lp_waitstate_maybe_busy(lock));
	/* A wait pending, nobody waiting: a release that wakes nobody still
	 * charges here (lp_release_charge). */
	EXPECT(lp_waitstate_pending_alone(lock));
	pthread_create(&t, NULL, charge_own, &c);
	pthread_join(t, NULL);
	EXPECT(c.charged == end - w.arrival);
	EXPECT(!lp_waitstate_maybe_busy(lock));
}

static char left_behind;

/* The same, but no other release comes (a lock taken once and left): the
 * collection settles the wait on the release recorded as none; once the
 * lock has a kept release, on that one. */
static void pending_wait_settled_by_collection(void)
{
	struct lp_stacktab *tab = lp_stacktab_new(4);
	uintptr_t lock = (uintptr_t)&left_behind, pc = 3;
	struct lp_waiter w;
	struct lp_charge c;
	struct lp_stack *sample;
	int64_t first;

	EXPECT(lp_waitstate_arrive(lock, 0, &w));
	spin_ns(20000);
	first = lp_waitstate_leave(&w, 1) - w.arrival;
	EXPECT(lp_waitstate_charge(lock, 0, 1, NULL, 0, &c) == 1 && c.charged == 0);
	sample = lp_stacktab_add(tab, &pc, 1, 0, NULL, c.contentions_fx, c.delay);
	lp_waitstate_attach(&c, sample);
	EXPECT(recorded(tab) == 0 && lp_waitstate_maybe_busy(lock));
	lp_waitstate_settle();
	EXPECT(recorded(tab) == first);
	EXPECT(!lp_waitstate_maybe_busy(lock));
	/* Now with a release there: the next own release leaves its wait
	 * pending without a record of its own, and it is settled there. */
	EXPECT(lp_waitstate_arrive(lock, 0, &w));
	spin_ns(20000);
	first += lp_waitstate_leave(&w, 1) - w.arrival;
	EXPECT(lp_waitstate_charge(lock, 0, 1, NULL, 0, &c) == 0);
	EXPECT(lp_waitstate_maybe_busy(lock));
	lp_waitstate_settle();
	EXPECT(recorded(tab) == first);
	EXPECT(!lp_waitstate_maybe_busy(lock));
}

static char left_many[100];

/* Locks taken once each and left, more of them than the table holds (64):
 * the sweep that makes room settles their waits first, so that their
 * entries can go (a wait left pending keeps an entry busy), and none of
 * the waits is lost. */
static void left_locks_swept_from_a_full_table(void)
{
	struct lp_stacktab *tab = lp_stacktab_new(4);
	uintptr_t pc = 4;
	int64_t waited = 0;

	for (size_t i = 0; i < sizeof(left_many); i++) {
		uintptr_t lock = (uintptr_t)&left_many[i];
		struct lp_waiter w;
		struct lp_charge c;

		EXPECT(lp_waitstate_arrive(lock, 0, &w));
		spin_ns(1000);
		waited += lp_waitstate_leave(&w, 1) - w.arrival;
		EXPECT(lp_waitstate_charge(lock, 0, 1, NULL, 0, &c) == 1 && c.charged == 0);
		lp_waitstate_attach(&c, lp_stacktab_add(tab, &pc, 1, 0, NULL, c.contentions_fx,
							 c.delay));
	}
	lp_waitstate_settle();
	EXPECT(recorded(tab) == waited);
}

#define PROCESSES 3

/* What each process of the shared run waited and was charged. */
struct tally {
	int finished;
	int64_t acquired[PROCESSES], charged[PROCESSES];
};

/* PROCESSES forked processes of THREADS / 2 threads each on the same
 * shared locks, waiting and releasing at random; each adds its late time
 * (kept for its own samples) once all have stopped waiting. Then a release
 * per lock collects what is pending: every nanosecond charged once. */
static void every_wait_charged_once_across_processes(void)
{
	struct tally *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int64_t acquired = 0, charged;
	pid_t pid[PROCESSES];

	EXPECT(lp_sharedstate_on());
	/* As the first pthread_mutex_init of a shared mutex would. */
	lp_waitstate_share();
	shared_locks = 1;
	give_up = 0;
	for (int p = 0; p < PROCESSES; p++) {
		if ((pid[p] = fork()) == 0) {
			int64_t sum = 0;

			lp_waitstate_after_fork_child();
			run_threads(THREADS / 2);
			__atomic_add_fetch(&t->finished, 1, __ATOMIC_ACQ_REL);
			while (__atomic_load_n(&t->finished, __ATOMIC_ACQUIRE) < PROCESSES)
				spin_ns(10000);
			lp_sharedstate_collect();
			for (int i = 0; i < THREADS / 2; i++)
				sum += waited[i];
			t->acquired[p] = sum;
			t->charged[p] = recorded(releases);
			_exit(unit_summary());
		}
	}
	for (int p = 0; p < PROCESSES; p++) {
		int status;

		waitpid(pid[p], &status, 0);
		EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	releases = lp_stacktab_new(16);
	for (int i = 0; i < LOCKS; i++)
		release((uintptr_t)&locks[i]);
	charged = recorded(releases);
	for (int p = 0; p < PROCESSES; p++) {
		acquired += t->acquired[p];
		charged += t->charged[p];
	}
	for (int i = 0; i < LOCKS; i++)
		EXPECT(!lp_waitstate_maybe_busy((uintptr_t)&locks[i]));
	printf("across %d processes: waited %lld ns, charged %lld ns\n", PROCESSES,
	       (long long)acquired, (long long)charged);
	EXPECT(acquired > 0);
	EXPECT(charged == acquired);
	shared_locks = 0;
}

static char killed;

/* A waiter on a shared lock whose process is killed mid-wait: the next
 * release after the lock's check interval is charged for the live waiter
 * only, and the lock is idle after it. */
static void killed_waiter_taken_out(void)
{
	uintptr_t lock = (uintptr_t)&killed;
	struct lp_waiter w;
	struct lp_charge c;
	int64_t end;
	pid_t pid;

	if ((pid = fork()) == 0) {
		struct lp_waiter dying;

		lp_waitstate_after_fork_child();
		lp_waitstate_arrive(lock, 1, &dying);
		pause();
		_exit(0);
	}
	/* The child is counted: the filter says so. */
	while (!lp_waitstate_maybe_busy(lock))
		spin_ns(10000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT(lp_waitstate_arrive(lock, 1, &w));
	spin_ns(2 * LP_SHARED_CHECK_EVERY);
	EXPECT(lp_waitstate_charge(lock, 1, 1, NULL, 0, &c));
	end = lp_waitstate_leave(&w, 1);
	EXPECT(c.charged == c.time - w.arrival);
	EXPECT(end >= c.time);
	EXPECT(!lp_waitstate_maybe_busy(lock));
}

/* A child that exits while it waits on a private lock: is the lock's filter
 * counter still raised in the parent? */
static int left_raised_by_dead_child(uintptr_t lock)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct lp_waiter w;

		lp_waitstate_after_fork_child();
		lp_waitstate_arrive(lock, 0, &w);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return lp_waitstate_maybe_busy(lock);
}

/* Until the process initializes a primitive shared between processes, its
 * filter is its own: a child that dies waiting leaves nothing raised in
 * the parent. From then on the tree shares it (the child's waits on shared
 * locks reach the parent's releases). */
static void filter_private_until_a_shared_primitive(void)
{
	static pthread_mutex_t first, second;

	EXPECT(!left_raised_by_dead_child((uintptr_t)&first));
	lp_waitstate_share();
	EXPECT(left_raised_by_dead_child((uintptr_t)&second));
}

/*
 * Keeping 1 in `fraction` > 1 releases, only the releases around a sample
 * charge: each release is sampled with probability 1/fraction, whatever
 * its place in a run of releases, and a sampled one is charged its own
 * interval, from the release before it, not the unsampled ones before
 * that. One waiter counted throughout; releases spaced unequally.
 */
static char sampled_lock;

static void sampled_releases_charge_their_own_interval(void)
{
	enum { FRACTION = 4, RELEASES = 6, TRIALS = 4000 };
	uintptr_t lock = (uintptr_t)&sampled_lock;
	long kept[RELEASES] = { 0 };

	for (int trial = 0; trial < TRIALS; trial++) {
		struct lp_waiter w;
		int64_t prev_lo, prev_hi;

		EXPECT(lp_waitstate_arrive(lock, 0, &w));
		prev_lo = prev_hi = w.arrival;
		for (int i = 0; i < RELEASES; i++) {
			struct lp_charge c;
			int64_t lo, hi;
			int charged;

			spin_ns(1000L * (1 + i));
			lo = lp_now();
			charged = lp_waitstate_charge(lock, 0, FRACTION, NULL, 0, &c);
			hi = lp_now();
			if (charged && c.sampled) {
				kept[i]++;
				/* One waiter since the last release: within the
				 * time from one release call to the other, up to
				 * the few ns a charge time moves for its flags. */
				EXPECT(c.charged >= lo - prev_hi - 8 && c.charged <= hi - prev_lo + 8);
			}
			prev_lo = lo;
			prev_hi = hi;
		}
		lp_waitstate_leave(&w, 0);
	}
	/* 1/4 each: 0.25 +- 0.03 is more than four standard deviations. */
	for (int i = 0; i < RELEASES; i++)
		EXPECT(kept[i] > TRIALS / 4 - 120 && kept[i] < TRIALS / 4 + 120);
}

/* The other thread's release: what to charge, and what it was charged. */
static struct other_charge {
	uintptr_t lock;
	int64_t fraction;
	struct lp_charge c;
	int charged;
} other;
static int other_turn; /* 1: charge `other`; 0: done; -1: stop */

static void *charger(void *arg)
{
	(void)arg;
	for (;;) {
		int turn;

		while ((turn = __atomic_load_n(&other_turn, __ATOMIC_ACQUIRE)) == 0)
			;
		if (turn < 0)
			return NULL;
		other.charged = lp_waitstate_charge(other.lock, 0, other.fraction, NULL, 0,
						    &other.c);
		__atomic_store_n(&other_turn, 0, __ATOMIC_RELEASE);
	}
}

/* A release of `lock` by the charger thread (a waiter's own wait is never
 * charged to its own release), keeping 1 in `fraction`: a thread that is
 * there already, so that a charge drawn again right after another is
 * charged a few microseconds, not a thread's start (in ASan, tens). */
static int charge_by_other(uintptr_t lock, int64_t fraction, struct lp_charge *c)
{
	other.lock = lock;
	other.fraction = fraction;
	__atomic_store_n(&other_turn, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&other_turn, __ATOMIC_ACQUIRE) != 0)
		;
	*c = other.c;
	return other.charged;
}

static pthread_t charger_thread;

static void charger_start(void)
{
	pthread_create(&charger_thread, NULL, charger, NULL);
}

static void charger_stop(void)
{
	__atomic_store_n(&other_turn, -1, __ATOMIC_RELEASE);
	pthread_join(charger_thread, NULL);
	__atomic_store_n(&other_turn, 0, __ATOMIC_RELEASE);
}

/*
 * The same with a mutex's waiter, which leaves with its own release: the
 * holder's release (another thread's) is sampled 1 in 4, and then charged
 * the waiter's wait, whether its charge comes before the waiter's release
 * or (the holder preempted after its unlock) after it; the waiter's own
 * release is charged nothing.
 */
static char handed_lock;
static struct lp_charge holder_charge;

enum { HANDED_FRACTION = 4 };

/* The holder's release, between `*lo` and `*hi`: 1 when sampled. */
static int holder_releases(int64_t *lo, int64_t *hi)
{
	int charged;

	*lo = lp_now();
	charged = charge_by_other((uintptr_t)&handed_lock, HANDED_FRACTION, &holder_charge);
	*hi = lp_now();
	return charged && holder_charge.sampled;
}

static void sampled_releases_charge_a_waiter_that_left(void)
{
	enum { TRIALS = 4000 };
	uintptr_t lock = (uintptr_t)&handed_lock;
	long kept[2] = { 0, 0 };
	int64_t carried = 0; /* a wake-up left pending by the trial before */

	charger_start();
	for (int trial = 0; trial < TRIALS; trial++) {
		struct lp_waiter w;
		struct lp_charge c;
		int64_t took, lo = 0, hi = 0;
		int late_charge = trial % 2, sampled = 0;

		EXPECT(lp_waitstate_arrive(lock, 0, &w));
		spin_ns(2000);
		if (!late_charge)
			sampled = holder_releases(&lo, &hi);
		took = lp_now();
		EXPECT(!lp_waitstate_charge(lock, 0, HANDED_FRACTION, &w, took, &c) ||
		       !c.sampled || c.charged == 0);
		if (late_charge) {
			sampled = holder_releases(&lo, &hi);
			/* Its wait, pending since it left: exactly. */
			EXPECT(!sampled || holder_charge.charged == took - w.arrival + carried);
			carried = 0;
		} else {
			/* Up to the charge, which came before it took the
			 * lock. Its wake-up after that charge goes to the
			 * charge's sample when kept; if not, it is pending for
			 * the next charge: no sample is attached on this lock. */
			EXPECT(!sampled ||
			       (holder_charge.charged >= lo - w.arrival - 8 + carried &&
				holder_charge.charged <= hi - w.arrival + 8 + carried));
			carried = !sampled && took > holder_charge.time ?
				took - holder_charge.time : 0;
		}
		kept[late_charge] += sampled;
	}
	charger_stop();
	/* 1/4 of 2000 each: 500 +- 80 is more than four standard deviations. */
	for (int i = 0; i < 2; i++)
		EXPECT(kept[i] > TRIALS / 8 - 80 && kept[i] < TRIALS / 8 + 80);
}

/*
 * Late time is not sampled again. Three waiters; a charge that is not kept
 * counts them. One takes the lock: the lock has no kept sample yet, so its
 * wake-up after that charge is pending, and the next charge is charged it
 * (at fraction 2, and kept for sure: over 2 * 10 us, it counts as more
 * than two releases). Another charge not kept; the second waiter takes the
 * lock: its wake-up goes, as it is, to the sample now attached.
 */
static char carried_lock;

/* A charge of `lock` that the draw at 1 in 65535 does not keep (drawn again
 * until it does not: each draw is a charge; one of 100 us or more is
 * always kept, and three waiters make that 33 us apart). */
static void charge_unkept(uintptr_t lock, struct lp_charge *c)
{
	do
		EXPECT(charge_by_other(lock, 65535, c));
	while (c->sampled);
}

static void late_time_is_not_sampled_again(void)
{
	struct lp_stacktab *tab = lp_stacktab_new(4);
	uintptr_t lock = (uintptr_t)&carried_lock, pc = 2;
	struct lp_waiter w1, w2, w3;
	struct lp_charge unkept, kept;
	struct lp_stack *sample;
	int64_t end1, end2, before;

	charger_start();

	EXPECT(lp_waitstate_arrive(lock, 0, &w1) && lp_waitstate_arrive(lock, 0, &w2) &&
	       lp_waitstate_arrive(lock, 0, &w3));
	spin_ns(20000);
	charge_unkept(lock, &unkept);
	spin_ns(20000);
	end1 = lp_waitstate_leave(&w1, 1);
	EXPECT(end1 >= unkept.time + 20000);
	spin_ns(20000);
	EXPECT(charge_by_other(lock, 2, &kept) && kept.sampled);
	EXPECT(kept.charged == 2 * (kept.time - unkept.time) + (end1 - unkept.time));
	EXPECT(kept.contentions_fx == LP_FX_ONE && kept.delay == kept.charged && kept.late_due);
	sample = lp_stacktab_add(tab, &pc, 1, 0, NULL, kept.contentions_fx, kept.delay);
	lp_waitstate_attach(&kept, sample);
	EXPECT(recorded(tab) == kept.charged);
	spin_ns(20000);
	charge_unkept(lock, &unkept);
	before = recorded(tab);
	spin_ns(20000);
	end2 = lp_waitstate_leave(&w2, 1);
	EXPECT(end2 >= unkept.time + 20000);
	EXPECT(recorded(tab) == before + (end2 - unkept.time));
	EXPECT(lp_waitstate_leave(&w3, 0) >= unkept.time);
	/* Nothing left: the last charge counted w3, which gave up. */
	EXPECT(!lp_waitstate_maybe_busy(lock));
	charger_stop();
}

int main(void)
{
	EXPECT(lp_waitstate_init(64) == 0);
	filter_private_until_a_shared_primitive();
	every_wait_charged_once();
	every_wait_charged_once_sampled();
	gave_up_alone();
	gave_up_after_a_release();
	gave_up_beside_a_taker();
	own_wait_not_charged_to_own_release();
	pending_wait_settled_by_collection();
	left_locks_swept_from_a_full_table();
	gave_up_at_random();
	every_wait_charged_once_across_processes();
	killed_waiter_taken_out();
	sampled_releases_charge_their_own_interval();
	sampled_releases_charge_a_waiter_that_left();
	late_time_is_not_sampled_again();
	return unit_summary();
}
