/* SPDX-License-Identifier: MIT */
/*
 * Which process tree this process belongs to, and whether it is the first
 * process of it. The first process (the one whose environment had no
 * LOCKPROF_ROOT_PID) passes its pid and start time on, in
 * LOCKPROF_ROOT_PID and LOCKPROF_ROOT_START, to every process it starts;
 * a forked child inherits them and is never the first. Profiles name the
 * run by those two (docs/profiles.md), so that files of different runs are
 * told apart; only the first process writes block.pprof and mutex.pprof and
 * reports what every process would.
 */
#ifndef LP_PROCTREE_H
#define LP_PROCTREE_H

#include <stdint.h>

/* Decide, from the environment (`get`: secure_getenv) and, in the first
 * process, pass it on unless `secure`. Once, at start. */
void lp_proctree_init(const char *(*get)(const char *), int secure);

/* A forked child: not the first process. */
void lp_proctree_after_fork_child(void);

int lp_proctree_is_root(void);
long lp_proctree_root_pid(void);
int64_t lp_proctree_root_start(void); /* wall clock, ns */

#endif /* LP_PROCTREE_H */
