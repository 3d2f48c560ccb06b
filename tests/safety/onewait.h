/* SPDX-License-Identifier: MIT */
/* One wait for sure: a thread blocks on a mutex held here, seen asleep in
 * futex() before the mutex is released. */
#ifndef ONEWAIT_H
#define ONEWAIT_H

#include <pthread.h>

#include "procwait.h"
#include "safe.h"

static pthread_mutex_t onewait_lock = PTHREAD_MUTEX_INITIALIZER;

static void *onewait_waiter(void *arg)
{
	__atomic_store_n((int *)arg, safe_gettid(), __ATOMIC_RELEASE);
	pthread_mutex_lock(&onewait_lock);
	pthread_mutex_unlock(&onewait_lock);
	return NULL;
}

static inline void one_wait(void)
{
	pthread_t t;
	int tid = 0;

	pthread_mutex_lock(&onewait_lock);
	PT(pthread_create(&t, NULL, onewait_waiter, &tid));
	while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
		safe_sleep_ms(1);
	safe_wait_blocked(tid);
	pthread_mutex_unlock(&onewait_lock);
	PT(pthread_join(t, NULL));
}

#endif
