/* SPDX-License-Identifier: MIT */
/*
 * Cancellation, time-outs and thread exit inside the wrappers, then proof
 * that the objects and their wait state are intact.
 *
 * 1. Threads blocked in each cancellable wrapper (pthread_cond_wait,
 *    _timedwait, _clockwait, sem_wait, _timedwait, _clockwait) are
 *    cancelled; the cleanup handlers run, the mutex and the semaphore keep
 *    working, no post is lost to a cancelled waiter.
 * 2. Threads blocked in pthread_mutex_lock, pthread_rwlock_rdlock and
 *    _wrlock are cancelled asynchronously, once seen asleep on the lock.
 * 3. Threads time out in every timed lock and semaphore wait.
 * 4. A robust mutex's owner exits holding it while two threads wait.
 * 5. Afterwards, uncontended releases (after_cancel_*) must not be charged
 *    (a cancelled waiter left registered would be charged forever), and
 *    contended rounds (contended_*) must be charged exactly what their
 *    waiters waited: the driver compares the two profiles.
 * 6. Thousands of short-lived threads contend and exit.
 *
 * Each wait of 1-3 goes through a function of its own, named after the
 * call (cancelled_in_*, async_in_*, timed_out_in_*), and the program
 * prints what those waits lasted by its own clock ("measured FUNCTION NS
 * CALLS"): the driver finds them in the block profile. The releases that
 * follow them wake nobody (release_after_*): the driver finds them charged
 * nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#include "procwait.h"
#include "safe.h"

/* After a call: keeps the calling function's frame (no tail call). */
#define NO_TAIL_CALL() __asm__ volatile("" ::: "memory")

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static sem_t sem;
static int cleanups;

/* One thread's waits in one of the functions below. */
struct waiter {
	const struct kind *kind;
	int tid;
	struct timespec deadline;
	long long start, waited_ns; /* the current call's start; the total */
	int calls;
};

struct kind {
	const char *name;          /* the function the waits go through */
	int (*wait)(struct waiter *);
	clockid_t clock;           /* of the deadline */
};

static void add_waited(struct waiter *w)
{
	w->waited_ns += safe_now_ns() - w->start;
	w->calls++;
}

static void print_measured(struct waiter *w, int n)
{
	long long total = 0;
	int calls = 0;

	for (int i = 0; i < n; i++) {
		total += w[i].waited_ns;
		calls += w[i].calls;
	}
	printf("measured %s %lld %d\n", w[0].kind->name, total, calls);
}

static void deadline_in(struct waiter *w, long long ms)
{
	clock_gettime(w->kind->clock, &w->deadline);
	w->deadline.tv_sec += ms / 1000;
	w->deadline.tv_nsec += ms % 1000 * 1000000;
	if (w->deadline.tv_nsec >= 1000000000) {
		w->deadline.tv_sec++;
		w->deadline.tv_nsec -= 1000000000;
	}
}

/* 1. Deferred cancellation. cv's clock is CLOCK_MONOTONIC. */
__attribute__((noinline)) static int cancelled_in_cond_wait(struct waiter *w)
{
	(void)w;
	pthread_cond_wait(&cv, &m);
	NO_TAIL_CALL();
	return 0;
}

__attribute__((noinline)) static int cancelled_in_cond_timedwait(struct waiter *w)
{
	pthread_cond_timedwait(&cv, &m, &w->deadline);
	NO_TAIL_CALL();
	return 0;
}

__attribute__((noinline)) static int cancelled_in_cond_clockwait(struct waiter *w)
{
	pthread_cond_clockwait(&cv, &m, CLOCK_MONOTONIC, &w->deadline);
	NO_TAIL_CALL();
	return 0;
}

__attribute__((noinline)) static int cancelled_in_sem_wait(struct waiter *w)
{
	(void)w;
	CHECK(sem_wait(&sem) != 0); /* a post nobody made? */
	return 0;
}

__attribute__((noinline)) static int cancelled_in_sem_timedwait(struct waiter *w)
{
	CHECK(sem_timedwait(&sem, &w->deadline) != 0);
	return 0;
}

__attribute__((noinline)) static int cancelled_in_sem_clockwait(struct waiter *w)
{
	CHECK(sem_clockwait(&sem, CLOCK_MONOTONIC, &w->deadline) != 0);
	return 0;
}

enum { COND_KINDS = 3 };
static const struct kind cancel_kinds[] = {
	{ "cancelled_in_cond_wait", cancelled_in_cond_wait, CLOCK_MONOTONIC },
	{ "cancelled_in_cond_timedwait", cancelled_in_cond_timedwait, CLOCK_MONOTONIC },
	{ "cancelled_in_cond_clockwait", cancelled_in_cond_clockwait, CLOCK_MONOTONIC },
	{ "cancelled_in_sem_wait", cancelled_in_sem_wait, CLOCK_REALTIME },
	{ "cancelled_in_sem_timedwait", cancelled_in_sem_timedwait, CLOCK_REALTIME },
	{ "cancelled_in_sem_clockwait", cancelled_in_sem_clockwait, CLOCK_MONOTONIC },
};

/* The program's cleanup handlers run after the wrapper's. */
static void unlock_cleanup(void *arg)
{
	add_waited(arg);
	__atomic_fetch_add(&cleanups, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&m); /* the cancelled condvar wait reacquired it */
}

static void count_cleanup(void *arg)
{
	add_waited(arg);
	__atomic_fetch_add(&cleanups, 1, __ATOMIC_RELAXED);
}

static void *block_in(void *arg)
{
	struct waiter *w = arg;
	int is_cond = w->kind < cancel_kinds + COND_KINDS;

	deadline_in(w, 3600 * 1000);
	__atomic_store_n(&w->tid, safe_gettid(), __ATOMIC_RELEASE);
	if (is_cond)
		pthread_mutex_lock(&m);
	pthread_cleanup_push(is_cond ? unlock_cleanup : count_cleanup, w);
	for (;;) { /* a condvar may wake spuriously */
		w->start = safe_now_ns();
		w->kind->wait(w);
		add_waited(w);
	}
	pthread_cleanup_pop(1);
	return NULL;
}

/* Releases after the cancellations: they wake nobody. */
__attribute__((noinline)) static void release_after_cancel(void)
{
	CHECK(pthread_mutex_trylock(&m) == 0);
	PT(pthread_mutex_unlock(&m));
	CHECK(sem_post(&sem) == 0);
	NO_TAIL_CALL();
}

enum { N = 3 }; /* threads per kind */

static int tid_of(struct waiter *w)
{
	while (!__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE))
		safe_sleep_ms(1);
	return w->tid;
}

static void cancel_blocked(const struct kind *kind)
{
	struct waiter w[N];
	pthread_t t[N];
	void *res;
	int before = cleanups, v;

	memset(w, 0, sizeof(w));
	for (int i = 0; i < N; i++) {
		w[i].kind = kind;
		PT(pthread_create(&t[i], NULL, block_in, &w[i]));
	}
	for (int i = 0; i < N; i++)
		safe_wait_blocked(tid_of(&w[i]));
	safe_sleep_ms(50);
	for (int i = 0; i < N; i++)
		PT(pthread_cancel(t[i]));
	for (int i = 0; i < N; i++) {
		PT(pthread_join(t[i], &res));
		CHECK(res == PTHREAD_CANCELED);
	}
	CHECK(cleanups == before + N);
	/* The objects still work and nothing was consumed. */
	CHECK(sem_getvalue(&sem, &v) == 0 && v == 0);
	release_after_cancel();
	CHECK(sem_trywait(&sem) == 0);
	print_measured(w, N);
}

/*
 * 2. Asynchronous cancellation, acted on while the thread sleeps in the
 * real lock call: each waiter is cancelled once /proc shows it in futex()
 * on the lock's own memory. A cancelled rwlock waiter stays counted inside
 * glibc's rwlock (POSIX leaves it undefined), so each rwlock here serves
 * once and is not touched again after its holder's unlock.
 */
static pthread_mutex_t async_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t async_rd = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t async_wr = PTHREAD_RWLOCK_INITIALIZER;

__attribute__((noinline)) static int async_in_mutex_lock(struct waiter *w)
{
	int rc = pthread_mutex_lock(&async_mutex);

	(void)w;
	NO_TAIL_CALL();
	return rc;
}

__attribute__((noinline)) static int async_in_rwlock_rdlock(struct waiter *w)
{
	int rc = pthread_rwlock_rdlock(&async_rd);

	(void)w;
	NO_TAIL_CALL();
	return rc;
}

__attribute__((noinline)) static int async_in_rwlock_wrlock(struct waiter *w)
{
	int rc = pthread_rwlock_wrlock(&async_wr);

	(void)w;
	NO_TAIL_CALL();
	return rc;
}

static const struct kind async_kinds[] = {
	{ "async_in_mutex_lock", async_in_mutex_lock, CLOCK_MONOTONIC },
	{ "async_in_rwlock_rdlock", async_in_rwlock_rdlock, CLOCK_MONOTONIC },
	{ "async_in_rwlock_wrlock", async_in_rwlock_wrlock, CLOCK_MONOTONIC },
};

static void *block_async(void *arg)
{
	struct waiter *w = arg;

	pthread_cleanup_push(count_cleanup, w);
	PT(pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL));
	__atomic_store_n(&w->tid, safe_gettid(), __ATOMIC_RELEASE);
	w->start = safe_now_ns();
	w->kind->wait(w);
	CHECK(!"a waiter got a lock its holder never released");
	pthread_cleanup_pop(1);
	return NULL;
}

/* The first argument of the futex() call `tid` sleeps in, or 0. */
static uintptr_t futex_word(int tid)
{
	char path[64];
	unsigned long word = 0;
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld %lx", &nr, &word) != 2 || nr != SYS_futex)
		word = 0;
	fclose(f);
	return word;
}

static void wait_asleep_on(int tid, const void *lock, size_t size)
{
	uintptr_t word;

	for (;;) {
		word = futex_word(tid);
		if (word >= (uintptr_t)lock && word < (uintptr_t)lock + size)
			return;
		safe_sleep_ms(1);
	}
}

__attribute__((noinline)) static void release_after_async_cancel(void)
{
	PT(pthread_mutex_unlock(&async_mutex));
	PT(pthread_rwlock_unlock(&async_rd));
	PT(pthread_rwlock_unlock(&async_wr));
	NO_TAIL_CALL();
}

static void cancel_async(void)
{
	static const struct { const void *lock; size_t size; } locks[] = {
		{ &async_mutex, sizeof(async_mutex) },
		{ &async_rd, sizeof(async_rd) },
		{ &async_wr, sizeof(async_wr) },
	};
	enum { KINDS = sizeof(async_kinds) / sizeof(async_kinds[0]) };
	struct waiter w[KINDS][N];
	pthread_t t[KINDS][N];
	void *res;
	int before = cleanups;

	memset(w, 0, sizeof(w));
	PT(pthread_mutex_lock(&async_mutex));
	PT(pthread_rwlock_wrlock(&async_rd));
	PT(pthread_rwlock_wrlock(&async_wr));
	for (int k = 0; k < KINDS; k++) {
		for (int i = 0; i < N; i++) {
			w[k][i].kind = &async_kinds[k];
			PT(pthread_create(&t[k][i], NULL, block_async, &w[k][i]));
		}
	}
	for (int k = 0; k < KINDS; k++) {
		for (int i = 0; i < N; i++)
			wait_asleep_on(tid_of(&w[k][i]), locks[k].lock, locks[k].size);
	}
	safe_sleep_ms(50);
	for (int k = 0; k < KINDS; k++) {
		for (int i = 0; i < N; i++)
			PT(pthread_cancel(t[k][i]));
	}
	for (int k = 0; k < KINDS; k++) {
		for (int i = 0; i < N; i++) {
			PT(pthread_join(t[k][i], &res));
			CHECK(res == PTHREAD_CANCELED);
		}
	}
	CHECK(cleanups == before + KINDS * N);
	release_after_async_cancel();
	CHECK(pthread_mutex_trylock(&async_mutex) == 0); /* a mutex survives */
	PT(pthread_mutex_unlock(&async_mutex));
	for (int k = 0; k < KINDS; k++)
		print_measured(w[k], N);
}

/* 3. Time-outs, on objects main holds (or a semaphore at zero). */
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t held_rw = PTHREAD_RWLOCK_INITIALIZER;
static sem_t empty;

__attribute__((noinline)) static int timed_out_in_mutex_timedlock(struct waiter *w)
{
	int rc = pthread_mutex_timedlock(&held, &w->deadline);

	NO_TAIL_CALL();
	return rc;
}

__attribute__((noinline)) static int timed_out_in_mutex_clocklock(struct waiter *w)
{
	int rc = pthread_mutex_clocklock(&held, CLOCK_MONOTONIC, &w->deadline);

	NO_TAIL_CALL();
	return rc;
}

__attribute__((noinline)) static int timed_out_in_rwlock_timedrdlock(struct waiter *w)
{
	int rc = pthread_rwlock_timedrdlock(&held_rw, &w->deadline);

	NO_TAIL_CALL();
	return rc;
}

__attribute__((noinline)) static int timed_out_in_rwlock_timedwrlock(struct waiter *w)
{
	int rc = pthread_rwlock_timedwrlock(&held_rw, &w->deadline);

	NO_TAIL_CALL();
	return rc;
}

__attribute__((noinline)) static int timed_out_in_rwlock_clockrdlock(struct waiter *w)
{
	int rc = pthread_rwlock_clockrdlock(&held_rw, CLOCK_MONOTONIC, &w->deadline);

	NO_TAIL_CALL();
	return rc;
}

__attribute__((noinline)) static int timed_out_in_rwlock_clockwrlock(struct waiter *w)
{
	int rc = pthread_rwlock_clockwrlock(&held_rw, CLOCK_MONOTONIC, &w->deadline);

	NO_TAIL_CALL();
	return rc;
}

__attribute__((noinline)) static int timed_out_in_sem_timedwait(struct waiter *w)
{
	int rc = sem_timedwait(&empty, &w->deadline);

	return rc == 0 ? 0 : errno;
}

__attribute__((noinline)) static int timed_out_in_sem_clockwait(struct waiter *w)
{
	int rc = sem_clockwait(&empty, CLOCK_MONOTONIC, &w->deadline);

	return rc == 0 ? 0 : errno;
}

static const struct kind timed_kinds[] = {
	{ "timed_out_in_mutex_timedlock", timed_out_in_mutex_timedlock, CLOCK_REALTIME },
	{ "timed_out_in_mutex_clocklock", timed_out_in_mutex_clocklock, CLOCK_MONOTONIC },
	{ "timed_out_in_rwlock_timedrdlock", timed_out_in_rwlock_timedrdlock, CLOCK_REALTIME },
	{ "timed_out_in_rwlock_timedwrlock", timed_out_in_rwlock_timedwrlock, CLOCK_REALTIME },
	{ "timed_out_in_rwlock_clockrdlock", timed_out_in_rwlock_clockrdlock, CLOCK_MONOTONIC },
	{ "timed_out_in_rwlock_clockwrlock", timed_out_in_rwlock_clockwrlock, CLOCK_MONOTONIC },
	{ "timed_out_in_sem_timedwait", timed_out_in_sem_timedwait, CLOCK_REALTIME },
	{ "timed_out_in_sem_clockwait", timed_out_in_sem_clockwait, CLOCK_MONOTONIC },
};

static void *time_out(void *arg)
{
	struct waiter *w = arg;

	deadline_in(w, 100);
	w->start = safe_now_ns();
	CHECK(w->kind->wait(w) == ETIMEDOUT);
	add_waited(w);
	return NULL;
}

__attribute__((noinline)) static void release_after_timeout(void)
{
	PT(pthread_mutex_unlock(&held));
	PT(pthread_rwlock_unlock(&held_rw));
	CHECK(sem_post(&empty) == 0);
	NO_TAIL_CALL();
}

static void time_outs(void)
{
	enum { KINDS = sizeof(timed_kinds) / sizeof(timed_kinds[0]) };
	struct waiter w[KINDS][N];
	pthread_t t[KINDS][N];

	memset(w, 0, sizeof(w));
	CHECK(sem_init(&empty, 0, 0) == 0);
	PT(pthread_mutex_lock(&held));
	PT(pthread_rwlock_wrlock(&held_rw));
	for (int k = 0; k < KINDS; k++) {
		for (int i = 0; i < N; i++) {
			w[k][i].kind = &timed_kinds[k];
			PT(pthread_create(&t[k][i], NULL, time_out, &w[k][i]));
		}
	}
	for (int k = 0; k < KINDS; k++) {
		for (int i = 0; i < N; i++)
			PT(pthread_join(t[k][i], NULL));
	}
	release_after_timeout();
	CHECK(sem_trywait(&empty) == 0);
	for (int k = 0; k < KINDS; k++)
		print_measured(w[k], N);
}

/* 4. Robust mutex: its owner exits holding it while two threads wait (seen
 * asleep on it before the owner may go). */
static pthread_mutex_t robust;
static int owner_has_it, owner_may_exit;

static void *robust_owner(void *arg)
{
	(void)arg;
	PT(pthread_mutex_lock(&robust));
	__atomic_store_n(&owner_has_it, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&owner_may_exit, __ATOMIC_ACQUIRE))
		safe_sleep_ms(1);
	return NULL; /* exits holding it */
}

static void *robust_waiter(void *arg)
{
	int rc;

	__atomic_store_n((int *)arg, safe_gettid(), __ATOMIC_RELEASE);
	rc = pthread_mutex_lock(&robust);
	if (rc == EOWNERDEAD)
		PT(pthread_mutex_consistent(&robust));
	else
		CHECK(rc == 0);
	PT(pthread_mutex_unlock(&robust));
	return (void *)(intptr_t)rc;
}

static void owner_dies(void)
{
	pthread_mutexattr_t a;
	pthread_t o, w[2];
	int dead = 0, tid[2] = { 0, 0 };
	void *rc;

	PT(pthread_mutexattr_init(&a));
	PT(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST));
	PT(pthread_mutex_init(&robust, &a));
	PT(pthread_create(&o, NULL, robust_owner, NULL));
	while (!__atomic_load_n(&owner_has_it, __ATOMIC_ACQUIRE))
		safe_sleep_ms(1);
	for (int i = 0; i < 2; i++)
		PT(pthread_create(&w[i], NULL, robust_waiter, &tid[i]));
	for (int i = 0; i < 2; i++) {
		while (!__atomic_load_n(&tid[i], __ATOMIC_ACQUIRE))
			safe_sleep_ms(1);
		wait_asleep_on(tid[i], &robust, sizeof(robust));
	}
	__atomic_store_n(&owner_may_exit, 1, __ATOMIC_RELEASE);
	PT(pthread_join(o, NULL));
	for (int i = 0; i < 2; i++) {
		PT(pthread_join(w[i], &rc));
		dead += (intptr_t)rc == EOWNERDEAD;
	}
	CHECK(dead == 1);
	printf("robust: owner exited holding the mutex, 1 waiter saw EOWNERDEAD\n");
}

/* 5. Uncontended releases after all that: nothing to charge. */
__attribute__((noinline)) static void after_cancel_sem(void)
{
	CHECK(sem_post(&sem) == 0);
	CHECK(sem_wait(&sem) == 0);
}

__attribute__((noinline)) static void after_cancel_mutex(pthread_mutex_t *mx)
{
	PT(pthread_mutex_lock(mx));
	PT(pthread_mutex_unlock(mx));
}

/* The waiter that saw EOWNERDEAD took the mutex without a release: its
 * wait is charged to the next unlock by another thread, maybe this one. */
__attribute__((noinline)) static void flush_robust(void)
{
	after_cancel_mutex(&robust);
	NO_TAIL_CALL();
}

static void settled_releases(void)
{
	flush_robust();
	for (int i = 0; i < 1000; i++) {
		after_cancel_sem();
		after_cancel_mutex(&m);
		after_cancel_mutex(&robust);
	}
}

/* Contended rounds: one waiter, released by main once it is blocked. */
static int contended_tid;

__attribute__((noinline)) static void contended_sem_wait(void)
{
	CHECK(sem_wait(&sem) == 0);
}

__attribute__((noinline)) static void contended_lock(void)
{
	PT(pthread_mutex_lock(&m));
	PT(pthread_mutex_unlock(&m));
}

static void *contended_waiter(void *arg)
{
	__atomic_store_n(&contended_tid, safe_gettid(), __ATOMIC_RELEASE);
	if (arg)
		contended_lock();
	else
		contended_sem_wait();
	return NULL;
}

__attribute__((noinline)) static void contended_sem_post(void)
{
	CHECK(sem_post(&sem) == 0);
}

__attribute__((noinline)) static void contended_unlock(void)
{
	PT(pthread_mutex_unlock(&m));
}

static void contended_rounds(int rounds)
{
	pthread_t t;

	for (int i = 0; i < rounds; i++) {
		int use_mutex = i % 2;

		if (use_mutex)
			PT(pthread_mutex_lock(&m));
		contended_tid = 0;
		PT(pthread_create(&t, NULL, contended_waiter, use_mutex ? &m : NULL));
		while (!__atomic_load_n(&contended_tid, __ATOMIC_ACQUIRE))
			safe_sleep_ms(1);
		safe_wait_blocked(contended_tid);
		safe_sleep_ms(2);
		if (use_mutex)
			contended_unlock();
		else
			contended_sem_post();
		PT(pthread_join(t, NULL));
	}
	printf("contended: %d rounds\n", rounds);
}

/* 6. Short-lived threads: contend briefly, some exit through pthread_exit. */
static long short_total;

static void *short_lived(void *arg)
{
	struct timespec ts;

	for (int i = 0; i < 10; i++) {
		PT(pthread_mutex_lock(&m));
		short_total++;
		safe_spin_ns(200);
		PT(pthread_mutex_unlock(&m));
	}
	CHECK(sem_post(&sem) == 0);
	CHECK(sem_wait(&sem) == 0);
	PT(pthread_mutex_lock(&m));
	clock_gettime(CLOCK_MONOTONIC, &ts); /* cv's clock: already expired */
	pthread_cond_timedwait(&cv, &m, &ts);
	PT(pthread_mutex_unlock(&m));
	if ((intptr_t)arg % 2)
		pthread_exit(NULL);
	return NULL;
}

static void short_lived_threads(int n)
{
	enum { BATCH = 8 };
	pthread_t t[BATCH];

	for (int i = 0; i < n; i += BATCH) {
		for (int j = 0; j < BATCH; j++)
			PT(pthread_create(&t[j], NULL, short_lived, (void *)(intptr_t)j));
		for (int j = 0; j < BATCH; j++)
			PT(pthread_join(t[j], NULL));
	}
	CHECK(short_total == (long)n / BATCH * BATCH * 10);
	printf("short-lived: %d threads\n", n / BATCH * BATCH);
}

int main(int argc, char **argv)
{
	pthread_condattr_t ca;
	int threads = argc > 1 ? atoi(argv[1]) : 4000;

	PT(pthread_condattr_init(&ca));
	PT(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
	PT(pthread_cond_init(&cv, &ca));
	CHECK(sem_init(&sem, 0, 0) == 0);
	for (size_t k = 0; k < sizeof(cancel_kinds) / sizeof(cancel_kinds[0]); k++)
		cancel_blocked(&cancel_kinds[k]);
	cancel_async();
	time_outs();
	owner_dies();
	settled_releases();
	contended_rounds(20);
	short_lived_threads(threads);
	return 0;
}
