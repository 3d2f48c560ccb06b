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
 * Besides the totals it prints best_ns: the fastest of the 100,000-pair
 * chunks of the first thread, in ns a pair. On a shared machine a chunk
 * that ran without being preempted or slowed by a neighbour is the
 * steadiest view of the wrappers' own cost.
 *
 * usage: uncontended [pairs-per-thread] [threads]
 */
#include <pthread.h>
#include <stdio.h>

#include "common.h"

#define CHUNK 100000

static long pairs;
static double best = -1; /* s per chunk, first thread */

static void *loop(void *arg)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	double t0 = bench_now(), t;

	for (long done = 0; done < pairs; done += CHUNK) {
		long n = pairs - done < CHUNK ? pairs - done : CHUNK;

		for (long i = 0; i < n; i++) {
			pthread_mutex_lock(&m);
			pthread_mutex_unlock(&m);
		}
		t = bench_now();
		if (arg == NULL && n == CHUNK && (best < 0 || t - t0 < best))
			best = t - t0;
		t0 = t;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads;
	struct bench_clock c;
	char extra[64];

	pairs = bench_arg(argc, argv, 1, 20000000);
	threads = (int)bench_arg(argc, argv, 2, 1);
	bench_run_threads(threads, loop, &c);
	snprintf(extra, sizeof(extra), "best_ns=%.3f", best < 0 ? 0 : best / CHUNK * 1e9);
	bench_report(&c, threads * pairs, extra);
	return 0;
}
