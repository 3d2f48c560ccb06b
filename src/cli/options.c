/* SPDX-License-Identifier: MIT */
#include "options.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

static const char *const by_names[] = {
	[LP_BY_FUNCTION] = "function", [LP_BY_LINE] = "line",
	[LP_BY_STACK] = "stack", [LP_BY_LEAF] = "leaf",
	[LP_BY_LOCK] = "lock", [LP_BY_THREAD] = "thread", [LP_BY_WAIT] = "wait",
};

int lp_parse_by(const char *s, enum lp_by *by)
{
	for (size_t i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
		if (!strcmp(s, by_names[i])) {
			*by = (enum lp_by)i;
			return 0;
		}
	}
	return -1;
}

const char *lp_by_name(enum lp_by by)
{
	return by_names[by];
}

int lp_parse_type(const char *s, enum lp_vtype *t)
{
	if (!strcmp(s, "delay"))
		*t = LP_VT_DELAY;
	else if (!strcmp(s, "contentions"))
		*t = LP_VT_CONTENTIONS;
	else
		return -1;
	return 0;
}

const char *lp_type_name(enum lp_vtype t)
{
	return t == LP_VT_DELAY ? "delay" : "contentions";
}

int lp_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lockprof %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (lockprof %s --help)\n", cmd);
	return LP_EXIT_BAD;
}

int lp_input_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "lockprof %s: %s\n", cmd, msg);
	return LP_EXIT_BAD;
}

/* 0 when c is a shared option, stored in o; -1 for a bad value; 1 when c
 * is none of them. */
static int shared_option(int c, const char *arg, struct lp_opts *o)
{
	char *end;

	switch (c) {
	case 'n':
		o->n = strtol(arg, &end, 10);
		return *end || end == arg || o->n < 0 ? -1 : 0;
	case 'o':
		o->out = arg;
		return 0;
	case LP_OPT_BY:
		return lp_parse_by(arg, &o->by);
	case LP_OPT_TYPE:
		return lp_parse_type(arg, &o->type);
	case LP_OPT_JSON:
		o->json = 1;
		return 0;
	case LP_OPT_PER_SECOND:
		o->per_second = 1;
		return 0;
	case LP_OPT_FULL_PATHS:
		o->full_paths = 1;
		return 0;
	}
	return 1;
}

/* "bad -n 'x'", "bad --width 'x'": the option as the user can spell it
 * (t: the long options). */
static int bad_value(const char *cmd, const struct option *t, int c,
		     const char *arg)
{
	if (c < LP_OPT_BY)
		return lp_usage_error(cmd, "bad -%c '%s'", c, arg);
	while (t->name && t->val != c)
		t++;
	return lp_usage_error(cmd, "bad --%s '%s'", t->name, arg);
}

static const struct option shared_longs[] = {
	{ "by", required_argument, NULL, LP_OPT_BY },
	{ "type", required_argument, NULL, LP_OPT_TYPE },
	{ "json", no_argument, NULL, LP_OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	{ "per-second", no_argument, NULL, LP_OPT_PER_SECOND },
	{ "full-paths", no_argument, NULL, LP_OPT_FULL_PATHS },
};
static const unsigned shared_takes[] = {
	LP_TAKES_BY, LP_TAKES_TYPE, LP_TAKES_JSON, LP_TAKES_OUT,
	LP_TAKES_PER_SECOND, LP_TAKES_FULL_PATHS,
};

/* getopt_long's table: the shared options taken, the command's own, help. */
static void long_table(const struct lp_cmdline *cl, struct option *t)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(shared_takes) / sizeof(*shared_takes); i++)
		if (cl->takes & shared_takes[i])
			t[n++] = shared_longs[i];
	for (const struct option *o = cl->longs; o && o->name; o++)
		t[n++] = *o;
	t[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	t[n] = (struct option){ 0, 0, 0, 0 };
}

static int parse_one(const struct lp_cmdline *cl, const struct option *t,
		     int c, char **argv, struct lp_opts *o)
{
	int rc;

	if (c == 'h') {
		fputs(cl->usage, stdout);
		return -1;
	}
	if (c == ':')
		return lp_usage_error(cl->cmd, "%s needs a value",
				      argv[optind - 1]);
	if (c == '?')
		return lp_usage_error(cl->cmd, "unknown option %s",
				      argv[optind - 1]);
	rc = shared_option(c, optarg, o);
	if (rc > 0)
		rc = cl->own(c, optarg, cl->ctx);
	return rc < 0 ? bad_value(cl->cmd, t, c, optarg) : rc;
}

int lp_parse_options(const struct lp_cmdline *cl, int argc, char **argv,
		     struct lp_opts *o)
{
	struct option t[LP_OWN_OPTIONS_MAX + 8];
	char shorts[8] = ":";
	int c, rc;

	if (cl->takes & LP_TAKES_N)
		strcat(shorts, "n:");
	if (cl->takes & LP_TAKES_OUT)
		strcat(shorts, "o:");
	strcat(shorts, "h");
	long_table(cl, t);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, t, NULL)) != -1) {
		rc = parse_one(cl, t, c, argv, o);
		if (rc)
			return rc;
	}
	if (cl->operands && argc - optind != cl->operands)
		return lp_usage_error(cl->cmd, "%s", cl->operands_error);
	return 0;
}
