/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the request handling as the server runs it, minus the
 * sockets: parse what a client sent, route it, format the answer's head,
 * and go on with what follows (pipelined requests).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/request.h"
#include "http/response.h"
#include "http/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	while (size > 0) {
		struct lp_http_request req;
		struct lp_http_route r;
		struct lp_http_head h = { .content_type = "text/plain" };
		char head[LP_HTTP_HEAD_BUF];
		size_t used = 0;
		int rc = lp_http_parse(buf, size, &req, &used);

		if (rc != LP_HTTP_COMPLETE)
			return 0;
		if (used == 0 || used > size)
			__builtin_trap();
		if (strlen(req.path) >= sizeof(req.path) ||
		    strlen(req.seconds.value) >= sizeof(req.seconds.value))
			__builtin_trap();
		lp_http_route(&req, &r);
		h.status = r.action == LP_ACT_PPROF_ERROR ? r.status : 200;
		if (lp_http_format_head(head, &h, 0) == 0)
			__builtin_trap();
		buf += used;
		size -= used;
	}
	return 0;
}
