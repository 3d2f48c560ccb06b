/* SPDX-License-Identifier: MIT */
/*
 * The endpoint's listening socket: TCP (numeric address or name) or a
 * Unix socket, non-blocking and close-on-exec. A Unix socket's path is
 * taken over only from a socket nothing listens on; the file this process
 * bound is removed at exit (lp_http_at_exit).
 */
#ifndef LP_HTTP_LISTEN_H
#define LP_HTTP_LISTEN_H

#include <stddef.h>

#include "base/addr.h"

/* Listen on `a`; port 0 becomes the port the kernel picked, written back
 * into `a`. `where` gets the URL served. Returns the socket, or -1 with
 * errno (ENOTSOCK: a Unix socket's path holds a file of another kind,
 * left as it is). */
int lp_http_listen(struct lp_http_addr *a, char *where, size_t wlen);

/* A forked child: the socket file is its parent's, not to be removed at
 * the child's exit. */
void lp_http_forget_bound(void);

/* At exit (the library's destructor, the SIGTERM handler): remove the Unix
 * socket this process bound, if the file at its path is still that socket.
 * Async-signal-safe. */
void lp_http_at_exit(void);

/* 1 when `fd` listens on an address other hosts can reach (not loopback,
 * not a Unix socket). */
int lp_http_exposed(int fd);

#endif /* LP_HTTP_LISTEN_H */
