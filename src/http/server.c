/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "export/dump.h"
#include "export/hangview.h"
#include "base/guard.h"
#include "fd.h"
#include "listen.h"
#include "request.h"
#include "response.h"
#include "route.h"
#include "server.h"
#include "base/log.h"
#include "base/thread.h"
#include "record/recorder.h"
#include "record/waiting.h"

#define MS 1000000LL

enum conn_state { C_FREE, C_READ, C_WAIT, C_WRITE, C_LINGER };

struct conn {
	enum conn_state state;
	struct lp_http_fd sock;
	unsigned gen;      /* which connection this slot holds now */
	int idle;          /* C_READ, no byte of the next request yet */
	int head_only;     /* C_WAIT: the request was HEAD */
	int keep_alive;    /* after this answer, read the next request */
	int64_t since;     /* when this state began: who is dropped first */
	int64_t deadline;  /* monotonic ns */
	int64_t write_end; /* C_WRITE: the whole answer by then */
	char *in;          /* LP_HTTP_HEAD_MAX bytes */
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	struct lp_snapshot before; /* C_WAIT: the profile at the start */
};

static struct {
	int started;                /* the slots below were set up */
	struct lp_http_addr addr;   /* port 0 resolved: the same port again */
	struct lp_http_fd listen;
	int64_t accept_after;       /* out of descriptors: pause accepting */
	struct conn conns[LP_HTTP_MAX_CONNS];
	int waits;                  /* conns in C_WAIT */
	struct lp_snapshot last[LP_KINDS]; /* delta_block, delta_mutex, delta_hold */
	int has_last[LP_KINDS];
} srv = { .listen = { .fd = -1 } };

/* ---- connections ---- */

static void set_state(struct conn *c, enum conn_state s, int64_t now, int64_t timeout_ms)
{
	if (c->state == C_WAIT && s != C_WAIT) {
		srv.waits--;
		lp_snapshot_free(&c->before);
	}
	c->state = s;
	c->since = now;
	c->deadline = now + timeout_ms * MS;
}

/* The slot is freed; its socket is closed only if it is still ours. */
static void conn_close(struct conn *c)
{
	set_state(c, C_FREE, 0, 0);
	free(c->out);
	c->out = NULL;
	c->in_len = 0;
	lp_http_fd_close(&c->sock);
}

/* Before each use of the socket: if the program closed it (and may have
 * reused the number), the connection is dropped without touching it. */
static int conn_ours(struct conn *c)
{
	if (lp_http_fd_ours(&c->sock))
		return 1;
	c->sock.fd = -1;
	conn_close(c);
	return 0;
}

/* Stop sending, read what the client still sends for a moment, then close:
 * closing with unread input would reset the connection and lose the answer. */
static void conn_finish(struct conn *c, int64_t now)
{
	if (!conn_ours(c))
		return;
	shutdown(c->sock.fd, SHUT_WR);
	set_state(c, C_LINGER, now, LP_HTTP_LINGER_MS);
}

/*
 * The slot for a newcomer: a free one, else one to drop: lingering first,
 * then whoever has waited longest for a request, if it had at least
 * LP_HTTP_EVICT_AFTER_MS to send it. NULL when none; *when then says when
 * one will be (or INT64_MAX: when a connection ends).
 */
static struct conn *slot_for_newcomer(int64_t now, int64_t *when)
{
	struct conn *victim = NULL;

	for (int i = 0; i < LP_HTTP_MAX_CONNS; i++) {
		struct conn *k = &srv.conns[i];
		if (k->state == C_FREE)
			return k;
		if ((k->state == C_LINGER || k->state == C_READ) &&
		    (!victim || (k->state == C_LINGER && victim->state != C_LINGER) ||
		     (k->state == victim->state && k->since < victim->since)))
			victim = k;
	}
	*when = INT64_MAX;
	if (victim && victim->state == C_READ &&
	    victim->since + LP_HTTP_EVICT_AFTER_MS * MS > now) {
		*when = victim->since + LP_HTTP_EVICT_AFTER_MS * MS;
		return NULL;
	}
	return victim;
}

static void conn_open(struct conn *c, int fd, int64_t now)
{
	if (c->state != C_FREE)
		conn_close(c);
	if (!c->in && !(c->in = malloc(LP_HTTP_HEAD_MAX))) {
		close(fd);
		return;
	}
	if (lp_http_fd_take(&c->sock, fd) != 0)
		return;
	c->gen++;
	c->idle = 1;
	c->in_len = 0;
	set_state(c, C_READ, now, LP_HTTP_HEAD_TIMEOUT_MS);
}

/* ---- answers ---- */

/* Queue an answer and start sending it. Takes ownership of nothing: `body`
 * is copied after the head. */
static void respond(struct conn *c, struct lp_http_head *h, const void *body,
		    size_t len, int head_only, int64_t now)
{
	char head[LP_HTTP_HEAD_BUF];
	size_t hn;

	h->length = len;
	h->close = h->close || !c->keep_alive;
	c->keep_alive = !h->close;
	hn = lp_http_format_head(head, h, lp_wall_now() / 1000000000);
	if (head_only)
		len = 0;
	free(c->out);
	c->out = malloc(hn + len);
	if (!c->out) {
		conn_close(c);
		return;
	}
	memcpy(c->out, head, hn);
	if (len)
		memcpy(c->out + hn, body, len);
	c->out_len = hn + len;
	c->out_off = 0;
	set_state(c, C_WRITE, now, LP_HTTP_WRITE_IDLE_MS);
	c->write_end = now + LP_HTTP_WRITE_MAX_MS * MS;
}

static void respond_text(struct conn *c, int status, const char *msg,
			 int go_pprof, int head_only, int64_t now)
{
	struct lp_http_head h = {
		.status = status, .content_type = "text/plain; charset=utf-8",
		.go_pprof = go_pprof, .nosniff = 1, .allow = status == 405,
	};
	char body[160];
	int n = snprintf(body, sizeof(body), "%s\n", msg);

	respond(c, &h, body, (size_t)n, head_only, now);
}

/* A request that cannot be read as one: answer as Go's server does, close. */
static void respond_bad(struct conn *c, int status, int64_t now)
{
	char body[64];
	struct lp_http_head h = {
		.status = status, .content_type = "text/plain; charset=utf-8",
		.close = 1,
	};
	int n = snprintf(body, sizeof(body), "%d %s", status, lp_http_reason(status));

	c->keep_alive = 0;
	respond(c, &h, body, (size_t)n, 0, now);
}

static void respond_profile(struct conn *c, const struct lp_snapshot *s,
			    const char *filename, int text, int head_only, int64_t now)
{
	struct lp_http_head h = { .status = 200, .nosniff = 1 };
	uint8_t *buf;
	size_t len;
	int rc;

	/* Symbolizing takes the loader's lock: a fork waits for it
	 * (lp_dump_before_fork), so that no child inherits it held. */
	rc = lp_dump_encode(s, text, &buf, &len);
	if (rc != 0) {
		respond_text(c, 500, "failed to collect profile", 1, head_only, now);
		return;
	}
	if (text) {
		h.content_type = "text/plain; charset=utf-8";
	} else {
		h.content_type = "application/octet-stream";
		h.filename = filename;
	}
	respond(c, &h, buf, len, head_only, now);
	free(buf);
}

static void respond_waiting(struct conn *c, int text, int head_only, int64_t now)
{
	struct lp_http_head h = { .status = 200, .nosniff = 1 };
	struct lp_hang_view *v = lp_hang_view_take();
	uint8_t *buf;
	size_t len;

	if (!v || lp_dump_waiting_encode(v, text, &buf, &len) != 0) {
		lp_hang_view_free(v);
		respond_text(c, 500, "failed to collect profile", 1, head_only, now);
		return;
	}
	lp_hang_view_free(v);
	if (text) {
		h.content_type = "text/plain; charset=utf-8";
	} else {
		h.content_type = "application/octet-stream";
		h.filename = "waiting";
	}
	respond(c, &h, buf, len, head_only, now);
	free(buf);
}

static void respond_index(struct conn *c, int head_only, int64_t now)
{
	struct lp_http_head h = {
		.status = 200, .content_type = "text/html; charset=utf-8", .nosniff = 1,
	};
	char body[3072];
	size_t count[LP_KINDS], waiting;
	int64_t oldest;
	int n;

	for (int k = 0; k < LP_KINDS; k++) {
		struct lp_snapshot s;
		count[k] = lp_profiler_snapshot((enum lp_kind)k, &s) == 0 ? s.n : 0;
		lp_snapshot_free(&s);
	}
	lp_waiting_summary(&waiting, &oldest);
	n = snprintf(body, sizeof(body),
		"<html>\n<head>\n<title>/debug/pprof/</title>\n"
		"<style>\n.profile-name{\n\tdisplay:inline-block;\n\twidth:6rem;\n}\n</style>\n"
		"</head>\n<body>\n/debug/pprof/\n<br>\n"
		"<p>Set debug=1 as a query parameter to export in legacy text format</p>\n"
		"<br>\nTypes of profiles available:\n<table>\n"
		"<thead><td>Count</td><td>Profile</td></thead>\n"
		"<tr><td>%zu</td><td><a href='block?debug=1'>block</a></td></tr>\n"
		"<tr><td>%zu</td><td><a href='hold?debug=1'>hold</a></td></tr>\n"
		"<tr><td>%zu</td><td><a href='mutex?debug=1'>mutex</a></td></tr>\n"
		"<tr><td>%zu</td><td><a href='waiting?debug=1'>waiting</a></td></tr>\n"
		"</table>\n<br>\n<p>\nProfile Descriptions:\n<ul>\n"
		"<li><div class=profile-name>block: </div> Stack traces that led to "
		"blocking on synchronization primitives</li>\n"
		"<li><div class=profile-name>hold: </div> Stack traces of holders of "
		"mutexes and write locks, by time held (LOCKPROF_HOLD_FRACTION)</li>\n"
		"<li><div class=profile-name>mutex: </div> Stack traces of holders of "
		"contended mutexes</li>\n"
		"<li><div class=profile-name>delta_block: </div> The block profile "
		"since the previous request to this path (Pyroscope's godeltaprof)</li>\n"
		"<li><div class=profile-name>delta_hold: </div> The hold profile "
		"since the previous request to this path</li>\n"
		"<li><div class=profile-name>delta_mutex: </div> The mutex profile "
		"since the previous request to this path</li>\n"
		"<li><div class=profile-name>waiting: </div> Threads waiting right "
		"now, for how long, on what, held by whom; deadlocks</li>\n"
		"</ul>\n</p>\n</body>\n</html>\n",
		count[LP_BLOCK], count[LP_HOLD], count[LP_MUTEX], waiting);
	respond(c, &h, body, (size_t)n, head_only, now);
}

/* delta_block, delta_mutex, delta_hold: the difference from the previous such request
 * (the whole profile the first time), as godeltaprof serves it. */
static void respond_since_last(struct conn *c, enum lp_kind kind, int head_only,
			       int64_t now)
{
	struct lp_snapshot cur, d;
	const struct lp_snapshot *out = &cur;

	if (lp_profiler_snapshot(kind, &cur) != 0) {
		respond_text(c, 500, "failed to collect profile", 1, head_only, now);
		return;
	}
	if (srv.has_last[kind]) {
		if (lp_snapshot_delta(&cur, &srv.last[kind], &d) != 0) {
			lp_snapshot_free(&cur);
			respond_text(c, 500, "failed to compute delta", 1, head_only, now);
			return;
		}
		out = &d;
	}
	respond_profile(c, out, "profile", 0, head_only, now);
	if (out == &d)
		lp_snapshot_free(&d);
	lp_snapshot_free(&srv.last[kind]);
	srv.last[kind] = cur;
	srv.has_last[kind] = 1;
}

static void handle(struct conn *c, const struct lp_http_request *req, int64_t now)
{
	int head_only = req->method == LP_HTTP_HEAD;
	struct lp_http_route r;
	struct lp_snapshot s;

	c->keep_alive = req->keep_alive;
	lp_http_route(req, &r);
	switch (r.action) {
	case LP_ACT_PPROF_ERROR:
		respond_text(c, r.status, r.message, 1, head_only, now);
		break;
	case LP_ACT_NOT_FOUND:
		respond_text(c, 404, "404 page not found", 0, head_only, now);
		break;
	case LP_ACT_METHOD:
		respond_text(c, 405, "Method Not Allowed", 0, 0, now);
		break;
	case LP_ACT_REDIRECT: {
		static const char body[] = "<a href=\"/debug/pprof/\">Moved Permanently</a>.\n\n";
		struct lp_http_head h = {
			.status = 301, .content_type = "text/html; charset=utf-8",
			.location = "/debug/pprof/",
		};
		respond(c, &h, body, sizeof(body) - 1, head_only, now);
		break;
	}
	case LP_ACT_INDEX:
		respond_index(c, head_only, now);
		break;
	case LP_ACT_PROFILE:
		if (lp_profiler_snapshot(r.kind, &s) != 0) {
			respond_text(c, 500, "failed to collect profile", 1, head_only, now);
			break;
		}
		respond_profile(c, &s, lp_kind_name(r.kind), r.debug, head_only, now);
		lp_snapshot_free(&s);
		break;
	case LP_ACT_SINCE_LAST:
		respond_since_last(c, r.kind, head_only, now);
		break;
	case LP_ACT_WAITING:
		respond_waiting(c, r.debug, head_only, now);
		break;
	case LP_ACT_DELTA:
		if (srv.waits >= LP_HTTP_MAX_WAITS) {
			respond_text(c, 503, "too many profile requests in progress",
				     1, head_only, now);
			break;
		}
		if (lp_profiler_snapshot(r.kind, &c->before) != 0) {
			respond_text(c, 500, "failed to collect profile", 1, head_only, now);
			break;
		}
		srv.waits++;
		now = lp_now(); /* the window starts when the snapshot is taken */
		set_state(c, C_WAIT, now, 0);
		c->deadline = r.seconds > (INT64_MAX - now) / 1000000000 ?
			INT64_MAX : now + r.seconds * 1000000000;
		c->head_only = head_only;
		break;
	}
}

static void finish_wait(struct conn *c, int64_t now)
{
	static const char *const names[LP_KINDS] = { "block-delta", "mutex-delta", "hold-delta" };
	int head_only = c->head_only;
	enum lp_kind kind = c->before.kind;
	struct lp_snapshot after, d;

	if (lp_profiler_snapshot(kind, &after) != 0) {
		respond_text(c, 500, "failed to collect profile", 1, head_only, now);
		return;
	}
	if (lp_snapshot_delta(&after, &c->before, &d) != 0) {
		lp_snapshot_free(&after);
		respond_text(c, 500, "failed to compute delta", 1, head_only, now);
		return;
	}
	respond_profile(c, &d, names[kind], 0, head_only, now);
	lp_snapshot_free(&d);
	lp_snapshot_free(&after);
}

/* ---- the connection's state machine ---- */

/* Parse and answer what is buffered, send what is queued, as far as the
 * socket lets us without blocking. */
static void pump(struct conn *c, int64_t now)
{
	for (;;) {
		if (c->state == C_READ && c->in_len > 0) {
			struct lp_http_request req;
			size_t used = 0;
			int rc = lp_http_parse(c->in, c->in_len, &req, &used);

			if (rc == LP_HTTP_INCOMPLETE)
				return;
			if (rc != LP_HTTP_COMPLETE) {
				respond_bad(c, rc, now);
				continue;
			}
			c->in_len -= used;
			memmove(c->in, c->in + used, c->in_len);
			handle(c, &req, now);
			continue;
		}
		if (c->state != C_WRITE)
			return;
		while (c->out_off < c->out_len) {
			ssize_t w;

			if (!conn_ours(c))
				return;
			w = send(c->sock.fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (w <= 0) {
				conn_close(c);
				return;
			}
			c->out_off += (size_t)w;
			c->deadline = now + LP_HTTP_WRITE_IDLE_MS * MS;
		}
		free(c->out);
		c->out = NULL;
		c->out_len = 0;
		if (!c->keep_alive) {
			conn_finish(c, now);
			return;
		}
		c->idle = c->in_len == 0;
		set_state(c, C_READ, now, c->idle ? LP_HTTP_IDLE_TIMEOUT_MS :
						    LP_HTTP_HEAD_TIMEOUT_MS);
	}
}

static void on_readable(struct conn *c, int64_t now)
{
	char sink[4096];
	char *dst = c->state == C_LINGER ? sink : c->in + c->in_len;
	size_t room = c->state == C_LINGER ? sizeof(sink) : LP_HTTP_HEAD_MAX - c->in_len;
	ssize_t r;

	if (room == 0 || !conn_ours(c))
		return;
	r = recv(c->sock.fd, dst, room, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r <= 0) { /* the client left: a waiting delta is dropped, as Go does */
		conn_close(c);
		return;
	}
	if (c->state == C_LINGER)
		return;
	c->in_len += (size_t)r;
	if (c->state == C_READ && c->idle) {
		c->idle = 0;
		set_state(c, C_READ, now, LP_HTTP_HEAD_TIMEOUT_MS);
	}
	pump(c, now);
}

static void on_deadline(struct conn *c, int64_t now)
{
	if (c->state == C_WAIT) {
		finish_wait(c, now);
		pump(c, now);
	} else {
		conn_close(c); /* a head too slow, an idle keep-alive, a stuck reader */
	}
}

/* ---- the loop ---- */

/* Newcomers wait in the kernel's backlog while no slot can be had. */
static void accept_all(int64_t now)
{
	int64_t when;
	struct conn *c;

	while ((c = slot_for_newcomer(now, &when)) && lp_http_fd_ours(&srv.listen)) {
		int fd = accept4(srv.listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			conn_open(c, fd, now);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			srv.accept_after = now + 100 * MS; /* the program's fds come first */
		if (errno != ECONNABORTED && errno != EINTR)
			return;
	}
}

/*
 * The listening socket is gone: the program put a file of its own at its
 * number (dup2), or closed it where it could not be kept (a tiny
 * RLIMIT_NOFILE), and the number may be the program's now. Listen again on the address (that close
 * freed the port); when that fails, the endpoint stops, said once.
 */
static int keep_listening(void)
{
	char where[LP_ADDR_PATH_MAX + 64];
	int fd;

	if (lp_http_fd_ours(&srv.listen))
		return 1;
	srv.listen.fd = -1; /* the program's now, if anything */
	fd = lp_http_listen(&srv.addr, where, sizeof(where));
	if (fd >= 0 && lp_http_fd_take_kept(&srv.listen, fd) == 0)
		return 1;
	lp_logf("lockprof: LOCKPROF_HTTP: the program closed the endpoint's socket "
		"and listening again failed: %s; no endpoint\n", strerror(errno));
	return 0;
}

static void *serve(void *arg)
{
	struct pollfd pfd[LP_HTTP_MAX_CONNS + 1];
	int idx[LP_HTTP_MAX_CONNS + 1];
	unsigned gen[LP_HTTP_MAX_CONNS + 1];

	(void)arg;
	while (keep_listening()) {
		int64_t now = lp_now(), next = now + 1000 * MS, when = INT64_MAX;
		int n = 0, timeout;

		if (now < srv.accept_after)
			when = srv.accept_after;
		else if (slot_for_newcomer(now, &when))
			when = now;
		if (when <= now) {
			pfd[n] = (struct pollfd){ .fd = srv.listen.fd, .events = POLLIN };
			idx[n++] = -1;
		} else if (when < next) {
			next = when;
		}
		for (int i = 0; i < LP_HTTP_MAX_CONNS; i++) {
			struct conn *c = &srv.conns[i];
			short ev;

			if (c->state == C_FREE || !conn_ours(c))
				continue;
			if (c->state == C_WRITE) {
				ev = POLLOUT;
				if (c->write_end < c->deadline)
					c->deadline = c->write_end;
			} else {
				ev = POLLRDHUP;
				if (c->state == C_LINGER || c->in_len < LP_HTTP_HEAD_MAX)
					ev |= POLLIN;
			}
			if (c->deadline < next)
				next = c->deadline;
			pfd[n] = (struct pollfd){ .fd = c->sock.fd, .events = ev };
			gen[n] = c->gen;
			idx[n++] = i;
		}
		timeout = next > now ? (int)((next - now + MS - 1) / MS) : 0;
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			continue;
		now = lp_now();
		/* Connections first: a request already sent is read before a
		 * newcomer could take its slot. */
		for (int j = n - 1; j >= 0; j--) {
			struct conn *c;

			if (!pfd[j].revents)
				continue;
			if (idx[j] < 0) {
				accept_all(now);
				continue;
			}
			c = &srv.conns[idx[j]];
			if (c->state == C_FREE || c->gen != gen[j])
				continue; /* dropped for a newcomer meanwhile */
			if (pfd[j].revents & (POLLERR | POLLNVAL))
				conn_close(c);
			else if (c->state == C_WRITE)
				pump(c, now);
			else if (pfd[j].revents & POLLIN)
				on_readable(c, now);
			else if (pfd[j].revents & (POLLRDHUP | POLLHUP))
				conn_close(c);
		}
		for (int i = 0; i < LP_HTTP_MAX_CONNS; i++) {
			struct conn *c = &srv.conns[i];
			if (c->state != C_FREE && c->deadline <= now)
				on_deadline(c, now);
		}
	}
	for (int i = 0; i < LP_HTTP_MAX_CONNS; i++)
		if (srv.conns[i].state != C_FREE)
			conn_close(&srv.conns[i]);
	return NULL;
}

/* ---- start-up ---- */

int lp_http_start(struct lp_http_addr *addr, int root)
{
	static int warned; /* that the endpoint is exposed: once per process */
	char where[LP_ADDR_PATH_MAX + 64];
	pthread_t th;
	int fd;

	for (int i = 0; i < LP_HTTP_MAX_CONNS; i++)
		srv.conns[i].sock.fd = -1;
	srv.started = 1;
	fd = lp_http_listen(addr, where, sizeof(where));
	if (fd < 0 || lp_http_fd_take_kept(&srv.listen, fd) != 0) {
		int err = errno;

		if (root || (err != EADDRINUSE && err != ENOTSOCK))
			lp_logf("lockprof: LOCKPROF_HTTP: cannot listen on %s%s%s: %s; "
			    "no endpoint\n", addr->kind == LP_ADDR_UNIX ? addr->path :
			    addr->host, addr->kind == LP_ADDR_UNIX ? "" : ":",
			    addr->port, err == ENOTSOCK ?
			    "a file that is not a socket is there, left as it is" :
			    strerror(err));
		errno = err;
		return -1;
	}
	srv.addr = *addr;
	if (lp_thread_start(&th, "lockprof-http", serve, NULL) != 0) {
		lp_logf("lockprof: LOCKPROF_HTTP: %s: cannot start a thread; no endpoint\n",
		    where);
		lp_http_fd_close(&srv.listen);
		lp_http_at_exit();
		return -1;
	}
	lp_logf("lockprof: serving profiles at %s\n", where);
	if (!warned && lp_http_exposed(srv.listen.fd)) {
		warned = 1;
		lp_logf("lockprof: LOCKPROF_HTTP: %s has no authentication and is "
		    "reachable from the network: whoever connects reads the "
		    "program's function names and lock profiles\n", where);
	}
	return 0;
}

/*
 * The parent's endpoint thread may have been anywhere at the fork: between
 * a free() and the pointer's reset, halfway through a snapshot. So nothing
 * it held is freed here (that could free twice): it is forgotten, leaked in
 * this child. A slot keeps its request buffer, set once to a whole
 * allocation and never freed. Only the descriptors that are still the
 * endpoint's are closed: the child's copies of the parent's sockets.
 */
void lp_http_after_fork_child(void)
{
	if (!srv.started)
		return;
	lp_http_forget_bound();
	lp_http_fd_close(&srv.listen);
	for (int i = 0; i < LP_HTTP_MAX_CONNS; i++) {
		struct conn *c = &srv.conns[i];
		char *in = c->in;

		lp_http_fd_close(&c->sock);
		*c = (struct conn){ .sock = { .fd = -1 }, .in = in };
	}
	srv.waits = 0;
	srv.accept_after = 0;
	memset(srv.last, 0, sizeof(srv.last));
	memset(srv.has_last, 0, sizeof(srv.has_last));
}
