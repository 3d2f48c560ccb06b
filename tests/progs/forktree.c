/* SPDX-License-Identifier: MIT */
/*
 * A process tree: the parent makes contention, forks a child that makes
 * its own (no exec), forks and execs itself for a third kind, then makes
 * more. Each kind of contention runs in threads of its own function, so the test can
 * tell whose samples ended up in which file. Prints "child PID" and
 * "exec PID" lines.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void busy_us(long us)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

/* Sleeping while holding the lock: the other thread surely waits. */
static void hammer(void)
{
	struct timespec hold = { 0, 200000 };
	for (int i = 0; i < 30; i++) {
		pthread_mutex_lock(&lock);
		nanosleep(&hold, NULL);
		pthread_mutex_unlock(&lock);
		busy_us(20);
	}
}

/* Thread entry points: each kind of contention under its own function. */
static NOINLINE void *parent_site(void *arg) { (void)arg; hammer(); return NULL; }
static NOINLINE void *child_site(void *arg) { (void)arg; hammer(); return NULL; }
static NOINLINE void *exec_site(void *arg) { (void)arg; hammer(); return NULL; }

static void contend(void *(*site)(void *))
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, site, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
	pid_t child, execd;
	int status;

	if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
		contend(exec_site);
		return 0;
	}
	contend(parent_site);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		contend(child_site);
		exit(0); /* exit handlers run: the child writes its profiles */
	}
	waitpid(child, &status, 0);
	printf("child %d %d\n", (int)child, WEXITSTATUS(status));
	fflush(stdout);
	execd = fork();
	if (execd == 0) {
		execl("/proc/self/exe", argv[0], "exec-child", (char *)NULL);
		_exit(127);
	}
	waitpid(execd, &status, 0);
	printf("exec %d %d\n", (int)execd, WEXITSTATUS(status));
	contend(parent_site);
	return 0;
}
