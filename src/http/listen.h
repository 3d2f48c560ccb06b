/*
 * The endpoint's listening socket: TCP (numeric address or name) or a
 * Unix socket, non-blocking and close-on-exec.
 */
#ifndef LP_HTTP_LISTEN_H
#define LP_HTTP_LISTEN_H

#include <stddef.h>

#include "http/addr.h"

/* Listen on `a`; port 0 becomes the port the kernel picked, written back
 * into `a`. `where` gets the URL served. Returns the socket, or -1 with
 * errno. */
int lp_http_listen(struct lp_http_addr *a, char *where, size_t wlen);

#endif /* LP_HTTP_LISTEN_H */
