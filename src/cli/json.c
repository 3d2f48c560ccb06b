/* SPDX-License-Identifier: MIT */
#include "json.h"

#include <math.h>

#include "escape.h"

void lp_json_init(struct lp_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->count[0] = 0;
}

static void member(struct lp_json *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (key) {
		lp_json_string(j->f, key);
		fputc(':', j->f);
	}
}

void lp_json_open(struct lp_json *j, const char *key, char bracket)
{
	member(j, key);
	fputc(bracket, j->f);
	if (j->depth + 1 < LP_JSON_DEPTH)
		j->count[++j->depth] = 0;
}

void lp_json_close(struct lp_json *j, char bracket)
{
	fputc(bracket, j->f);
	if (j->depth > 0)
		j->depth--;
}

void lp_json_str(struct lp_json *j, const char *key, const char *v)
{
	member(j, key);
	lp_json_string(j->f, v);
}

void lp_json_num(struct lp_json *j, const char *key, double v)
{
	member(j, key);
	if (!isfinite(v))
		fputs("null", j->f);
	else if (v == floor(v) && fabs(v) < 9e15)
		fprintf(j->f, "%.0f", v);
	else
		fprintf(j->f, "%.17g", v);
}

void lp_json_bool(struct lp_json *j, const char *key, int v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void lp_json_null(struct lp_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void lp_json_end(struct lp_json *j)
{
	fputc('\n', j->f);
}
