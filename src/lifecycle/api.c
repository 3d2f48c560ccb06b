/* SPDX-License-Identifier: MIT */
/*
 * The public C API (include/lockprof.h).
 */
#include <errno.h>

#include "export/dump.h"
#include "base/export.h"
#include "lifecycle.h"
#include "lockprof.h"
#include "record/recorder.h"

LP_EXPORT int64_t lockprof_set_block_rate(int64_t rate_ns)
{
	return __atomic_exchange_n(&lp_prof.block_rate, rate_ns > 0 ? rate_ns : 0,
				   __ATOMIC_RELAXED);
}

LP_EXPORT int64_t lockprof_block_rate(void)
{
	return __atomic_load_n(&lp_prof.block_rate, __ATOMIC_RELAXED);
}

LP_EXPORT int64_t lockprof_set_mutex_fraction(int64_t fraction)
{
	if (fraction < 0)
		return lockprof_mutex_fraction();
	if (fraction > LP_MAX_MUTEX_FRACTION)
		fraction = LP_MAX_MUTEX_FRACTION;
	return __atomic_exchange_n(&lp_prof.mutex_fraction, fraction,
				   __ATOMIC_RELAXED);
}

LP_EXPORT int64_t lockprof_mutex_fraction(void)
{
	return __atomic_load_n(&lp_prof.mutex_fraction, __ATOMIC_RELAXED);
}

/* Recording needs the start-up to have succeeded (and LOCKPROF != 0). */
static int set_recording(int on)
{
	if (on && !lp_profiler_ready())
		return 0;
	return __atomic_exchange_n(&lp_prof.recording, on, __ATOMIC_ACQ_REL);
}

LP_EXPORT int lockprof_start(void)
{
	return set_recording(1);
}

LP_EXPORT int lockprof_stop(void)
{
	return set_recording(0);
}

LP_EXPORT int lockprof_dump(const char *block_path, const char *mutex_path)
{
	if (block_path && lp_dump_profile_path(LP_BLOCK, block_path) != 0)
		return -1;
	if (mutex_path && lp_dump_profile_path(LP_MUTEX, mutex_path) != 0)
		return -1;
	return 0;
}

LP_EXPORT int lockprof_dump_fd(int block_fd, int mutex_fd)
{
	if (block_fd >= 0 && lp_dump_profile_fd(LP_BLOCK, block_fd) != 0)
		return -1;
	if (mutex_fd >= 0 && lp_dump_profile_fd(LP_MUTEX, mutex_fd) != 0)
		return -1;
	return 0;
}

LP_EXPORT int lockprof_dump_hold(const char *hold_path)
{
	return lp_dump_profile_path(LP_HOLD, hold_path);
}

LP_EXPORT int lockprof_dump_hold_fd(int hold_fd)
{
	return lp_dump_profile_fd(LP_HOLD, hold_fd);
}

LP_EXPORT int lockprof_dump_waiting(int fd, int debug)
{
	return lp_dump_waiting_fd(fd, debug != 0);
}
