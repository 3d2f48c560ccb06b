/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <sys/mman.h>

#include "arena.h"
#include "spin.h"

#define CHUNK_SIZE ((size_t)1 << 20)

static int arena_lock;
static char *chunk_cur, *chunk_end;

void *lp_arena_alloc_aligned(size_t size, size_t align)
{
	void *p = NULL;

	size = (size + 15) & ~(size_t)15;
	lp_spin_lock(&arena_lock);
	chunk_cur = (char *)(((uintptr_t)chunk_cur + align - 1) & ~(uintptr_t)(align - 1));
	if (chunk_cur > chunk_end || (size_t)(chunk_end - chunk_cur) < size) {
		size_t len = size > CHUNK_SIZE ? size : CHUNK_SIZE;
		char *c = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED)
			goto out;
		chunk_cur = c;
		chunk_end = c + len;
	}
	p = chunk_cur;
	chunk_cur += size;
out:
	lp_spin_unlock(&arena_lock);
	return p;
}

void *lp_arena_alloc(size_t size)
{
	return lp_arena_alloc_aligned(size, 16);
}

void lp_arena_after_fork_child(void)
{
	arena_lock = 0;
}
