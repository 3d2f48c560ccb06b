/* SPDX-License-Identifier: MIT */
/*
 * Capturing the calling thread's stack with libunwind's fast local
 * unw_backtrace (per-thread caching on), without the library's own frames:
 * the leaf is the program's caller of the pthread or semaphore function.
 */
#ifndef LP_STACKWALK_H
#define LP_STACKWALK_H

#include <stdint.h>

#include "base/config.h"

/* Frames of the library that can sit above the program's caller. */
#define LP_STACK_SLACK 16

/* Libunwind's caching; call once at start, after lp_selfmap_init. */
void lp_stackwalk_init(void);

/* Fork: wait for the walks in progress, hold new ones off (they take no
 * stack) until after_fork, in the parent and the child. */
void lp_stackwalk_before_fork(void);
void lp_stackwalk_after_fork(int child);

/*
 * Fill `pcs` (room for LP_MAX_STACK_DEPTH + LP_STACK_SLACK) with up to
 * `depth` return addresses, leaf first. Returns the number kept; *truncated
 * says the stack went deeper than `depth`.
 */
int lp_stackwalk(uintptr_t *pcs, int depth, int *truncated);

#endif /* LP_STACKWALK_H */
