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
 * With `warm` 1, the main thread first hands a mutex over once each way on
 * each CPU it may run on, before the timed threads start: the lock and
 * unlock wrappers each take their contended path once on every CPU, as in
 * any program whose locks have ever been contended. A
 * process that never contended is in a state of its own: a wrapper's
 * branch to its slow path has never been taken, and the CPU's branch
 * predictor has no entry for it; once it has, that branch costs the fast
 * path a cycle or two on some CPUs (docs/performance.md, "The hold
 * profile").
 *
 * usage: uncontended [pairs-per-thread] [threads] [warm]
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "common.h"

#define CHUNK 100000

static long pairs;
static double best = -1; /* s per chunk, first thread */

/* Long enough for the other thread of a hand-over to block. */
static const struct timespec handover_pause = { 0, 2000000 };

/* The other side of a hand-over: takes `m` (waiting for its holder),
 * holds it a while so that the holder's next lock waits, and releases it. */
static void *other_side(void *m)
{
	pthread_mutex_lock(m);
	nanosleep(&handover_pause, NULL);
	pthread_mutex_unlock(m);
	return NULL;
}

/* One contended hand-over each way of `m` by the calling thread, on each
 * CPU it may run on. */
static void contend_once_per_cpu(pthread_mutex_t *m)
{
	cpu_set_t all, one;
	pthread_t t;

	if (sched_getaffinity(0, sizeof(all), &all) != 0)
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
		pthread_mutex_lock(m);
		pthread_create(&t, NULL, other_side, m);
		nanosleep(&handover_pause, NULL); /* the other thread waits for m */
		pthread_mutex_unlock(m);           /* a release with a waiter */
		nanosleep(&handover_pause, NULL); /* it holds m now */
		pthread_mutex_lock(m);   /* a wait */
		pthread_mutex_unlock(m);
		pthread_join(t, NULL);
	}
	sched_setaffinity(0, sizeof(all), &all);
}

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
	if (argc > 3 && bench_arg(argc, argv, 3, 0) == 1) {
		pthread_mutex_t w = PTHREAD_MUTEX_INITIALIZER;

		contend_once_per_cpu(&w);
	}
	bench_run_threads(threads, loop, &c);
	snprintf(extra, sizeof(extra), "best_ns=%.3f", best < 0 ? 0 : best / CHUNK * 1e9);
	bench_report(&c, threads * pairs, extra);
	return 0;
}
