/* SPDX-License-Identifier: MIT */
/*
 * pthread_mutex_init, pthread_rwlock_init, sem_init: the real call, and
 * when it succeeded, where the program initialized the lock, for the
 * `lock` label (src/record/lockid.h; nothing unless samples are labelled
 * with it), and whether it is shared between processes: the first shared
 * one shares the wait state's filter with the processes this one forks
 * (lp_waitstate_share). The result and errno are the real call's. Before
 * the real functions are resolved, and while they are, glibc's exported
 * aliases stand in for the locks' (interpose/real.c).
 */
#include <pthread.h>
#include <semaphore.h>

#include "base/export.h"
#include "real.h"
#include "record/lockid.h"
#include "record/waitstate.h"
#include "shared.h"

LP_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	int rc = lp_real_basic()->mutex_init(m, attr);

	if (rc == 0) {
		lp_lockid_initialized(m, (uintptr_t)__builtin_return_address(0));
		if (lp_mutex_is_shared(m))
			lp_waitstate_share();
	}
	return rc;
}

LP_EXPORT int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr)
{
	int rc = lp_real_basic()->rwlock_init(l, attr);

	if (rc == 0) {
		lp_lockid_initialized(l, (uintptr_t)__builtin_return_address(0));
		if (lp_rwlock_is_shared(l))
			lp_waitstate_share();
	}
	return rc;
}

LP_EXPORT int sem_init(sem_t *s, int pshared, unsigned int value)
{
	int rc = lp_real_get()->sem_init(s, pshared, value);

	if (rc == 0) {
		lp_lockid_initialized(s, (uintptr_t)__builtin_return_address(0));
		if (pshared)
			lp_waitstate_share();
	}
	return rc;
}
