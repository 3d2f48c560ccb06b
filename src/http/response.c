/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <time.h>

#include "response.h"

const char *lp_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* RFC 9110 IMF-fixdate, without the locale strftime would consult. */
static void http_date(char *buf, size_t len, int64_t wall)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)wall;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
		 tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
}

size_t lp_http_format_head(char *buf, const struct lp_http_head *h, int64_t wall)
{
	char date[64];
	int n;

	http_date(date, sizeof(date), wall);
	n = snprintf(buf, LP_HTTP_HEAD_BUF,
		     "HTTP/1.1 %d %s\r\n"
		     "%s"
		     "%s%s%s"
		     "Content-Type: %s\r\n"
		     "%s%s%s"
		     "%s%s"
		     "Date: %s\r\n"
		     "Content-Length: %zu\r\n"
		     "%s"
		     "\r\n",
		     h->status, lp_http_reason(h->status),
		     h->allow ? "Allow: GET, HEAD\r\n" : "",
		     h->filename ? "Content-Disposition: attachment; filename=\"" : "",
		     h->filename ? h->filename : "", h->filename ? "\"\r\n" : "",
		     h->content_type,
		     h->location ? "Location: " : "", h->location ? h->location : "",
		     h->location ? "\r\n" : "",
		     h->nosniff ? "X-Content-Type-Options: nosniff\r\n" : "",
		     h->go_pprof ? "X-Go-Pprof: 1\r\n" : "",
		     date, h->length,
		     h->close ? "Connection: close\r\n" : "");
	return n < 0 ? 0 : (size_t)n < LP_HTTP_HEAD_BUF ? (size_t)n : LP_HTTP_HEAD_BUF - 1;
}
