/* SPDX-License-Identifier: MIT */
/*
 * A lock tracer of the common kind, preloaded after the library: it
 * interposes the rwlock calls most tracers know (rdlock, wrlock, their
 * trylocks, unlock), not the timed ones, and counts the locks taken and
 * released. At exit: "rwtracer: taken N released M" on stderr. The
 * library must hand it every read lock it takes (test_tracer.py).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static long taken, released;

#define NEXT(name) ((int (*)(pthread_rwlock_t *))dlsym(RTLD_NEXT, name))
#define COUNTED(name, counter)                                         \
	int name(pthread_rwlock_t *l)                                   \
	{                                                               \
		static int (*real)(pthread_rwlock_t *);                 \
		int rc;                                                 \
		if (!real)                                              \
			real = NEXT(#name);                             \
		rc = real(l);                                           \
		if (rc == 0)                                            \
			__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); \
		return rc;                                              \
	}

COUNTED(pthread_rwlock_rdlock, taken)
COUNTED(pthread_rwlock_tryrdlock, taken)
COUNTED(pthread_rwlock_wrlock, taken)
COUNTED(pthread_rwlock_trywrlock, taken)
COUNTED(pthread_rwlock_unlock, released)

__attribute__((destructor)) static void report(void)
{
	fprintf(stderr, "rwtracer: taken %ld released %ld\n", taken, released);
}
