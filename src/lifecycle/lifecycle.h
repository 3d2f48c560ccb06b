/* SPDX-License-Identifier: MIT */
/*
 * The process's life around the recorder: the library's one constructor
 * (start-up in order), fork and exit (src/lifecycle/lifecycle.c).
 */
#ifndef LP_LIFECYCLE_H
#define LP_LIFECYCLE_H

/* Start-up (the library's constructor); idempotent. Until it has run, the
 * wrappers only pass calls through. */
void lp_profiler_init(void);

/* Start-up succeeded and LOCKPROF is not 0: recording can be turned on. */
int lp_profiler_ready(void);

#endif /* LP_LIFECYCLE_H */
