/* SPDX-License-Identifier: MIT */
/*
 * Which release of a rwlock wakes its waiters, timed by the program:
 *
 *   readers first: three readers hold the lock, a writer waits, and the
 *     readers release it one by one, 1 ms apart (release_first,
 *     release_second, release_last). Only the last one lets the writer in.
 *   writer first: the writer holds it, the three readers wait, and the
 *     writer releases it 2 ms later (writer_release), letting all three in;
 *     each holds its read lock 300 us.
 *   writers: the writer holds it, a second writer waits, and the first
 *     releases it 1 ms later (writer_handover). With the default kind
 *     (readers preferred) glibc counts no waiting writer in __writers: the
 *     second one sleeps on __writers_futex.
 *
 * With "prefer-writer", the rwlock is of kind
 * PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP: waiting writers are
 * counted in __writers, and one hands the lock over to the next.
 *
 * Each waiter times its own call. Output:
 *   writer_waits <calls> <total ns>
 *   reader_waits <calls> <total ns>
 *   writer2_waits <calls> <total ns>
 * usage: rwwake [rounds] [prefer-writer]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progclock.h"

#define NOINLINE __attribute__((noinline))
#define READERS 3

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rounds = 40;

/* Steps, counted in rounds (progclock.h's handshakes). */
static int round_go, readers_hold, writer_go, writer_done, release_turn[READERS], released;
static int writer_holds, readers_go, readers_done, writer_release_turn;
static int writer_holds_again, writer2_go, writer2_done, handover_turn;

static long long writer_total, reader_total[READERS], writer2_total;
static volatile int last_release;

/* A release site of its own: each writes its number, so that the compiler
 * does not fold the four identical functions into one. */
#define RELEASE_SITE(name, n)                  \
	static NOINLINE void name(void)        \
	{                                      \
		last_release = n;              \
		pthread_rwlock_unlock(&rw);    \
	}

RELEASE_SITE(release_first, 1)
RELEASE_SITE(release_second, 2)
RELEASE_SITE(release_last, 3)
RELEASE_SITE(writer_release, 4)
RELEASE_SITE(writer_handover, 5)

static NOINLINE void reader_wait(int id)
{
	long long t0 = now_ns();

	pthread_rwlock_rdlock(&rw);
	reader_total[id] += now_ns() - t0;
	/* Held a while, asleep: a reader woken on the writer's CPU preempts
	 * it before its charge (made after the real unlock), and a reader
	 * that released at once would take the other readers' waits, pending
	 * until that charge, to its own release (docs/profiles.md). */
	sleep_us(300);
	pthread_rwlock_unlock(&rw);
}

static NOINLINE void writer_wait(long long *total)
{
	long long t0 = now_ns();

	pthread_rwlock_wrlock(&rw);
	*total += now_ns() - t0;
	pthread_rwlock_unlock(&rw);
}

/* Round r's wait for the write lock, when told. */
static void wait_as_writer(int *go, long long *total, int *done, int r)
{
	await_round(go, r);
	writer_wait(total);
	__atomic_fetch_add(done, 1, __ATOMIC_RELEASE);
}

/* Take the write lock, say so, and release it at `release` when told. */
static void write_hold(int *holds, int *turn, int r, void (*release)(void))
{
	pthread_rwlock_wrlock(&rw);
	__atomic_fetch_add(holds, 1, __ATOMIC_RELEASE);
	await_round(turn, r);
	release();
}

static void *reader(void *arg)
{
	static void (*const release[READERS])(void) = { release_first, release_second,
							  release_last };
	int id = (int)(long)arg;

	for (int r = 1; r <= rounds; r++) {
		/* Readers first. */
		await_round(&round_go, r);
		pthread_rwlock_rdlock(&rw);
		__atomic_fetch_add(&readers_hold, 1, __ATOMIC_RELEASE);
		await_round(&release_turn[id], r);
		release[id]();
		__atomic_fetch_add(&released, 1, __ATOMIC_RELEASE);
		/* Writer first. */
		await_round(&readers_go, r);
		reader_wait(id);
		__atomic_fetch_add(&readers_done, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	for (int r = 1; r <= rounds; r++) {
		wait_as_writer(&writer_go, &writer_total, &writer_done, r);
		write_hold(&writer_holds, &writer_release_turn, r, writer_release);
		/* Writers. */
		await_round(&readers_done, READERS * r);
		write_hold(&writer_holds_again, &handover_turn, r, writer_handover);
	}
	return NULL;
}

static void *writer2(void *arg)
{
	(void)arg;
	for (int r = 1; r <= rounds; r++)
		wait_as_writer(&writer2_go, &writer2_total, &writer2_done, r);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[READERS + 2];
	long long readers_sum = 0;

	if (argc > 1)
		rounds = atol(argv[1]);
	if (argc > 2 && strcmp(argv[2], "prefer-writer") == 0) {
		pthread_rwlockattr_t a;

		pthread_rwlockattr_init(&a);
		pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&rw, &a);
		pthread_rwlockattr_destroy(&a);
	}
	for (long i = 0; i < READERS; i++)
		pthread_create(&t[i], NULL, reader, (void *)i);
	pthread_create(&t[READERS], NULL, writer, NULL);
	pthread_create(&t[READERS + 1], NULL, writer2, NULL);
	for (int r = 1; r <= rounds; r++) {
		__atomic_store_n(&round_go, r, __ATOMIC_RELEASE);
		await_round(&readers_hold, READERS * r);
		__atomic_store_n(&writer_go, r, __ATOMIC_RELEASE);
		for (int i = 0; i < READERS; i++) {
			sleep_us(1000);
			__atomic_store_n(&release_turn[i], r, __ATOMIC_RELEASE);
			await_round(&released, READERS * (r - 1) + i + 1);
		}
		await_round(&writer_holds, r);
		__atomic_store_n(&readers_go, r, __ATOMIC_RELEASE);
		sleep_us(2000);
		__atomic_store_n(&writer_release_turn, r, __ATOMIC_RELEASE);
		await_round(&readers_done, READERS * r);
		await_round(&writer_done, r);
		await_round(&writer_holds_again, r);
		__atomic_store_n(&writer2_go, r, __ATOMIC_RELEASE);
		sleep_us(1000);
		__atomic_store_n(&handover_turn, r, __ATOMIC_RELEASE);
		await_round(&writer2_done, r);
	}
	for (int i = 0; i < READERS + 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < READERS; i++)
		readers_sum += reader_total[i];
	printf("writer_waits %ld %lld\n", rounds, writer_total);
	printf("reader_waits %ld %lld\n", READERS * rounds, readers_sum);
	printf("writer2_waits %ld %lld\n", rounds, writer2_total);
	return 0;
}
