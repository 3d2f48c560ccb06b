/* SPDX-License-Identifier: MIT */
/* Option parsing and diagnostics shared by the analysis commands. */
#ifndef LP_CLI_OPTIONS_H
#define LP_CLI_OPTIONS_H

#include <getopt.h>

#include "sites.h"

/* Long option ids above any short option character. */
enum {
	LP_OPT_BY = 256,
	LP_OPT_TYPE,
	LP_OPT_JSON,
	LP_OPT_HELP,
	LP_OPT_BASE,
	LP_OPT_MAX_INCREASE,
	LP_OPT_MIN_DELAY,
	LP_OPT_MIN_CONTENTIONS,
	LP_OPT_TITLE,
	LP_OPT_WIDTH,
	LP_OPT_PER_SECOND,
	LP_OPT_FULL_PATHS,
	LP_OPT_DIFF,
	LP_OPT_FORCE,
};

/* Values of the options that several commands take; each command sets
 * its defaults before parsing and lists the options it takes. */
struct lp_opts {
	long n;             /* -n: rows shown, 0 for all */
	enum lp_by by;      /* --by */
	enum lp_vtype type; /* --type */
	int json;           /* --json */
	const char *out;    /* -o, --output */
	int per_second;     /* --per-second: compare rates, not totals */
	int full_paths;     /* --full-paths: file names as in the profile */
};

/* The shared options a command takes. */
enum {
	LP_TAKES_N = 1 << 0,    /* -n N */
	LP_TAKES_BY = 1 << 1,   /* --by KEY */
	LP_TAKES_TYPE = 1 << 2, /* --type T */
	LP_TAKES_JSON = 1 << 3, /* --json */
	LP_TAKES_OUT = 1 << 4,  /* -o, --output FILE */
	LP_TAKES_PER_SECOND = 1 << 5, /* --per-second */
	LP_TAKES_FULL_PATHS = 1 << 6, /* --full-paths */
};

/* A command's own options, past the shared ones: 0, -1 for a bad value
 * (said as "bad --NAME 'VALUE'"), or the status of an error it said. */
typedef int lp_own_option(int c, const char *arg, void *ctx);

/* A command's command line; -h and --help are always taken. */
struct lp_cmdline {
	const char *cmd, *usage;
	unsigned takes;             /* LP_TAKES_* */
	const struct option *longs; /* its own long options, or NULL */
	lp_own_option *own;
	void *ctx;
	int operands;               /* how many must follow; 0: not checked */
	const char *operands_error; /* the usage error when not */
};

/* The most own long options a command may have. */
#define LP_OWN_OPTIONS_MAX 8

/*
 * getopt_long over argv, operands left from optind on: --help prints the
 * usage, shared options go to o, others to cl->own. 0; -1 after the help;
 * or 2 after a usage error, said on stderr.
 */
int lp_parse_options(const struct lp_cmdline *cl, int argc, char **argv,
		     struct lp_opts *o);

/* How many of n rows -n shows. */
static inline size_t lp_rows_shown(const struct lp_opts *o, size_t n)
{
	return o->n && (size_t)o->n < n ? (size_t)o->n : n;
}

int lp_parse_by(const char *s, enum lp_by *by);
int lp_parse_type(const char *s, enum lp_vtype *t);
const char *lp_by_name(enum lp_by by);
const char *lp_type_name(enum lp_vtype t);

/* "lockprof CMD: <message> (lockprof CMD --help)" on stderr; returns 2. */
int lp_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "lockprof CMD: <message>" on stderr; returns 2. */
int lp_input_error(const char *cmd, const char *msg);

#endif
