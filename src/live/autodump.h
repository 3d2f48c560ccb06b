/* SPDX-License-Identifier: MIT */
/*
 * Dumps without an exit: every LOCKPROF_INTERVAL, on LOCKPROF_SIGNAL, and
 * when SIGTERM or SIGINT, left at their default action, end the process;
 * and the exit dump itself. All write the cumulative profiles under the
 * process's usual names (lp_dump_process_path), atomically, so the last
 * good pair survives a crash or a kill.
 *
 * The work is done by the profiler's "lockprof-dump" thread. A signal
 * handler cannot encode a profile (it may have interrupted the allocator);
 * nor can an exit that began in one: both ask the thread, through futex
 * words (no descriptor of the program's numbers is used), and wait for it
 * only while the dump makes progress (src/base/progress.h).
 */
#ifndef LP_AUTODUMP_H
#define LP_AUTODUMP_H

#include "base/config.h"

/* A waiter gives up on a dump that has not moved for this long (ms): long
 * enough for a dump thread kept off the CPU by a loaded machine. */
#define LP_DUMP_STALL_MS 2000
/* ... and on any dump after this long (ms). */
#define LP_DUMP_WAIT_MAX_MS 10000

/* Install the handlers and start the thread. 0, or -1 (said on stderr). */
int lp_autodump_start(const struct lp_config *cfg);

/* The forked child: a thread of its own, writing the child's files; the
 * handlers it inherited stay. */
void lp_autodump_after_fork_child(void);

/* Have the dump thread call `fn` about every second (NULL: stop). Set it
 * before the thread starts (lp_autodump_after_fork_child). */
void lp_autodump_set_tick(void (*fn)(void));

/* Have the thread call `fn` once, `after_ns` after it starts (work kept
 * off the program's threads, such as measuring the TSC's rate). Set it
 * before the thread starts. */
void lp_autodump_once(int64_t after_ns, void (*fn)(void));

/* Have a terminating signal's handler call `fn` (async-signal-safe) once
 * the exit dump is written, before the process dies. */
void lp_autodump_set_exit_hook(void (*fn)(void));

/* The exit dump, written by the thread (lp_dump_at_exit); returns once it
 * is written, or given up (stalled, or past LP_DUMP_WAIT_MAX_MS). Once
 * one exit dump was asked for, later calls return at once. 0, or -1 when
 * no thread runs (the caller dumps itself). Async-signal-safe. */
int lp_autodump_exit(void);

#endif /* LP_AUTODUMP_H */
