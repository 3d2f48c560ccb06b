/* SPDX-License-Identifier: MIT */
#include "units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *digits(double v)
{
	v = fabs(v);
	if (v >= 1000 || v == 0)
		return "%.0f%s";
	if (v >= 100)
		return "%.1f%s";
	if (v >= 10)
		return "%.2f%s";
	return "%.3f%s";
}

char *lp_fmt_duration(double ns, char *buf, size_t len)
{
	static const struct {
		double scale;
		const char *unit;
	} units[] = { { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" }, { 1, "ns" } };
	size_t i = 0;

	while (i < 3 && fabs(ns) < units[i].scale)
		i++;
	if (fabs(ns) < 1)
		i = 3;
	snprintf(buf, len, digits(ns / units[i].scale), ns / units[i].scale,
		 units[i].unit);
	return buf;
}

char *lp_fmt_count(double v, char *buf, size_t len)
{
	if (v == floor(v) || fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

char *lp_fmt_value(enum lp_vtype t, double v, char *buf, size_t len)
{
	return t == LP_VT_DELAY ? lp_fmt_duration(v, buf, len) :
				  lp_fmt_count(v, buf, len);
}

int lp_parse_number(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	if (end == s || !isfinite(*v) || *v < 0)
		return -1;
	if (*end == '%')
		end++;
	return *end ? -1 : 0;
}
