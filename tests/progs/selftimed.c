/* SPDX-License-Identifier: MIT */
/*
 * A program that measures its own lock waits, site by site, so tests can
 * hold the profiles against the truth.
 *
 * Each site is a pair of threads: a holder takes the object, tells the
 * waiter, keeps it for a hold time from a fixed cycle of durations, and
 * releases; the waiter, told the object is held, calls the blocking
 * function and times the call. Every waiter call is therefore contended.
 *
 * Output, one line per waiting site:
 *   wait <function> <contended calls> <total ns waited>
 * usage: selftimed [rounds] [sites]   (sites: a comma list, default all)
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "progclock.h"

#define NOINLINE __attribute__((noinline))

static const long hold_us[] = { 60, 100, 150, 350, 1000 };
#define NHOLDS (sizeof(hold_us) / sizeof(hold_us[0]))

static long rounds = 300;

struct site {
	const char *name;
	void *(*holder)(void *);
	void *(*waiter)(void *);
	int announced;   /* round number: the object is held / the waiter waits */
	int finished;    /* round number the waiter has finished */
	long count;      /* waiter: contended calls */
	long long total; /* waiter: ns waited */
	pthread_mutex_t mutex;
	pthread_rwlock_t rwlock;
	sem_t sem;
	pthread_cond_t cond;
	int predicate;
};

static void reach_round(int *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELEASE);
}

static void account(struct site *s, long long t0)
{
	long long d = now_ns() - t0;
	if (d > 2000)
		s->count++;
	s->total += d;
}

/* --- mutex ------------------------------------------------------------ */

static NOINLINE void hold_mutex(struct site *s, int round, long us)
{
	pthread_mutex_lock(&s->mutex);
	reach_round(&s->announced);
	sleep_us(us);
	pthread_mutex_unlock(&s->mutex);
	await_round(&s->finished, round);
}

static NOINLINE void wait_mutex(struct site *s, int round)
{
	long long t0;
	await_round(&s->announced, round);
	t0 = now_ns();
	pthread_mutex_lock(&s->mutex);
	account(s, t0);
	pthread_mutex_unlock(&s->mutex);
	reach_round(&s->finished);
}

static NOINLINE void wait_mutex_timed(struct site *s, int round)
{
	struct timespec deadline;
	long long t0;
	await_round(&s->announced, round);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	t0 = now_ns();
	if (pthread_mutex_timedlock(&s->mutex, &deadline) != 0)
		abort();
	account(s, t0);
	pthread_mutex_unlock(&s->mutex);
	reach_round(&s->finished);
}

/* --- rwlock ----------------------------------------------------------- */

static NOINLINE void hold_rwlock_rd(struct site *s, int round, long us)
{
	pthread_rwlock_rdlock(&s->rwlock);
	reach_round(&s->announced);
	sleep_us(us);
	pthread_rwlock_unlock(&s->rwlock);
	await_round(&s->finished, round);
}

static NOINLINE void hold_rwlock_wr(struct site *s, int round, long us)
{
	pthread_rwlock_wrlock(&s->rwlock);
	reach_round(&s->announced);
	sleep_us(us);
	pthread_rwlock_unlock(&s->rwlock);
	await_round(&s->finished, round);
}

static NOINLINE void wait_rwlock_wr(struct site *s, int round)
{
	long long t0;
	await_round(&s->announced, round);
	t0 = now_ns();
	pthread_rwlock_wrlock(&s->rwlock);
	account(s, t0);
	pthread_rwlock_unlock(&s->rwlock);
	reach_round(&s->finished);
}

static NOINLINE void wait_rwlock_rd(struct site *s, int round)
{
	long long t0;
	await_round(&s->announced, round);
	t0 = now_ns();
	pthread_rwlock_rdlock(&s->rwlock);
	account(s, t0);
	pthread_rwlock_unlock(&s->rwlock);
	reach_round(&s->finished);
}

/* --- semaphore: the poster makes the waiter wait ---------------------- */

static NOINLINE void post_sem(struct site *s, int round, long us)
{
	await_round(&s->announced, round); /* the waiter is about to wait */
	sleep_us(us);
	sem_post(&s->sem);
	await_round(&s->finished, round);
}

static NOINLINE void wait_sem(struct site *s, int round __attribute__((unused)))
{
	long long t0;
	reach_round(&s->announced);
	t0 = now_ns();
	while (sem_wait(&s->sem) != 0)
		;
	account(s, t0);
	reach_round(&s->finished);
}

/* --- condition variable ----------------------------------------------- */

static NOINLINE void signal_cond(struct site *s, int round, long us)
{
	await_round(&s->announced, round);
	sleep_us(us);
	pthread_mutex_lock(&s->mutex);
	s->predicate = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mutex);
	await_round(&s->finished, round);
}

static NOINLINE void wait_cond(struct site *s, int round __attribute__((unused)))
{
	long long t0;
	pthread_mutex_lock(&s->mutex);
	reach_round(&s->announced);
	while (!s->predicate) {
		t0 = now_ns();
		pthread_cond_wait(&s->cond, &s->mutex);
		account(s, t0);
	}
	s->predicate = 0;
	pthread_mutex_unlock(&s->mutex);
	reach_round(&s->finished);
}

/* --- threads ---------------------------------------------------------- */

#define HOLDER(name, fn) \
	static void *name(void *arg) \
	{ \
		for (long i = 0; i < rounds; i++) \
			fn(arg, (int)i + 1, hold_us[i % NHOLDS]); \
		return NULL; \
	}
#define WAITER(name, fn) \
	static void *name(void *arg) \
	{ \
		for (long i = 0; i < rounds; i++) \
			fn(arg, (int)i + 1); \
		return NULL; \
	}

HOLDER(holder_mutex, hold_mutex)
HOLDER(holder_rwlock_rd, hold_rwlock_rd)
HOLDER(holder_rwlock_wr, hold_rwlock_wr)
HOLDER(holder_sem, post_sem)
HOLDER(holder_cond, signal_cond)
WAITER(waiter_mutex, wait_mutex)
WAITER(waiter_mutex_timed, wait_mutex_timed)
WAITER(waiter_rwlock_wr, wait_rwlock_wr)
WAITER(waiter_rwlock_rd, wait_rwlock_rd)
WAITER(waiter_sem, wait_sem)
WAITER(waiter_cond, wait_cond)

static struct site sites[] = {
	{ .name = "wait_mutex", .holder = holder_mutex, .waiter = waiter_mutex },
	{ .name = "wait_mutex_timed", .holder = holder_mutex, .waiter = waiter_mutex_timed },
	{ .name = "wait_rwlock_wr", .holder = holder_rwlock_rd, .waiter = waiter_rwlock_wr },
	{ .name = "wait_rwlock_rd", .holder = holder_rwlock_wr, .waiter = waiter_rwlock_rd },
	{ .name = "wait_sem", .holder = holder_sem, .waiter = waiter_sem },
	{ .name = "wait_cond", .holder = holder_cond, .waiter = waiter_cond },
};
#define NSITES (sizeof(sites) / sizeof(sites[0]))

static int selected(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	if (!list)
		return 1;
	while ((p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t th[2 * NSITES];
	const char *only = argc > 2 ? argv[2] : NULL;
	size_t i, n = 0;

	if (argc > 1)
		rounds = atol(argv[1]);
	for (i = 0; i < NSITES; i++) {
		struct site *s = &sites[i];
		if (!selected(only, s->name))
			continue;
		pthread_mutex_init(&s->mutex, NULL);
		pthread_rwlock_init(&s->rwlock, NULL);
		pthread_cond_init(&s->cond, NULL);
		sem_init(&s->sem, 0, 0);
		pthread_create(&th[n++], NULL, s->holder, s);
		pthread_create(&th[n++], NULL, s->waiter, s);
	}
	while (n > 0)
		pthread_join(th[--n], NULL);
	for (i = 0; i < NSITES; i++)
		if (selected(only, sites[i].name))
			printf("wait %s %ld %lld\n", sites[i].name, sites[i].count,
			       sites[i].total);
	return 0;
}
