/* SPDX-License-Identifier: MIT */
/*
 * The real pthread and semaphore functions the wrappers stand in front of.
 *
 * They are resolved once, by the library's constructor or by the first
 * wrapper called before it, whichever comes first. dlsym may allocate, and a
 * preloaded allocator may take a pthread mutex while it does: a call that
 * arrives on the resolving thread, or before resolution finished, uses the
 * bootstrap path instead (glibc's own exported aliases for mutexes and
 * rwlocks, a direct call for everything else once resolved).
 */
#ifndef LP_REAL_H
#define LP_REAL_H

#include <pthread.h>
#include <semaphore.h>
#include <time.h>

struct lp_real {
	int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
	int (*mutex_lock)(pthread_mutex_t *);
	int (*mutex_trylock)(pthread_mutex_t *);
	int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
	int (*mutex_clocklock)(pthread_mutex_t *, clockid_t, const struct timespec *);
	int (*mutex_unlock)(pthread_mutex_t *);

	int (*rwlock_init)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
	int (*rwlock_rdlock)(pthread_rwlock_t *);
	int (*rwlock_wrlock)(pthread_rwlock_t *);
	int (*rwlock_tryrdlock)(pthread_rwlock_t *);
	int (*rwlock_trywrlock)(pthread_rwlock_t *);
	int (*rwlock_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
	int (*rwlock_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
	int (*rwlock_clockrdlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
	int (*rwlock_clockwrlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
	int (*rwlock_unlock)(pthread_rwlock_t *);
	/* The read lock's try, given lp_long_past (interpose/rwlock.c):
	 * rwlock_timedrdlock where real.c keeps it, else rwlock_tryrdlock,
	 * which has no deadline. */
	int (*rwlock_rdlock_try)(pthread_rwlock_t *, const struct timespec *);

	int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
	int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
	int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);

	int (*sem_init)(sem_t *, int, unsigned int);
	int (*sem_wait)(sem_t *);
	int (*sem_trywait)(sem_t *);
	int (*sem_timedwait)(sem_t *, const struct timespec *);
	int (*sem_clockwait)(sem_t *, clockid_t, const struct timespec *);
	int (*sem_post)(sem_t *);

	int (*setcanceltype)(int, int *);

	int (*setname_np)(pthread_t, const char *);
	int (*prctl)(int, unsigned long, unsigned long, unsigned long, unsigned long);
};

extern struct lp_real lp_real;

/* A deadline long past: negative, which glibc's futex wait answers without
 * a system call. */
extern const struct timespec lp_long_past;

/* Start resolving if nobody has; never waits. Enough for the mutex and
 * rwlock entries, which are valid from the start. The check stays on their
 * fast path all the same: until resolution, those entries are glibc's
 * exported aliases, which another interposer (ASan) may intercept with
 * functions that do not work yet. */
void lp_real_kick(void);

/* Resolve, or wait for the thread resolving; every entry is then valid. */
void lp_real_resolve(void);

extern int lp_real_ready;

static inline const struct lp_real *lp_real_basic(void)
{
	if (__builtin_expect(!__atomic_load_n(&lp_real_ready, __ATOMIC_ACQUIRE), 0))
		lp_real_kick();
	return &lp_real;
}

static inline const struct lp_real *lp_real_get(void)
{
	if (__builtin_expect(!__atomic_load_n(&lp_real_ready, __ATOMIC_ACQUIRE), 0))
		lp_real_resolve();
	return &lp_real;
}

#endif /* LP_REAL_H */
