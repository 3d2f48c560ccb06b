/* SPDX-License-Identifier: MIT */
/*
 * Linked with libearly, whose constructor already runs threads that lock;
 * this program's own constructor starts two more. main joins them all and
 * adds a contended phase of its own. Exits 0 when every count adds up.
 */
#include <pthread.h>

#include "safe.h"

long early_join(void);

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long shared;
static pthread_t ctor_threads[2];

__attribute__((noinline)) static void ctor_round(void)
{
	pthread_mutex_lock(&m);
	shared++;
	safe_spin_ns(1000);
	pthread_mutex_unlock(&m);
}

static void *ctor_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5000; i++)
		ctor_round();
	return NULL;
}

__attribute__((constructor)) static void start_from_constructor(void)
{
	for (int i = 0; i < 2; i++)
		PT(pthread_create(&ctor_threads[i], NULL, ctor_thread, NULL));
}

int main(void)
{
	long rounds = early_join();

	for (int i = 0; i < 2; i++)
		PT(pthread_join(ctor_threads[i], NULL));
	CHECK(shared == 10000);
	printf("early: %ld constructor rounds, %ld more\n", rounds, shared);
	return 0;
}
