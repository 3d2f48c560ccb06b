/* SPDX-License-Identifier: MIT */
/*
 * One HTTP/1.x request head, parsed from the bytes a client sent. Pure (no
 * I/O, no allocation) and bounded, so it can be fuzzed on its own. Only
 * what the pprof endpoint looks at is kept: the method, the decoded path
 * and the first "seconds" and "debug" query values, as Go's FormValue would
 * read them.
 *
 * Why not libmicrohttpd: its threads cannot carry the profiler's guard, its
 * idle timeout lets a client that trickles bytes hold a connection forever,
 * and at its connection limit it refuses newcomers instead of dropping the
 * stalled; the endpoint needs none of the rest (GET with a query string).
 */
#ifndef LP_HTTP_REQUEST_H
#define LP_HTTP_REQUEST_H

#include <stddef.h>

#define LP_HTTP_HEAD_MAX 16384 /* larger heads get 431 */
#define LP_HTTP_PATH_MAX 256
#define LP_HTTP_VALUE_MAX 32

enum lp_http_method { LP_HTTP_GET, LP_HTTP_HEAD, LP_HTTP_OTHER };

struct lp_http_param {
	int present;
	int too_long;                     /* value did not fit: invalid */
	char value[LP_HTTP_VALUE_MAX];
};

struct lp_http_request {
	enum lp_http_method method;
	int path_too_long;
	char path[LP_HTTP_PATH_MAX];      /* percent-decoded */
	struct lp_http_param seconds, debug;
	int keep_alive;                   /* the client can take another answer */
	int has_body;                     /* Content-Length > 0 or chunked */
};

enum {
	LP_HTTP_INCOMPLETE = 0, /* need more bytes */
	LP_HTTP_COMPLETE = 1,   /* *used = bytes of the head */
};

/*
 * Parse the head at the start of buf[0..len). Returns LP_HTTP_INCOMPLETE,
 * LP_HTTP_COMPLETE, or an HTTP status for a request that cannot be served
 * (400 malformed, 431 head too large, 505 version).
 */
int lp_http_parse(const char *buf, size_t len, struct lp_http_request *req,
		  size_t *used);

/* Go's strconv.ParseInt(s, 10, 64) and strconv.Atoi: 0, or -1. */
int lp_http_parse_int(const char *s, long long *out);

#endif /* LP_HTTP_REQUEST_H */
