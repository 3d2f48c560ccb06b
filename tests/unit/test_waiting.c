/* SPDX-License-Identifier: MIT */
/*
 * The waits in progress (src/record/waiting.c): a wait is seen with what
 * its thread published, and its stack once taken; it is gone when it ends
 * and when its thread waits again (another wait); a reader never takes a
 * torn record while a thread publishes wait after wait; threads that come
 * and go reuse the slots of those that exited.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "record/waiting.h"
#include "unit.h"

static size_t count(void)
{
	struct lp_wait_now *w;
	size_t n;

	if (lp_waiting_snapshot(&w, &n) != 0)
		return (size_t)-1;
	free(w);
	return n;
}

static void one_wait(void)
{
	static const uintptr_t pcs[3] = { 0x1000, 0x2000, 0x3000 };
	struct lp_wait_now *w, *w2;
	size_t n;
	int lock;

	lp_waiting_begin(&lock, LP_PRIM_MUTEX_LOCK, 1234, NULL, -1, 0);
	EXPECT(lp_waiting_snapshot(&w, &n) == 0 && n == 1);
	EXPECT(w[0].obj == (uintptr_t)&lock && w[0].prim == LP_PRIM_MUTEX_LOCK);
	EXPECT(w[0].start == 1234 && w[0].npcs == 0);
	EXPECT(w[0].tid == (int)syscall(SYS_gettid));
	EXPECT(lp_waiting_still(&w[0]));
	lp_waiting_stack(pcs, 3, 1);
	EXPECT(lp_waiting_snapshot(&w2, &n) == 0 && n == 1);
	EXPECT(w2[0].npcs == 3 && w2[0].pcs[2] == 0x3000 && w2[0].truncated == 1);
	EXPECT(lp_waiting_still(&w[0])); /* the same wait, with its stack */
	lp_waiting_end();
	EXPECT(!lp_waiting_still(&w[0]) && count() == 0);
	lp_waiting_begin(&lock, LP_PRIM_SEM_WAIT, 99, pcs, 2, 0);
	EXPECT(!lp_waiting_still(&w[0])); /* another wait */
	lp_waiting_end();
	free(w);
	free(w2);
}

/* A thread publishing waits whose fields agree: start == obj == prim. */
static int stop;

static void *publisher(void *arg)
{
	uintptr_t pcs[8];

	(void)arg;
	for (uintptr_t i = 1; !__atomic_load_n(&stop, __ATOMIC_RELAXED); i++) {
		for (int k = 0; k < 8; k++)
			pcs[k] = i;
		lp_waiting_begin((void *)i, (enum lp_primitive)(i % 3), (int64_t)i, pcs,
				 (int)(i % 9), 0);
		if (i % 2)
			lp_waiting_stack(pcs, 8, 0);
		/* a while in the wait, for the reader to see it */
		for (volatile int k = 0; k < 200; k++)
			;
		lp_waiting_end();
	}
	return NULL;
}

static void never_torn(void)
{
	pthread_t t;
	int torn = 0, seen = 0;

	pthread_create(&t, NULL, publisher, NULL);
	/* 2000 waits read, or two million reads (a loaded machine may seldom
	 * run both threads at once) */
	for (int r = 0; r < 2000000 && seen < 2000; r++) {
		struct lp_wait_now *w;
		size_t n;

		if (lp_waiting_snapshot(&w, &n) != 0)
			break;
		for (size_t i = 0; i < n; i++) {
			seen++;
			if (w[i].obj != (uintptr_t)w[i].start ||
			    w[i].prim != (enum lp_primitive)(w[i].obj % 3))
				torn++;
			for (int k = 0; k < w[i].npcs; k++)
				if (w[i].pcs[k] != w[i].obj)
					torn++;
		}
		free(w);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	printf("%d waits read, %d torn\n", seen, torn);
	EXPECT(seen > 0 && torn == 0);
	EXPECT(count() == 0);
}

/* A thread that waits until told, and the slot its wait was seen in. */
static void *hold_wait(void *arg)
{
	int *go_on = arg;

	lp_waiting_begin(arg, LP_PRIM_MUTEX_LOCK, 1, NULL, -1, 0);
	while (__atomic_load_n(go_on, __ATOMIC_ACQUIRE))
		usleep(1000);
	lp_waiting_end();
	return NULL;
}

static const void *slot_of_next_thread(void)
{
	struct lp_wait_now *w = NULL;
	const void *slot = NULL;
	int go_on = 1;
	pthread_t t;
	size_t n = 0;

	pthread_create(&t, NULL, hold_wait, &go_on);
	while (n == 0) {
		free(w);
		if (lp_waiting_snapshot(&w, &n) != 0)
			break;
		usleep(1000);
	}
	if (n == 1)
		slot = w[0].slot;
	free(w);
	__atomic_store_n(&go_on, 0, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	return slot;
}

/* Threads that exit give their slots back: 50 threads one after another
 * all wait in the same slot. */
static void slots_reused(void)
{
	const void *first = slot_of_next_thread();
	int same = 0;

	for (int i = 0; i < 50; i++)
		same += slot_of_next_thread() == first;
	EXPECT(first != NULL && same == 50);
	EXPECT(count() == 0);
}

int main(void)
{
	EXPECT(lp_waiting_init() == 0);
	one_wait();
	never_torn();
	slots_reused();
	return unit_summary();
}
