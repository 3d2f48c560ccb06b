/* SPDX-License-Identifier: MIT */
/*
 * A small service with real lock contention, for the demo and the docs.
 *
 * Worker threads serve "requests": each looks up a cache (rwlock, mostly
 * readers), updates an account balance under a global mutex (short hold),
 * and hands a log record to a logger thread through a queue (mutex +
 * condition variable). Every 20 requests one worker runs an "audit" that
 * holds the accounts mutex for a long time: that is the contention a
 * profiler should point at.
 *
 * usage: contention [threads] [requests-per-thread] [audit-hold-us]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ACCOUNTS 64
#define QUEUE_LEN 64

static pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;
static long balance[ACCOUNTS];

static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static int cache[256];

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_nonempty = PTHREAD_COND_INITIALIZER;
static int queue[QUEUE_LEN], queue_head, queue_len, done;

static long requests = 2000;
static long audit_hold_us = 2000;

static void spin_us(long us)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

static __attribute__((noinline)) int cache_lookup(int key)
{
	int v;
	pthread_rwlock_rdlock(&cache_lock);
	v = cache[key & 255];
	pthread_rwlock_unlock(&cache_lock);
	return v;
}

static __attribute__((noinline)) void cache_refresh(int key)
{
	pthread_rwlock_wrlock(&cache_lock);
	cache[key & 255]++;
	spin_us(50);
	pthread_rwlock_unlock(&cache_lock);
}

static __attribute__((noinline)) void transfer(int from, int to, long amount)
{
	pthread_mutex_lock(&accounts_lock);
	balance[from] -= amount;
	balance[to] += amount;
	spin_us(5);
	pthread_mutex_unlock(&accounts_lock);
}

static __attribute__((noinline)) void audit_all(void)
{
	long sum = 0;
	pthread_mutex_lock(&accounts_lock);
	for (int i = 0; i < ACCOUNTS; i++)
		sum += balance[i];
	spin_us(audit_hold_us); /* the slow part: holding the lock while auditing */
	pthread_mutex_unlock(&accounts_lock);
	if (sum != 0)
		fprintf(stderr, "audit: money was created (%ld)\n", sum);
}

static __attribute__((noinline)) void log_request(int id)
{
	pthread_mutex_lock(&queue_lock);
	if (queue_len < QUEUE_LEN) {
		queue[(queue_head + queue_len) % QUEUE_LEN] = id;
		queue_len++;
		pthread_cond_signal(&queue_nonempty);
	}
	pthread_mutex_unlock(&queue_lock);
}

static void *logger(void *arg)
{
	long written = 0;
	(void)arg;
	pthread_mutex_lock(&queue_lock);
	for (;;) {
		while (queue_len == 0 && !done)
			pthread_cond_wait(&queue_nonempty, &queue_lock);
		if (queue_len == 0 && done)
			break;
		queue_head = (queue_head + 1) % QUEUE_LEN;
		queue_len--;
		written++;
	}
	pthread_mutex_unlock(&queue_lock);
	return (void *)written;
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(long)arg;
	for (long i = 0; i < requests; i++) {
		int key = (int)(rand_r(&seed) % 1024);
		cache_lookup(key);
		if (i % 50 == 0)
			cache_refresh(key);
		transfer(key % ACCOUNTS, (key / 7) % ACCOUNTS, 1 + key % 10);
		if (i % 20 == 0)
			audit_all();
		log_request(key);
		spin_us(10); /* work outside any lock */
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t th[64], log_th;
	void *written;
	struct timespec t0, t1;

	if (argc > 2)
		requests = atol(argv[2]);
	if (argc > 3)
		audit_hold_us = atol(argv[3]);
	if (nthreads < 1 || nthreads > 64) {
		fprintf(stderr, "usage: contention [threads 1-64] [requests] [audit-hold-us]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&log_th, NULL, logger, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(long)(i + 1));
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&queue_lock);
	done = 1;
	pthread_cond_signal(&queue_nonempty);
	pthread_mutex_unlock(&queue_lock);
	pthread_join(log_th, &written);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%d workers served %ld requests in %.3f s (%ld log records)\n",
	       nthreads, nthreads * requests,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (long)written);
	return 0;
}
