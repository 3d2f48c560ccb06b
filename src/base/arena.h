/* SPDX-License-Identifier: MIT */
/*
 * Memory for the profiler's tables, taken straight from mmap: a lock call
 * may arrive while the program holds its allocator's lock, so the lock
 * paths never call malloc. Bump allocation, never freed; callers recycle.
 */
#ifndef LP_ARENA_H
#define LP_ARENA_H

#include <stddef.h>

/* Zeroed memory aligned to 16 bytes, or NULL when mmap fails. */
void *lp_arena_alloc(size_t size);

/* The same aligned to `align` (a power of two, at most 4096): a block that
 * must have cache lines of its own. */
void *lp_arena_alloc_aligned(size_t size, size_t align);

/* In a forked child: the lock may have been held by a thread that is gone. */
void lp_arena_after_fork_child(void);

#endif /* LP_ARENA_H */
