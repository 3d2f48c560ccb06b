/* SPDX-License-Identifier: MIT */
/*
 * Uncontended lock/unlock pairs: each thread has its own mutex. The
 * profiler's cost here is pure wrapper overhead (the trylock-first call and
 * the release's filter check), since no lock is ever busy.
 *
 * The process is made multi-threaded first, even with one thread: glibc
 * takes a single-threaded process's mutexes without an atomic instruction,
 * which no program that needs locks ever sees.
 *
 * usage: uncontended [pairs-per-thread] [threads]
 */
#include <pthread.h>

#include "common.h"

static long pairs;

static void *loop(void *arg)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	(void)arg;
	for (long i = 0; i < pairs; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads;
	struct bench_clock c;

	pairs = bench_arg(argc, argv, 1, 20000000);
	threads = (int)bench_arg(argc, argv, 2, 1);
	bench_run_threads(threads, loop, &c);
	bench_report(&c, threads * pairs, NULL);
	return 0;
}
