/* SPDX-License-Identifier: MIT */
/*
 * Resolution of the real functions (see real.h).
 */
#include <dlfcn.h>
#include <link.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "real.h"

/* glibc keeps exporting these aliases of the mutex and rwlock functions (as
 * compatibility symbols, hence the explicit versions); they let the table
 * work before dlsym has run, and while it runs. */
#define BOOT(ret, alias, name, ...) \
	extern ret alias(__VA_ARGS__); \
	__asm__(".symver " #alias ", " #name "@GLIBC_2.2.5")
BOOT(int, boot_mutex_init, __pthread_mutex_init, pthread_mutex_t *,
     const pthread_mutexattr_t *);
BOOT(int, boot_mutex_lock, __pthread_mutex_lock, pthread_mutex_t *);
BOOT(int, boot_mutex_trylock, __pthread_mutex_trylock, pthread_mutex_t *);
BOOT(int, boot_mutex_unlock, __pthread_mutex_unlock, pthread_mutex_t *);
BOOT(int, boot_rwlock_init, __pthread_rwlock_init, pthread_rwlock_t *,
     const pthread_rwlockattr_t *);
BOOT(int, boot_rwlock_rdlock, __pthread_rwlock_rdlock, pthread_rwlock_t *);
BOOT(int, boot_rwlock_wrlock, __pthread_rwlock_wrlock, pthread_rwlock_t *);
BOOT(int, boot_rwlock_tryrdlock, __pthread_rwlock_tryrdlock, pthread_rwlock_t *);
BOOT(int, boot_rwlock_trywrlock, __pthread_rwlock_trywrlock, pthread_rwlock_t *);
BOOT(int, boot_rwlock_unlock, __pthread_rwlock_unlock, pthread_rwlock_t *);

/* The read lock's try where it is the trylock: the deadline has no use. */
static int tryrdlock_now(pthread_rwlock_t *l, const struct timespec *deadline)
{
	(void)deadline;
	return lp_real.rwlock_tryrdlock(l);
}

struct lp_real lp_real = {
	.mutex_init = boot_mutex_init,
	.mutex_lock = boot_mutex_lock,
	.mutex_trylock = boot_mutex_trylock,
	.mutex_unlock = boot_mutex_unlock,
	.rwlock_init = boot_rwlock_init,
	.rwlock_rdlock = boot_rwlock_rdlock,
	.rwlock_wrlock = boot_rwlock_wrlock,
	.rwlock_tryrdlock = boot_rwlock_tryrdlock,
	.rwlock_trywrlock = boot_rwlock_trywrlock,
	.rwlock_unlock = boot_rwlock_unlock,
	.rwlock_rdlock_try = tryrdlock_now,
};

int lp_real_ready;

const struct timespec lp_long_past = { .tv_sec = -1 };

/* 0 idle, 1 resolving, 2 done. */
static int resolve_state;
static __thread int resolving_here __attribute__((tls_model("initial-exec")));

static void *next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* The condvar functions exist in two ABI versions: dlsym returns the old
 * GLIBC_2.2.5 one, whose smaller condvar layout corrupts new-style condvars. */
static void *next_cond(const char *name)
{
	void *f = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2");
	return f ? f : next(name);
}

/* Which loaded objects hold the read lock, its trylock and its timed form;
 * and is Valgrind here. */
struct rdlock_objects {
	uintptr_t fn[3];
	const char *in[3];
	int valgrind;
};

static int find_rdlock_objects(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct rdlock_objects *o = arg;
	const char *name = info->dlpi_name ? info->dlpi_name : "";

	(void)size;
	if (strstr(name, "/vgpreload_"))
		o->valgrind = 1;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		for (int k = 0; k < 3; k++)
			if (o->fn[k] >= lo && o->fn[k] < lo + ph->p_memsz)
				o->in[k] = name;
	}
	return 0;
}

/*
 * The read lock's try (interpose/rwlock.c) is the timed read lock with a
 * deadline long past, instead of the trylock, only
 * - where the timed read lock is in the same object as the read lock and
 *   its trylock: a tool that tracks locks by interposing them (a lock
 *   tracer) without the timed form would never see a read lock taken
 *   through it;
 * - not under Valgrind, whose tools wrap by redirection, which this cannot
 *   see (Helgrind 3.19 wraps clockrdlock and not timedrdlock);
 * - where it takes a free lock, as POSIX says it must: a C library that
 *   checked the deadline first would have every read lock timed as a wait.
 * Found with dl_iterate_phdr, which a thread inside dlopen does not hold
 * while constructors run (dladdr's lock it does).
 */
static void choose_rdlock_try(void)
{
	pthread_rwlock_t l = PTHREAD_RWLOCK_INITIALIZER;
	struct rdlock_objects o = {
		.fn = { (uintptr_t)lp_real.rwlock_rdlock, (uintptr_t)lp_real.rwlock_tryrdlock,
			(uintptr_t)lp_real.rwlock_timedrdlock },
	};

	if (!lp_real.rwlock_timedrdlock)
		return;
	dl_iterate_phdr(find_rdlock_objects, &o);
	if (o.valgrind || !o.in[2] || o.in[0] != o.in[2] || o.in[1] != o.in[2])
		return;
	if (lp_real.rwlock_timedrdlock(&l, &lp_long_past) == 0 && lp_real.rwlock_unlock(&l) == 0)
		lp_real.rwlock_rdlock_try = lp_real.rwlock_timedrdlock;
}

#define SET(field, ptr) do { void *p_ = (ptr); if (p_) *(void **)&lp_real.field = p_; } while (0)

static void resolve_all(void)
{
	SET(mutex_init, next("pthread_mutex_init"));
	SET(mutex_lock, next("pthread_mutex_lock"));
	SET(mutex_trylock, next("pthread_mutex_trylock"));
	SET(mutex_timedlock, next("pthread_mutex_timedlock"));
	SET(mutex_clocklock, next("pthread_mutex_clocklock"));
	SET(mutex_unlock, next("pthread_mutex_unlock"));
	SET(rwlock_init, next("pthread_rwlock_init"));
	SET(rwlock_rdlock, next("pthread_rwlock_rdlock"));
	SET(rwlock_wrlock, next("pthread_rwlock_wrlock"));
	SET(rwlock_tryrdlock, next("pthread_rwlock_tryrdlock"));
	SET(rwlock_trywrlock, next("pthread_rwlock_trywrlock"));
	SET(rwlock_timedrdlock, next("pthread_rwlock_timedrdlock"));
	SET(rwlock_timedwrlock, next("pthread_rwlock_timedwrlock"));
	SET(rwlock_clockrdlock, next("pthread_rwlock_clockrdlock"));
	SET(rwlock_clockwrlock, next("pthread_rwlock_clockwrlock"));
	SET(rwlock_unlock, next("pthread_rwlock_unlock"));
	SET(cond_wait, next_cond("pthread_cond_wait"));
	SET(cond_timedwait, next_cond("pthread_cond_timedwait"));
	SET(cond_clockwait, next("pthread_cond_clockwait"));
	SET(sem_init, next("sem_init"));
	SET(sem_wait, next("sem_wait"));
	SET(sem_trywait, next("sem_trywait"));
	SET(sem_timedwait, next("sem_timedwait"));
	SET(sem_clockwait, next("sem_clockwait"));
	SET(sem_post, next("sem_post"));
	SET(setcanceltype, next("pthread_setcanceltype"));
	SET(setname_np, next("pthread_setname_np"));
	SET(prctl, next("prctl"));
	choose_rdlock_try();
}

/* Returns 1 when this call did the resolution or found it done. */
static int try_resolve(void)
{
	int idle = 0;

	if (__atomic_compare_exchange_n(&resolve_state, &idle, 1, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		resolving_here = 1;
		resolve_all();
		resolving_here = 0;
		__atomic_store_n(&resolve_state, 2, __ATOMIC_RELEASE);
		__atomic_store_n(&lp_real_ready, 1, __ATOMIC_RELEASE);
		return 1;
	}
	return idle == 2;
}

void lp_real_kick(void)
{
	if (!resolving_here)
		try_resolve();
}

void lp_real_resolve(void)
{
	/* A call made by dlsym itself on this thread: it gets the bootstrap
	 * entries; waiting for ourselves would never end. */
	if (resolving_here || try_resolve())
		return;
	while (__atomic_load_n(&resolve_state, __ATOMIC_ACQUIRE) != 2)
		sched_yield();
}

/* Before any other constructor of the library: a wrapper called from a
 * signal handler later on (sem_post) must never be the one resolving. */
__attribute__((constructor(101))) static void resolve_at_load(void)
{
	lp_real_resolve();
}
