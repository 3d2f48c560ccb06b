/* SPDX-License-Identifier: MIT */
/*
 * Many threads on one mutex: a short critical section (a few steps) and
 * more work outside it, the common shape of a hot global lock. With more
 * threads than cores, holders get preempted and waiters pile up: every
 * path of the profiler runs (busy trylock, wait timing, charge at release).
 *
 * usage: mutex_short [threads] [iterations-per-thread] [work-inside] [work-outside]
 */
#include <pthread.h>

#include "common.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long iterations, inside, outside;
static volatile long shared_counter;

static void *worker(void *arg)
{
	(void)arg;
	for (long i = 0; i < iterations; i++) {
		pthread_mutex_lock(&lock);
		shared_counter++;
		bench_work(inside);
		pthread_mutex_unlock(&lock);
		bench_work(outside);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = (int)bench_arg(argc, argv, 1, 4);
	struct bench_clock c;

	iterations = bench_arg(argc, argv, 2, 500000);
	inside = bench_arg(argc, argv, 3, 20);
	outside = bench_arg(argc, argv, 4, 200);
	bench_run_threads(threads, worker, &c);
	bench_report(&c, threads * iterations, NULL);
	return 0;
}
