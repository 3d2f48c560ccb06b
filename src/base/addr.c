/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "addr.h"

static int parse_port(const char *s, struct lp_http_addr *out)
{
	long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return -1;
	memcpy(out->port, s, n + 1);
	return 0;
}

/* A host name or address: no spaces, controls, slashes or stray colons. */
static int host_ok(const char *h, size_t n, int v6)
{
	if (n == 0 || n >= LP_ADDR_HOST_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			 (c >= 'A' && c <= 'Z') || c == '.' || c == '-' ||
			 c == '_' || (v6 && (c == ':' || c == '%'));
		if (!ok)
			return 0;
	}
	return 1;
}

int lp_http_addr_parse(const char *s, struct lp_http_addr *out)
{
	const char *colon;
	size_t hn;
	int v6 = 0;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return -1;
	if (strncmp(s, "unix:", 5) == 0) {
		size_t n = strlen(s + 5);
		if (n == 0 || n >= LP_ADDR_PATH_MAX)
			return -1;
		memcpy(out->path, s + 5, n + 1);
		out->kind = LP_ADDR_UNIX;
		return 0;
	}
	out->kind = LP_ADDR_TCP;
	if (!strchr(s, ':')) { /* a bare port */
		strcpy(out->host, "127.0.0.1");
		return parse_port(s, out);
	}
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -1;
		s++;
		hn = (size_t)(end - s);
		colon = end + 1;
		v6 = 1;
	} else {
		colon = strrchr(s, ':');
		if (strchr(s, ':') != colon) /* unbracketed IPv6 is ambiguous */
			return -1;
		hn = (size_t)(colon - s);
	}
	if (hn == 0 && !v6) {
		strcpy(out->host, "127.0.0.1");
	} else {
		if (!host_ok(s, hn, v6))
			return -1;
		memcpy(out->host, s, hn);
		out->host[hn] = '\0';
	}
	return parse_port(colon + 1, out);
}
