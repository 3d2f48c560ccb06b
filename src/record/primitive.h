/* SPDX-License-Identifier: MIT */
/*
 * The primitive a profiled call went through, as the program called it:
 * the leaf frame of its samples, and what a wait in progress is waiting in.
 */
#ifndef LP_PRIMITIVE_H
#define LP_PRIMITIVE_H

#include <stdint.h>

enum lp_primitive {
	LP_PRIM_MUTEX_LOCK,
	LP_PRIM_MUTEX_TIMEDLOCK,
	LP_PRIM_MUTEX_CLOCKLOCK,
	LP_PRIM_MUTEX_UNLOCK,
	LP_PRIM_RWLOCK_RDLOCK,
	LP_PRIM_RWLOCK_TIMEDRDLOCK,
	LP_PRIM_RWLOCK_CLOCKRDLOCK,
	LP_PRIM_RWLOCK_WRLOCK,
	LP_PRIM_RWLOCK_TIMEDWRLOCK,
	LP_PRIM_RWLOCK_CLOCKWRLOCK,
	LP_PRIM_RWLOCK_UNLOCK,
	LP_PRIM_COND_WAIT,
	LP_PRIM_COND_TIMEDWAIT,
	LP_PRIM_COND_CLOCKWAIT,
	LP_PRIM_SEM_WAIT,
	LP_PRIM_SEM_TIMEDWAIT,
	LP_PRIM_SEM_CLOCKWAIT,
	LP_PRIM_SEM_POST,
	LP_PRIM_COUNT
};

/* A mutex's or rwlock's acquisition: a wait that a release by the lock's
 * owner ends. */
static inline int lp_primitive_is_lock(enum lp_primitive prim)
{
	return prim <= LP_PRIM_RWLOCK_CLOCKWRLOCK && prim != LP_PRIM_MUTEX_UNLOCK;
}

/* The function's name ("pthread_mutex_lock"), or NULL out of range. */
const char *lp_primitive_name(unsigned prim);

/*
 * The primitive as a stack's leaf frame: a pseudo return address, in the
 * first page, where no code is ever mapped (the kernel refuses to map it
 * below vm.mmap_min_addr, 4096 at least), so it cannot be taken for a
 * frame of the program. The encoder names it after the primitive
 * (pprof_encode.c), as Go's block profile ends in sync.(*Mutex).Lock.
 */
#define LP_PRIM_PC_BASE 0x100

static inline uintptr_t lp_primitive_pc(enum lp_primitive prim)
{
	return LP_PRIM_PC_BASE + 1 + (uintptr_t)prim;
}

/* The primitive a stack's return address stands for, or -1 for code. */
static inline int lp_pc_primitive(uintptr_t pc)
{
	return pc > LP_PRIM_PC_BASE && pc <= LP_PRIM_PC_BASE + LP_PRIM_COUNT ?
		(int)(pc - LP_PRIM_PC_BASE - 1) : -1;
}

#endif /* LP_PRIMITIVE_H */
