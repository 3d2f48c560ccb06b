/* SPDX-License-Identifier: MIT */
/*
 * Locks fought over with almost no pause: threads take a mutex for a
 * one-line critical section, with a few steps of work between. Releases
 * come every few hundred nanoseconds, a holder is now and then preempted
 * with the others waiting, and charges land out of order: where a mutex
 * profile's estimate goes wrong first (tests/integration/test_hotlock.py).
 *
 * With LOCKS above 1 the threads take one of a window of 8 locks, which
 * slides over all of them as the run goes (every 64 acquisitions): each
 * lock is fought over a few times and then left, the many cold locks of a
 * database's rows or a cache's buckets.
 *
 * usage: hotlock THREADS ITERATIONS STEPS_OUTSIDE [LOCKS]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define WINDOW 8
#define TAKES_PER_WINDOW 64

static pthread_mutex_t *locks;
static long *taken; /* per lock, under it */
static long iterations, outside, nlocks;
static unsigned long tick;

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	for (long i = 0; i < iterations; i++) {
		unsigned long t = nlocks > 1 ? __atomic_fetch_add(&tick, 1, __ATOMIC_RELAXED) : 0;
		long l = (long)((t / TAKES_PER_WINDOW * 7919 + (unsigned long)rand_r(&seed) % WINDOW) %
				(unsigned long)nlocks);

		pthread_mutex_lock(&locks[l]);
		taken[l]++;
		pthread_mutex_unlock(&locks[l]);
		for (volatile long k = 0; k < outside; k++)
			;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t[64];
	long sum = 0;

	iterations = argc > 2 ? atol(argv[2]) : 300000;
	outside = argc > 3 ? atol(argv[3]) : 20;
	nlocks = argc > 4 ? atol(argv[4]) : 1;
	if (threads < 1 || threads > 64 || nlocks < 1)
		return 2;
	locks = calloc((size_t)nlocks, sizeof(*locks));
	taken = calloc((size_t)nlocks, sizeof(*taken));
	if (!locks || !taken)
		return 2;
	for (long i = 0; i < nlocks; i++)
		pthread_mutex_init(&locks[i], NULL);
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	for (long i = 0; i < nlocks; i++)
		sum += taken[i];
	return sum == threads * iterations ? 0 : 1;
}
