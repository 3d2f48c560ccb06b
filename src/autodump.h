/*
 * Dumps without an exit: every LOCKPROF_INTERVAL, on LOCKPROF_SIGNAL, and
 * when SIGTERM or SIGINT, left at their default action, end the process.
 * All write the cumulative profiles under the process's usual names
 * (lp_dump_process_path), atomically, so the last good pair survives a
 * crash or a kill.
 *
 * A signal handler cannot encode a profile (it may have interrupted the
 * allocator): it writes a byte to a pipe, and the profiler's "lockprof-dump"
 * thread does the work.
 */
#ifndef LP_AUTODUMP_H
#define LP_AUTODUMP_H

#include "config.h"

/* How long a terminating signal waits for its dump before the process
 * dies anyway (an interrupted thread may hold what the dump needs). */
#define LP_EXIT_DUMP_WAIT_MS 10000

/* Install the handlers and start the thread. 0, or -1 (said on stderr). */
int lp_autodump_start(const struct lp_config *cfg);

/* The forked child: new pipes and a thread of its own, writing the child's
 * files; the handlers it inherited stay. */
void lp_autodump_after_fork_child(void);

/* Have the dump thread call `fn` about every second (NULL: stop). Set it
 * before the thread starts (lp_autodump_after_fork_child). */
void lp_autodump_set_tick(void (*fn)(void));

#endif /* LP_AUTODUMP_H */
