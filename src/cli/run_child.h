/* SPDX-License-Identifier: MIT */
/*
 * The program of `lockprof run`, as a child: the tool stays to say at the
 * end what was written. The program is the first process of its tree (its
 * pid is LOCKPROF_ROOT_PID); signals sent to the tool are passed on to it,
 * while those a terminal sends reach both (they share the process group)
 * and are not sent twice; its exit status becomes the tool's, and its
 * death by a signal the tool's own death by that signal.
 */
#ifndef LP_CLI_RUN_CHILD_H
#define LP_CLI_RUN_CHILD_H

/* Run argv[0] (searched in PATH) with the current environment and wait for
 * it. Returns its wait status, or -1 with errno when it could not be
 * started (exec failed: errno is exec's). `extra_signal` is forwarded too
 * (0: none). */
int lp_run_child(char **argv, int extra_signal);

/* Exit as the program did (status of lp_run_child): its exit code, or its
 * signal raised on this process. */
int lp_run_exit_like(int status);

#endif
