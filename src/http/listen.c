#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "http/listen.h"

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

static int listen_unix(const struct lp_http_addr *a, char *where, size_t wlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, tries;

	memcpy(sa.sun_path, a->path, strlen(a->path) + 1);
	for (tries = 0; tries < 2; tries++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    listen(fd, SOMAXCONN) == 0) {
			snprintf(where, wlen, "unix:%s", a->path);
			return fd;
		}
		close(fd);
		if (errno != EADDRINUSE || tries > 0)
			return -1;
		/* A socket file nobody listens on is left from a dead process. */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		    errno != ECONNREFUSED) {
			close(fd);
			errno = EADDRINUSE;
			return -1;
		}
		close(fd);
		unlink(a->path);
	}
	return -1;
}

int lp_http_listen(struct lp_http_addr *a, char *where, size_t wlen)
{
	return a->kind == LP_ADDR_UNIX ? listen_unix(a, where, wlen)
				       : listen_tcp(a, where, wlen);
}
