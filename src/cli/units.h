/* SPDX-License-Identifier: MIT */
/* Formatting and parsing of the quantities the commands print and take
 * (durations are parsed by lp_parse_duration of config.h). */
#ifndef LP_CLI_UNITS_H
#define LP_CLI_UNITS_H

#include <stddef.h>

#include "profile_model.h"

/* "317.9ms", "2.004s", "-12.0us": nanoseconds with a unit, 4 digits. */
char *lp_fmt_duration(double ns, char *buf, size_t len);
/* "717", "358.5", "0.25". */
char *lp_fmt_count(double v, char *buf, size_t len);

/* A value of type t: a duration for delay, a count for contentions. */
char *lp_fmt_value(enum lp_vtype t, double v, char *buf, size_t len);

/* `one` when n is 1, else `many`: "1 site", "2 sites". */
static inline const char *lp_plural(double n, const char *one,
				    const char *many)
{
	return n == 1 ? one : many;
}

/* A finite number >= 0, optionally followed by '%'. 0 on success. */
int lp_parse_number(const char *s, double *v);

#endif
