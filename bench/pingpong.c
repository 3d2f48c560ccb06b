/* SPDX-License-Identifier: MIT */
/*
 * Ping-pong between two threads, either through a condition variable (one
 * mutex, a turn variable) or through two semaphores. Every round trip is
 * two real waits: the block profile's path runs on each one, and with
 * semaphores the mutex profile's charge at each post too. Everything the
 * profiler does on a wake-up is on the critical path.
 *
 * Both threads run on one CPU unless "spread" is given: a wake-up across
 * CPUs of a virtual machine costs anything from 2 to 30 us from run to run,
 * which drowns the profiler's cost; on one CPU a hand-off is a steady
 * futex wake and context switch.
 *
 * usage: pingpong cond|sem [round-trips] [spread]
 */
#include <pthread.h>
#include <sched.h>
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
	struct bench_clock c;

	if (argc < 2 || (!use_sem && strcmp(argv[1], "cond") != 0)) {
		fprintf(stderr, "usage: pingpong cond|sem [round-trips] [spread]\n");
		return 2;
	}
	rounds = bench_arg(argc, argv, 2, 100000);
	if (argc < 4 || strcmp(argv[3], "spread") != 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(sched_getcpu(), &one);
		sched_setaffinity(0, sizeof(one), &one); /* threads inherit it */
	}
	sem_init(&sems[0], 0, 1);
	sem_init(&sems[1], 0, 0);
	bench_run_threads(2, use_sem ? sem_player : cond_player, &c);
	bench_report(&c, 2 * rounds, NULL);
	return 0;
}
