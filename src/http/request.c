/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <strings.h>

#include "request.h"

/* RFC 9110 token characters. */
static int is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s[0..n) into out (at most cap-1 bytes, NUL-terminated).
 * `plus` turns '+' into ' ' (query form). Returns the decoded length (which
 * may exceed cap-1: the caller sees it did not fit), or -1 on a bad escape.
 */
static long unescape(const char *s, size_t n, int plus, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++, o++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		} else if (plus && c == '+') {
			c = ' ';
		}
		if (o + 1 < cap)
			out[o] = (char)c;
	}
	out[o + 1 < cap ? o : cap - 1] = '\0';
	return (long)o;
}

static void take_param(struct lp_http_param *p, const char *v, size_t n)
{
	long len;

	if (p->present)
		return; /* FormValue: the first one counts */
	len = unescape(v, n, 1, p->value, sizeof(p->value));
	p->present = 1;
	p->too_long = len >= (long)sizeof(p->value);
}

/* Go's url.ParseQuery, keeping two keys: pairs with ';' or a bad escape
 * are skipped, as Go skips them. */
static void parse_query(const char *q, size_t n, struct lp_http_request *req)
{
	size_t i = 0;

	while (i <= n) {
		size_t end = i, eq;
		char key[16];
		long klen;

		while (end < n && q[end] != '&')
			end++;
		eq = i;
		while (eq < end && q[eq] != '=')
			eq++;
		if (!memchr(q + i, ';', end - i) && end > i) {
			klen = unescape(q + i, eq - i, 1, key, sizeof(key));
			if (klen >= 0 && klen < (long)sizeof(key) &&
			    (eq == end || unescape(q + eq + 1, end - eq - 1, 1,
						   (char[1]){0}, 1) >= 0)) {
				const char *v = eq < end ? q + eq + 1 : q + end;
				size_t vn = eq < end ? end - eq - 1 : 0;
				if (strcmp(key, "seconds") == 0)
					take_param(&req->seconds, v, vn);
				else if (strcmp(key, "debug") == 0)
					take_param(&req->debug, v, vn);
			}
		}
		i = end + 1;
	}
}

/* Origin form ("/path?q") or absolute form ("http://host/path?q"). */
static int parse_target(const char *t, size_t n, struct lp_http_request *req)
{
	const char *q;
	size_t pn;
	long len;

	if (n > 7 && (strncasecmp(t, "http://", 7) == 0 ||
		      (n > 8 && strncasecmp(t, "https://", 8) == 0))) {
		const char *p = memchr(t, ':', n) + 3;
		const char *slash = memchr(p, '/', n - (size_t)(p - t));
		if (!slash) { /* "http://host": the root */
			strcpy(req->path, "/");
			return 0;
		}
		n -= (size_t)(slash - t);
		t = slash;
	}
	if (t[0] != '/')
		return -1;
	q = memchr(t, '?', n);
	pn = q ? (size_t)(q - t) : n;
	len = unescape(t, pn, 0, req->path, sizeof(req->path));
	if (len < 0)
		return -1;
	req->path_too_long = len >= (long)sizeof(req->path);
	if (q)
		parse_query(q + 1, n - pn - 1, req);
	return 0;
}

/* "METHOD SP target SP HTTP/x.y". Returns 0, 400 or 505. */
static int parse_request_line(const char *l, size_t n, struct lp_http_request *req,
			      int *http10)
{
	const char *sp1 = memchr(l, ' ', n), *sp2, *v;
	size_t i, vn;

	if (!sp1 || sp1 == l)
		return 400;
	for (i = 0; l + i < sp1; i++)
		if (!is_tchar((unsigned char)l[i]))
			return 400;
	if (sp1 - l == 3 && memcmp(l, "GET", 3) == 0)
		req->method = LP_HTTP_GET;
	else if (sp1 - l == 4 && memcmp(l, "HEAD", 4) == 0)
		req->method = LP_HTTP_HEAD;
	else
		req->method = LP_HTTP_OTHER;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l));
	if (!sp2 || sp2 == sp1 + 1)
		return 400;
	for (const char *c = sp1 + 1; c < sp2; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return 400;
	v = sp2 + 1;
	vn = n - (size_t)(v - l);
	if (vn != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return 400;
	if (v[5] != '1')
		return 505;
	*http10 = v[7] == '0';
	return parse_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), req) ? 400 : 0;
}

/* Does a comma-separated header value hold `token`? */
static int has_token(const char *v, size_t n, const char *token)
{
	size_t tn = strlen(token), i = 0;

	while (i < n) {
		size_t s, e;
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tn && strncasecmp(v + s, token, tn) == 0)
			return 1;
	}
	return 0;
}

/* "Name: value". Returns 0 or 400. */
static int parse_header(const char *l, size_t n, struct lp_http_request *req,
			int *close)
{
	const char *colon = memchr(l, ':', n), *v;
	size_t i, vn;

	if (!colon || colon == l)
		return 400;
	for (i = 0; l + i < colon; i++)
		if (!is_tchar((unsigned char)l[i]))
			return 400;
	v = colon + 1;
	vn = n - (size_t)(v - l);
	for (i = 0; i < vn; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 400;
	}
	while (vn && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
#define IS(name) ((size_t)(colon - l) == sizeof(name) - 1 && \
		  strncasecmp(l, name, sizeof(name) - 1) == 0)
	if (IS("Connection")) {
		if (has_token(v, vn, "close"))
			*close = 1;
	} else if (IS("Content-Length")) {
		if (vn == 0 || vn > 18)
			return 400;
		for (i = 0; i < vn; i++)
			if (v[i] < '0' || v[i] > '9')
				return 400;
		if (strspn(v, "0") < vn)
			req->has_body = 1;
	} else if (IS("Transfer-Encoding")) {
		req->has_body = 1;
	}
#undef IS
	return 0;
}

int lp_http_parse(const char *buf, size_t len, struct lp_http_request *req,
		  size_t *used)
{
	size_t pos = 0, limit = len < LP_HTTP_HEAD_MAX ? len : LP_HTTP_HEAD_MAX;
	int line_no = 0, http10 = 0, close = 0, rc;

	memset(req, 0, sizeof(*req));
	/* Empty lines before a request are allowed (RFC 9112 2.2). */
	while (pos < limit && pos < 8 && (buf[pos] == '\r' || buf[pos] == '\n'))
		pos++;
	/* Garbage is refused as soon as it is seen, not at the timeout. */
	if (pos < limit && !is_tchar((unsigned char)buf[pos]))
		return 400;
	for (;;) {
		const char *nl = memchr(buf + pos, '\n', limit - pos);
		size_t n;

		if (!nl)
			return len >= LP_HTTP_HEAD_MAX ? 431 : LP_HTTP_INCOMPLETE;
		n = (size_t)(nl - (buf + pos));
		if (n && buf[pos + n - 1] == '\r')
			n--;
		if (memchr(buf + pos, '\r', n) || memchr(buf + pos, '\0', n))
			return 400;
		if (line_no == 0) {
			rc = parse_request_line(buf + pos, n, req, &http10);
		} else if (n == 0) {
			*used = (size_t)(nl - buf) + 1;
			req->keep_alive = !http10 && !close && !req->has_body;
			return LP_HTTP_COMPLETE;
		} else if (buf[pos] == ' ' || buf[pos] == '\t') {
			rc = 400; /* obsolete line folding */
		} else {
			rc = parse_header(buf + pos, n, req, &close);
		}
		if (rc)
			return rc;
		line_no++;
		pos = (size_t)(nl - buf) + 1;
	}
}

int lp_http_parse_int(const char *s, long long *out)
{
	unsigned long long v = 0, lim = 9223372036854775807ULL;
	int neg = 0;

	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		s++;
		lim += neg;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (lim - (unsigned long long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}
