/* SPDX-License-Identifier: MIT */
/*
 * What `lockprof run` says at the end: the profiles the run wrote (files
 * named as the library names them, new or rewritten since the directory
 * was first looked at) and their sample counts, in one line.
 */
#ifndef LP_CLI_RUN_SUMMARY_H
#define LP_CLI_RUN_SUMMARY_H

#include <stddef.h>

struct lp_run_files;

/* The profiles in dir before the run; NULL when out of memory. */
struct lp_run_files *lp_run_files_before(const char *dir);

/* One line on stderr naming what the run wrote in dir. */
void lp_run_summary(const char *dir, const struct lp_run_files *before);

/* The names of the profiles of `kind` (1 block, 2 mutex, 3 hold) the run wrote in
 * dir, NULL-terminated, malloc'd (free each and the array). Their number,
 * or -1. */
int lp_run_written(const char *dir, const struct lp_run_files *before,
		   int kind, char ***names);

void lp_run_files_free(struct lp_run_files *f);

#endif
