/* SPDX-License-Identifier: MIT */
/*
 * Distinct contended stacks, then both profiles written: the cost of a
 * large dump, and the memory the profiler holds for that many stacks.
 *
 * Two threads meet once per stack id. The holder takes the mutex, walks a
 * call path chosen by the id's bits and, at its end, waits until the waiter
 * has walked the same path and is about to lock, holds a little longer and
 * unlocks. So each id gives one distinct waiter stack (block profile) and
 * one distinct releaser stack (mutex profile).
 *
 * When the program runs under the profiler (lockprof_dump resolves), it
 * times lockprof_dump of both profiles into `dir`.
 *
 * usage: stacks [ids] [hold-us] [dir]
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "common.h"
#include "lockprof.h"

/* Natively nothing defines it: the program then skips the dump. */
#pragma weak lockprof_dump

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long ids, hold_us;
static int levels;
static long held = -1, at_leaf = -1, done = -1; /* ids, atomically */

static void wait_for(long *what, long id)
{
	while (__atomic_load_n(what, __ATOMIC_ACQUIRE) != id)
		;
}

static void hold_then_unlock(long id)
{
	double until;

	wait_for(&at_leaf, id);
	until = bench_now() + (double)hold_us / 1e6;
	while (bench_now() < until)
		;
	pthread_mutex_unlock(&m);
}

static void lock_and_release(long id)
{
	__atomic_store_n(&at_leaf, id, __ATOMIC_RELEASE);
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
}

/* Two call sites per level, distinct return addresses: the id's bits pick
 * the path. The asm after each call keeps both calls (no tail call, no
 * merging of the two branches). */
static __attribute__((noinline)) void walk(long id, long bits, int level,
					   void (*leaf)(long))
{
	if (level == 0) {
		leaf(id);
		return;
	}
	if (bits & 1) {
		walk(id, bits >> 1, level - 1, leaf);
		__asm__ volatile("# one" ::: "memory");
	} else {
		walk(id, bits >> 1, level - 1, leaf);
		__asm__ volatile("# zero" ::: "memory");
	}
}

static void *player(void *arg)
{
	int holder = arg == NULL;

	for (long id = 0; id < ids; id++) {
		if (holder) {
			pthread_mutex_lock(&m);
			__atomic_store_n(&held, id, __ATOMIC_RELEASE);
			walk(id, id, levels, hold_then_unlock);
			wait_for(&done, id);
		} else {
			wait_for(&held, id);
			walk(id, id, levels, lock_and_release);
			__atomic_store_n(&done, id, __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 3 ? argv[3] : ".";
	char block[4096], mutex[4096], extra[64] = "";
	struct bench_clock c;
	double t0;

	ids = bench_arg(argc, argv, 1, 10000);
	hold_us = bench_arg(argc, argv, 2, 20);
	while ((1l << levels) < ids)
		levels++;
	bench_run_threads(2, player, &c);
	if (lockprof_dump) {
		snprintf(block, sizeof(block), "%s/bench-block.pb.gz", dir);
		snprintf(mutex, sizeof(mutex), "%s/bench-mutex.pb.gz", dir);
		t0 = bench_now();
		if (lockprof_dump(block, mutex) != 0) {
			perror("lockprof_dump");
			return 1;
		}
		snprintf(extra, sizeof(extra), "dump_ms=%.3f", (bench_now() - t0) * 1e3);
	}
	bench_report(&c, ids, extra);
	return 0;
}
