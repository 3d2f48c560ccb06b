/* SPDX-License-Identifier: MIT */
/*
 * Locks and semaphores shared between processes (issue 15): a parent maps
 * MAP_SHARED|MAP_ANONYMOUS memory with process-shared primitives and forks
 * a holder and a waiter. The waiter times its own waits; the holder's
 * releases must be charged them, in the holder's own mutex profile.
 *
 *   pshared locks   200 rounds: the holder holds the mutex 2 ms
 *                   (holder_unlock), then posts the semaphore 1 ms later
 *                   (holder_post); the waiter waits on both.
 *   pshared rwlock  the holder write-locks 2 ms (holder_rwunlock); the
 *                   waiter read-locks.
 *   pshared cond    the waiter waits on a shared condition variable; the
 *                   holder signals it, then waits for the mutex the waiter
 *                   holds 2 ms (waiter_unlock): the holder times that.
 *   pshared kill    as locks (mutex only), and once a third process waits
 *                   on the mutex and is killed (SIGKILL) mid-wait.
 *
 * Prints "holder PID", "waiter PID" and, per kind of wait, "waited KIND NS"
 * as the process that waited measured it ("waited victim 1": the victim
 * was seen blocked in its lock when it was killed).
 */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "progclock.h"

#define NOINLINE __attribute__((noinline, noipa))
#define ROUNDS 200
#define KILL_ROUND 20 /* when the victim waits */

struct shared {
	pthread_mutex_t m;
	sem_t s;
	pthread_rwlock_t rw;
	pthread_cond_t c;
	int ready;
	int step;        /* the holder's progress, read by the others */
	int done;        /* the waiter's */
	int victim_in;   /* the victim is about to wait */
	int go_on;       /* the victim is dead: the holder may release */
	long long waited_mutex, waited_sem, waited_rw, waited_cond;
};

static struct shared *sh;

/* Wait, without a profiled primitive, until *p >= v. */
static void await(int *p, int v)
{
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < v)
		sleep_us(20);
}

static void set(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* The release sites, each in a function of its own. */
static NOINLINE void holder_unlock(void) { pthread_mutex_unlock(&sh->m); }
static NOINLINE void holder_post(void) { sem_post(&sh->s); }
static NOINLINE void holder_rwunlock(void) { pthread_rwlock_unlock(&sh->rw); }
static NOINLINE void waiter_unlock(void) { pthread_mutex_unlock(&sh->m); }

static NOINLINE void hold_locks(int rounds, int kill_round)
{
	for (int i = 1; i <= rounds; i++) {
		pthread_mutex_lock(&sh->m);
		set(&sh->step, 2 * i - 1);
		if (i == kill_round) {
			/* The parent kills the victim waiting on m. */
			await(&sh->go_on, 1);
		}
		sleep_us(2000);
		holder_unlock();
		if (kill_round == 0) {
			sleep_us(1000);
			holder_post();
		}
		set(&sh->step, 2 * i);
		await(&sh->done, i);
	}
}

static NOINLINE void wait_locks(int rounds, int with_sem)
{
	for (int i = 1; i <= rounds; i++) {
		long long t0;

		await(&sh->step, 2 * i - 1);
		t0 = now_ns();
		pthread_mutex_lock(&sh->m);
		sh->waited_mutex += now_ns() - t0;
		pthread_mutex_unlock(&sh->m);
		if (with_sem) {
			t0 = now_ns();
			sem_wait(&sh->s);
			sh->waited_sem += now_ns() - t0;
		}
		set(&sh->done, i);
	}
}

static NOINLINE void hold_rwlock(void)
{
	for (int i = 1; i <= ROUNDS; i++) {
		pthread_rwlock_wrlock(&sh->rw);
		set(&sh->step, i);
		sleep_us(2000);
		holder_rwunlock();
		await(&sh->done, i);
	}
}

static NOINLINE void wait_rwlock(void)
{
	for (int i = 1; i <= ROUNDS; i++) {
		long long t0;

		await(&sh->step, i);
		t0 = now_ns();
		pthread_rwlock_rdlock(&sh->rw);
		sh->waited_rw += now_ns() - t0;
		pthread_rwlock_unlock(&sh->rw);
		set(&sh->done, i);
	}
}

/* The holder signals, then waits for the mutex the waiter holds. */
static NOINLINE void signal_cond(void)
{
	for (int i = 1; i <= ROUNDS; i++) {
		long long t0;

		await(&sh->done, 2 * i - 1); /* the waiter is in cond_wait */
		sleep_us(1000);
		pthread_mutex_lock(&sh->m);
		sh->ready = i;
		pthread_cond_signal(&sh->c);
		pthread_mutex_unlock(&sh->m);
		await(&sh->step, i); /* the waiter holds m again */
		t0 = now_ns();
		pthread_mutex_lock(&sh->m);
		sh->waited_mutex += now_ns() - t0;
		pthread_mutex_unlock(&sh->m);
		await(&sh->done, 2 * i);
	}
}

static NOINLINE void wait_cond(void)
{
	for (int i = 1; i <= ROUNDS; i++) {
		long long t0;

		pthread_mutex_lock(&sh->m);
		set(&sh->done, 2 * i - 1);
		t0 = now_ns();
		while (sh->ready < i)
			pthread_cond_wait(&sh->c, &sh->m);
		sh->waited_cond += now_ns() - t0;
		set(&sh->step, i);
		sleep_us(2000);
		waiter_unlock();
		set(&sh->done, 2 * i);
	}
}

static NOINLINE void victim(void)
{
	set(&sh->victim_in, 1);
	pthread_mutex_lock(&sh->m);
	_exit(3); /* never: killed while it waits */
}

/* Wait until `pid` sleeps in the futex call of its lock (it registered as
 * a waiter before): 1, or 0 when /proc did not show it within 2 s. */
static int await_blocked(pid_t pid)
{
	char path[64];
	long call;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 2000; i++) {
		FILE *f = fopen(path, "r");
		int got = f && fscanf(f, "%ld", &call) == 1;

		if (f)
			fclose(f);
		if (got && call == SYS_futex)
			return 1;
		sleep_us(1000);
	}
	return 0;
}

static void init_shared(void)
{
	pthread_mutexattr_t ma;
	pthread_rwlockattr_t ra;
	pthread_condattr_t ca;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		exit(2);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->m, &ma);
	sem_init(&sh->s, 1, 0);
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setpshared(&ra, PTHREAD_PROCESS_SHARED);
	pthread_rwlock_init(&sh->rw, &ra);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&sh->c, &ca);
}

static pid_t start(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		exit(0);
	}
	return pid;
}

static void hold_plain(void) { hold_locks(ROUNDS, 0); }
static void hold_past_victim(void) { hold_locks(ROUNDS, KILL_ROUND); }
static void wait_mutex_and_sem(void) { wait_locks(ROUNDS, 1); }
static void wait_mutex(void) { wait_locks(ROUNDS, 0); }

static const struct mode {
	const char *name;
	void (*holder)(void), (*waiter)(void);
} modes[] = {
	{ "locks", hold_plain, wait_mutex_and_sem },
	{ "rwlock", hold_rwlock, wait_rwlock },
	{ "cond", signal_cond, wait_cond },
	{ "kill", hold_past_victim, wait_mutex },
};

static void reap(pid_t pid, const char *what)
{
	int status;

	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s failed (status %d)\n", what, status);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const struct mode *mode = NULL;
	pid_t h, w;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (argc > 1 && strcmp(argv[1], modes[i].name) == 0)
			mode = &modes[i];
	if (!mode) {
		fprintf(stderr, "usage: pshared locks|rwlock|cond|kill\n");
		return 2;
	}
	init_shared();
	/* Fork once the profiler's own thread has started and gone idle:
	 * under ASan a child forked while another thread is in malloc
	 * deadlocks in ASan's allocator (docs/safety.md). */
	sleep_us(100000);
	h = start(mode->holder);
	w = start(mode->waiter);
	if (mode->holder == hold_past_victim) {
		pid_t v;
		int status, blocked;

		/* The holder holds m in that round, the waiter does not wait. */
		await(&sh->step, 2 * KILL_ROUND - 1);
		await(&sh->done, KILL_ROUND - 1);
		v = start(victim);
		await(&sh->victim_in, 1);
		blocked = await_blocked(v);
		kill(v, SIGKILL);
		waitpid(v, &status, 0);
		printf("victim %d\nwaited victim %d\n", (int)v, blocked);
		/* Longer than a lock's check interval (sharedstate.h). */
		sleep_us(30000);
		set(&sh->go_on, 1);
	}
	reap(h, "holder");
	reap(w, "waiter");
	printf("holder %d\nwaiter %d\n", (int)h, (int)w);
	printf("waited mutex %lld\nwaited sem %lld\nwaited rw %lld\nwaited cond %lld\n",
	       sh->waited_mutex, sh->waited_sem, sh->waited_rw, sh->waited_cond);
	return 0;
}
