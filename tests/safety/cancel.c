/*
 * Cancellation and thread exit inside the wrappers, then proof that the
 * objects and their wait state are intact.
 *
 * 1. Threads blocked in each cancellable wrapper (pthread_cond_wait,
 *    _timedwait, _clockwait, sem_wait, _timedwait, _clockwait) are
 *    cancelled; the cleanup handlers run, the mutex and the semaphore keep
 *    working, no post is lost to a cancelled waiter.
 * 2. A robust mutex's owner exits holding it while two threads wait.
 * 3. Afterwards, uncontended releases (after_cancel_*) must not be charged
 *    (a cancelled waiter left registered would be charged forever), and
 *    contended rounds (contended_*) must be charged exactly what their
 *    waiters waited: the driver compares the two profiles.
 * 4. Thousands of short-lived threads contend and exit.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#include "procwait.h"
#include "safe.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static sem_t sem;
static int cleanups;

enum { COND_WAIT, COND_TIMEDWAIT, COND_CLOCKWAIT, SEM_WAIT, SEM_TIMEDWAIT,
       SEM_CLOCKWAIT, KINDS };
static const char *const kind_names[] = { "pthread_cond_wait", "pthread_cond_timedwait",
	"pthread_cond_clockwait", "sem_wait", "sem_timedwait", "sem_clockwait" };

struct blocked {
	int kind;
	int tid;
};

static void unlock_cleanup(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&cleanups, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&m); /* the cancelled condvar wait reacquired it */
}

static void count_cleanup(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&cleanups, 1, __ATOMIC_RELAXED);
}

static void *block_in(void *arg)
{
	struct blocked *b = arg;
	struct timespec ts;

	clock_gettime(b->kind == COND_CLOCKWAIT || b->kind == SEM_CLOCKWAIT ?
		      CLOCK_MONOTONIC : CLOCK_REALTIME, &ts);
	ts.tv_sec += 3600;
	__atomic_store_n(&b->tid, safe_gettid(), __ATOMIC_RELEASE);
	if (b->kind <= COND_CLOCKWAIT) {
		pthread_mutex_lock(&m);
		pthread_cleanup_push(unlock_cleanup, NULL);
		for (;;) {
			if (b->kind == COND_WAIT)
				pthread_cond_wait(&cv, &m);
			else if (b->kind == COND_TIMEDWAIT)
				pthread_cond_timedwait(&cv, &m, &ts);
			else
				pthread_cond_clockwait(&cv, &m, CLOCK_MONOTONIC, &ts);
		}
		pthread_cleanup_pop(1);
	} else {
		pthread_cleanup_push(count_cleanup, NULL);
		for (;;) {
			if (b->kind == SEM_WAIT)
				sem_wait(&sem);
			else if (b->kind == SEM_TIMEDWAIT)
				sem_timedwait(&sem, &ts);
			else
				sem_clockwait(&sem, CLOCK_MONOTONIC, &ts);
			CHECK(!"a waiter got a post nobody made");
		}
		pthread_cleanup_pop(1);
	}
	return NULL;
}

static void cancel_blocked(int kind)
{
	enum { N = 3 };
	struct blocked b[N];
	pthread_t t[N];
	void *res;
	int before = cleanups, v;

	for (int i = 0; i < N; i++) {
		b[i].kind = kind;
		b[i].tid = 0;
		PT(pthread_create(&t[i], NULL, block_in, &b[i]));
	}
	for (int i = 0; i < N; i++) {
		while (!__atomic_load_n(&b[i].tid, __ATOMIC_ACQUIRE))
			safe_sleep_ms(1);
		safe_wait_blocked(b[i].tid);
	}
	for (int i = 0; i < N; i++)
		PT(pthread_cancel(t[i]));
	for (int i = 0; i < N; i++) {
		PT(pthread_join(t[i], &res));
		CHECK(res == PTHREAD_CANCELED);
	}
	CHECK(cleanups == before + N);
	/* The objects still work and nothing was consumed. */
	CHECK(pthread_mutex_trylock(&m) == 0);
	PT(pthread_mutex_unlock(&m));
	CHECK(sem_getvalue(&sem, &v) == 0 && v == 0);
	CHECK(sem_post(&sem) == 0);
	CHECK(sem_trywait(&sem) == 0);
	printf("cancel: %d threads in %s\n", N, kind_names[kind]);
}

/* Robust mutex: its owner exits holding it while two threads wait. */
static pthread_mutex_t robust;
static int owner_has_it;

static void *robust_owner(void *arg)
{
	(void)arg;
	PT(pthread_mutex_lock(&robust));
	__atomic_store_n(&owner_has_it, 1, __ATOMIC_RELEASE);
	safe_sleep_ms(100);
	return NULL; /* exits holding it */
}

static void *robust_waiter(void *arg)
{
	int rc = pthread_mutex_lock(&robust);

	*(int *)arg = safe_gettid();
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
	int dead = 0, tid[2];
	void *rc;

	PT(pthread_mutexattr_init(&a));
	PT(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST));
	PT(pthread_mutex_init(&robust, &a));
	PT(pthread_create(&o, NULL, robust_owner, NULL));
	while (!__atomic_load_n(&owner_has_it, __ATOMIC_ACQUIRE))
		safe_sleep_ms(1);
	for (int i = 0; i < 2; i++)
		PT(pthread_create(&w[i], NULL, robust_waiter, &tid[i]));
	PT(pthread_join(o, NULL));
	for (int i = 0; i < 2; i++) {
		PT(pthread_join(w[i], &rc));
		dead += (intptr_t)rc == EOWNERDEAD;
	}
	CHECK(dead == 1);
	printf("robust: owner exited holding the mutex, 1 waiter saw EOWNERDEAD\n");
}

/* Uncontended releases after all that: nothing to charge. */
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

/* The first release after the cancellations is charged the cancelled
 * waiters' time: it goes here, not to after_cancel_*. */
__attribute__((noinline)) static void flush_release(void)
{
	after_cancel_sem();
	after_cancel_mutex(&m);
	after_cancel_mutex(&robust);
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
}

static void settled_releases(void)
{
	flush_release();
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

/* Short-lived threads: contend briefly, some exit through pthread_exit. */
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
	for (int kind = 0; kind < KINDS; kind++)
		cancel_blocked(kind);
	owner_dies();
	settled_releases();
	contended_rounds(20);
	short_lived_threads(threads);
	return 0;
}
