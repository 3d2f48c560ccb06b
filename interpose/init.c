/* SPDX-License-Identifier: MIT */
/*
 * pthread_mutex_init, pthread_rwlock_init: the real call, and when it
 * succeeded, where the program initialized the lock, for the `lock` label
 * (src/record/lockid.h; nothing unless samples are labelled with it). The
 * result and errno are the real call's. Before the real functions are
 * resolved, and while they are, glibc's exported aliases stand in
 * (interpose/real.c).
 */
#include <pthread.h>

#include "base/export.h"
#include "real.h"
#include "record/lockid.h"

LP_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	int rc = lp_real_basic()->mutex_init(m, attr);

	if (rc == 0)
		lp_lockid_initialized(m, (uintptr_t)__builtin_return_address(0));
	return rc;
}

LP_EXPORT int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr)
{
	int rc = lp_real_basic()->rwlock_init(l, attr);

	if (rc == 0)
		lp_lockid_initialized(l, (uintptr_t)__builtin_return_address(0));
	return rc;
}
