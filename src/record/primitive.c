/* SPDX-License-Identifier: MIT */
#include "primitive.h"

static const char *const names[LP_PRIM_COUNT] = {
	[LP_PRIM_MUTEX_LOCK] = "pthread_mutex_lock",
	[LP_PRIM_MUTEX_TIMEDLOCK] = "pthread_mutex_timedlock",
	[LP_PRIM_MUTEX_CLOCKLOCK] = "pthread_mutex_clocklock",
	[LP_PRIM_MUTEX_UNLOCK] = "pthread_mutex_unlock",
	[LP_PRIM_RWLOCK_RDLOCK] = "pthread_rwlock_rdlock",
	[LP_PRIM_RWLOCK_TIMEDRDLOCK] = "pthread_rwlock_timedrdlock",
	[LP_PRIM_RWLOCK_CLOCKRDLOCK] = "pthread_rwlock_clockrdlock",
	[LP_PRIM_RWLOCK_WRLOCK] = "pthread_rwlock_wrlock",
	[LP_PRIM_RWLOCK_TIMEDWRLOCK] = "pthread_rwlock_timedwrlock",
	[LP_PRIM_RWLOCK_CLOCKWRLOCK] = "pthread_rwlock_clockwrlock",
	[LP_PRIM_RWLOCK_UNLOCK] = "pthread_rwlock_unlock",
	[LP_PRIM_COND_WAIT] = "pthread_cond_wait",
	[LP_PRIM_COND_TIMEDWAIT] = "pthread_cond_timedwait",
	[LP_PRIM_COND_CLOCKWAIT] = "pthread_cond_clockwait",
	[LP_PRIM_SEM_WAIT] = "sem_wait",
	[LP_PRIM_SEM_TIMEDWAIT] = "sem_timedwait",
	[LP_PRIM_SEM_CLOCKWAIT] = "sem_clockwait",
	[LP_PRIM_SEM_POST] = "sem_post",
};

const char *lp_primitive_name(unsigned prim)
{
	return prim < LP_PRIM_COUNT ? names[prim] : 0;
}
