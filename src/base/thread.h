/* SPDX-License-Identifier: MIT */
/*
 * The profiler's own threads (the dump thread, the endpoint's): every
 * signal blocked (the program's handlers run on its own threads) and the
 * re-entrancy guard held for the thread's whole life, so nothing it locks
 * is profiled or waits in a wrapper.
 */
#ifndef LP_THREAD_H
#define LP_THREAD_H

#include <pthread.h>

/* Start `fn(arg)` on a detached thread named `name`. 0 or -1. */
int lp_thread_start(pthread_t *th, const char *name, void *(*fn)(void *),
		    void *arg);

#endif /* LP_THREAD_H */
