/* SPDX-License-Identifier: MIT */
#include "url.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format/pprof_decode.h"

int lp_is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

struct body {
	uint8_t *buf;
	size_t len, cap;
	int too_big;
};

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t add = size * n;

	if (b->len + add > LP_PPROF_MAX_BYTES) {
		b->too_big = 1;
		return 0;
	}
	if (b->len + add > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		uint8_t *nb;

		while (cap < b->len + add)
			cap *= 2;
		nb = realloc(b->buf, cap);
		if (!nb)
			return 0;
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, add);
	b->len += add;
	return add;
}

/* The progress line: rewritten each second on a terminal. */
struct progress {
	const char *url;
	long seconds;
	time_t start, shown;
	int tty;
};

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn,
		       curl_off_t ut, curl_off_t un)
{
	struct progress *p = ctx;
	time_t now = time(NULL);

	(void)dt, (void)dn, (void)ut, (void)un;
	if (p->tty && now != p->shown) {
		p->shown = now;
		fprintf(stderr, "\rlockprof: fetching %s: %lds", p->url,
			(long)(now - p->start));
		if (p->seconds)
			fprintf(stderr, " of %lds", p->seconds);
	}
	return 0;
}

/* N of "?seconds=N" or "&seconds=N", else 0. */
static long seconds_of(const char *url)
{
	const char *q = strchr(url, '?');

	for (const char *p = q; p; p = strchr(p + 1, '&'))
		if (!strncmp(p + 1, "seconds=", 8))
			return strtol(p + 9, NULL, 10);
	return 0;
}

static CURL *request(const char *url, struct body *b, struct progress *p,
		     char *cerr)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, p);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	/* The profile takes `seconds` to make; then it should come fast. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, p->seconds + 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "lockprof");
	return c;
}

/* "HTTP 404: <first line of the body>" */
static void http_error(const char *url, long status, const struct body *b,
		       char *err, size_t errlen)
{
	size_t n = 0;

	while (n < b->len && n < 200 && b->buf[n] != '\n' && b->buf[n] >= ' ')
		n++;
	snprintf(err, errlen, "%s: HTTP %ld%s%.*s", url, status, n ? ": " : "",
		 (int)n, n ? (const char *)b->buf : "");
}

int lp_fetch(const char *url, uint8_t **buf, size_t *len, char *err,
	     size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct body b = { 0 };
	struct progress p = { .url = url, .seconds = seconds_of(url),
			      .start = time(NULL), .tty = isatty(2) };
	CURLcode rc;
	long status = 0;
	CURL *c;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(c = request(url, &b, &p, cerr))) {
		snprintf(err, errlen, "%s: cannot start an HTTP client", url);
		return -1;
	}
	if (!p.tty && p.seconds)
		fprintf(stderr, "lockprof: fetching %s (waits %lds for the "
			"profile)\n", url, p.seconds);
	else if (!p.tty)
		fprintf(stderr, "lockprof: fetching %s\n", url);
	rc = curl_easy_perform(c);
	if (p.tty)
		fputc('\n', stderr);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK && status / 100 == 2) {
		*buf = b.buf;
		*len = b.len;
		return 0;
	}
	if (b.too_big)
		snprintf(err, errlen, "%s: larger than %zu MiB", url,
			 LP_PPROF_MAX_BYTES >> 20);
	else if (rc != CURLE_OK)
		snprintf(err, errlen, "%s: %s", url,
			 cerr[0] ? cerr : curl_easy_strerror(rc));
	else
		http_error(url, status, &b, err, errlen);
	free(b.buf);
	return -1;
}
