/* SPDX-License-Identifier: MIT */
/*
 * A service for the live tests: it runs until told to stop, and makes lock
 * contention on command, in functions the tests look for in the profiles.
 * Commands, one per line on stdin; each is answered by one line on stdout:
 *
 *	a MS / b MS   two threads fight over a mutex for MS ms in contend_a /
 *	              contend_b ("done a" / "done b")
 *	fork MS       a child contends MS ms in contend_child and exits
 *	              ("child N")
 *	detach        as daemon() does: fork, the parent exits, the child goes
 *	              on reading commands ("detached PID")
 *	own-usr2      install the service's own SIGUSR2 handler ("ok")
 *	own-term      install a SIGTERM handler that makes main return 0 ("ok")
 *	usr2-count    how many times that handler ran ("usr2 N")
 *	quit          exit normally
 *
 * "tick" answers how much work the service did so far ("tick N").
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t usr2_count, term_seen;
static long work;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void hold(void)
{
	struct timespec t = { 0, 200000 }; /* 200us held: waiters queue */
	nanosleep(&t, NULL);
	__atomic_add_fetch(&work, 1, __ATOMIC_RELAXED);
}

struct fight {
	long long until;
	void (*fn)(long long);
};

static __attribute__((noinline)) void contend_a(long long until)
{
	while (now_ms() < until) {
		pthread_mutex_lock(&lock);
		hold();
		pthread_mutex_unlock(&lock);
	}
}

static __attribute__((noinline)) void contend_b(long long until)
{
	while (now_ms() < until) {
		pthread_mutex_lock(&lock);
		hold();
		pthread_mutex_unlock(&lock);
	}
}

static __attribute__((noinline)) void contend_child(long long until)
{
	while (now_ms() < until) {
		pthread_mutex_lock(&lock);
		hold();
		pthread_mutex_unlock(&lock);
	}
}

static void *fighter(void *arg)
{
	struct fight *f = arg;
	f->fn(f->until);
	return NULL;
}

static void fight(void (*fn)(long long), long ms)
{
	struct fight f = { now_ms() + ms, fn };
	pthread_t th[3];

	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, fighter, &f);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_count++;
}

static void on_term(int sig)
{
	(void)sig;
	term_seen = 1;
}

int main(void)
{
	char line[256];
	long ms;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %ld\n", (long)getpid());
	while (!term_seen && fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "a %ld", &ms) == 1) {
			fight(contend_a, ms);
			printf("done a\n");
		} else if (sscanf(line, "b %ld", &ms) == 1) {
			fight(contend_b, ms);
			printf("done b\n");
		} else if (sscanf(line, "fork %ld", &ms) == 1) {
			pid_t pid = fork();
			if (pid == 0) {
				fight(contend_child, ms);
				exit(0);
			}
			waitpid(pid, NULL, 0);
			printf("child %ld\n", (long)pid);
		} else if (strcmp(line, "detach\n") == 0) {
			if (fork() > 0)
				_exit(0);
			printf("detached %ld\n", (long)getpid());
		} else if (strcmp(line, "own-usr2\n") == 0) {
			signal(SIGUSR2, on_usr2);
			printf("ok\n");
		} else if (strcmp(line, "own-term\n") == 0) {
			struct sigaction sa = { .sa_handler = on_term };
			sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: fgets returns */
			printf("ok\n");
		} else if (strcmp(line, "usr2-count\n") == 0) {
			printf("usr2 %d\n", (int)usr2_count);
		} else if (strcmp(line, "tick\n") == 0) {
			printf("tick %ld\n", __atomic_load_n(&work, __ATOMIC_RELAXED));
		} else if (strcmp(line, "quit\n") == 0) {
			break;
		}
	}
	printf("bye\n");
	return 0;
}
