/* SPDX-License-Identifier: MIT */
/* Merging profiles (lockprof merge, lockprof run --merge). */
#ifndef LP_CLI_MERGE_H
#define LP_CLI_MERGE_H

/* Merge `files` (one kind) into `out`, which must not be one of them;
 * files of different runs only with `force`. An exit status (0 ok); the
 * error is said on stderr. */
int lp_merge_files(char *const *files, int n, const char *out, int force);

#endif
