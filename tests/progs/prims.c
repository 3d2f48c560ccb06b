/* SPDX-License-Identifier: MIT */
/*
 * One contended call of every blocking primitive lockprof profiles, each
 * from a function named call_<primitive>, and the releases that end them
 * from release_mutex, release_rwlock and post_sem: the leaf frames of both
 * profiles (tests/integration/test_leaf.py).
 *
 * For each primitive a helper thread takes the object (or, for a
 * semaphore or condition variable, is about to post or signal), says so,
 * waits 2 ms and releases; the main thread, told, makes the call.
 * usage: prims
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "progclock.h"

#define NOINLINE __attribute__((noinline))
#define HOLD_US 2000

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t sem;
static int held, predicate;

enum object { MUTEX, RWLOCK_READ, RWLOCK_WRITE, SEM, COND };

/* A deadline 10 s away on `clock`. */
static const struct timespec *in_10s(clockid_t clock)
{
	static struct timespec ts;

	clock_gettime(clock, &ts);
	ts.tv_sec += 10;
	return &ts;
}

static void check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "%s failed: %d\n", what, rc);
		exit(1);
	}
}

static NOINLINE void release_mutex(void)
{
	pthread_mutex_unlock(&mutex);
}

static NOINLINE void release_rwlock(void)
{
	pthread_rwlock_unlock(&rwlock);
}

static NOINLINE void post_sem(void)
{
	sem_post(&sem);
}

/* The helper: hold the object that the main thread's call waits for. */
static void *hold(void *arg)
{
	enum object o = (enum object)(long)arg;

	switch (o) {
	case MUTEX:
		pthread_mutex_lock(&mutex);
		break;
	case RWLOCK_READ: /* a reader waits for a writer */
		pthread_rwlock_wrlock(&rwlock);
		break;
	case RWLOCK_WRITE:
		pthread_rwlock_rdlock(&rwlock);
		break;
	case SEM:
	case COND:
		break;
	}
	__atomic_store_n(&held, 1, __ATOMIC_RELEASE);
	sleep_us(HOLD_US);
	switch (o) {
	case MUTEX:
		release_mutex();
		break;
	case RWLOCK_READ:
	case RWLOCK_WRITE:
		release_rwlock();
		break;
	case SEM:
		post_sem();
		break;
	case COND:
		pthread_mutex_lock(&mutex);
		predicate = 1;
		pthread_cond_signal(&cond);
		pthread_mutex_unlock(&mutex);
		break;
	}
	return NULL;
}

#define CALL(name, ...)                                          \
	static NOINLINE int call_##name(void)                    \
	{                                                        \
		return __VA_ARGS__;                              \
	}

CALL(pthread_mutex_lock, pthread_mutex_lock(&mutex))
CALL(pthread_mutex_timedlock,
     pthread_mutex_timedlock(&mutex, in_10s(CLOCK_REALTIME)))
CALL(pthread_mutex_clocklock,
     pthread_mutex_clocklock(&mutex, CLOCK_MONOTONIC,
			     in_10s(CLOCK_MONOTONIC)))
CALL(pthread_rwlock_rdlock, pthread_rwlock_rdlock(&rwlock))
CALL(pthread_rwlock_timedrdlock,
     pthread_rwlock_timedrdlock(&rwlock, in_10s(CLOCK_REALTIME)))
CALL(pthread_rwlock_clockrdlock,
     pthread_rwlock_clockrdlock(&rwlock, CLOCK_MONOTONIC,
				in_10s(CLOCK_MONOTONIC)))
CALL(pthread_rwlock_wrlock, pthread_rwlock_wrlock(&rwlock))
CALL(pthread_rwlock_timedwrlock,
     pthread_rwlock_timedwrlock(&rwlock, in_10s(CLOCK_REALTIME)))
CALL(pthread_rwlock_clockwrlock,
     pthread_rwlock_clockwrlock(&rwlock, CLOCK_MONOTONIC,
				in_10s(CLOCK_MONOTONIC)))
CALL(sem_wait, sem_wait(&sem))
CALL(sem_timedwait, sem_timedwait(&sem, in_10s(CLOCK_REALTIME)))
CALL(sem_clockwait,
     sem_clockwait(&sem, CLOCK_MONOTONIC, in_10s(CLOCK_MONOTONIC)))
CALL(pthread_cond_wait, pthread_cond_wait(&cond, &mutex))
CALL(pthread_cond_timedwait,
     pthread_cond_timedwait(&cond, &mutex, in_10s(CLOCK_REALTIME)))
CALL(pthread_cond_clockwait,
     pthread_cond_clockwait(&cond, &mutex, CLOCK_MONOTONIC,
			    in_10s(CLOCK_MONOTONIC)))

static const struct {
	const char *name;
	enum object object;
	int (*call)(void);
} calls[] = {
#define ENTRY(name, object) { #name, object, call_##name }
	ENTRY(pthread_mutex_lock, MUTEX),
	ENTRY(pthread_mutex_timedlock, MUTEX),
	ENTRY(pthread_mutex_clocklock, MUTEX),
	ENTRY(pthread_rwlock_rdlock, RWLOCK_READ),
	ENTRY(pthread_rwlock_timedrdlock, RWLOCK_READ),
	ENTRY(pthread_rwlock_clockrdlock, RWLOCK_READ),
	ENTRY(pthread_rwlock_wrlock, RWLOCK_WRITE),
	ENTRY(pthread_rwlock_timedwrlock, RWLOCK_WRITE),
	ENTRY(pthread_rwlock_clockwrlock, RWLOCK_WRITE),
	ENTRY(sem_wait, SEM),
	ENTRY(sem_timedwait, SEM),
	ENTRY(sem_clockwait, SEM),
	ENTRY(pthread_cond_wait, COND),
	ENTRY(pthread_cond_timedwait, COND),
	ENTRY(pthread_cond_clockwait, COND),
};

int main(void)
{
	check(sem_init(&sem, 0, 0), "sem_init");
	for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++) {
		pthread_t t;

		held = predicate = 0;
		if (calls[i].object == COND)
			pthread_mutex_lock(&mutex);
		check(pthread_create(&t, NULL, hold, (void *)(long)calls[i].object),
		      "pthread_create");
		while (!__atomic_load_n(&held, __ATOMIC_ACQUIRE))
			sleep_us(50);
		if (calls[i].object == COND) {
			while (!predicate)
				check(calls[i].call(), calls[i].name);
			pthread_mutex_unlock(&mutex);
		} else {
			check(calls[i].call(), calls[i].name);
			if (calls[i].object == MUTEX)
				pthread_mutex_unlock(&mutex);
			else if (calls[i].object != SEM)
				pthread_rwlock_unlock(&rwlock);
		}
		pthread_join(t, NULL);
		printf("%s\n", calls[i].name);
	}
	return 0;
}
