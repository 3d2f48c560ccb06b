/* SPDX-License-Identifier: MIT */
/*
 * Profiles of a running process (docs/live.md): the HTTP endpoint, dumps
 * every LOCKPROF_INTERVAL, on LOCKPROF_SIGNAL, and on SIGTERM/SIGINT left at
 * their default. Started from lp_profiler_init.
 */
#ifndef LP_LIVE_H
#define LP_LIVE_H

#include "base/config.h"

/* Start what `cfg` asks for. Called once, guarded, from start-up. */
void lp_live_start(const struct lp_config *cfg);

/* From the fork child handler: the child has no threads of ours. */
void lp_live_after_fork_child(void);

/* The process is ending (exit, or a terminating signal's handler):
 * remove what the live profiles left in the file system. Async-signal-safe. */
void lp_live_at_exit(void);

#endif /* LP_LIVE_H */
