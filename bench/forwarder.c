/* SPDX-License-Identifier: MIT */
/*
 * The floor for any LD_PRELOAD lock profiler, measured: a preload library
 * that profiles nothing. Built twice:
 *   bench-forward.so   pthread_mutex_lock and _unlock, pthread_rwlock_rdlock,
 *                      _wrlock and _unlock jump straight to glibc's (the
 *                      cost of being interposed at all);
 *   bench-tryfirst.so  the locks try first and fall back to the blocking
 *                      call, as lockprof does to know that a lock was busy
 *                      (the cost of the design's one extra call and
 *                      trylock); a read lock tries as lockprof's does, with
 *                      a deadline long past (interpose/rwlock.c).
 * bench/run times the uncontended loop and the rwlocks (readers only, and
 * 1 lock in 4 a write lock) through both, next to lockprof.
 *
 * The glibc entry points are bound by version, as in interpose/real.c, so
 * that nothing needs resolving before the first call.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

extern int glibc_lock(pthread_mutex_t *);
extern int glibc_trylock(pthread_mutex_t *);
extern int glibc_unlock(pthread_mutex_t *);
__asm__(".symver glibc_lock, __pthread_mutex_lock@GLIBC_2.2.5");
__asm__(".symver glibc_trylock, __pthread_mutex_trylock@GLIBC_2.2.5");
__asm__(".symver glibc_unlock, __pthread_mutex_unlock@GLIBC_2.2.5");
extern int glibc_rdlock(pthread_rwlock_t *);
extern int glibc_rwunlock(pthread_rwlock_t *);
extern int glibc_wrlock(pthread_rwlock_t *);
extern int glibc_trywrlock(pthread_rwlock_t *);
extern int glibc_timedrdlock(pthread_rwlock_t *, const struct timespec *);
__asm__(".symver glibc_rdlock, __pthread_rwlock_rdlock@GLIBC_2.2.5");
__asm__(".symver glibc_wrlock, __pthread_rwlock_wrlock@GLIBC_2.2.5");
__asm__(".symver glibc_trywrlock, __pthread_rwlock_trywrlock@GLIBC_2.2.5");
__asm__(".symver glibc_rwunlock, __pthread_rwlock_unlock@GLIBC_2.2.5");
__asm__(".symver glibc_timedrdlock, pthread_rwlock_timedrdlock@GLIBC_2.2.5");

/* Called through pointers, as an interposer that resolved them would. */
static int (*volatile real_lock)(pthread_mutex_t *) = glibc_lock;
static int (*volatile real_unlock)(pthread_mutex_t *) = glibc_unlock;
static int (*volatile real_rdlock)(pthread_rwlock_t *) = glibc_rdlock;
static int (*volatile real_rwunlock)(pthread_rwlock_t *) = glibc_rwunlock;
static int (*volatile real_wrlock)(pthread_rwlock_t *) = glibc_wrlock;
#if TRY_FIRST
static int (*volatile real_trylock)(pthread_mutex_t *) = glibc_trylock;
static int (*volatile real_timedrdlock)(pthread_rwlock_t *,
					const struct timespec *) = glibc_timedrdlock;
static int (*volatile real_trywrlock)(pthread_rwlock_t *) = glibc_trywrlock;
static const struct timespec long_past = { .tv_sec = -1 };

static inline int real_tryrdlock(pthread_rwlock_t *l)
{
	return real_timedrdlock(l, &long_past);
}

static __attribute__((noinline)) int lock_busy(pthread_mutex_t *m)
{
	return real_lock(m);
}

#endif

__attribute__((visibility("default"))) int pthread_mutex_lock(pthread_mutex_t *m)
{
#if TRY_FIRST
	int rc = real_trylock(m);

	if (__builtin_expect(rc == 0 || rc == EOWNERDEAD, 1))
		return rc;
	return lock_busy(m);
#else
	return real_lock(m);
#endif
}

__attribute__((visibility("default"))) int pthread_mutex_unlock(pthread_mutex_t *m)
{
	return real_unlock(m);
}

/* pthread_rwlock_rdlock and _wrlock: `kind` is rd or wr. */
#if TRY_FIRST
#define RWLOCK_ACQUIRE(kind)                                                          \
	static __attribute__((noinline)) int kind##lock_busy(pthread_rwlock_t *l)     \
	{                                                                             \
		return real_##kind##lock(l);                                          \
	}                                                                             \
	__attribute__((visibility("default"))) int pthread_rwlock_##kind##lock(       \
		pthread_rwlock_t *l)                                                  \
	{                                                                             \
		if (__builtin_expect(real_try##kind##lock(l) == 0, 1))                \
			return 0;                                                     \
		return kind##lock_busy(l);                                            \
	}
#else
#define RWLOCK_ACQUIRE(kind)                                                          \
	__attribute__((visibility("default"))) int pthread_rwlock_##kind##lock(       \
		pthread_rwlock_t *l)                                                  \
	{                                                                             \
		return real_##kind##lock(l);                                          \
	}
#endif

RWLOCK_ACQUIRE(rd)
RWLOCK_ACQUIRE(wr)

__attribute__((visibility("default"))) int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	return real_rwunlock(l);
}
