/* SPDX-License-Identifier: MIT */
/*
 * Two call chains, taken in turn, that differ in one frame only, far from
 * the lock call: the same functions at the same stack addresses otherwise.
 * One thread waits for a mutex through from_a or from_b (-> wait_mid ->
 * wait_site -> pthread_mutex_lock); the other holds the mutex until that
 * waiter has blocked, and releases it through release_a or release_b
 * (-> release_mid -> release_site -> pthread_mutex_unlock), both
 * alternating every round. A stack memo that answered for the wrong chain
 * would show in the profiles as waits or releases under the other one.
 *
 * Prints "waits_a N", "waits_b N", "releases_a N", "releases_b N".
 *
 * usage: twochains [rounds]
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int turn = -1, done = -1; /* rounds, atomically */

/* No inlining, no cloning, no merging of the twin functions: each stays a
 * frame of its own with its own return addresses. */
#define FRAME __attribute__((noinline, noipa))

static void wait_for(int *what, int round)
{
	while (__atomic_load_n(what, __ATOMIC_ACQUIRE) != round)
		;
}

static FRAME void wait_site(void)
{
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
}

static FRAME void wait_mid(void)
{
	wait_site();
	__asm__ volatile("" ::: "memory");
}

static FRAME void from_a(void)
{
	wait_mid();
	__asm__ volatile("" ::: "memory");
}

static FRAME void from_b(void)
{
	wait_mid();
	__asm__ volatile("" ::: "memory");
}

static FRAME void release_site(void)
{
	pthread_mutex_unlock(&m);
}

static FRAME void release_mid(void)
{
	release_site();
	__asm__ volatile("" ::: "memory");
}

static FRAME void release_a(void)
{
	release_mid();
	__asm__ volatile("" ::: "memory");
}

static FRAME void release_b(void)
{
	release_mid();
	__asm__ volatile("" ::: "memory");
}

static int rounds;

static void *waiter(void *arg)
{
	(void)arg;
	for (int r = 0; r < rounds; r++) {
		wait_for(&turn, r);
		if (r % 2)
			from_b();
		else
			from_a();
		__atomic_store_n(&done, r, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Has a thread blocked on the mutex? glibc's lock word of a normal mutex
 * is 2 once a waiter is about to sleep in the kernel. */
static int has_sleeper(void)
{
	return __atomic_load_n(&m.__data.__lock, __ATOMIC_ACQUIRE) == 2;
}

int main(int argc, char **argv)
{
	pthread_t t;

	rounds = argc > 1 ? atoi(argv[1]) : 400;
	if (rounds < 2 || pthread_create(&t, NULL, waiter, NULL) != 0)
		return 2;
	for (int r = 0; r < rounds; r++) {
		pthread_mutex_lock(&m);
		__atomic_store_n(&turn, r, __ATOMIC_RELEASE);
		while (!has_sleeper())
			sched_yield();
		if (r % 2)
			release_b();
		else
			release_a();
		wait_for(&done, r);
	}
	pthread_join(t, NULL);
	printf("waits_a %d\nwaits_b %d\nreleases_a %d\nreleases_b %d\n",
	       (rounds + 1) / 2, rounds / 2, (rounds + 1) / 2, rounds / 2);
	return 0;
}
