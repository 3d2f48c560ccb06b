/*
 * Profiles of a running process (docs/live.md): the HTTP endpoint, dumps
 * every LOCKPROF_INTERVAL, on LOCKPROF_SIGNAL, and on SIGTERM/SIGINT left at
 * their default. Started from lp_profiler_init.
 */
#ifndef LP_LIVE_H
#define LP_LIVE_H

#include <pthread.h>

#include "config.h"

/* Start what `cfg` asks for. Called once, guarded, from start-up. */
void lp_live_start(const struct lp_config *cfg);

/* From the fork child handler: the child has no threads of ours. */
void lp_live_after_fork_child(void);

/* Start a thread of the profiler: every signal blocked (the program's
 * handlers run on its own threads) and the guard held for its whole life,
 * so nothing it locks is profiled or waits in a wrapper. 0 or -1. */
int lp_live_thread(pthread_t *th, const char *name, void *(*fn)(void *),
		   void *arg);

#endif /* LP_LIVE_H */
