/* SPDX-License-Identifier: MIT */
/*
 * The endpoint's descriptors, kept apart from the program's. Daemons close
 * every descriptor above 2 at start (closefrom, close_range) and open their
 * own files and sockets, which take the freed numbers: a number the endpoint
 * held may then be the program's listening socket or connection. So each
 * descriptor is moved above the numbers programs use, its identity (device
 * and inode) is recorded when it is made, and the number is checked to be
 * that file again before each use. One that is not is forgotten, never
 * closed or touched: it is the program's now.
 *
 * Between a check and the call that follows, the program could still
 * close and reuse the number: the high numbers make that unlikely, and the
 * endpoint's calls never block (non-blocking sockets, MSG_DONTWAIT).
 */
#ifndef LP_HTTP_FD_H
#define LP_HTTP_FD_H

#include <sys/types.h>

#define LP_HTTP_FD_FLOOR 256 /* lowest number aimed at when the limit allows */
/* Numbers left free under the soft limit above the floor: the endpoint's
 * connections (LP_HTTP_MAX_CONNS), its listener, spare. */
#define LP_HTTP_FD_ROOM 72

struct lp_http_fd {
	int fd; /* -1: none */
	dev_t dev;
	ino_t ino;
};

/* Take `fd`, which the endpoint just made: moved to a high number when the
 * limit allows, its identity recorded in `o`. 0, or -1 (o->fd is then -1,
 * and `fd` closed if it was still the endpoint's). */
int lp_http_fd_take(struct lp_http_fd *o, int fd);

/* The listening socket: taken as above, but kept where close(),
 * close_range() and closefrom() pass it over (src/base/fdkeep.h), so that
 * a daemon closing every descriptor at start leaves it listening: a new
 * socket made then would take the lowest free number for an instant, one
 * the program was about to get. */
int lp_http_fd_take_kept(struct lp_http_fd *o, int fd);

/* 1 when o->fd is still the file taken. */
int lp_http_fd_ours(const struct lp_http_fd *o);

/* Close o->fd if it is still ours; forgotten either way. */
void lp_http_fd_close(struct lp_http_fd *o);

#endif /* LP_HTTP_FD_H */
