/* SPDX-License-Identifier: MIT */
/*
 * The analysis commands of `lockprof`, each `int cmd(argc, argv)` with
 * argv[0] the command's name. Exit codes: 0 done, 1 `check` found a
 * regression, 2 bad usage or bad input (one line on stderr).
 */
#ifndef LP_CLI_ANALYSIS_H
#define LP_CLI_ANALYSIS_H

#define LP_EXIT_OK 0
#define LP_EXIT_REGRESSION 1
#define LP_EXIT_BAD 2

int lp_cmd_top(int argc, char **argv);
int lp_cmd_diff(int argc, char **argv);
int lp_cmd_check(int argc, char **argv);
int lp_cmd_folded(int argc, char **argv);
int lp_cmd_flame(int argc, char **argv);
int lp_cmd_merge(int argc, char **argv);
int lp_cmd_waiting(int argc, char **argv);

#endif
