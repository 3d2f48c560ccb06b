/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "route.h"

#define PREFIX "/debug/pprof/"

static void pprof_error(struct lp_http_route *out, int status, const char *msg)
{
	out->action = LP_ACT_PPROF_ERROR;
	out->status = status;
	out->message = msg;
}

/* strconv.Atoi as pprof reads "debug": a bad value is 0. */
static int debug_level(const struct lp_http_param *p)
{
	long long v;

	if (!p->present || p->too_long || lp_http_parse_int(p->value, &v) != 0)
		return 0;
	return v != 0;
}

static int kind_of(const char *name, enum lp_kind *kind)
{
	if (strcmp(name, "block") == 0)
		*kind = LP_BLOCK;
	else if (strcmp(name, "mutex") == 0)
		*kind = LP_MUTEX;
	else if (strcmp(name, "hold") == 0)
		*kind = LP_HOLD;
	else
		return -1;
	return 0;
}

void lp_http_route(const struct lp_http_request *req, struct lp_http_route *out)
{
	const char *name;
	long long sec;

	memset(out, 0, sizeof(*out));
	if (req->method == LP_HTTP_OTHER) {
		out->action = LP_ACT_METHOD;
		return;
	}
	if (!req->path_too_long && strcmp(req->path, "/debug/pprof") == 0) {
		out->action = LP_ACT_REDIRECT;
		return;
	}
	if (strncmp(req->path, PREFIX, sizeof(PREFIX) - 1) != 0) {
		out->action = LP_ACT_NOT_FOUND;
		return;
	}
	name = req->path + sizeof(PREFIX) - 1;
	if (*name == '\0') {
		out->action = LP_ACT_INDEX;
		return;
	}
	if (!req->path_too_long && strncmp(name, "delta_", 6) == 0 &&
	    kind_of(name + 6, &out->kind) == 0) {
		out->action = LP_ACT_SINCE_LAST;
		return;
	}
	if (!req->path_too_long && strcmp(name, "waiting") == 0) {
		out->action = LP_ACT_WAITING;
		out->debug = debug_level(&req->debug);
		return;
	}
	if (req->path_too_long || kind_of(name, &out->kind) != 0) {
		pprof_error(out, 404, "Unknown profile");
		return;
	}
	out->debug = debug_level(&req->debug);
	if (req->seconds.present && req->seconds.value[0]) {
		if (req->seconds.too_long ||
		    lp_http_parse_int(req->seconds.value, &sec) != 0 || sec <= 0)
			pprof_error(out, 400, "invalid value for \"seconds\" - "
					      "must be a positive integer");
		else if (out->debug)
			pprof_error(out, 400, "seconds and debug params are "
					      "incompatible");
		else {
			out->action = LP_ACT_DELTA;
			out->seconds = sec;
		}
		return;
	}
	out->action = LP_ACT_PROFILE;
}
