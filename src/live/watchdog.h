/* SPDX-License-Identifier: MIT */
/*
 * LOCKPROF_HANG (docs/live.md): the dump thread looks at the waits in
 * progress; when a lock wait (mutex, rwlock) has lasted the duration, it
 * writes waiting.txt and waiting.pprof and says one line on stderr. Again
 * only once every wait it reported has ended, and at most once a duration.
 * Waits on condition variables and semaphores are in the files but start
 * no report: idle workers wait on them for work as long as there is none.
 */
#ifndef LP_WATCHDOG_H
#define LP_WATCHDOG_H

#include <stdint.h>

/* Watch for waits of `hang` ns (0: off). Before the dump thread starts. */
void lp_watchdog_start(int64_t hang);

/* The dump thread's look: every period (lp_watchdog_period) when on. */
void lp_watchdog_look(void);
int64_t lp_watchdog_period(void);

/* The waiting files now (LOCKPROF_SIGNAL), whatever the waits. */
void lp_watchdog_dump(void);

/* A forked child starts with nothing reported. */
void lp_watchdog_after_fork_child(void);

#endif /* LP_WATCHDOG_H */
