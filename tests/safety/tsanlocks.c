/* SPDX-License-Identifier: MIT */
/*
 * Built with -fsanitize=thread: threads share counters behind a rwlock
 * (readers and writers) and a mutex, contended. ThreadSanitizer knows
 * every lock the program takes only if the preloaded library's wrappers
 * reach its interceptors (a read lock tried through a call it does not
 * intercept would leave it reporting races on the counters). With "racy",
 * each thread also writes a counter without a lock before taking any:
 * ThreadSanitizer must say so, under the library as without it.
 *
 * usage: tsanlocks [racy]
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 20000

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long table[8], count, unguarded;
static int racy;

static void *worker(void *arg)
{
	long seen = 0;

	if (racy)
		unguarded++;
	for (long i = 0; i < ROUNDS; i++) {
		if ((i + (long)arg) % 8 == 0) {
			pthread_rwlock_wrlock(&table_lock);
			table[i & 7]++;
		} else {
			pthread_rwlock_rdlock(&table_lock);
			seen += table[i & 7];
		}
		pthread_rwlock_unlock(&table_lock);
		pthread_mutex_lock(&count_lock);
		count++;
		pthread_mutex_unlock(&count_lock);
	}
	return (void *)seen;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];

	racy = argc > 1 && strcmp(argv[1], "racy") == 0;
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("count %ld\n", count);
	return count == (long)THREADS * ROUNDS ? 0 : 1;
}
