/* SPDX-License-Identifier: MIT */
/*
 * Many locks.
 *
 * scale wide [threads] [locks] [rounds]: 64 threads over 10,000 mutexes,
 * each round locking a random one, holding it briefly; every lock's
 * counter must add up (mutual exclusion kept).
 *
 * scale churn [locks]: one million heap-allocated mutexes created and
 * destroyed in batches of 1000; four threads lock each lock of a batch, a
 * tenth of them held long enough to be contended. Half of each batch is
 * freed without pthread_mutex_destroy, and alternate batches reuse the
 * freed memory or take fresh addresses, so the profiler sees both reused
 * and ever-new lock addresses.
 */
#include <pthread.h>
#include <string.h>

#include "safe.h"

struct counted {
	pthread_mutex_t m;
	long n;
};

static struct counted *locks;
static long nlocks, rounds;

static void *wide_worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	for (long i = 0; i < rounds; i++) {
		struct counted *c = &locks[rand_r(&seed) % nlocks];
		PT(pthread_mutex_lock(&c->m));
		c->n++;
		if (i % 16 == 0)
			safe_spin_ns(2000);
		PT(pthread_mutex_unlock(&c->m));
	}
	return NULL;
}

static int wide(int threads, long n, long r)
{
	pthread_t t[256];
	long sum = 0;

	CHECK(threads > 0 && threads <= 256);
	nlocks = n;
	rounds = r;
	locks = calloc((size_t)n, sizeof(*locks));
	CHECK(locks);
	for (long i = 0; i < n; i++)
		PT(pthread_mutex_init(&locks[i].m, NULL));
	for (int i = 0; i < threads; i++)
		PT(pthread_create(&t[i], NULL, wide_worker, (void *)(uintptr_t)(i + 1)));
	for (int i = 0; i < threads; i++)
		PT(pthread_join(t[i], NULL));
	for (long i = 0; i < n; i++) {
		sum += locks[i].n;
		PT(pthread_mutex_destroy(&locks[i].m));
	}
	CHECK(sum == threads * r);
	free(locks);
	printf("wide: %d threads, %ld locks, %ld lock rounds\n", threads, n, sum);
	return 0;
}

/* churn */
enum { BATCH = 1000, CHURNERS = 4 };
static struct counted *batch[BATCH];
static pthread_barrier_t start_batch, end_batch;
static int finished;

static void *churner(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	for (;;) {
		pthread_barrier_wait(&start_batch);
		if (__atomic_load_n(&finished, __ATOMIC_ACQUIRE))
			return NULL;
		/* Each thread walks the batch from its own offset. */
		long off = rand_r(&seed) % BATCH;
		for (long i = 0; i < BATCH; i++) {
			long k = (i + off) % BATCH;
			struct counted *c = batch[k];
			PT(pthread_mutex_lock(&c->m));
			c->n++;
			if (k % 10 == 0)
				safe_spin_ns(3000);
			PT(pthread_mutex_unlock(&c->m));
		}
		pthread_barrier_wait(&end_batch);
	}
}

static int churn(long total)
{
	pthread_t t[CHURNERS];
	/* Fresh addresses come from one large heap block, never reused. */
	size_t fresh_len = (size_t)(total / 2 + BATCH) * sizeof(struct counted);
	struct counted *fresh = malloc(fresh_len), *next_fresh = fresh;
	long created = 0, undestroyed = 0;

	CHECK(fresh);
	PT(pthread_barrier_init(&start_batch, NULL, CHURNERS + 1));
	PT(pthread_barrier_init(&end_batch, NULL, CHURNERS + 1));
	for (int i = 0; i < CHURNERS; i++)
		PT(pthread_create(&t[i], NULL, churner, (void *)(uintptr_t)(i + 1)));
	for (long b = 0; created < total; b++) {
		int reuse = b % 2 == 0;
		for (long i = 0; i < BATCH; i++) {
			struct counted *c = reuse ? malloc(sizeof(*c)) : next_fresh++;
			CHECK(c);
			/* Garbage where a lock was: the library must not care. */
			memset(c, 0xa5, sizeof(*c));
			PT(pthread_mutex_init(&c->m, NULL));
			c->n = 0;
			batch[i] = c;
		}
		created += BATCH;
		pthread_barrier_wait(&start_batch);
		pthread_barrier_wait(&end_batch);
		for (long i = 0; i < BATCH; i++) {
			CHECK(batch[i]->n == CHURNERS);
			if (i % 2)
				PT(pthread_mutex_destroy(&batch[i]->m));
			else
				undestroyed++;
			if (reuse)
				free(batch[i]);
		}
	}
	__atomic_store_n(&finished, 1, __ATOMIC_RELEASE);
	pthread_barrier_wait(&start_batch);
	for (int i = 0; i < CHURNERS; i++)
		PT(pthread_join(t[i], NULL));
	free(fresh);
	printf("churn: %ld locks created, %ld freed without destroy, %ld lock rounds\n",
	       created, undestroyed, created * CHURNERS);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "wide") == 0)
		return wide(argc > 2 ? atoi(argv[2]) : 64, argc > 3 ? atol(argv[3]) : 10000,
			    argc > 4 ? atol(argv[4]) : 20000);
	if (argc > 1 && strcmp(argv[1], "churn") == 0)
		return churn(argc > 2 ? atol(argv[2]) : 1000000);
	fprintf(stderr, "usage: scale wide [threads] [locks] [rounds] | churn [locks]\n");
	return 2;
}
