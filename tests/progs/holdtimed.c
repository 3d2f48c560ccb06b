/* SPDX-License-Identifier: MIT */
/*
 * A program that measures how long it holds its locks, site by site, so
 * that tests can hold the hold profile against the truth.
 *
 * Two threads run the same rounds; each site function takes its lock,
 * reads the clock once the lock call returned, keeps it for a busy spell
 * of a length drawn from a fixed range, reads the clock again just before
 * the unlock, and releases. The two threads share every lock, so some
 * acquisitions wait first. Sites, by the function that releases the lock
 * (the hold profile's leaf):
 *
 *   hold_short      a static mutex, 5-15 us
 *   hold_long       the same mutex, 30-60 us
 *   hold_recursive  a recursive mutex taken twice, held 10-20 us from the
 *                   outer lock to the outer unlock
 *   release_first   two mutexes taken a then b, released a then b: a's
 *   release_second  hold (5-15 us) and b's (10-30 us)
 *   hold_write      a rwlock's write lock, 5-15 us
 *   hold_cond       a mutex held 5-15 us up to a 10 us timed condvar wait
 *                   (that no one signals), then taken back and released:
 *                   the hold ends where the wait begins
 *
 * A hold that lasted more than twice its longest spell (and 20 us) was
 * stretched: the thread was preempted, or waited, inside it, and on a
 * loaded machine one such hold can weigh as much as 1,000 ordinary ones.
 * The program knows before it unlocks, and releases such a hold through
 * stretched_unlock: in the profile they are samples of their own, and a
 * test can hold the ordinary holds, whose lengths are bounded, to a tight
 * tolerance.
 *
 * Then, alone, EMPTY_HOLDS holds of nothing (empty_hold): the clock read
 * right after the lock call and right before the unlock call, as at every
 * site. The hold profile times a hold from inside the lock call to inside
 * the unlock call, so it measures more than the program's own reads by the
 * part of those calls within the hold, the same at every site: a test
 * takes that part from these.
 *
 * Output, per site, for its ordinary holds and for its stretched ones, and
 * for the empty holds:
 *   hold <function> <holds> <total ns held> <sum of squared holds, ns^2>
 *   stretched <function> <holds> <total ns held> <sum of squares>
 *   empty empty_hold <holds> <total ns held> <sum of squares>
 * (the squares tell a test the sampling error of a run)
 * usage: holdtimed [rounds-per-thread]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "progclock.h"

#define NOINLINE __attribute__((noinline))
#define THREADS 2

enum { SHORT, LONG, RECURSIVE, FIRST, SECOND, WRITE, COND, NSITES };
static const char *const names[NSITES] = {
	"hold_short", "hold_long", "hold_recursive", "release_first",
	"release_second", "hold_write", "hold_cond",
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t recursive_lock;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

static long rounds = 2000;
static long long count[2][NSITES], total[2][NSITES]; /* [stretched]; under totals_lock */
static double squares[2][NSITES];
static pthread_mutex_t totals_lock = PTHREAD_MUTEX_INITIALIZER;

struct worker {
	unsigned seed;
	long long count[2][NSITES], total[2][NSITES];
	double squares[2][NSITES];
};

/* Busy for lo-hi us (uniform): a hold that is all the thread's work. */
static void spin(struct worker *w, long lo, long hi)
{
	long long until = now_ns() + (lo + rand_r(&w->seed) % (hi - lo + 1)) * 1000;

	while (now_ns() < until)
		;
}

/* Was a hold of t0-t1 whose spells last at most `hi` us stretched? */
static int stretched(long long t0, long long t1, long hi)
{
	return t1 - t0 > (2 * hi + 20) * 1000;
}

static void add(struct worker *w, int site, long long t0, long long t1, int longer)
{
	w->count[longer][site]++;
	w->total[longer][site] += t1 - t0;
	w->squares[longer][site] += (double)(t1 - t0) * (double)(t1 - t0);
}

/* Each release helper counts its calls in a variable of its own: gcc
 * would fold functions of the same code into one, under one name. */
static volatile long stretched_released, rw_stretched;

static NOINLINE void stretched_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	stretched_released++;
}

static NOINLINE void stretched_wrunlock(pthread_rwlock_t *l)
{
	pthread_rwlock_unlock(l);
	rw_stretched++;
}

/* The site's own unlock, or stretched_unlock. */
#define UNLOCK(m, longer) ((longer) ? stretched_unlock(m) : (void)pthread_mutex_unlock(m))

static NOINLINE void hold_short(struct worker *w)
{
	long long t0, t1;
	int longer;

	pthread_mutex_lock(&table_lock);
	t0 = now_ns();
	spin(w, 5, 15);
	t1 = now_ns();
	longer = stretched(t0, t1, 15);
	UNLOCK(&table_lock, longer);
	add(w, SHORT, t0, t1, longer);
}

static NOINLINE void hold_long(struct worker *w)
{
	long long t0, t1;
	int longer;

	pthread_mutex_lock(&table_lock);
	t0 = now_ns();
	spin(w, 30, 60);
	t1 = now_ns();
	longer = stretched(t0, t1, 60);
	UNLOCK(&table_lock, longer);
	add(w, LONG, t0, t1, longer);
}

static NOINLINE void hold_recursive(struct worker *w)
{
	long long t0, t1;
	int longer;

	pthread_mutex_lock(&recursive_lock);
	t0 = now_ns();
	spin(w, 3, 6);
	pthread_mutex_lock(&recursive_lock);
	spin(w, 3, 6);
	pthread_mutex_unlock(&recursive_lock);
	spin(w, 4, 8);
	t1 = now_ns();
	longer = stretched(t0, t1, 20);
	UNLOCK(&recursive_lock, longer);
	add(w, RECURSIVE, t0, t1, longer);
}

static volatile long firsts_released, seconds_released;

static NOINLINE void release_first(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	firsts_released++;
}

static NOINLINE void release_second(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	seconds_released++;
}

/* Out of order: a, b taken; a released first. */
static NOINLINE void hold_two(struct worker *w)
{
	long long a0, a1, b0, b1;
	int longer_a, longer_b;

	pthread_mutex_lock(&lock_a);
	a0 = now_ns();
	pthread_mutex_lock(&lock_b);
	b0 = now_ns();
	spin(w, 5, 15);
	a1 = now_ns();
	/* a's hold may include a wait for b, which the other thread holds
	 * for up to 15 us after releasing a. */
	longer_a = stretched(a0, a1, 30);
	if (longer_a)
		stretched_unlock(&lock_a);
	else
		release_first(&lock_a);
	spin(w, 5, 15);
	b1 = now_ns();
	longer_b = stretched(b0, b1, 15);
	if (longer_b)
		stretched_unlock(&lock_b);
	else
		release_second(&lock_b);
	add(w, FIRST, a0, a1, longer_a);
	add(w, SECOND, b0, b1, longer_b);
}

static NOINLINE void hold_write(struct worker *w)
{
	long long t0, t1;
	int longer;

	pthread_rwlock_wrlock(&rw);
	t0 = now_ns();
	spin(w, 5, 15);
	t1 = now_ns();
	longer = stretched(t0, t1, 15);
	if (longer)
		stretched_wrunlock(&rw);
	else
		pthread_rwlock_unlock(&rw);
	add(w, WRITE, t0, t1, longer);
}

static NOINLINE void hold_cond(struct worker *w)
{
	struct timespec until;
	long long t0, t1;
	int longer;

	pthread_mutex_lock(&cond_lock);
	t0 = now_ns();
	spin(w, 5, 15);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 10000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	t1 = now_ns();
	longer = stretched(t0, t1, 15);
	pthread_cond_timedwait(&cond, &cond_lock, &until);
	UNLOCK(&cond_lock, longer);
	add(w, COND, t0, t1, longer);
}

static void *work(void *arg)
{
	struct worker *w = arg;

	for (long i = 0; i < rounds; i++) {
		hold_short(w);
		hold_long(w);
		hold_recursive(w);
		hold_two(w);
		hold_write(w);
		hold_cond(w);
	}
	pthread_mutex_lock(&totals_lock);
	for (int k = 0; k < 2; k++)
		for (int s = 0; s < NSITES; s++) {
			count[k][s] += w->count[k][s];
			total[k][s] += w->total[k][s];
			squares[k][s] += w->squares[k][s];
		}
	pthread_mutex_unlock(&totals_lock);
	return NULL;
}

#define EMPTY_HOLDS 2000
static pthread_mutex_t empty_lock = PTHREAD_MUTEX_INITIALIZER;

/* One hold of nothing; returns its length as the program sees it. */
static NOINLINE long long empty_hold(void)
{
	long long t0, t1;

	pthread_mutex_lock(&empty_lock);
	t0 = now_ns();
	t1 = now_ns();
	pthread_mutex_unlock(&empty_lock);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	long long empty_total = 0;
	double empty_squares = 0;
	static struct worker workers[THREADS];
	pthread_t t[THREADS];
	pthread_mutexattr_t attr;

	if (argc > 1)
		rounds = atol(argv[1]);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&recursive_lock, &attr);
	for (int i = 0; i < THREADS; i++) {
		workers[i].seed = 12345u + (unsigned)i;
		if (pthread_create(&t[i], NULL, work, &workers[i]) != 0)
			return 1;
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < EMPTY_HOLDS; i++) {
		long long d = empty_hold();

		empty_total += d;
		empty_squares += (double)d * (double)d;
	}
	for (int k = 0; k < 2; k++)
		for (int s = 0; s < NSITES; s++)
			printf("%s %s %lld %lld %.0f\n", k ? "stretched" : "hold", names[s],
			       count[k][s], total[k][s], squares[k][s]);
	printf("empty empty_hold %d %lld %.0f\n", EMPTY_HOLDS, empty_total, empty_squares);
	return 0;
}
