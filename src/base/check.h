/* SPDX-License-Identifier: MIT */
/*
 * Invariants checked in debug builds (the sanitizer suite builds one, and
 * runs every test against it): LP_CHECK(cond) says which condition failed,
 * where, in one line, and aborts. In other builds it is nothing, and its
 * condition is not evaluated.
 */
#ifndef LP_CHECK_H
#define LP_CHECK_H

#ifdef LP_CHECK_INVARIANTS
#define LP_CHECK(cond) \
	((cond) ? (void)0 : lp_check_failed(#cond, __FILE__, __LINE__))
void lp_check_failed(const char *what, const char *file, int line)
	__attribute__((noreturn));
#else
#define LP_CHECK(cond) ((void)0)
#endif

#endif /* LP_CHECK_H */
