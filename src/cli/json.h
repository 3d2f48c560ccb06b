/* SPDX-License-Identifier: MIT */
/* A small streaming JSON writer: keys and commas handled by nesting. */
#ifndef LP_CLI_JSON_H
#define LP_CLI_JSON_H

#include <stdio.h>

#define LP_JSON_DEPTH 16

struct lp_json {
	FILE *f;
	int depth;
	int count[LP_JSON_DEPTH]; /* members written at each level */
};

void lp_json_init(struct lp_json *j, FILE *f);
/* key is NULL inside arrays and at the top level. */
void lp_json_open(struct lp_json *j, const char *key, char bracket);
void lp_json_close(struct lp_json *j, char bracket);
void lp_json_str(struct lp_json *j, const char *key, const char *v);
/* Non-finite numbers are written as null. */
void lp_json_num(struct lp_json *j, const char *key, double v);
void lp_json_bool(struct lp_json *j, const char *key, int v);
void lp_json_null(struct lp_json *j, const char *key);
/* Ends the document with a newline. */
void lp_json_end(struct lp_json *j);

#endif
