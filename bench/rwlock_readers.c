/* SPDX-License-Identifier: MIT */
/*
 * Readers on one rwlock, no writer: read locks never wait, but every one
 * goes through the wrapper (tryrdlock first, the release's filter check).
 * The threads share the lock's cache line, as real read-mostly tables do.
 * With `write-every` N, one lock in N is a write lock (writing the table):
 * readers wait for writers and writers for readers, and most releases
 * find a waiter but wake nobody (all but the last reader's).
 *
 * usage: rwlock_readers [threads] [iterations-per-thread] [work-outside] [write-every]
 */
#include <pthread.h>

#include "common.h"

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static long iterations, outside, write_every;
static int table[256];

static void *worker(void *arg)
{
	long sum = 0;

	for (long i = 0; i < iterations; i++) {
		if (write_every && (i + (long)arg) % write_every == 0) {
			pthread_rwlock_wrlock(&lock);
			table[(i + (long)arg) & 255]++;
		} else {
			pthread_rwlock_rdlock(&lock);
			sum += table[(i + (long)arg) & 255];
		}
		pthread_rwlock_unlock(&lock);
		bench_work(outside);
	}
	return (void *)sum;
}

int main(int argc, char **argv)
{
	int threads = (int)bench_arg(argc, argv, 1, 4);
	struct bench_clock c;

	iterations = bench_arg(argc, argv, 2, 2000000);
	outside = bench_arg(argc, argv, 3, 20);
	write_every = argc > 4 ? bench_arg(argc, argv, 4, 0) : 0;
	bench_run_threads(threads, worker, &c);
	bench_report(&c, threads * iterations, NULL);
	return 0;
}
