/* SPDX-License-Identifier: MIT */
/*
 * Waits of known lengths on known locks by named threads, for the labels
 * (tests/integration/test_labels.py). Four pairs of threads; in each a
 * holder takes its lock, says so, keeps it for a fixed time and releases
 * it, and a waiter, told, locks it and times the call:
 *
 *   waiter   holder    lock                                   hold
 *   teller   auditor   accounts_lock (static)                 3 ms
 *   clerk    banker    an account's, from new_account (heap)  300 us
 *   scanner  janitor   table[1].lock (static, inside table)   30 ms
 *   hurried  rusher    a zeroed heap mutex, never initialized 40 us
 *
 * Threads are named with pthread_setname_np, but for clerk and banker,
 * which name themselves with prctl(PR_SET_NAME). Then the main thread
 * renames itself "one" (pthread_setname_np), "two" (prctl) and "three"
 * (pthread_setname_np), waiting 2 ms on ready_sem under each name, and
 * under "three" 2 ms on a heap semaphore from new_signal's sem_init.
 *
 * Output: "table_offset 0xOFF" (table[1].lock's offset in table), then
 * one line per contended call: "wait THREAD NS", followed by " preempted"
 * when the waiter was preempted around it (the profile's wait is then
 * shorter by as much as the preemption).
 * usage: labelled [rounds]
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include "progclock.h"

#define NOINLINE __attribute__((noinline))

struct account {
	long balance;
	pthread_mutex_t lock;
};

static pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t ready_sem;
static struct slot {
	char name[40];
	pthread_mutex_t lock;
} table[2] = { { "a", PTHREAD_MUTEX_INITIALIZER }, { "b", PTHREAD_MUTEX_INITIALIZER } };

struct pair {
	const char *waiter, *holder;
	int by_prctl;
	pthread_mutex_t *lock;
	long hold_us, rounds;
	int announced, finished;
	long long *waits; /* ns, one per round; 0: not contended */
	char *preempted;  /* per round: the waiter was preempted around its wait */
};

static void name_self(const struct pair *p, const char *name)
{
	if (p->by_prctl)
		prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
	else
		pthread_setname_np(pthread_self(), name);
}

static NOINLINE struct account *new_account(void)
{
	struct account *a = calloc(1, sizeof(*a));

	if (!a || pthread_mutex_init(&a->lock, NULL) != 0)
		abort();
	return a;
}

static NOINLINE sem_t *new_signal(void)
{
	sem_t *s = malloc(sizeof(*s));

	if (!s || sem_init(s, 0, 0) != 0)
		abort();
	return s;
}

static NOINLINE void hold(struct pair *p, int round)
{
	pthread_mutex_lock(p->lock);
	__atomic_store_n(&p->announced, round, __ATOMIC_RELEASE);
	sleep_us(p->hold_us);
	pthread_mutex_unlock(p->lock);
	await_round(&p->finished, round);
}

/* Involuntary context switches of the calling thread so far. */
static long preemptions(void)
{
	struct rusage u;

	getrusage(RUSAGE_THREAD, &u);
	return u.ru_nivcsw;
}

/* A wait timed by the program. One preempted between its clock reads and
 * the profiler's (the lock taken, the thread not yet back in the program)
 * is longer here than in the profile by as long: said so in the output. */
static NOINLINE void wait_turn(struct pair *p, int round)
{
	long long t0, d;
	long before;

	await_round(&p->announced, round);
	before = preemptions();
	t0 = now_ns();
	pthread_mutex_lock(p->lock);
	d = now_ns() - t0;
	pthread_mutex_unlock(p->lock);
	p->waits[round - 1] = d;
	p->preempted[round - 1] = preemptions() != before;
	__atomic_store_n(&p->finished, round, __ATOMIC_RELEASE);
}

static void *holder(void *arg)
{
	struct pair *p = arg;

	name_self(p, p->holder);
	for (int r = 1; r <= p->rounds; r++)
		hold(p, r);
	return NULL;
}

static void *waiter(void *arg)
{
	struct pair *p = arg;

	name_self(p, p->waiter);
	for (int r = 1; r <= p->rounds; r++)
		wait_turn(p, r);
	return NULL;
}

static void *post_later(void *sem)
{
	sleep_us(2000);
	sem_post(sem);
	return NULL;
}

/* Wait for a post of `sem` 2 ms away (recorded at once: a semaphore wait
 * holds nothing afterwards). */
static NOINLINE void wait_post(sem_t *sem)
{
	pthread_t t;

	pthread_create(&t, NULL, post_later, sem);
	while (sem_wait(sem) != 0)
		;
	pthread_join(t, NULL);
}

/* The same under a new name, on ready_sem. */
static NOINLINE void wait_renamed(const char *name, int by_prctl)
{
	if (by_prctl)
		prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
	else
		pthread_setname_np(pthread_self(), name);
	wait_post(&ready_sem);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 20;
	struct pair pairs[] = {
		{ "teller", "auditor", 0, &accounts_lock, 3000, rounds, 0, 0, NULL, NULL },
		{ "clerk", "banker", 1, &new_account()->lock, 300, rounds, 0, 0, NULL, NULL },
		{ "scanner", "janitor", 0, &table[1].lock, 30000, rounds / 4 + 1, 0, 0, NULL, NULL },
		{ "hurried", "rusher", 0, calloc(1, sizeof(pthread_mutex_t)), 40, rounds, 0, 0, NULL, NULL },
	};
	enum { NPAIRS = sizeof(pairs) / sizeof(pairs[0]) };
	pthread_t t[2 * NPAIRS];

	for (int i = 0; i < NPAIRS; i++) {
		pairs[i].waits = calloc((size_t)pairs[i].rounds, sizeof(long long));
		pairs[i].preempted = calloc((size_t)pairs[i].rounds, 1);
		if (!pairs[i].lock || !pairs[i].waits || !pairs[i].preempted)
			abort();
		pthread_create(&t[2 * i], NULL, holder, &pairs[i]);
		pthread_create(&t[2 * i + 1], NULL, waiter, &pairs[i]);
	}
	for (int i = 0; i < 2 * NPAIRS; i++)
		pthread_join(t[i], NULL);
	sem_init(&ready_sem, 0, 0);
	wait_renamed("one", 0);
	wait_renamed("two", 1);
	wait_renamed("three", 0);
	wait_post(new_signal());
	printf("table_offset %#lx\n", (unsigned long)((char *)&table[1].lock - (char *)table));
	for (int i = 0; i < NPAIRS; i++)
		for (long r = 0; r < pairs[i].rounds; r++)
			printf("wait %s %lld%s\n", pairs[i].waiter, pairs[i].waits[r],
			       pairs[i].preempted[r] ? " preempted" : "");
	return 0;
}
