/* SPDX-License-Identifier: MIT */
/*
 * Signals against the semaphore wrappers.
 *
 * sigpost hammer [signals]: worker threads contend on a mutex and a
 * semaphore and check errno after sem_trywait, while a sender interrupts
 * them (and the consumer blocked in sem_wait) with a handler that calls
 * sem_post. The handler deliberately does not save errno: neither may the
 * sem_post wrapper change it. Every post must reach the consumer once.
 *
 * sigpost restart: what sem_wait, sem_timedwait and sem_clockwait do when
 * a signal handler interrupts a blocked waiter, with and without
 * SA_RESTART: one line per case, to be compared with a run without the
 * library.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>

#include "procwait.h"
#include "safe.h"

static sem_t sig_sem, shared_sem, empty_sem;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static long handled, consumed;
static int stop_workers, stop_consumer;

static void post_handler(int sig)
{
	(void)sig;
	if (sem_post(&sig_sem) == 0)
		__atomic_fetch_add(&handled, 1, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	long rounds = 0;

	(void)arg;
	while (!__atomic_load_n(&stop_workers, __ATOMIC_RELAXED)) {
		pthread_mutex_lock(&mutex);
		safe_spin_ns(500);
		pthread_mutex_unlock(&mutex);
		CHECK(sem_wait(&shared_sem) == 0);
		CHECK(sem_post(&shared_sem) == 0);
		errno = 0;
		CHECK(sem_trywait(&empty_sem) == -1);
		CHECK(errno == EAGAIN);
		rounds++;
	}
	return (void *)rounds;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		while (sem_wait(&sig_sem) != 0)
			CHECK(errno == EINTR);
		consumed++;
		if (__atomic_load_n(&stop_consumer, __ATOMIC_ACQUIRE) &&
		    consumed == __atomic_load_n(&handled, __ATOMIC_RELAXED) + 1)
			return NULL;
	}
}

static int hammer(long signals)
{
	enum { WORKERS = 3 };
	pthread_t w[WORKERS], c;
	struct sigaction sa;
	long rounds = 0;
	int value;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = post_handler;
	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sem_init(&sig_sem, 0, 0) == 0);
	CHECK(sem_init(&shared_sem, 0, 1) == 0);
	CHECK(sem_init(&empty_sem, 0, 0) == 0);
	PT(pthread_create(&c, NULL, consumer, NULL));
	for (int i = 0; i < WORKERS; i++)
		PT(pthread_create(&w[i], NULL, worker, NULL));
	for (long i = 0; i < signals; i++) {
		/* Mostly the workers, every fourth the blocked consumer. */
		PT(pthread_kill(i % 4 == 3 ? c : w[i % WORKERS], SIGUSR1));
		if (i % 64 == 0)
			sched_yield();
	}
	__atomic_store_n(&stop_workers, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < WORKERS; i++) {
		void *r;
		PT(pthread_join(w[i], &r));
		rounds += (long)r;
	}
	/* No more handlers can run on the workers; the consumer may still
	 * take one, so it is told to stop only through the final post. */
	sa.sa_handler = SIG_IGN;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	__atomic_store_n(&stop_consumer, 1, __ATOMIC_RELEASE);
	CHECK(sem_post(&sig_sem) == 0);
	PT(pthread_join(c, NULL));
	CHECK(sem_getvalue(&sig_sem, &value) == 0 && value == 0);
	printf("hammer: %ld signals sent, %ld handled, %ld consumed, %ld worker rounds\n",
	       signals, handled, consumed - 1, rounds);
	return 0;
}

/* restart mode */
enum { WAIT, TIMEDWAIT, CLOCKWAIT };
static const char *const names[] = { "sem_wait", "sem_timedwait", "sem_clockwait" };
static sem_t rsem;
static int waiter_tid, waiter_done, waiter_rc, waiter_errno, caught;

static void mark_handler(int sig)
{
	(void)sig;
	__atomic_store_n(&caught, 1, __ATOMIC_RELEASE);
}

static void *waiter(void *arg)
{
	int kind = (int)(intptr_t)arg, rc;
	struct timespec ts;

	__atomic_store_n(&waiter_tid, safe_gettid(), __ATOMIC_RELEASE);
	clock_gettime(kind == CLOCKWAIT ? CLOCK_MONOTONIC : CLOCK_REALTIME, &ts);
	ts.tv_sec += 3600;
	errno = 0;
	rc = kind == WAIT ? sem_wait(&rsem) :
	     kind == TIMEDWAIT ? sem_timedwait(&rsem, &ts) :
	     sem_clockwait(&rsem, CLOCK_MONOTONIC, &ts);
	waiter_errno = errno;
	waiter_rc = rc;
	__atomic_store_n(&waiter_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void restart_case(int kind, int restart)
{
	struct sigaction sa;
	pthread_t t;
	int tid, restarted = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mark_handler;
	sa.sa_flags = restart ? SA_RESTART : 0;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(sem_init(&rsem, 0, 0) == 0);
	waiter_tid = waiter_done = caught = 0;
	PT(pthread_create(&t, NULL, waiter, (void *)(intptr_t)kind));
	while (!(tid = __atomic_load_n(&waiter_tid, __ATOMIC_ACQUIRE)))
		safe_sleep_ms(1);
	safe_wait_blocked(tid);
	PT(pthread_kill(t, SIGUSR2));
	/* Either the call returns, or the thread goes back to waiting after
	 * the handler ran: the kernel restarted it. */
	for (;;) {
		if (__atomic_load_n(&waiter_done, __ATOMIC_ACQUIRE))
			break;
		if (__atomic_load_n(&caught, __ATOMIC_ACQUIRE) && safe_in_futex(tid)) {
			restarted = 1;
			break;
		}
		safe_sleep_ms(1);
	}
	if (restarted)
		CHECK(sem_post(&rsem) == 0);
	PT(pthread_join(t, NULL));
	printf("%s SA_RESTART=%d: %s, rc=%d errno=%s\n", names[kind], restart,
	       restarted ? "restarted" : "returned", waiter_rc,
	       waiter_rc ? strerror(waiter_errno) : "-");
	CHECK(sem_destroy(&rsem) == 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "hammer") == 0)
		return hammer(argc > 2 ? atol(argv[2]) : 200000);
	if (argc > 1 && strcmp(argv[1], "restart") == 0) {
		for (int kind = WAIT; kind <= CLOCKWAIT; kind++)
			for (int restart = 0; restart <= 1; restart++)
				restart_case(kind, restart);
		return 0;
	}
	fprintf(stderr, "usage: sigpost hammer [signals] | restart\n");
	return 2;
}
