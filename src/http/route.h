/* SPDX-License-Identifier: MIT */
/*
 * What to answer a parsed request, following Go's net/http/pprof handler
 * (docs/live.md) and Pyroscope's godeltaprof paths. Pure.
 */
#ifndef LP_HTTP_ROUTE_H
#define LP_HTTP_ROUTE_H

#include "request.h"
#include "record/snapshot.h"

enum lp_http_action {
	LP_ACT_PPROF_ERROR, /* status + message, as pprof's serveError */
	LP_ACT_NOT_FOUND,   /* a path outside /debug/pprof/: ServeMux's 404 */
	LP_ACT_REDIRECT,    /* /debug/pprof -> /debug/pprof/ */
	LP_ACT_METHOD,      /* 405: only GET and HEAD */
	LP_ACT_INDEX,
	LP_ACT_PROFILE,     /* cumulative since start; `debug` for text */
	LP_ACT_DELTA,       /* ?seconds=N: wait, then the difference */
	LP_ACT_SINCE_LAST,  /* delta_block, delta_mutex, delta_hold: since the last one */
	LP_ACT_WAITING,     /* the waits in progress; `debug` for text */
};

struct lp_http_route {
	enum lp_http_action action;
	int status;            /* LP_ACT_PPROF_ERROR */
	const char *message;   /* LP_ACT_PPROF_ERROR, without the newline */
	enum lp_kind kind;
	int debug;
	long long seconds;     /* LP_ACT_DELTA */
};

void lp_http_route(const struct lp_http_request *req, struct lp_http_route *out);

#endif /* LP_HTTP_ROUTE_H */
