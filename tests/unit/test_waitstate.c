/*
 * The wait accounting, against itself: threads wait on a few locks and
 * release them at random; every nanosecond waited must be charged exactly
 * once, to a sampled release (fraction 1), or still be pending at the end.
 * Exact integer equality, whatever the timing.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <urcu-bp.h>

#include "sampling.h"
#include "stacktab.h"
#include "unit.h"
#include "waitstate.h"

#define THREADS 4
#define LOCKS 3
#define ROUNDS 3000

static char locks[LOCKS];
static struct lp_stacktab *releases;
static int64_t waited[THREADS], charged[THREADS];

static void spin_ns(long ns)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < ns);
}

static void release(uintptr_t lock, int self)
{
	struct lp_charge c;
	uintptr_t pc = lock; /* one stack per lock */

	if (lp_waitstate_charge(lock, 1, &c)) {
		struct lp_stack *s = lp_stacktab_add(releases, &pc, 1, 0, LP_FX_ONE, c.charged);
		EXPECT(c.sampled);
		charged[self] += c.charged;
		if (c.waiters_left)
			lp_waitstate_attach(lock, &c, s, 1);
	}
}

static void *worker(void *arg)
{
	int self = (int)(intptr_t)arg;

	for (int i = 0; i < ROUNDS; i++) {
		uintptr_t lock = (uintptr_t)&locks[lp_rand() % LOCKS];
		int64_t arrival, left;
		struct lp_lockstate *e = lp_waitstate_arrive(lock, &arrival);

		EXPECT(e != NULL);
		spin_ns((long)(lp_rand() % 20000));
		if (lp_rand() % 2)
			release((uintptr_t)&locks[lp_rand() % LOCKS], self);
		left = lp_waitstate_leave(e, arrival);
		EXPECT(left >= arrival);
		waited[self] += left - arrival;
		if (lp_rand() % 3 == 0)
			release(lock, self);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	struct lp_snapshot s;
	int64_t total_waited = 0, total_recorded = 0;

	EXPECT(lp_waitstate_init(64) == 0);
	releases = lp_stacktab_new(16);
	for (intptr_t i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	/* Nobody waits now: one more release per lock collects what is
	 * pending (from a thread that never waited). */
	for (int i = 0; i < LOCKS; i++)
		release((uintptr_t)&locks[i], 0);
	for (int i = 0; i < LOCKS; i++)
		EXPECT(!lp_waitstate_maybe_busy((uintptr_t)&locks[i]));

	for (int i = 0; i < THREADS; i++)
		total_waited += waited[i];
	EXPECT(lp_stacktab_snapshot(releases, &s) == 0);
	for (size_t i = 0; i < s.n; i++)
		total_recorded += s.records[i].delay_ns;
	lp_snapshot_free(&s);
	printf("waited %lld ns, charged %lld ns\n", (long long)total_waited,
	       (long long)total_recorded);
	EXPECT(total_waited > 0);
	EXPECT(total_recorded == total_waited);
	return unit_summary();
}
