/* SPDX-License-Identifier: MIT */
/*
 * A lock that every thread fights for: THREADS threads take one mutex
 * ROUNDS times each, with a short critical section and as short a pause
 * between, so that most releases find a waiter, millions a second (what
 * the mutex profile's rate limit is for: src/record/mutexrate.h).
 *
 * usage: hotlock [threads] [rounds]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long rounds;
static volatile unsigned long counter;

static void work(int steps)
{
	for (volatile int i = 0; i < steps; i++)
		;
}

static void *fight(void *arg)
{
	(void)arg;
	for (long i = 0; i < rounds; i++) {
		pthread_mutex_lock(&m);
		counter++;
		work(20);
		pthread_mutex_unlock(&m);
		work(20);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 2;
	pthread_t t[64];

	rounds = argc > 2 ? atol(argv[2]) : 200000;
	if (threads < 1 || threads > 64)
		return 2;
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, fight, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("%lu\n", counter);
	return 0;
}
