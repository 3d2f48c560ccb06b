/* SPDX-License-Identifier: MIT */
/*
 * Response heads, with the headers Go's net/http/pprof sends, in the order
 * Go writes them (sorted keys, then Date and Content-Length).
 */
#ifndef LP_HTTP_RESPONSE_H
#define LP_HTTP_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

struct lp_http_head {
	int status;
	const char *content_type;
	const char *filename;   /* Content-Disposition: attachment; or NULL */
	const char *location;   /* redirects */
	int allow;              /* 405: Allow: GET, HEAD */
	int go_pprof;           /* X-Go-Pprof: 1 (pprof's error answers) */
	int nosniff;            /* X-Content-Type-Options: nosniff */
	int close;              /* Connection: close */
	size_t length;          /* Content-Length */
};

#define LP_HTTP_HEAD_BUF 512

/* Format `h` at `wall` (seconds since the epoch) into buf; returns the
 * length (always below LP_HTTP_HEAD_BUF). */
size_t lp_http_format_head(char *buf, const struct lp_http_head *h, int64_t wall);

const char *lp_http_reason(int status);

#endif /* LP_HTTP_RESPONSE_H */
