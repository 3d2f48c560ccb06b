#include <dlfcn.h>
#include <link.h>
#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "stackwalk.h"

/* The executable segments of liblockprof itself. */
static uintptr_t self_lo, self_hi;

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t me = (uintptr_t)arg;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		uintptr_t hi = lo + ph->p_memsz;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) &&
		    me >= lo && me < hi) {
			self_lo = lo;
			self_hi = hi;
			return 1;
		}
	}
	return 0;
}

void lp_stackwalk_init(void)
{
	dl_iterate_phdr(find_self, (void *)(uintptr_t)lp_stackwalk_init);
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

int lp_stackwalk(uintptr_t *pcs, int depth, int *truncated)
{
	void *buf[LP_MAX_STACK_DEPTH + LP_STACK_SLACK + 1];
	int n, skip = 0, keep;

	n = unw_backtrace(buf, depth + LP_STACK_SLACK + 1);
	while (skip < n && (uintptr_t)buf[skip] >= self_lo &&
	       (uintptr_t)buf[skip] < self_hi)
		skip++;
	keep = n - skip;
	*truncated = keep > depth;
	if (keep > depth)
		keep = depth;
	memcpy(pcs, buf + skip, (size_t)keep * sizeof(*pcs));
	return keep;
}
