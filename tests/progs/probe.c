/* SPDX-License-Identifier: MIT */
/*
 * The semantics probe: return codes, errno, cancellation and signal
 * behaviour of every interposed call in its corner cases, one line each.
 * The test runs it natively and under the library and requires the same
 * output, byte for byte.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define SAY(...) do { printf(__VA_ARGS__); putchar('\n'); fflush(stdout); } while (0)

static struct timespec in_ms(clockid_t clock, long ms)
{
	struct timespec t;
	clock_gettime(clock, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

static const struct timespec bad_ts = { 0, 1000000000 };

/* A thread that holds a mutex until told to let go. */
struct holder {
	pthread_mutex_t *m;
	pthread_rwlock_t *rw;
	int write;
	sem_t held, release;
};

static void *hold(void *arg)
{
	struct holder *h = arg;
	if (h->m)
		pthread_mutex_lock(h->m);
	else if (h->write)
		pthread_rwlock_wrlock(h->rw);
	else
		pthread_rwlock_rdlock(h->rw);
	sem_post(&h->held);
	sem_wait(&h->release);
	if (h->m)
		pthread_mutex_unlock(h->m);
	else
		pthread_rwlock_unlock(h->rw);
	return NULL;
}

static void start_holder(struct holder *h, pthread_t *t)
{
	sem_init(&h->held, 0, 0);
	sem_init(&h->release, 0, 0);
	pthread_create(t, NULL, hold, h);
	sem_wait(&h->held);
}

static void stop_holder(struct holder *h, pthread_t t)
{
	sem_post(&h->release);
	pthread_join(t, NULL);
}

static void mutex_kinds(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pthread_t t;
	struct holder h = { 0 };
	struct timespec ts;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	SAY("errorcheck lock: %d", pthread_mutex_lock(&m));
	SAY("errorcheck relock: %s", strerror(pthread_mutex_lock(&m)));
	SAY("errorcheck trylock owned: %s", strerror(pthread_mutex_trylock(&m)));
	SAY("errorcheck unlock: %d", pthread_mutex_unlock(&m));
	SAY("errorcheck unlock unowned: %s", strerror(pthread_mutex_unlock(&m)));
	pthread_mutex_destroy(&m);

	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m, &a);
	SAY("recursive lock: %d", pthread_mutex_lock(&m));
	SAY("recursive relock: %d", pthread_mutex_lock(&m));
	SAY("recursive trylock owned: %d", pthread_mutex_trylock(&m));
	SAY("recursive unlock: %d", pthread_mutex_unlock(&m));
	SAY("recursive unlock: %d", pthread_mutex_unlock(&m));
	SAY("recursive unlock: %d", pthread_mutex_unlock(&m));
	SAY("recursive unlock extra: %s", strerror(pthread_mutex_unlock(&m)));
	pthread_mutex_destroy(&m);

	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_NORMAL);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&m, &a);
	h.m = &m;
	start_holder(&h, &t);
	SAY("pi trylock held: %s", strerror(pthread_mutex_trylock(&m)));
	ts = in_ms(CLOCK_REALTIME, 20);
	SAY("pi timedlock held: %s", strerror(pthread_mutex_timedlock(&m, &ts)));
	stop_holder(&h, t);
	SAY("pi lock free: %d", pthread_mutex_lock(&m));
	SAY("pi unlock: %d", pthread_mutex_unlock(&m));
	pthread_mutex_destroy(&m);
	pthread_mutexattr_destroy(&a);
}

static void *die_holding(void *m)
{
	pthread_mutex_lock(m);
	return NULL;
}

static void *lock_and_report(void *m)
{
	int rc = pthread_mutex_lock(m);
	if (rc == EOWNERDEAD)
		pthread_mutex_consistent(m);
	pthread_mutex_unlock(m);
	return (void *)(long)rc;
}

static void robust(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pthread_t t, w;
	void *rc;
	struct holder h = { 0 };

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	pthread_create(&t, NULL, die_holding, &m);
	pthread_join(t, NULL);
	SAY("robust lock after owner died: %s", strerror(pthread_mutex_lock(&m)));
	SAY("robust consistent: %d", pthread_mutex_consistent(&m));
	SAY("robust unlock: %d", pthread_mutex_unlock(&m));
	SAY("robust relock: %d", pthread_mutex_lock(&m));
	SAY("robust unlock again: %d", pthread_mutex_unlock(&m));

	/* The owner dies while another thread waits in the blocking call. */
	h.m = &m;
	start_holder(&h, &t);
	pthread_create(&w, NULL, lock_and_report, &m);
	usleep(20000);
	pthread_cancel(t); /* dies holding: cancelled inside sem_wait */
	pthread_join(t, NULL);
	pthread_join(w, &rc);
	SAY("robust waiter when owner died: %s", strerror((int)(long)rc));
	pthread_mutex_destroy(&m);
	pthread_mutexattr_destroy(&a);
}

static void timed_mutex(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	struct holder h = { .m = &m };
	pthread_t t;
	struct timespec ts;

	SAY("timedlock free, bad timespec: %d", pthread_mutex_timedlock(&m, &bad_ts));
	pthread_mutex_unlock(&m);
	SAY("clocklock bad clock: %s", strerror(pthread_mutex_clocklock(&m, CLOCK_PROCESS_CPUTIME_ID, &bad_ts)));
	start_holder(&h, &t);
	SAY("timedlock held, bad timespec: %s", strerror(pthread_mutex_timedlock(&m, &bad_ts)));
	ts = in_ms(CLOCK_REALTIME, 20);
	SAY("timedlock held: %s", strerror(pthread_mutex_timedlock(&m, &ts)));
	ts = in_ms(CLOCK_MONOTONIC, 20);
	SAY("clocklock held: %s", strerror(pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts)));
	stop_holder(&h, t);
	errno = 4321;
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	SAY("errno kept across lock/unlock: %d", errno);
}

static void rwlocks(void)
{
	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	struct holder h = { .rw = &rw, .write = 1 };
	pthread_t t;
	struct timespec ts;

	SAY("wrlock: %d", pthread_rwlock_wrlock(&rw));
	SAY("rdlock own write: %s", strerror(pthread_rwlock_rdlock(&rw)));
	SAY("wrlock own write: %s", strerror(pthread_rwlock_wrlock(&rw)));
	SAY("unlock: %d", pthread_rwlock_unlock(&rw));
	SAY("timedrdlock free, bad timespec: %s", strerror(pthread_rwlock_timedrdlock(&rw, &bad_ts)));
	SAY("timedwrlock free, bad timespec: %s", strerror(pthread_rwlock_timedwrlock(&rw, &bad_ts)));
	ts = in_ms(CLOCK_MONOTONIC, 20);
	SAY("clockrdlock bad clock: %s", strerror(pthread_rwlock_clockrdlock(&rw, CLOCK_PROCESS_CPUTIME_ID, &ts)));
	start_holder(&h, &t);
	ts = in_ms(CLOCK_REALTIME, 20);
	SAY("timedrdlock held: %s", strerror(pthread_rwlock_timedrdlock(&rw, &ts)));
	ts = in_ms(CLOCK_MONOTONIC, 20);
	SAY("clockwrlock held: %s", strerror(pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &ts)));
	SAY("tryrdlock held: %s", strerror(pthread_rwlock_tryrdlock(&rw)));
	stop_holder(&h, t);
	SAY("rdlock: %d", pthread_rwlock_rdlock(&rw));
	SAY("rdlock again: %d", pthread_rwlock_rdlock(&rw));
	SAY("unlock: %d", pthread_rwlock_unlock(&rw));
	SAY("unlock: %d", pthread_rwlock_unlock(&rw));
}

static void semaphores(void)
{
	sem_t s;
	struct timespec ts;
	int rc;

	sem_init(&s, 0, 1);
	errno = 1234;
	rc = sem_wait(&s);
	SAY("sem_wait with count: %d errno %d", rc, errno);
	rc = sem_trywait(&s);
	SAY("sem_trywait empty: %d %s", rc, strerror(errno));
	sem_post(&s);
	errno = 0;
	rc = sem_timedwait(&s, &bad_ts);
	SAY("sem_timedwait with count, bad timespec: %d %s", rc, strerror(errno));
	errno = 0;
	rc = sem_clockwait(&s, CLOCK_PROCESS_CPUTIME_ID, &bad_ts);
	SAY("sem_clockwait bad clock: %d %s", rc, strerror(errno));
	SAY("sem_wait: %d", sem_wait(&s));
	ts = in_ms(CLOCK_REALTIME, 20);
	errno = 0;
	rc = sem_timedwait(&s, &ts);
	SAY("sem_timedwait empty: %d %s", rc, strerror(errno));
	ts = in_ms(CLOCK_MONOTONIC, 20);
	errno = 0;
	rc = sem_clockwait(&s, CLOCK_MONOTONIC, &ts);
	SAY("sem_clockwait empty: %d %s", rc, strerror(errno));
	errno = 0;
	rc = sem_timedwait(&s, &bad_ts);
	SAY("sem_timedwait empty, bad timespec: %d %s", rc, strerror(errno));
	sem_destroy(&s);
}

static void conds(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec ts;

	pthread_mutex_lock(&m);
	SAY("cond_timedwait bad timespec: %s", strerror(pthread_cond_timedwait(&c, &m, &bad_ts)));
	ts = in_ms(CLOCK_REALTIME, 20);
	SAY("cond_timedwait timeout: %s", strerror(pthread_cond_timedwait(&c, &m, &ts)));
	ts = in_ms(CLOCK_MONOTONIC, 20);
	SAY("cond_clockwait timeout: %s", strerror(pthread_cond_clockwait(&c, &m, CLOCK_MONOTONIC, &ts)));
	SAY("cond_clockwait bad clock: %s", strerror(pthread_cond_clockwait(&c, &m, CLOCK_PROCESS_CPUTIME_ID, &ts)));
	SAY("mutex still held after waits: %s", strerror(pthread_mutex_trylock(&m)));
	pthread_mutex_unlock(&m);
}

/* Cancellation inside the waits. */
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cc = PTHREAD_COND_INITIALIZER;
static sem_t cs;
static int cleanup_saw_lock;

static void cleanup_unlock(void *arg)
{
	(void)arg;
	/* The real call reacquired the mutex before the handlers ran. */
	cleanup_saw_lock = pthread_mutex_unlock(&cm) == 0;
}

static void *cancel_in_cond(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cm);
	pthread_cleanup_push(cleanup_unlock, NULL);
	for (;;)
		pthread_cond_wait(&cc, &cm);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *cancel_in_sem(void *arg)
{
	(void)arg;
	for (;;)
		sem_wait(&cs);
	return NULL;
}

static void *cancel_pending_sem(void *arg)
{
	int old;
	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_cancel(pthread_self());
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	sem_wait(&cs); /* count is 1: still a cancellation point */
	return (void *)1;
}

static void cancellation(void)
{
	pthread_t t;
	void *rc;

	pthread_create(&t, NULL, cancel_in_cond, NULL);
	usleep(20000);
	pthread_cancel(t);
	pthread_join(t, &rc);
	SAY("cancel in cond_wait: %s, cleanup unlocked the mutex: %d",
	    rc == PTHREAD_CANCELED ? "canceled" : "returned", cleanup_saw_lock);
	SAY("mutex free after: %d", pthread_mutex_trylock(&cm));
	pthread_mutex_unlock(&cm);

	sem_init(&cs, 0, 0);
	pthread_create(&t, NULL, cancel_in_sem, NULL);
	usleep(20000);
	pthread_cancel(t);
	pthread_join(t, &rc);
	SAY("cancel in sem_wait: %s", rc == PTHREAD_CANCELED ? "canceled" : "returned");
	sem_post(&cs);
	pthread_create(&t, NULL, cancel_pending_sem, NULL);
	pthread_join(t, &rc);
	SAY("pending cancel, sem_wait with count: %s", rc == PTHREAD_CANCELED ? "canceled" : "returned");
	sem_post(&cs);
	pthread_create(&t, NULL, cancel_in_sem, NULL);
	usleep(20000);
	SAY("semaphore after cancellations: taken by the new waiter: %d", sem_trywait(&cs) != 0);
	pthread_cancel(t);
	pthread_join(t, NULL);
}

/* A signal handler interrupting sem_wait, with and without SA_RESTART. */
static void on_alarm(int sig)
{
	(void)sig;
}

struct poke {
	pthread_t target;
	sem_t *sem;
};

/* Interrupt the waiter, then post: a restarted wait returns 0. */
static void *poke(void *arg)
{
	struct poke *p = arg;
	usleep(20000);
	pthread_kill(p->target, SIGUSR1);
	usleep(50000);
	sem_post(p->sem);
	return NULL;
}

static void interrupted(int flags)
{
	struct sigaction sa;
	pthread_t t;
	sem_t s;
	struct poke p = { pthread_self(), &s };
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigaction(SIGUSR1, &sa, NULL);
	sem_init(&s, 0, 0);
	pthread_create(&t, NULL, poke, &p);
	errno = 0;
	rc = sem_wait(&s);
	SAY("sem_wait interrupted (%s): %d %s", flags ? "SA_RESTART" : "no restart", rc, strerror(errno));
	pthread_join(t, NULL);
	sem_destroy(&s);
}

/* The calls interposed for the labels: initializers and thread renames
 * (their results, and errno left alone on success). */
static void initializers_and_names(void)
{
	pthread_mutexattr_t ma;
	pthread_rwlockattr_t ra;
	pthread_mutex_t m;
	pthread_rwlock_t rw;
	char name[16] = "";
	int rc;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	errno = 1234;
	rc = pthread_mutex_init(&m, &ma);
	SAY("mutex_init errorcheck: %d errno %d", rc, errno);
	rc = pthread_mutex_lock(&m);
	SAY("errorcheck lock twice: %d %d", rc, pthread_mutex_lock(&m));
	pthread_mutex_unlock(&m);
	pthread_mutex_destroy(&m);
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	errno = 1234;
	rc = pthread_rwlock_init(&rw, &ra);
	SAY("rwlock_init writer-preferring: %d errno %d", rc, errno);
	pthread_rwlock_destroy(&rw);
	SAY("setname_np too long: %d", pthread_setname_np(pthread_self(), "a-name-longer-than-15"));
	errno = 1234;
	rc = pthread_setname_np(pthread_self(), "probe-one");
	pthread_getname_np(pthread_self(), name, sizeof(name));
	SAY("setname_np: %d errno %d name %s", rc, errno, name);
	errno = 1234;
	rc = prctl(PR_SET_NAME, (unsigned long)"probe-two", 0, 0, 0);
	prctl(PR_GET_NAME, (unsigned long)name, 0, 0, 0);
	SAY("prctl set name: %d errno %d name %s", rc, errno, name);
	errno = 0;
	rc = prctl(-1, 0, 0, 0, 0);
	SAY("prctl bad option: %d errno %s", rc, strerror(errno));
	SAY("prctl get dumpable: %d", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
}

int main(void)
{
	initializers_and_names();
	mutex_kinds();
	robust();
	timed_mutex();
	rwlocks();
	semaphores();
	conds();
	cancellation();
	interrupted(0);
	interrupted(SA_RESTART);
	return 0;
}
