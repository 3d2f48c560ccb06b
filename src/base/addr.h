/* SPDX-License-Identifier: MIT */
/*
 * Where the live endpoint listens (LOCKPROF_HTTP). Parsing is pure, so the
 * configuration can check the value at start-up and the tests can feed it
 * anything. Loopback unless an address is spelled out: "6060" and ":6060"
 * mean 127.0.0.1:6060; "0.0.0.0:6060" or "host:6060" must be written so.
 */
#ifndef LP_HTTP_ADDR_H
#define LP_HTTP_ADDR_H

#define LP_ADDR_HOST_MAX 256
#define LP_ADDR_PATH_MAX 108 /* sun_path */

enum lp_addr_kind { LP_ADDR_NONE = 0, LP_ADDR_TCP, LP_ADDR_UNIX };

struct lp_http_addr {
	enum lp_addr_kind kind;
	char host[LP_ADDR_HOST_MAX]; /* TCP: numeric address or name, no [] */
	char port[6];                /* TCP: decimal, 0 picks a free port */
	char path[LP_ADDR_PATH_MAX]; /* UNIX: socket path */
};

/* Parse `s` ("127.0.0.1:6060", "[::1]:6060", "host:6060", ":6060", "6060",
 * "unix:/run/x.sock"). Returns 0, or -1 when `s` is none of those. */
int lp_http_addr_parse(const char *s, struct lp_http_addr *out);

#endif /* LP_HTTP_ADDR_H */
