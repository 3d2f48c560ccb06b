/* SPDX-License-Identifier: MIT */
/*
 * A program that hangs in every way the hang view shows (tests/live/
 * test_hang.py): an ABBA deadlock of "abba-1" and "abba-2" on lock_a and
 * lock_b; "cond-waiter" on a condition variable nobody signals;
 * "sem-waiter" on a semaphore nobody posts; "behind-sleeper" on
 * sleepy_lock, held by "sleeper", which sleeps; "rw-writer" holding
 * rw_lock for writing while "rw-reader-1" and "rw-reader-2" wait to read.
 *
 * It prints "ready PID", then, for each thread, "thread NAME TID" (a
 * waiter's once it is about to block), and "all blocked" when every waiter
 * is. Run with "short": every thread waits
 * 100 ms at most (the holders release), and the program exits 0.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sleepy_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_signalled = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw_lock = PTHREAD_RWLOCK_INITIALIZER;
static sem_t never_posted;

static pthread_barrier_t abba_both, holders_hold;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int hold_ms = -1; /* how long holders hold; -1: forever */
static int blocked;

/* Name the thread and say its tid; `blocking`: it is about to block. */
static void say(const char *name, int blocking)
{
	pthread_setname_np(pthread_self(), name);
	pthread_mutex_lock(&out_lock);
	printf("thread %s %ld\n", name, (long)syscall(SYS_gettid));
	fflush(stdout);
	blocked += blocking;
	pthread_mutex_unlock(&out_lock);
}

static void say_blocking(const char *name)
{
	say(name, 1);
}

static void hold(void)
{
	if (hold_ms < 0)
		for (;;)
			pause();
	usleep((useconds_t)hold_ms * 1000);
}

static void *abba(void *arg)
{
	int first = arg != NULL;
	pthread_mutex_t *mine = first ? &lock_a : &lock_b;
	pthread_mutex_t *theirs = first ? &lock_b : &lock_a;

	pthread_mutex_lock(mine);
	pthread_barrier_wait(&abba_both);
	say_blocking(first ? "abba-1" : "abba-2");
	if (hold_ms >= 0 && !first) {
		/* short: the second backs off, so that the first goes on */
		pthread_mutex_unlock(mine);
		usleep((useconds_t)hold_ms * 1000);
		pthread_mutex_lock(theirs);
		pthread_mutex_unlock(theirs);
		return NULL;
	}
	pthread_mutex_lock(theirs);
	pthread_mutex_unlock(theirs);
	pthread_mutex_unlock(mine);
	return NULL;
}

static void *cond_waiter(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&cond_lock);
	say_blocking("cond-waiter");
	if (hold_ms < 0) {
		pthread_cond_wait(&never_signalled, &cond_lock);
	} else {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += hold_ms * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&never_signalled, &cond_lock, &until);
	}
	pthread_mutex_unlock(&cond_lock);
	return NULL;
}

static void *sem_waiter(void *arg)
{
	(void)arg;
	say_blocking("sem-waiter");
	sem_wait(&never_posted);
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	say("sleeper", 0);
	pthread_mutex_lock(&sleepy_lock);
	pthread_barrier_wait(&holders_hold);
	hold();
	pthread_mutex_unlock(&sleepy_lock);
	return NULL;
}

static void *behind_sleeper(void *arg)
{
	(void)arg;
	say_blocking("behind-sleeper");
	pthread_mutex_lock(&sleepy_lock);
	pthread_mutex_unlock(&sleepy_lock);
	return NULL;
}

static void *rw_writer(void *arg)
{
	(void)arg;
	say("rw-writer", 0);
	pthread_rwlock_wrlock(&rw_lock);
	pthread_barrier_wait(&holders_hold);
	hold();
	pthread_rwlock_unlock(&rw_lock);
	return NULL;
}

static void *rw_reader(void *arg)
{
	say_blocking(arg);
	pthread_rwlock_rdlock(&rw_lock);
	pthread_rwlock_unlock(&rw_lock);
	return NULL;
}

/* ---- "short": lock waits longer than the hang view's 20 ms cut ---- */

static pthread_mutex_t held_lock;
static pthread_rwlock_t read_held;
static pthread_barrier_t taken; /* the holder holds: the main thread waits */
static int held_ms, dies;

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&held_lock);
	pthread_barrier_wait(&taken);
	usleep((useconds_t)held_ms * 1000);
	if (!dies)
		pthread_mutex_unlock(&held_lock);
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	pthread_rwlock_rdlock(&read_held);
	pthread_barrier_wait(&taken);
	usleep(300000);
	pthread_rwlock_unlock(&read_held);
	return NULL;
}

static struct timespec in_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

/* Lock `held_lock` of this kind while a thread holds it `ms` (and, with
 * `die`, exits holding it); `timeout_ms` > 0: a timed lock. */
static void wait_behind(const char *what, int kind, int protocol, int robust, int ms,
			int die, int timeout_ms)
{
	pthread_mutexattr_t a;
	pthread_t t;
	struct timespec until;
	int rc;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, kind);
	pthread_mutexattr_setprotocol(&a, protocol);
	pthread_mutexattr_setrobust(&a, robust);
	pthread_mutex_init(&held_lock, &a);
	held_ms = ms;
	dies = die;
	pthread_create(&t, NULL, holder, NULL);
	pthread_barrier_wait(&taken);
	until = in_ms(timeout_ms);
	rc = timeout_ms > 0 ? pthread_mutex_timedlock(&held_lock, &until) :
			      pthread_mutex_lock(&held_lock);
	printf("%s: %s\n", what, strerror(rc));
	if (rc == EOWNERDEAD)
		pthread_mutex_consistent(&held_lock);
	if (rc == 0 || rc == EOWNERDEAD) {
		if (kind == PTHREAD_MUTEX_ERRORCHECK)
			printf("%s, locked again: %s\n", what,
			       strerror(pthread_mutex_lock(&held_lock)));
		pthread_mutex_unlock(&held_lock);
	}
	pthread_join(t, NULL);
	pthread_mutex_destroy(&held_lock);
	pthread_mutexattr_destroy(&a);
}

static void long_lock_waits(void)
{
	pthread_t t;
	struct timespec until;

	pthread_barrier_init(&taken, NULL, 2);
	wait_behind("robust, owner died", PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_NONE,
		    PTHREAD_MUTEX_ROBUST, 60, 1, 0);
	wait_behind("priority inheritance", PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_INHERIT,
		    PTHREAD_MUTEX_STALLED, 60, 0, 0);
	wait_behind("error-checking", PTHREAD_MUTEX_ERRORCHECK, PTHREAD_PRIO_NONE,
		    PTHREAD_MUTEX_STALLED, 60, 0, 0);
	wait_behind("timed out", PTHREAD_MUTEX_NORMAL, PTHREAD_PRIO_NONE,
		    PTHREAD_MUTEX_STALLED, 300, 0, 100);
	pthread_rwlock_init(&read_held, NULL);
	pthread_create(&t, NULL, reader, NULL);
	pthread_barrier_wait(&taken);
	until = in_ms(100);
	printf("write lock timed out: %s\n",
	       strerror(pthread_rwlock_timedwrlock(&read_held, &until)));
	pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
	pthread_t th[10];
	int n = 0;

	if (argc > 1 && strcmp(argv[1], "short") == 0)
		hold_ms = 100;
	sem_init(&never_posted, 0, 0);
	pthread_barrier_init(&abba_both, NULL, 2);
	pthread_barrier_init(&holders_hold, NULL, 3);
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	pthread_create(&th[n++], NULL, sleeper, NULL);
	pthread_create(&th[n++], NULL, rw_writer, NULL);
	pthread_barrier_wait(&holders_hold);
	pthread_create(&th[n++], NULL, abba, "1");
	pthread_create(&th[n++], NULL, abba, NULL);
	pthread_create(&th[n++], NULL, cond_waiter, NULL);
	pthread_create(&th[n++], NULL, sem_waiter, NULL);
	pthread_create(&th[n++], NULL, behind_sleeper, NULL);
	pthread_create(&th[n++], NULL, rw_reader, "rw-reader-1");
	pthread_create(&th[n++], NULL, rw_reader, "rw-reader-2");
	for (;;) {
		int all;

		pthread_mutex_lock(&out_lock);
		all = blocked == 7;
		pthread_mutex_unlock(&out_lock);
		if (all)
			break;
		usleep(1000);
	}
	puts("all blocked");
	fflush(stdout);
	if (argc > 2 && strcmp(argv[1], "api") == 0) {
		int (*dump)(int, int) = (int (*)(int, int))dlsym(RTLD_DEFAULT,
								 "lockprof_dump_waiting");
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);

		sleep(1); /* well past the 20 ms after which lock waiters walk */
		printf("api %d\n", dump && fd >= 0 ? dump(fd, 1) : -2);
		fflush(stdout);
		close(fd);
	}
	if (hold_ms >= 0)
		sem_post(&never_posted);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	if (hold_ms >= 0)
		long_lock_waits();
	puts("done");
	return 0;
}
