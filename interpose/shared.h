/* SPDX-License-Identifier: MIT */
/*
 * Is a primitive shared between processes? Read from glibc's own fields
 * (2.36, 64-bit), on slow paths and at initialization only.
 */
#ifndef LP_SHARED_H
#define LP_SHARED_H

#include <pthread.h>
#include <semaphore.h>

/* PTHREAD_MUTEX_PSHARED_BIT of the mutex's kind (glibc's pthreadP.h). */
#define GLIBC_KIND_PSHARED 128

static inline int lp_mutex_is_shared(const pthread_mutex_t *m)
{
	return (__atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED) & GLIBC_KIND_PSHARED) != 0;
}

/* The rwlock's __shared is nonzero for PTHREAD_PROCESS_SHARED. */
static inline int lp_rwlock_is_shared(const pthread_rwlock_t *l)
{
	return __atomic_load_n(&l->__data.__shared, __ATOMIC_RELAXED) != 0;
}

/* sem_init(.., 1, ..) and sem_open's semaphores: glibc's struct new_sem is
 * { uint64_t data; int private; int pad; } on 64-bit targets, and
 * `private` is its futex flag, FUTEX_PRIVATE_FLAG (128) when shared (its
 * LLL_SHARED; LLL_PRIVATE is 0). */
static inline int lp_sem_is_shared(const sem_t *s)
{
	return __atomic_load_n((const int *)s + 2, __ATOMIC_RELAXED) == 128;
}

#endif /* LP_SHARED_H */
