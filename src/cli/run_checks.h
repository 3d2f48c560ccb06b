/* SPDX-License-Identifier: MIT */
/*
 * What `lockprof run` checks before it starts the program: that profiles
 * can be written where they go, and that the program can be profiled at
 * all (the loader preloads nothing into a static executable, and ignores
 * LD_PRELOAD for a setuid or setgid one).
 */
#ifndef LP_CLI_RUN_CHECKS_H
#define LP_CLI_RUN_CHECKS_H

#include <stddef.h>

/* 0 when dir is a directory this user can create files in; else -1 with
 * one line in err. */
int lp_run_check_dir(const char *dir, char *err, size_t errlen);

/* The file execvp would run for `prog` (searched in PATH when it has no
 * '/') into path; 0, or -1 when there is none (execvp then says why). */
int lp_run_find_program(const char *prog, char *path, size_t len);

/* "" when the program can be profiled, or as far as can be told; else why
 * it cannot, one line into why. */
void lp_run_why_not_profiled(const char *path, char *why, size_t len);

/* The library that the program at `path` needs and that must come first in
 * LD_PRELOAD, before liblockprof.so, into `name` (its DT_NEEDED name, which
 * the loader searches for as it would for the program): the runtime of a
 * program built with AddressSanitizer, which aborts otherwise. "" when
 * there is none, or when the LD_PRELOAD value `preload` (may be NULL)
 * names one already. */
void lp_run_preload_first(const char *path, const char *preload, char *name, size_t len);

#endif
