/* SPDX-License-Identifier: MIT */
/*
 * A library whose constructor takes locks and starts threads that keep
 * locking: loaded before or after the profiler, its calls arrive before the
 * profiler's constructor and while the real functions are being resolved.
 * The threads run until early_join() (or the library's destructor).
 */
#include <pthread.h>
#include <semaphore.h>

#include "safe.h"

#define EARLY_THREADS 3
#define EARLY_ROUNDS 20000

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static sem_t sem;
static long counter, ticks;
static pthread_t threads[EARLY_THREADS];
static int joined;

__attribute__((noinline)) static void early_round(long i)
{
	struct timespec ts;

	pthread_mutex_lock(&m);
	counter++;
	if (i % 64 == 0) {
		/* a condvar wait with a short timeout: works only with the
		 * right (new-style) condvar functions */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&cv, &m, &ts);
	}
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
	pthread_rwlock_rdlock(&rw);
	pthread_rwlock_unlock(&rw);
	CHECK(sem_wait(&sem) == 0);
	ticks++;
	CHECK(sem_post(&sem) == 0);
}

static void *early_thread(void *arg)
{
	(void)arg;
	for (long i = 0; i < EARLY_ROUNDS; i++)
		early_round(i);
	return NULL;
}

__attribute__((constructor)) static void early_init(void)
{
	CHECK(sem_init(&sem, 0, 1) == 0);
	pthread_mutex_lock(&m);
	counter = 0;
	pthread_mutex_unlock(&m);
	for (int i = 0; i < EARLY_THREADS; i++)
		PT(pthread_create(&threads[i], NULL, early_thread, NULL));
}

/* Waits for the constructor's threads; returns the rounds they did. */
long early_join(void)
{
	if (!joined) {
		for (int i = 0; i < EARLY_THREADS; i++)
			PT(pthread_join(threads[i], NULL));
		joined = 1;
		CHECK(counter == (long)EARLY_THREADS * EARLY_ROUNDS);
		CHECK(ticks == counter);
	}
	return counter;
}

__attribute__((destructor)) static void early_fini(void)
{
	early_join();
}
