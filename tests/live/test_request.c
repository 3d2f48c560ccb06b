/* SPDX-License-Identifier: MIT */
/*
 * The request parser, the router and the configuration of the live
 * profiles, on their own: no sockets.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../format/check.h"
#include "base/config.h"
#include "base/addr.h"
#include "http/request.h"
#include "http/response.h"
#include "http/route.h"

static int parse(const char *s, struct lp_http_request *r, size_t *used)
{
	return lp_http_parse(s, strlen(s), r, used);
}

static void test_parse(void)
{
	struct lp_http_request r;
	size_t used = 0;
	const char *two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n";

	CHECK(parse("GET /debug/pprof/mutex?seconds=2&debug=1 HTTP/1.1\r\nHost: x\r\n\r\n",
		    &r, &used) == LP_HTTP_COMPLETE, "simple");
	CHECK(strcmp(r.path, "/debug/pprof/mutex") == 0, "path %s", r.path);
	CHECK(r.seconds.present && strcmp(r.seconds.value, "2") == 0, "seconds");
	CHECK(r.debug.present && strcmp(r.debug.value, "1") == 0, "debug");
	CHECK(r.keep_alive && r.method == LP_HTTP_GET, "1.1 keeps alive");
	CHECK(parse(two, &r, &used) == LP_HTTP_COMPLETE && used == strlen(two) - 19,
	      "pipelined: only the first head is used (%zu)", used);
	CHECK(parse("GET /x HTTP/1.1\r\nHost: x\r\n", &r, &used) == LP_HTTP_INCOMPLETE,
	      "incomplete");
	CHECK(parse("GET /x HT", &r, &used) == LP_HTTP_INCOMPLETE, "incomplete line");
	CHECK(parse("GET /x HTTP/1.1\n\n", &r, &used) == LP_HTTP_COMPLETE, "bare LF");
	CHECK(parse("\r\nGET /x HTTP/1.1\r\n\r\n", &r, &used) == LP_HTTP_COMPLETE,
	      "leading empty line");
	CHECK(parse("GET /x HTTP/1.0\r\n\r\n", &r, &used) == LP_HTTP_COMPLETE &&
	      !r.keep_alive, "1.0 closes");
	CHECK(parse("GET /x HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n", &r,
		    &used) == LP_HTTP_COMPLETE && !r.keep_alive, "Connection: close");
	CHECK(parse("GET /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n", &r, &used) ==
	      LP_HTTP_COMPLETE && r.has_body && !r.keep_alive, "a body: close after");
	CHECK(parse("HEAD /x HTTP/1.1\r\n\r\n", &r, &used) == LP_HTTP_COMPLETE &&
	      r.method == LP_HTTP_HEAD, "HEAD");
	CHECK(parse("DELETE /x HTTP/1.1\r\n\r\n", &r, &used) == LP_HTTP_COMPLETE &&
	      r.method == LP_HTTP_OTHER, "other method");

	/* Go's url.ParseQuery and FormValue. */
	parse("GET /p?debug=1&debug=0&%73econds=+3&x=%zz HTTP/1.1\r\n\r\n", &r, &used);
	CHECK(strcmp(r.debug.value, "1") == 0, "first value counts");
	CHECK(strcmp(r.seconds.value, " 3") == 0, "escaped key, '+' is a space: '%s'",
	      r.seconds.value);
	parse("GET /p?seconds=1;debug=1&debug=%zz HTTP/1.1\r\n\r\n", &r, &used);
	CHECK(!r.seconds.present && !r.debug.present, "pairs with ';' or bad escapes skipped");
	parse("GET /p?seconds=00000000000000000000000000000000000001 HTTP/1.1\r\n\r\n", &r, &used);
	CHECK(r.seconds.too_long, "long value marked");
	parse("GET /%64ebug/pprof/ HTTP/1.1\r\n\r\n", &r, &used);
	CHECK(strcmp(r.path, "/debug/pprof/") == 0, "path decoded");
	parse("GET http://h:1/debug/pprof/block?debug=1 HTTP/1.1\r\n\r\n", &r, &used);
	CHECK(strcmp(r.path, "/debug/pprof/block") == 0 && r.debug.present, "absolute form");

	/* Refused. */
	CHECK(parse("\x01GET", &r, &used) == 400, "garbage at once");
	CHECK(parse("GET /x\r\n\r\n", &r, &used) == 400, "no version");
	CHECK(parse("GET  /x HTTP/1.1\r\n\r\n", &r, &used) == 400, "two spaces");
	CHECK(parse("GET x HTTP/1.1\r\n\r\n", &r, &used) == 400, "not a path");
	CHECK(parse("GET /%zz HTTP/1.1\r\n\r\n", &r, &used) == 400, "bad escape in path");
	CHECK(parse("GET /%4 HTTP/1.1\r\n\r\n", &r, &used) == 400, "short escape");
	CHECK(parse("GET /x HTTP/2.0\r\n\r\n", &r, &used) == 505, "HTTP/2");
	CHECK(parse("GET /x HTTP/1.1\r\nBad Name: x\r\n\r\n", &r, &used) == 400, "bad header name");
	CHECK(parse("GET /x HTTP/1.1\r\nX: a\x01\r\n\r\n", &r, &used) == 400, "control in value");
	CHECK(parse("GET /x HTTP/1.1\r\n folded\r\n\r\n", &r, &used) == 400, "folding");
	CHECK(parse("GET /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", &r, &used) == 400,
	      "bad length");
	CHECK(parse("GET /x HTTP/1.1\r\nA: b\rc\r\n\r\n", &r, &used) == 400, "bare CR");
	{
		char *big = malloc(LP_HTTP_HEAD_MAX + 10);
		memset(big, 'a', LP_HTTP_HEAD_MAX + 10);
		memcpy(big, "GET /x HTTP/1.1\r\nX: ", 20);
		CHECK(lp_http_parse(big, LP_HTTP_HEAD_MAX + 10, &r, &used) == 431, "too large");
		CHECK(lp_http_parse(big, LP_HTTP_HEAD_MAX - 1, &r, &used) == LP_HTTP_INCOMPLETE,
		      "large but below the limit");
		free(big);
	}
}

static void test_parse_int(void)
{
	long long v;

	CHECK(lp_http_parse_int("42", &v) == 0 && v == 42, "42");
	CHECK(lp_http_parse_int("+7", &v) == 0 && v == 7, "+7");
	CHECK(lp_http_parse_int("-9223372036854775808", &v) == 0 && v == INT64_MIN, "min");
	CHECK(lp_http_parse_int("9223372036854775807", &v) == 0 && v == INT64_MAX, "max");
	CHECK(lp_http_parse_int("9223372036854775808", &v) != 0, "overflow");
	CHECK(lp_http_parse_int("", &v) != 0 && lp_http_parse_int("-", &v) != 0, "empty");
	CHECK(lp_http_parse_int(" 1", &v) != 0 && lp_http_parse_int("1x", &v) != 0, "junk");
}

static struct lp_http_route route(const char *req)
{
	struct lp_http_request r;
	struct lp_http_route out;
	size_t used;

	lp_http_parse(req, strlen(req), &r, &used);
	lp_http_route(&r, &out);
	return out;
}

static void test_route(void)
{
	struct lp_http_route r;

	r = route("GET /debug/pprof/mutex HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_PROFILE && r.kind == LP_MUTEX && !r.debug, "mutex");
	r = route("GET /debug/pprof/block?debug=2 HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_PROFILE && r.kind == LP_BLOCK && r.debug, "debug=2 is text");
	r = route("GET /debug/pprof/block?debug=x HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_PROFILE && !r.debug, "debug=x is 0, as Atoi fails");
	r = route("GET /debug/pprof/block?seconds=&debug=1 HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_PROFILE && r.debug, "empty seconds is no seconds");
	r = route("GET /debug/pprof/block?seconds=30 HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_DELTA && r.seconds == 30, "delta");
	r = route("GET /debug/pprof/block?seconds=0&debug=1 HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_PPROF_ERROR && r.status == 400 &&
	      strstr(r.message, "positive integer"), "seconds checked before debug");
	r = route("GET /debug/pprof/block?seconds=3&debug=1 HTTP/1.1\r\n\r\n");
	CHECK(r.status == 400 && strstr(r.message, "incompatible"), "incompatible");
	r = route("GET /debug/pprof/heap HTTP/1.1\r\n\r\n");
	CHECK(r.status == 404 && strcmp(r.message, "Unknown profile") == 0, "unknown");
	r = route("GET /debug/pprof/delta_mutex HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_SINCE_LAST && r.kind == LP_MUTEX, "delta_mutex");
	r = route("GET /debug/pprof/ HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_INDEX, "index");
	r = route("GET /debug/pprof HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_REDIRECT, "redirect");
	r = route("GET /metrics HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_NOT_FOUND, "outside");
	r = route("PUT /debug/pprof/mutex HTTP/1.1\r\n\r\n");
	CHECK(r.action == LP_ACT_METHOD, "PUT");
}

static void test_head(void)
{
	char buf[LP_HTTP_HEAD_BUF];
	struct lp_http_head h = {
		.status = 400, .content_type = "text/plain; charset=utf-8",
		.go_pprof = 1, .nosniff = 1, .length = 42,
	};

	lp_http_format_head(buf, &h, 1795358917); /* the fixtures' date */
	CHECK(strcmp(buf, "HTTP/1.1 400 Bad Request\r\n"
			  "Content-Type: text/plain; charset=utf-8\r\n"
			  "X-Content-Type-Options: nosniff\r\nX-Go-Pprof: 1\r\n"
			  "Date: Sun, 22 Nov 2026 14:48:37 GMT\r\n"
			  "Content-Length: 42\r\n\r\n") == 0, "Go's error head:\n%s", buf);
}

static void test_addr(void)
{
	struct lp_http_addr a;

	CHECK(lp_http_addr_parse("127.0.0.1:6060", &a) == 0 && a.kind == LP_ADDR_TCP &&
	      strcmp(a.host, "127.0.0.1") == 0 && strcmp(a.port, "6060") == 0, "v4");
	CHECK(lp_http_addr_parse("[::1]:6060", &a) == 0 && strcmp(a.host, "::1") == 0, "v6");
	CHECK(lp_http_addr_parse(":6060", &a) == 0 && strcmp(a.host, "127.0.0.1") == 0,
	      "':port' is loopback");
	CHECK(lp_http_addr_parse("6060", &a) == 0 && strcmp(a.host, "127.0.0.1") == 0,
	      "a port is loopback");
	CHECK(lp_http_addr_parse("0.0.0.0:6060", &a) == 0 && strcmp(a.host, "0.0.0.0") == 0,
	      "all interfaces when said");
	CHECK(lp_http_addr_parse("myhost.example:80", &a) == 0, "a name");
	CHECK(lp_http_addr_parse("unix:/run/x.sock", &a) == 0 && a.kind == LP_ADDR_UNIX &&
	      strcmp(a.path, "/run/x.sock") == 0, "unix");
	CHECK(lp_http_addr_parse("::1:6060", &a) != 0, "unbracketed v6");
	CHECK(lp_http_addr_parse("127.0.0.1:65536", &a) != 0, "port range");
	CHECK(lp_http_addr_parse("127.0.0.1:", &a) != 0, "no port");
	CHECK(lp_http_addr_parse("a b:1", &a) != 0, "space");
	CHECK(lp_http_addr_parse("unix:", &a) != 0, "empty path");
	CHECK(lp_http_addr_parse("", &a) != 0, "empty");
}

static const char *env_vals[8];
static const char *env_names[8];
static int warnings;

static const char *fake_env(const char *name)
{
	for (int i = 0; i < 8 && env_names[i]; i++)
		if (strcmp(env_names[i], name) == 0)
			return env_vals[i];
	return NULL;
}

static void count_warn(const char *line)
{
	(void)line;
	warnings++;
}

static void test_config(void)
{
	struct lp_config c;
	int sig;

	env_names[0] = "LOCKPROF_HTTP";
	env_names[1] = "LOCKPROF_INTERVAL";
	env_names[2] = "LOCKPROF_SIGNAL";
	env_vals[0] = "127.0.0.1:6060";
	env_vals[1] = "30s";
	env_vals[2] = "USR2";
	warnings = 0;
	lp_config_load(&c, fake_env, count_warn);
	CHECK(!warnings && c.http.kind == LP_ADDR_TCP && c.interval == 30000000000LL &&
	      c.dump_signal == SIGUSR2, "all set");
	env_vals[0] = "127.0.0.1";
	env_vals[1] = "10ms";
	env_vals[2] = "KILL";
	lp_config_load(&c, fake_env, count_warn);
	CHECK(warnings == 3 && c.http.kind == LP_ADDR_NONE && c.interval == 0 &&
	      c.dump_signal == 0, "bad values: one line each, off (%d)", warnings);
	env_names[0] = NULL;
	warnings = 0;
	lp_config_load(&c, fake_env, count_warn);
	CHECK(!warnings && c.http.kind == LP_ADDR_NONE && !c.interval && !c.dump_signal,
	      "off by default");
	CHECK(lp_parse_signal("SIGUSR1", &sig) == 0 && sig == SIGUSR1, "SIGUSR1");
	CHECK(lp_parse_signal("hup", &sig) == 0 && sig == SIGHUP, "hup");
	CHECK(lp_parse_signal("12", &sig) == 0 && sig == 12, "a number");
	CHECK(lp_parse_signal("RTMIN+2", &sig) == 0 && sig == SIGRTMIN + 2, "RTMIN+2");
	CHECK(lp_parse_signal("RTMAX-1", &sig) == 0 && sig == SIGRTMAX - 1, "RTMAX-1");
	CHECK(lp_parse_signal("off", &sig) == 0 && sig == 0, "off");
	CHECK(lp_parse_signal("TERM", &sig) != 0 && lp_parse_signal("INT", &sig) != 0 &&
	      lp_parse_signal("SEGV", &sig) != 0 && lp_parse_signal("15", &sig) != 0 &&
	      lp_parse_signal("RTMIN+99", &sig) != 0, "refused");
}

int main(void)
{
	test_parse();
	test_parse_int();
	test_route();
	test_head();
	test_addr();
	test_config();
	return check_done("live-request");
}
