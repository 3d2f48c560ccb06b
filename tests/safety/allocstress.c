/* SPDX-License-Identifier: MIT */
/*
 * Locks and allocation interleaved: under a preloaded jemalloc or tcmalloc
 * every malloc may take the allocator's own pthread mutex, through the
 * profiler's wrappers, while the profiler is busy on the same thread.
 * Threads allocate and free between contended mutex, rwlock, condvar and
 * semaphore operations, and allocate while holding the locks.
 *
 * usage: allocstress [threads] [iterations] [status]; prints the totals,
 * exits with `status` (default 0) when they add up.
 */
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#include "safe.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static sem_t tokens;
static long total, queued;
static long iterations = 20000;

static void *worker(void *arg)
{
	void *keep[16] = { 0 };
	unsigned seed = (unsigned)(uintptr_t)arg;

	for (long i = 0; i < iterations; i++) {
		int slot = (int)(rand_r(&seed) % 16);
		free(keep[slot]);
		keep[slot] = malloc(16 + rand_r(&seed) % 4096);
		CHECK(keep[slot]);
		memset(keep[slot], 1, 16);

		pthread_mutex_lock(&lock);
		void *inside = malloc(64); /* allocating under a profiled lock */
		total++;
		free(inside);
		pthread_mutex_unlock(&lock);

		if (i % 8 == 0) {
			pthread_rwlock_wrlock(&rw);
			safe_spin_ns(2000);
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			pthread_rwlock_unlock(&rw);
		}
		CHECK(sem_wait(&tokens) == 0);
		CHECK(sem_post(&tokens) == 0);

		pthread_mutex_lock(&qlock);
		queued++;
		pthread_cond_signal(&qcond);
		pthread_mutex_unlock(&qlock);
	}
	for (int s = 0; s < 16; s++)
		free(keep[s]);
	return NULL;
}

/* Consumes the queue with condvar waits until every worker's items came. */
static void *consumer(void *arg)
{
	long want = *(long *)arg, got = 0;

	pthread_mutex_lock(&qlock);
	while (got < want) {
		while (queued == 0)
			pthread_cond_wait(&qcond, &qlock);
		got += queued;
		queued = 0;
	}
	pthread_mutex_unlock(&qlock);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t[64], c;
	long want;

	if (argc > 2)
		iterations = atol(argv[2]);
	CHECK(n > 0 && n <= 64);
	CHECK(sem_init(&tokens, 0, 2) == 0);
	want = n * iterations;
	PT(pthread_create(&c, NULL, consumer, &want));
	for (int i = 0; i < n; i++)
		PT(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1)));
	for (int i = 0; i < n; i++)
		PT(pthread_join(t[i], NULL));
	PT(pthread_join(c, NULL));
	CHECK(total == want);
	printf("allocstress: %d threads, %ld locked updates\n", n, total);
	return argc > 3 ? atoi(argv[3]) : 0;
}
