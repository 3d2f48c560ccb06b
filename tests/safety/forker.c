/* SPDX-License-Identifier: MIT */
/*
 * Process life under the profiler.
 *
 * forker fork [n]: four threads hammer a mutex, an rwlock, a condvar and a
 * semaphore while main forks n children one after another. Each child
 * (one thread, every profiler table copied mid-update) starts two threads
 * of its own that contend in child_work, and exits normally: it must not
 * deadlock, and writes block.<pid>.pprof with its own samples only. Every
 * fifth child forks a grandchild that does the same.
 *
 * forker spawn EXE: the same hammering while children start through
 * vfork+exec, posix_spawn and fork+exec of "EXE child": processes that
 * load the library again from LD_PRELOAD.
 *
 * forker daemon: daemon() (the parent leaves with _exit), then the
 * daemon contends like a forked child and exits normally.
 *
 * Prints the pids of the children that must have written profiles.
 */
#include <pthread.h>
#include <semaphore.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procwait.h"
#include "safe.h"

extern char **environ;

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static sem_t sem;
static int stop;

__attribute__((noinline)) static void *hammer(void *arg)
{
	long i = 0;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		pthread_mutex_lock(&m);
		safe_spin_ns(1000);
		if (i % 32 == 0)
			pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&m);
		if (i % 4 == 0) {
			pthread_rwlock_wrlock(&rw);
			safe_spin_ns(500);
		} else {
			pthread_rwlock_rdlock(&rw);
		}
		pthread_rwlock_unlock(&rw);
		sem_wait(&sem);
		sem_post(&sem);
		i++;
	}
	return NULL;
}

static pthread_mutex_t child_lock = PTHREAD_MUTEX_INITIALIZER;
static long child_count;

/* With `arg` (where to put its tid): one round, for a sure wait. */
__attribute__((noinline)) static void *child_work(void *arg)
{
	if (arg)
		__atomic_store_n((int *)arg, safe_gettid(), __ATOMIC_RELEASE);
	for (int i = 0; i < (arg ? 1 : 2000); i++) {
		pthread_mutex_lock(&child_lock);
		child_count++;
		safe_spin_ns(2000);
		pthread_mutex_unlock(&child_lock);
	}
	return NULL;
}

static void contend_and_exit(void)
{
	pthread_t t[2];
	int tid = 0;

	/* Fresh locks: the parent's may have been held at fork. */
	pthread_mutex_init(&child_lock, NULL);
	child_count = 0;
	/* One wait for sure, whatever the scheduler does with the rest. */
	pthread_mutex_lock(&child_lock);
	PT(pthread_create(&t[0], NULL, child_work, &tid));
	while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
		safe_sleep_ms(1);
	safe_wait_blocked(tid);
	pthread_mutex_unlock(&child_lock);
	PT(pthread_join(t[0], NULL));
	for (int i = 0; i < 2; i++)
		PT(pthread_create(&t[i], NULL, child_work, NULL));
	for (int i = 0; i < 2; i++)
		PT(pthread_join(t[i], NULL));
	CHECK(child_count == 4001);
	exit(0);
}

static void reap(pid_t pid)
{
	int st;

	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void start_hammers(pthread_t *t, int n)
{
	CHECK(sem_init(&sem, 0, 1) == 0);
	for (int i = 0; i < n; i++)
		PT(pthread_create(&t[i], NULL, hammer, NULL));
	safe_sleep_ms(50);
}

static void stop_hammers(pthread_t *t, int n)
{
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < n; i++)
		PT(pthread_join(t[i], NULL));
}

static int forks(int n)
{
	pthread_t t[4];

	start_hammers(t, 4);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			if (i % 5 == 0) {
				pid_t g = fork();
				CHECK(g >= 0);
				if (g == 0)
					contend_and_exit();
				printf("child %ld\n", (long)g);
				fflush(stdout);
				reap(g);
			}
			contend_and_exit();
		}
		printf("child %ld\n", (long)pid);
		fflush(stdout);
		reap(pid);
	}
	stop_hammers(t, 4);
	return 0;
}

static int spawns(const char *exe)
{
	char *argv[] = { (char *)exe, "child", NULL };
	pthread_t t[4];
	pid_t pid;

	start_hammers(t, 4);
	for (int i = 0; i < 3; i++) {
		pid = vfork();
		CHECK(pid >= 0);
		if (pid == 0) {
			execve(exe, argv, environ);
			_exit(127);
		}
		printf("child %ld\n", (long)pid);
		reap(pid);
		PT(posix_spawn(&pid, exe, NULL, NULL, argv, environ));
		printf("child %ld\n", (long)pid);
		reap(pid);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			execve(exe, argv, environ);
			_exit(127);
		}
		printf("child %ld\n", (long)pid);
		reap(pid);
	}
	stop_hammers(t, 4);
	return 0;
}

static int daemonize(void)
{
	fflush(stdout);
	CHECK(daemon(1, 1) == 0);
	printf("child %ld\n", (long)getpid());
	fflush(stdout);
	contend_and_exit();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "fork") == 0)
		return forks(argc > 2 ? atoi(argv[2]) : 30);
	if (argc > 2 && strcmp(argv[1], "spawn") == 0)
		return spawns(argv[2]);
	if (argc > 1 && strcmp(argv[1], "daemon") == 0)
		return daemonize();
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		contend_and_exit();
	fprintf(stderr, "usage: forker fork [n] | spawn EXE | daemon | child\n");
	return 2;
}
