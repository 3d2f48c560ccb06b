/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "check.h"
#include "log.h"

#ifdef LP_CHECK_INVARIANTS
void lp_check_failed(const char *what, const char *file, int line)
{
	lp_logf("lockprof: invariant broken at %s:%d: %s", file, line, what);
	abort();
}
#endif
