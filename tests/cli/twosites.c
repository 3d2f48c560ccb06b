/* SPDX-License-Identifier: MIT */
/*
 * Two lock sites with known waits, for the known-answer tests of diff and
 * check. Each round, a holder thread takes lock A for HOLD_A us while a
 * waiter blocks on it, then the same on lock B for HOLD_B us; rounds start
 * every PERIOD us whatever the holds, so runs last the same time and the
 * waits per second scale exactly with the hold times.
 *
 * At the end it prints the waits it measured itself, in ns:
 * "wait_on_a=N wait_on_b=N" (under load a sleep overshoots, and the waits
 * are then not exactly the holds less 100 us).
 *
 * usage: twosites HOLD_A_US HOLD_B_US ROUNDS PERIOD_US
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static atomic_int step; /* holder and waiter take turns through 0..4 */
static long rounds;
static long long waited_a, waited_b; /* ns, the waiter's own clock */

static void sleep_us(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&t, &t))
		;
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void await(int s)
{
	while (atomic_load(&step) != s)
		sleep_us(20);
}

static __attribute__((noinline)) void hold(pthread_mutex_t *m, int s,
					   long us)
{
	pthread_mutex_lock(m);
	atomic_store(&step, s);
	sleep_us(us);
	pthread_mutex_unlock(m);
}

static __attribute__((noinline)) void wait_on_a(void)
{
	pthread_mutex_lock(&lock_a);
	pthread_mutex_unlock(&lock_a);
}

static __attribute__((noinline)) void wait_on_b(void)
{
	pthread_mutex_lock(&lock_b);
	pthread_mutex_unlock(&lock_b);
}

static void *waiter(void *arg)
{
	long long t0;

	(void)arg;
	for (long i = 0; i < rounds; i++) {
		await(1);
		/* Let the holder's sleep start: the wait is then the hold. */
		sleep_us(100);
		t0 = now_ns();
		wait_on_a();
		waited_a += now_ns() - t0;
		atomic_store(&step, 2);
		await(3);
		sleep_us(100);
		t0 = now_ns();
		wait_on_b();
		waited_b += now_ns() - t0;
		atomic_store(&step, 4);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec next;
	pthread_t t;
	long hold_a, hold_b, period;

	if (argc != 5) {
		fprintf(stderr, "usage: twosites HOLD_A_US HOLD_B_US ROUNDS "
			"PERIOD_US\n");
		return 2;
	}
	hold_a = atol(argv[1]);
	hold_b = atol(argv[2]);
	rounds = atol(argv[3]);
	period = atol(argv[4]);
	pthread_create(&t, NULL, waiter, NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < rounds; i++) {
		hold(&lock_a, 1, hold_a);
		await(2);
		hold(&lock_b, 3, hold_b);
		await(4);
		atomic_store(&step, 0);
		next.tv_nsec += period * 1000;
		next.tv_sec += next.tv_nsec / 1000000000;
		next.tv_nsec %= 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	pthread_join(t, NULL);
	printf("wait_on_a=%lld wait_on_b=%lld\n", waited_a, waited_b);
	return 0;
}
