/* SPDX-License-Identifier: MIT */
/*
 * A lock fought over with almost no pause: threads take one mutex for a
 * one-line critical section, with a few steps of work between. Releases
 * come every few hundred nanoseconds, a holder is now and then preempted
 * with the others waiting, and charges land out of order: where a mutex
 * profile's estimate goes wrong first (tests/integration/test_hotlock.py).
 *
 * usage: hotlock THREADS ITERATIONS STEPS_OUTSIDE
 */
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long iterations, outside;
static long counter;

static void *worker(void *arg)
{
	(void)arg;
	for (long i = 0; i < iterations; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		for (volatile long k = 0; k < outside; k++)
			;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t[64];

	iterations = argc > 2 ? atol(argv[2]) : 300000;
	outside = argc > 3 ? atol(argv[3]) : 20;
	if (threads < 1 || threads > 64)
		return 2;
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return counter == threads * iterations ? 0 : 1;
}
