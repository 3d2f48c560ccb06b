/* SPDX-License-Identifier: MIT */
/*
 * Which frames are synchronization primitives rather than the program's own
 * code: the leaf side of a contention stack is the primitive the program
 * called (pthread_mutex_lock, sync.(*Mutex).Lock, ...) and its internals;
 * the "site" a user fixes is the first frame above them.
 */
#ifndef LP_CLI_PRIMITIVES_H
#define LP_CLI_PRIMITIVES_H

/* A lock, condition variable, semaphore or runtime function (or one of
 * lockprof's pseudo-frames). */
int lp_is_primitive(const char *func);

#endif
