/* Option values and diagnostics shared by the analysis commands. */
#ifndef LP_CLI_OPTIONS_H
#define LP_CLI_OPTIONS_H

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
};

int lp_parse_by(const char *s, enum lp_by *by);
int lp_parse_type(const char *s, enum lp_vtype *t);
const char *lp_by_name(enum lp_by by);
const char *lp_type_name(enum lp_vtype t);

/* "lockprof CMD: <message>" and a hint to --help on stderr; returns 2. */
int lp_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "lockprof CMD: <message>" on stderr; returns 2. */
int lp_input_error(const char *cmd, const char *msg);

#endif
