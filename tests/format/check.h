/* SPDX-License-Identifier: MIT */
/* Minimal checking for the format unit tests: report every failure, exit
 * nonzero at the end if any. Conditions are evaluated once. */
#ifndef LP_TEST_CHECK_H
#define LP_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int check_failures;

static inline __attribute__((format(printf, 4, 5))) void
check_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: FAIL %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	check_failures++;
}

#define CHECK(cond, ...)                                                       \
	((cond) ? (void)0 : check_fail(__FILE__, __LINE__, #cond, __VA_ARGS__))

/* Stop here: later checks would only repeat the failure or crash. */
#define REQUIRE(cond, ...)                                                     \
	((cond) ? (void)0                                                      \
		: (check_fail(__FILE__, __LINE__, #cond, __VA_ARGS__), exit(1)))

static inline int check_done(const char *name)
{
	if (check_failures)
		fprintf(stderr, "%s: %d failure(s)\n", name, check_failures);
	else
		printf("%s: ok\n", name);
	return check_failures ? 1 : 0;
}

#endif
