/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"

/* The URL actually served: with port 0 the kernel picked one, which is
 * written back into `a`. */
static void describe(int fd, struct lp_http_addr *a, char *where, size_t wlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN + 2] = "[";
	int port;

	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host + 1, sizeof(host) - 2);
		strcat(host, "]");
		port = ntohs(s6->sin6_port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
	}
	snprintf(where, wlen, "http://%s:%d/debug/pprof/", host, port);
	snprintf(a->port, sizeof(a->port), "%d", port);
}

static int listen_tcp(struct lp_http_addr *a, char *where, size_t wlen)
{
	struct addrinfo hints = {
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST,
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	}, *res, *ai;
	int fd = -1, err = 0, one = 1;

	if (getaddrinfo(a->host, a->port, &hints, &res) != 0) {
		hints.ai_flags &= ~AI_NUMERICHOST;
		if (getaddrinfo(a->host, a->port, &hints, &res) != 0) {
			errno = EADDRNOTAVAIL;
			return -1;
		}
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, SOMAXCONN) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		errno = err;
		return -1;
	}
	describe(fd, a, where, wlen);
	return fd;
}

/*
 * The socket file this process bound, removed at exit only while it is
 * still that file and only by this process (not a forked child). Read by
 * lp_http_at_exit from a signal handler: `pid` is written last.
 */
static struct {
	char path[LP_ADDR_PATH_MAX];
	dev_t dev;
	ino_t ino;
	pid_t pid; /* 0: none */
} bound;

static int is_file(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	return lstat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

static void remember_bound(const char *path)
{
	struct stat st;

	__atomic_store_n(&bound.pid, 0, __ATOMIC_RELEASE);
	if (lstat(path, &st) != 0)
		return;
	memcpy(bound.path, path, strlen(path) + 1);
	__atomic_store_n(&bound.dev, st.st_dev, __ATOMIC_RELAXED);
	__atomic_store_n(&bound.ino, st.st_ino, __ATOMIC_RELAXED);
	__atomic_store_n(&bound.pid, getpid(), __ATOMIC_RELEASE);
}

void lp_http_forget_bound(void)
{
	__atomic_store_n(&bound.pid, 0, __ATOMIC_RELEASE);
}

void lp_http_at_exit(void)
{
	pid_t pid = __atomic_load_n(&bound.pid, __ATOMIC_ACQUIRE);

	if (pid != 0 && pid == getpid() &&
	    is_file(bound.path, __atomic_load_n(&bound.dev, __ATOMIC_RELAXED),
		    __atomic_load_n(&bound.ino, __ATOMIC_RELAXED)))
		unlink(bound.path);
}

/*
 * bind found the path taken. A socket that nothing listens on (its process
 * was killed) is removed; anything else stays as it is: a socket in use
 * (EADDRINUSE), or a file, directory or link (ENOTSOCK; a link is neither
 * followed nor removed). 0 when the path is free now.
 */
static int remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, refused;

	if (lstat(sa->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = ENOTSOCK;
		return -1;
	}
	/* Non-blocking: a listener with a full backlog is busy, not dead. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	refused = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0 &&
		  errno == ECONNREFUSED;
	close(fd);
	/* Still the socket looked at, not one put there meanwhile. */
	if (!refused || !is_file(sa->sun_path, st.st_dev, st.st_ino)) {
		errno = EADDRINUSE;
		return -1;
	}
	return unlink(sa->sun_path) == 0 || errno == ENOENT ? 0 : -1;
}

static int listen_unix(const struct lp_http_addr *a, char *where, size_t wlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memcpy(sa.sun_path, a->path, strlen(a->path) + 1);
	for (int tries = 0;; tries++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err;

		if (fd < 0)
			return -1;
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    listen(fd, SOMAXCONN) == 0) {
			remember_bound(a->path);
			snprintf(where, wlen, "unix:%s", a->path);
			return fd;
		}
		err = errno;
		close(fd);
		errno = err;
		if (err != EADDRINUSE || tries > 0 || remove_stale(&sa) != 0)
			return -1;
	}
}

int lp_http_listen(struct lp_http_addr *a, char *where, size_t wlen)
{
	return a->kind == LP_ADDR_UNIX ? listen_unix(a, where, wlen)
				       : listen_tcp(a, where, wlen);
}

int lp_http_exposed(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return 0;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
		return ntohl(s4->sin_addr.s_addr) >> 24 != 127;
	}
	if (ss.ss_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)&ss)->sin6_addr;
		return !IN6_IS_ADDR_LOOPBACK(a6) &&
		       !(IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
	}
	return 0;
}
