/* SPDX-License-Identifier: MIT */
/*
 * The live endpoint: one thread of the profiler's own (guarded, all signals
 * blocked) serving /debug/pprof/ on LOCKPROF_HTTP with a poll loop. Bounded:
 * at most LP_HTTP_MAX_CONNS sockets; a request head must arrive whole within
 * a deadline; when full, the connection that has waited longest for its
 * request is dropped for a newcomer (once it had a moment to send it);
 * ?seconds=N waits are timers, not sleeping threads.
 */
#ifndef LP_HTTP_SERVER_H
#define LP_HTTP_SERVER_H

#include "base/addr.h"

#define LP_HTTP_MAX_CONNS 64
#define LP_HTTP_MAX_WAITS 8          /* ?seconds=N in progress at once */
#define LP_HTTP_HEAD_TIMEOUT_MS 10000 /* whole request head, from its first byte */
#define LP_HTTP_IDLE_TIMEOUT_MS 30000 /* keep-alive between requests */
#define LP_HTTP_WRITE_IDLE_MS 10000   /* no progress sending an answer */
#define LP_HTTP_WRITE_MAX_MS 60000    /* whole answer */
#define LP_HTTP_LINGER_MS 500         /* drain before close, so no RST eats a 4xx */
#define LP_HTTP_EVICT_AFTER_MS 100    /* a newcomer may drop a connection this old */

/* Listen on `addr` and start serving; port 0 in `addr` becomes the port
 * the kernel picked. `root`: the first process of the
 * tree, which reports every failure; others stay quiet when the address is
 * taken (an ancestor serves it). Returns 0, or -1 with errno. */
int lp_http_start(struct lp_http_addr *addr, int root);

/* A forked child: the endpoint's thread is not there; close its sockets,
 * which belong to the parent, and forget its state without freeing it. */
void lp_http_after_fork_child(void);

#endif /* LP_HTTP_SERVER_H */
