/* SPDX-License-Identifier: MIT */
/* Wait until another thread of this process is blocked in futex(): it is
 * then surely inside the real blocking call, past the wrapper's own work. */
#ifndef PROCWAIT_H
#define PROCWAIT_H

#include <sys/syscall.h>
#include <unistd.h>

#include "safe.h"

static inline int safe_gettid(void)
{
	return (int)syscall(SYS_gettid);
}

static inline int safe_in_futex(int tid)
{
	char path[64], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = fopen(path, "r");
	if (!f)
		return 0; /* exited */
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] >= '0' && buf[0] <= '9' && atol(buf) == SYS_futex;
}

static inline void safe_wait_blocked(int tid)
{
	while (!safe_in_futex(tid))
		safe_sleep_ms(1);
}

#endif
