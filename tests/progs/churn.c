/* SPDX-License-Identifier: MIT */
/*
 * Thread churn: thousands of short-lived threads that contend on one mutex
 * and exit. Exiting threads run liburcu's thread-exit handler, which takes
 * liburcu's own mutexes: those waits belong to the profiler and must not
 * show in the profiles.
 *
 * usage: churn [threads] [at-once]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *short_life(void *arg)
{
	struct timespec hold = { 0, 20000 };
	(void)arg;
	pthread_mutex_lock(&lock);
	nanosleep(&hold, NULL);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	int total = argc > 1 ? atoi(argv[1]) : 2000;
	int at_once = argc > 2 ? atoi(argv[2]) : 8;
	pthread_t t[64];

	if (at_once < 1 || at_once > 64)
		return 2;
	for (int done = 0; done < total; done += at_once) {
		for (int i = 0; i < at_once; i++)
			pthread_create(&t[i], NULL, short_life, NULL);
		for (int i = 0; i < at_once; i++)
			pthread_join(t[i], NULL);
	}
	printf("%d threads\n", total);
	return 0;
}
