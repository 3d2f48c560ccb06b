#include "options.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"

static const char *const by_names[] = {
	[LP_BY_FUNCTION] = "function", [LP_BY_LINE] = "line",
	[LP_BY_STACK] = "stack", [LP_BY_LEAF] = "leaf",
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
	fprintf(stderr, " (see 'lockprof %s --help')\n", cmd);
	return LP_EXIT_BAD;
}

int lp_input_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "lockprof %s: %s\n", cmd, msg);
	return LP_EXIT_BAD;
}
