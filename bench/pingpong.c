/*
 * Ping-pong between two threads, either through a condition variable (one
 * mutex, a turn variable) or through two semaphores. Every round trip is
 * two real waits: the block profile's path runs on each one, and with
 * semaphores the mutex profile's charge at each post too.
 *
 * usage: pingpong cond|sem [round-trips]
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

static long rounds;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turned = PTHREAD_COND_INITIALIZER;
static int turn;
static sem_t sems[2];

static void *cond_player(void *arg)
{
	int me = (int)(long)arg;

	for (long i = 0; i < rounds; i++) {
		pthread_mutex_lock(&m);
		while (turn != me)
			pthread_cond_wait(&turned, &m);
		turn = !me;
		pthread_cond_signal(&turned);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *sem_player(void *arg)
{
	int me = (int)(long)arg;

	for (long i = 0; i < rounds; i++) {
		sem_wait(&sems[me]);
		sem_post(&sems[!me]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int use_sem = argc > 1 && strcmp(argv[1], "sem") == 0;
	double secs;

	if (argc < 2 || (!use_sem && strcmp(argv[1], "cond") != 0)) {
		fprintf(stderr, "usage: pingpong cond|sem [round-trips]\n");
		return 2;
	}
	rounds = bench_arg(argc, argv, 2, 100000);
	sem_init(&sems[0], 0, 1);
	sem_init(&sems[1], 0, 0);
	secs = bench_run_threads(2, use_sem ? sem_player : cond_player);
	bench_report(secs, 2 * rounds, NULL);
	return 0;
}
