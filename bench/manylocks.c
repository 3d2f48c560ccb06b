/* SPDX-License-Identifier: MIT */
/*
 * Many locks and deep stacks under contention: threads lock one of a small
 * window of mutexes, from the bottom of a deep call chain; the window slides
 * over all the locks as the run goes, so every lock gets waiters and its own
 * wait state. What this stresses: the per-lock state table at its size, and
 * stack capture and hashing at full depth.
 *
 * usage: manylocks [threads] [ops-per-thread] [locks] [depth]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

#define WINDOW 8          /* locks in play at once: some collide */
#define OPS_PER_WINDOW 64 /* then the window moves on */

static pthread_mutex_t *locks;
static long ops, nlocks, depth;
static unsigned long tick;

static void locked_op(unsigned *seed)
{
	unsigned long t = __atomic_fetch_add(&tick, 1, __ATOMIC_RELAXED);
	long i = (long)((t / OPS_PER_WINDOW * 7919 + (unsigned long)rand_r(seed) % WINDOW)
			% (unsigned long)nlocks);

	pthread_mutex_lock(&locks[i]);
	bench_work(30);
	pthread_mutex_unlock(&locks[i]);
}

static __attribute__((noinline)) void descend(long level, unsigned *seed)
{
	if (level <= 1) {
		locked_op(seed);
		return;
	}
	descend(level - 1, seed);
	/* Something after the call: no tail call, every level is a frame. */
	__asm__ volatile("" ::: "memory");
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(long)arg + 1;

	for (long i = 0; i < ops; i++) {
		descend(depth, &seed);
		bench_work(100);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = (int)bench_arg(argc, argv, 1, 4);
	struct bench_clock c;

	ops = bench_arg(argc, argv, 2, 300000);
	nlocks = bench_arg(argc, argv, 3, 10000);
	depth = bench_arg(argc, argv, 4, 60);
	locks = malloc((size_t)nlocks * sizeof(*locks));
	if (!locks) {
		perror("malloc");
		return 1;
	}
	for (long i = 0; i < nlocks; i++)
		pthread_mutex_init(&locks[i], NULL);
	bench_run_threads(threads, worker, &c);
	bench_report(&c, threads * ops, NULL);
	return 0;
}
