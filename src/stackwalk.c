#include <string.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "selfmap.h"
#include "stackwalk.h"

void lp_stackwalk_init(void)
{
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

int lp_stackwalk(uintptr_t *pcs, int depth, int *truncated)
{
	void *buf[LP_MAX_STACK_DEPTH + LP_STACK_SLACK + 1];
	int n, skip = 0, keep;

	n = unw_backtrace(buf, depth + LP_STACK_SLACK + 1);
	while (skip < n && lp_self_code((uintptr_t)buf[skip]))
		skip++;
	keep = n - skip;
	*truncated = keep > depth;
	if (keep > depth)
		keep = depth;
	memcpy(pcs, buf + skip, (size_t)keep * sizeof(*pcs));
	return keep;
}
